"""The one translation table: web/i18n/*.json merged, Polish by default, English available.

Each file holds ``{"key": {"pl": "...", "en": "..."}}`` for one feature; together they form one
table (a key may be defined in one file only; tests check that every key has both languages).
"""

from __future__ import annotations

import json
from pathlib import Path

LANGUAGES = ("pl", "en")
DEFAULT_LANGUAGE = "pl"
LANGUAGE_COOKIE = "mh_lang"


class Translations:
    def __init__(self, table: dict[str, dict[str, str]]) -> None:
        self.table = table

    @classmethod
    def load(cls, folder: Path) -> Translations:
        table: dict[str, dict[str, str]] = {}
        for path in sorted(folder.glob("*.json")):
            for key, texts in json.loads(path.read_text("utf-8")).items():
                if key in table:
                    raise ValueError(f"translation key {key!r} is defined twice ({path.name})")
                missing = [lang for lang in LANGUAGES if not texts.get(lang)]
                if missing:
                    raise ValueError(f"translation key {key!r} lacks {missing} in {path.name}")
                table[key] = texts
        return cls(table)

    def get(self, language: str, key: str, **values: object) -> str:
        texts = self.table.get(key)
        if texts is None:
            return key
        text = texts.get(language) or texts[DEFAULT_LANGUAGE]
        return text.format(**values) if values else text

    def for_language(self, language: str) -> dict[str, str]:
        return {
            key: texts.get(language) or texts[DEFAULT_LANGUAGE] for key, texts in self.table.items()
        }


def pick_language(requested: str | None, fallback: str = DEFAULT_LANGUAGE) -> str:
    return requested if requested in LANGUAGES else fallback
