"""Every setting in one frozen, typed object.

Each field carries its type, default and help text (``metadata["help"]``). Values come from
``MEETINGS_HUB_<NAME>`` environment variables and, on top of those, from CLI flags
(``--name-with-dashes``). ``docs/configuration.md`` documents every field; a test keeps the two
in step.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

ENV_PREFIX = "MEETINGS_HUB_"


def _setting(default: Any, help: str, *, secret: bool = False) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret})


@dataclass(frozen=True)
class Settings:
    host: str = _setting("127.0.0.1", "Address the HTTP server listens on.")
    port: int = _setting(8080, "TCP port the HTTP server listens on.")
    data_dir: Path = _setting(
        Path("var"), "Directory for the SQLite database, uploads and backups (created if missing)."
    )
    database_url: str = _setting(
        "",
        "Database location. Empty: the SQLite file meetings_hub.sqlite3 in data_dir. "
        "A path ending in .sqlite3 uses that file.",
    )
    site_url: str = _setting(
        "http://127.0.0.1:8080",
        "Public base URL of the site, used in emailed links and calendar feeds (links inside "
        "pages are relative). `serve` warns when it names this machine with another port.",
    )
    site_domain: str = _setting(
        "meetings-hub.local",
        "Domain used in calendar UIDs (meeting-<id>@<domain>) and Message-IDs. Never change it "
        "once calendars have been subscribed: clients would see every event as new.",
    )
    secret_key: str = _setting(
        "",
        "Key that signs guest links and one-click RSVP links. Empty: a random key is created "
        "once and kept in data_dir/secret_key.",
        secret=True,
    )
    secure_cookies: bool = _setting(
        False, "Mark cookies Secure; turn on when the site is served over https."
    )
    allowed_origins: str = _setting(
        "",
        "Other origins (scheme://host[:port], comma-separated) whose pages may open chat "
        "sockets and send forms, besides site_url and the address a request came to (e.g. "
        "when a proxy passes another Host header). Every other origin is refused.",
    )
    session_days: int = _setting(30, "Days a login session lasts without use.")
    demo_mode: bool = _setting(
        False, "Demo mode: demo accounts with printed passwords exist. Never in production."
    )
    default_language: str = _setting("pl", "Language of the interface for visitors: pl or en.")
    timezone: str = _setting("Europe/Warsaw", "Time zone of the programme and of new people.")
    smtp_host: str = _setting("", "SMTP server for outgoing mail. Empty: mail stays in the outbox.")
    smtp_port: int = _setting(587, "SMTP server port.")
    smtp_username: str = _setting("", "SMTP user name (empty: no authentication).")
    smtp_password: str = _setting("", "SMTP password.", secret=True)
    smtp_starttls: bool = _setting(True, "Use STARTTLS when the SMTP server offers it.")
    smtp_timeout: float = _setting(30.0, "Seconds to wait for the SMTP server.")
    mail_from: str = _setting(
        "meetings_hub <no-reply@meetings-hub.local>", "From address of outgoing mail."
    )
    mail_poll_seconds: float = _setting(
        5.0, "How often the mail sender looks for new mail in the outbox."
    )
    mail_max_attempts: int = _setting(8, "Attempts before an outgoing mail is marked failed.")
    mail_claim_seconds: float = _setting(
        600.0,
        "Seconds after which mail claimed by a sender that died mid-send is sent again "
        "(with the same Message-ID). Keep it well above smtp_timeout.",
    )
    login_max_failures: int = _setting(
        5, "Failed logins per email address within login_window_minutes before it is locked."
    )
    login_max_failures_per_ip: int = _setting(
        30, "Failed logins per client address within login_window_minutes."
    )
    login_window_minutes: int = _setting(15, "Window of the login rate limit.")
    behind_proxy: bool = _setting(
        False,
        "The site is reached only through a reverse proxy that appends the client's address to "
        "X-Forwarded-For: the login limit per address then uses that address (else every user "
        "shares the proxy's). Never turn on when clients can reach the server directly.",
    )
    reset_link_hours: int = _setting(2, "Hours a password-reset link stays valid.")
    invitation_link_days: int = _setting(14, "Days an account invitation link stays valid.")
    guest_link_days: int = _setting(
        30, "Days a guest invitation link stays valid after the meeting is scheduled."
    )
    shutdown_seconds: float = _setting(
        3.0,
        "On SIGTERM, seconds to let requests in progress finish before open connections "
        "(websockets included) are closed. Keep it below your process manager's kill timeout.",
    )
    max_json_bytes: int = _setting(1_048_576, "Largest JSON request body accepted, in bytes.")
    log_level: str = _setting("INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.")
    metrics_token: str = _setting(
        "",
        "Bearer token that reads /metrics (Authorization: Bearer <token>). Empty: /metrics is "
        "open to everyone only in demo mode; otherwise only a signed-in coordinator reads it.",
        secret=True,
    )

    # --- Scheduling and calendars (issue 4): add fields below this line ---
    reminder_offsets_minutes: str = _setting(
        "1440,60",
        "When reminder emails go out, in minutes before each meeting, comma-separated "
        "(default 24 hours and 1 hour). Empty: no reminders.",
    )
    reminder_poll_seconds: float = _setting(
        30.0, "How often the reminder scheduler looks for meetings that need a reminder."
    )
    max_invitees: int = _setting(
        100, "Most people and guests one meeting may invite (libraries' staff included)."
    )

    # --- Calendar feeds and import (issue 4): add fields below this line ---
    feed_past_days: int = _setting(90, "Calendar feeds carry meetings back to this many days ago.")
    feed_future_days: int = _setting(
        365, "Calendar feeds carry meetings up to this many days ahead (Google refuses ~1 MB)."
    )
    feed_cancelled_days: int = _setting(
        30, "Days a cancelled meeting stays in feeds (marked ODWOŁANE) after it was cancelled."
    )
    ics_import_max_events: int = _setting(
        300, "Most events read from one uploaded .ics file; the rest are reported, not imported."
    )

    # --- Chat rooms (issue 5): add fields below this line ---
    chat_session_open_minutes: int = _setting(
        15, "Minutes before a session starts that its chat room opens for messages."
    )
    chat_session_close_minutes: int = _setting(
        60, "Minutes after a session's end that its chat room turns read-only."
    )
    chat_edit_minutes: int = _setting(15, "Minutes an author may edit or delete a message.")
    chat_replay_limit: int = _setting(
        1000, "Most messages replayed on join; older gaps are loaded by the history API."
    )
    chat_batch_max: int = _setting(500, "Most messages stored in one group-commit transaction.")
    chat_max_queue: int = _setting(
        1000, "Packets waiting for one socket before it is disconnected as a slow reader."
    )
    chat_max_events_per_10s: int = _setting(
        1000, "Events one socket may send in 10 seconds before they are refused."
    )
    chat_recheck_seconds: float = _setting(
        30.0,
        "How often an open chat socket's sign-in and room access are confirmed again (a"
        " logout, a disabled account or a library leaving its network also act at once).",
    )
    chat_ws_compression: bool = _setting(
        False, "Per-message websocket compression (about 4x memory per connection)."
    )
    redis_url: str = _setting(
        "", "Redis URL joining several server processes (socket.io broadcasts). Empty: one process."
    )
    redis_channel: str = _setting(
        "meetings_hub", "Redis pub/sub channel; processes of one installation share it."
    )
    process_heartbeat_seconds: float = _setting(
        10.0,
        "How often a server process records that it is alive (in Redis, or in the database"
        " without Redis); after three missed beats the others close its attendance rows.",
    )

    # --- Files in rooms (issue 6): add fields below this line ---
    file_max_bytes: int = _setting(
        200_000_000,
        "Largest file that may be shared in a room, in bytes (checked while the upload streams).",
    )
    file_retention_days: int = _setting(
        0,
        "Days shared files are kept; 0 keeps them forever. Applied by `meetings-hub cleanup`.",
    )
    thumbnail_max_pixels: int = _setting(
        50_000_000,
        "Images with more pixels than this get no thumbnail (guards against decompression bombs).",
    )

    # --- Savings log (issue 11): add fields below this line ---
    savings_poll_seconds: float = _setting(
        30.0,
        "How often the savings job looks for session rooms that closed and freezes their"
        " records (a host ending a session wakes it at once).",
    )
    savings_lookback_days: int = _setting(
        400,
        "At start the savings job freezes every room that closed this many days back and was"
        " not frozen yet (e.g. while the server was down).",
    )

    # --- Data protection (issue 17): add fields below this line ---
    audit_retention_days: int = _setting(
        730,
        "Days the audit log of administrative actions is kept (0: forever). Applied by "
        "`meetings-hub cleanup` and the daily run; see docs/privacy.md for why two years.",
    )
    chat_retention_days: int = _setting(
        0,
        "Days chat messages are kept, then deleted with their search entries (0: forever). "
        "Applied by `meetings-hub cleanup` and the daily run.",
    )
    guest_data_retention_days: int = _setting(
        90,
        "Days after a meeting (a series: its last date) that its guests' names and invited "
        'email addresses are kept; then they are anonymised ("Gość #7"), the category stays '
        "for the programme's report (0: forever).",
    )
    sign_in_retention_days: int = _setting(
        30,
        "Days login attempts, ended sessions and used or expired emailed links are kept "
        "(0: forever). Live sessions stay.",
    )
    outbox_retention_days: int = _setting(
        30,
        "Days the body of a sent (or failed) mail is kept in the outbox; then only its kind, "
        "subject, recipient and times stay (0: forever).",
    )
    export_link_hours: int = _setting(
        72,
        "Hours a prepared data export (the ZIP of /profile/data) can be downloaded; then the "
        "file is deleted by the retention run.",
    )
    erasure_messages: str = _setting(
        "redact",
        "What erasing a person or guest does to their chat messages: redact (they read "
        '"[usunięto]") or keep (the text stays, the author is anonymised). A programme '
        "decision; see docs/privacy.md.",
    )
    retention_run_hours: float = _setting(
        24.0,
        "How often the server itself applies the retention settings and the file cleanup "
        "(the same work as `meetings-hub cleanup`); 0 turns the background run off.",
    )

    # --- Calls in rooms (issue 14): add fields below this line ---
    p2p_max_participants: int = _setting(
        4,
        "Most people in one peer-to-peer call (every browser sends to every other one, so each"
        " more person costs everyone upload bandwidth).",
    )
    call_max_participants: int = _setting(
        25, "Most people in one call through Janus (with `janus_url` set)."
    )
    janus_url: str = _setting(
        "",
        "Janus HTTP API that carries every call (e.g. `http://127.0.0.1:8088/janus`, the shipped"
        " `deploy/janus` config). Empty: peer-to-peer calls of up to `p2p_max_participants`.",
    )
    janus_api_secret: str = _setting(
        "", "The API secret Janus was started with (`janus --apisecret`).", secret=True
    )
    turn_urls: str = _setting(
        "",
        "TURN servers for browsers behind strict firewalls, comma-separated (e.g."
        " `turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349`). Each call"
        " join gets time-limited credentials (the TURN REST API scheme of coturn's"
        " `use-auth-secret`).",
    )
    turn_secret: str = _setting(
        "", "The shared secret of the TURN server (coturn `static-auth-secret`).", secret=True
    )
    turn_ttl_seconds: int = _setting(
        12 * 3600, "How long TURN credentials given at a call join stay valid."
    )
    call_stun_urls: str = _setting(
        "",
        "STUN servers the browsers use to find their public addresses, comma-separated (e.g."
        " `stun:stun.example.org:3478`). Empty: calls work between browsers that reach each"
        " other directly (one network or VPN).",
    )

    # --- end of feature settings ---

    @property
    def sqlite_path(self) -> Path:
        if self.database_url:
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.data_dir / "meetings_hub.sqlite3"

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def setting_fields() -> list[dataclasses.Field[Any]]:
    return list(dataclasses.fields(Settings))


def _convert(kind: Any, raw: str, name: str) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"setting {name}: {raw!r} is not a boolean")
    try:
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"setting {name}: {raw!r} is not a valid {kind.__name__}") from exc


def from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from MEETINGS_HUB_* variables, then explicit overrides (e.g. from CLI flags)."""
    environ = os.environ if environ is None else environ
    hints = get_type_hints(Settings)
    values: dict[str, Any] = {}
    for f in setting_fields():
        raw = environ.get(ENV_PREFIX + f.name.upper())
        if raw is not None:
            values[f.name] = _convert(hints[f.name], raw, f.name)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)


def add_cli_flags(parser: argparse.ArgumentParser) -> None:
    """One ``--flag`` per setting; unset flags leave the environment's value in place."""
    hints = get_type_hints(Settings)
    for f in setting_fields():
        flag = "--" + f.name.replace("_", "-")
        kind = hints[f.name]
        if kind is bool:
            parser.add_argument(
                flag,
                dest=f.name,
                default=None,
                action=argparse.BooleanOptionalAction,
                help=f.metadata["help"],
            )
        else:
            parser.add_argument(flag, dest=f.name, default=None, type=kind, help=f.metadata["help"])


def from_cli(namespace: argparse.Namespace) -> Settings:
    names = {f.name for f in setting_fields()}
    return from_env(**{k: v for k, v in vars(namespace).items() if k in names})
