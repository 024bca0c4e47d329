"""`meetings-hub serve | migrate | demo | create-user | backup | cleanup`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from meetings_hub import settings as settings_module
from meetings_hub.settings import Settings


def _hub(settings: Settings):  # type: ignore[no-untyped-def]
    from meetings_hub.app import WEB_DIR, load_secret
    from meetings_hub.hub import Hub
    from meetings_hub.i18n import Translations
    from meetings_hub.storage.db import Database

    return Hub(
        settings=settings,
        db=Database(settings.sqlite_path),
        translations=Translations.load(WEB_DIR / "i18n"),
        secret=load_secret(settings),
    )


async def _with_hub(settings: Settings, work: Callable[..., Awaitable[int]]) -> int:
    from meetings_hub.storage import migrate

    hub = _hub(settings)
    await hub.db.open()
    try:
        await migrate.migrate(hub.db)
        return await work(hub)
    finally:
        await hub.db.close()


# Long URL-safe runs: password-reset, invitation, guest and feed tokens, in paths and queries.
_SECRET_LIKE = re.compile(r"[A-Za-z0-9_\-]{20,}(?:\.[A-Za-z0-9_\-]{10,})?")


class RedactTokens(logging.Filter):
    """Keeps emailed-link tokens out of the access log (request line and Referer alike)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _SECRET_LIKE.sub("[redacted]", record.getMessage())
        record.args = ()
        return True


def site_url_mismatch(settings: Settings) -> str:
    """A warning when ``site_url`` points at this machine but at another port than the one
    served: links in mails and calendar feeds would then lead nowhere. A public host name is
    not compared: behind a proxy it differs from the listening address on purpose."""
    site = urlsplit(settings.site_url)
    port = site.port or (443 if site.scheme == "https" else 80)
    if site.hostname not in {"127.0.0.1", "localhost", "::1"} or port == settings.port:
        return ""
    return (
        f"warning: site_url is {settings.site_url} but the server listens on "
        f"{settings.host}:{settings.port}; links in mails and calendar feeds will point "
        "there (set MEETINGS_HUB_SITE_URL or --site-url)"
    )


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from meetings_hub.app import create_app

    logging.getLogger("aiohttp.access").addFilter(RedactTokens())

    if settings.demo_mode:
        print_demo_logins(settings)
    print(f"meetings_hub serves on http://{settings.host}:{settings.port}", flush=True)
    mismatch = site_url_mismatch(settings)
    if mismatch:
        print(mismatch, file=sys.stderr, flush=True)
    # aiohttp waits shutdown_timeout (default 60 s) for every open connection, and a browser's
    # socket.io websocket never ends by itself: without a short bound a deploy's SIGTERM hangs
    # until the process manager kills it mid-write.
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        print=None,
        shutdown_timeout=settings.shutdown_seconds,
    )
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from meetings_hub.storage import migrate

    async def run() -> int:
        hub = _hub(settings)
        await hub.db.open()
        try:
            applied = await migrate.migrate(hub.db)
        finally:
            await hub.db.close()
        print("applied: " + ", ".join(applied) if applied else "database is up to date")
        return 0

    return asyncio.run(run())


