"""create_app(settings): wires everything together, and does nothing else."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from meetings_hub import (
    api,
    pages,
    pages_calendar,
    pages_files,
    pages_privacy,
    pages_rooms,
    pages_savings,
    pages_scheduling,
)
from meetings_hub.actions.export import ExportBuilder
from meetings_hub.actions.files import FileRuntime
from meetings_hub.actions.retention import RetentionRunner
from meetings_hub.actions.savings_freeze import SavingsFreezer
from meetings_hub.api import feeds as feeds_api
from meetings_hub.api import files as api_files
from meetings_hub.api import openapi
from meetings_hub.api.system import healthz, metrics
from meetings_hub.hub import Hub
from meetings_hub.i18n import Translations
from meetings_hub.keys import files_key, hub_key, mail_sender_key, savings_freezer_key, sio_key
from meetings_hub.mail.sender import MailSender
from meetings_hub.middleware import (
    actor_middleware,
    configured_origins,
    csrf_middleware,
    error_middleware,
    headers_middleware,
)
from meetings_hub.realtime.server import attach, create_sio, install_chat
from meetings_hub.settings import Settings
from meetings_hub.storage import migrate
from meetings_hub.storage.db import Database

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


def load_secret(settings: Settings) -> bytes:
    """The configured key, or one made once and kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()


async def create_app(settings: Settings) -> web.Application:
    configured_origins(settings.site_url, settings.allowed_origins)  # a bad one stops the start
    app = web.Application(
        middlewares=[headers_middleware, error_middleware, actor_middleware, csrf_middleware],
        client_max_size=settings.max_json_bytes,
    )
    db = Database(settings.sqlite_path)
    hub = Hub(
        settings=settings,
        db=db,
        translations=Translations.load(WEB_DIR / "i18n"),
        secret=load_secret(settings),
    )
    app[hub_key] = hub
    mail_sender = MailSender(db, settings)
    app[mail_sender_key] = mail_sender
    hub.wake_mail = mail_sender.wake

    sio = create_sio(hub)
    app[sio_key] = sio
    attach(sio, app)

    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(WEB_DIR / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        context_processors=[pages.context],
    )
    routes = api.all_routes()
    routes.install(app)
    document = openapi.build(routes)

    async def openapi_json(request: web.Request) -> web.Response:
        return web.json_response(document)

    app.router.add_get("/api/openapi.json", openapi_json)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    pages.install(app)
    # Feature wiring, one block per feature (pages, background tasks, socket namespaces):
    # scheduling (issue 4)
    pages_scheduling.install(app, hub)

    # feeds (issue 4)
    feeds_api.install_files(app)
    pages_calendar.install(app)

    # rooms (issue 5)
    install_chat(app, sio, hub)
    pages_rooms.install(app)

    # files (issue 6)
    app[files_key] = FileRuntime.for_hub(hub)
    api_files.install_downloads(app)
    pages_files.install(app)
    app.cleanup_ctx.append(api_files.file_store)

    # savings (issue 11)
    freezer = SavingsFreezer(hub)
    app[savings_freezer_key] = freezer
    hub.wake_savings = freezer.wake
    app.on_startup.append(_start_freezer)
    app.on_shutdown.append(_stop_freezer)
    pages_savings.install(app)

    # data protection (issue 17)
    pages_privacy.install(
        app,
        RetentionRunner(hub, app[files_key]),
        ExportBuilder(hub, app[files_key].blobs.blob_path),
    )

    # end of feature wiring
    app.router.add_static("/static", WEB_DIR / "static", name="static", append_version=True)

    app.cleanup_ctx.append(_database(db))
    app.cleanup_ctx.append(_mail(mail_sender))
    app.cleanup_ctx.append(_later(hub))  # stopped first: its jobs need the database
    app.on_shutdown.append(_close_sockets)
    return app


def _database(db: Database):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await db.open()
        applied = await migrate.migrate(db)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        yield
        await db.close()

    return ctx


def _mail(sender: MailSender):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        sender.start()
        yield
        await sender.stop()

    return ctx


# on_startup runs after the cleanup contexts opened the database; on_shutdown before they close
# it. The first scan freezes what closed while the server was down.
async def _start_freezer(app: web.Application) -> None:
    app[savings_freezer_key].start()


async def _stop_freezer(app: web.Application) -> None:
    await app[savings_freezer_key].stop()


def _later(hub: Hub):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        hub.later.start()
        yield
        await hub.later.stop()

    return ctx


async def _close_sockets(app: web.Application) -> None:
    sio = app[sio_key]
    # shutdown() only stops background tasks: an open websocket kept SIGTERM waiting for the
    # server's whole shutdown timeout. Disconnecting every client first (their disconnect
    # handlers run as usual) lets the process exit at once.
    with contextlib.suppress(Exception):
        if sio.eio.sockets:  # engineio's disconnect() fails on an empty set
            await sio.eio.disconnect()
    with contextlib.suppress(Exception):
        await sio.shutdown()
