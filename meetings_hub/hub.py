"""The central object every action receives: settings, database, translations, secret, hooks.

Like Datasette's ``Datasette`` instance: one place that holds what the process has open, passed
explicitly (never a module global), so tests can run several hubs side by side.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from meetings_hub.i18n import Translations
from meetings_hub.settings import Settings
from meetings_hub.storage.db import Database

Emit = Callable[[str, Any, str], Awaitable[None]]


async def _no_emit(event: str, data: Any, room: str) -> None:
    return None


@dataclass
class Hub:
    settings: Settings
    db: Database
    translations: Translations
    secret: bytes
    # Set by the app once the mail sender and socket server exist; actions call them after commit.
    wake_mail: Callable[[], None] = field(default=lambda: None)
    # Set by the app once the savings freezer runs: a session ended by its host closes its room.
    wake_savings: Callable[[], None] = field(default=lambda: None)
    emit: Emit = field(default=_no_emit)
    # What actions keep in memory for this process, by name (e.g. "feeds": built feed files).
    caches: dict[str, Any] = field(default_factory=dict)

    def t(self, language: str, key: str, **values: object) -> str:
        return self.translations.get(language, key, **values)

    def url(self, path: str) -> str:
        return self.settings.site_url.rstrip("/") + path