def print_demo_logins(settings: Settings) -> None:
    from meetings_hub.actions.demo import DEMO_PASSWORD
    from meetings_hub.demo_data import PEOPLE

    print("\nDemo logins (demo mode only), password for all: " + DEMO_PASSWORD)
    for person in PEOPLE[:3]:
        print(f"  {person.role:<18} {person.email}")
    print(f"  … and {len(PEOPLE) - 3} more demo librarians (see docs/demo-data.md)\n", flush=True)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from meetings_hub.actions import demo, demo_savings, demo_sessions

    async def work(hub) -> int:  # type: ignore[no-untyped-def]
        if not await demo.is_empty(hub):
            if args.if_empty:
                print("database is not empty: demo data not loaded")
                return 0
            print(
                "error: the database is not empty; demo data goes only into an empty one",
                file=sys.stderr,
            )
            return 1
        logins = await demo.load(hub)
        sessions = await demo_sessions.load_sessions(hub)
        frozen = await demo_savings.load(hub)
        print(
            f"demo data loaded: {len(logins)} people, {sessions} sessions,"
            f" {frozen} held dates in the savings log"
        )
        return 0

    return asyncio.run(_with_hub(settings, work))


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from meetings_hub import auth
    from meetings_hub.domain import Language, Role
    from meetings_hub.storage import people

    password = args.password or getpass.getpass("Password (at least 10 characters): ")
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        print("error: the password needs at least 10 characters", file=sys.stderr)
        return 2
    role = Role(args.role)
    if role is not Role.COORDINATOR and args.library_id is None:
        print("error: librarians need --library-id", file=sys.stderr)
        return 2

    async def work(hub) -> int:  # type: ignore[no-untyped-def]
        async with hub.db.write() as tx:
            if await people.get_by_email(tx, args.email):
                print(f"error: {args.email} exists already", file=sys.stderr)
                return 1
            person_id = await people.insert(
                tx,
                full_name=args.name,
                email=args.email,
                library_id=args.library_id,
                role=role,
                language=Language(args.language),
                timezone=settings.timezone,
                password_hash=auth.hash_password(password),
            )
        print(f"created person {person_id}: {args.email} ({role.value})")
        return 0

    return asyncio.run(_with_hub(settings, work))


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from meetings_hub.storage.db import Database

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = (
        Path(args.output)
        if args.output
        else settings.data_dir / "backups" / f"meetings_hub-{stamp}.sqlite3"
    )

    if not settings.sqlite_path.exists():
        # Opening a missing file would create an empty database and "back it up".
        print(f"error: no database at {settings.sqlite_path}", file=sys.stderr)
        return 1

    async def run() -> int:
        # A separate connection: SQLite's online backup API copies a consistent snapshot even
        # while a running server keeps writing to the same file.
        db = Database(settings.sqlite_path, readers=1)
        await db.open()
        try:
            await db.backup(target)
        finally:
            await db.close()
        print(f"backup written to {target}")
        return 0

    return asyncio.run(run())


def cmd_cleanup(settings: Settings, args: argparse.Namespace) -> int:
    from meetings_hub.actions import files, retention

    async def work(hub) -> int:  # type: ignore[no-untyped-def]
        report = await files.cleanup(hub, files.FileRuntime.for_hub(hub))
        keep = f"{settings.file_retention_days} days" if settings.file_retention_days else "forever"
        print(
            f"files kept {keep}: {report.files_removed} removed by retention, "
            f"{report.files_withdrawn} withdrawn (card deleted), "
            f"{report.blobs_deleted} stored contents deleted, {report.orphans_deleted} orphans "
            f"and {report.temp_deleted} stale uploads cleared"
        )
        print("retention: " + (await retention.apply(hub)).summary())
        return 0

    return asyncio.run(_with_hub(settings, work))


COMMANDS = {
    "serve": (cmd_serve, "Run the web server."),
    "migrate": (cmd_migrate, "Apply database migrations."),
    "demo": (cmd_demo, "Load the demo network into an empty database."),
    "create-user": (
        cmd_create_user,
        "Create a person with a password (e.g. the first coordinator).",
    ),
    "backup": (
        cmd_backup,
        "Copy the database with SQLite's online backup API (safe while serving).",
    ),
    "cleanup": (
        cmd_cleanup,
        "Apply the retention settings: shared files (file_retention_days) and bytes nothing "
        "refers to, chat messages, guests' names, sign-ins, mail bodies and the audit log "
        "(safe while serving; the server also runs it every retention_run_hours).",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="meetings-hub", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        settings_module.add_cli_flags(command)
        if name == "demo":
            command.add_argument(
                "--if-empty",
                action="store_true",
                help="Do nothing (and succeed) when the database has data.",
            )
        if name == "create-user":
            command.add_argument("--email", required=True)
            command.add_argument("--name", required=True)
            command.add_argument(
                "--role",
                default="coordinator",
                choices=["coordinator", "lead_librarian", "partner_librarian"],
            )
            command.add_argument("--library-id", type=int)
            command.add_argument("--language", default="pl", choices=["pl", "en"])
            command.add_argument("--password", help="Prompted for when left out.")
        if name == "backup":
            command.add_argument("--output", help="Target file (default: data_dir/backups/...).")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_module.from_cli(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    handler, _ = COMMANDS[args.command]
    return handler(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
