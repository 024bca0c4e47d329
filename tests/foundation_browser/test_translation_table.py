"""The translation table behind the pages: complete, plural-aware, and in step with the server."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from meetings_hub.app import WEB_DIR
from meetings_hub.i18n import Translations, format_date, format_datetime
from tests.support import REPO

TABLE = Translations.load(WEB_DIR / "i18n")
# The foundation modules whose English messages reach forms and error pages.
FOUNDATION = [
    "meetings_hub/actions/access.py",
    "meetings_hub/actions/network.py",
    "meetings_hub/actions/people.py",
    "meetings_hub/actions/session.py",
    "meetings_hub/actions/guests.py",
    "meetings_hub/actions/validate.py",
    "meetings_hub/api/routing.py",
    "meetings_hub/middleware.py",
]
_MESSAGE = re.compile(
    r'(?:raise \w+\(\s*|errors\.add\(\s*\w+,\s*|raise_field\(\s*"\w+",\s*|self\.add\(name,\s*)'
    r'f?"([^"]+)"'
)


def _foundation_messages() -> set[str]:
    found = set()
    for name in FOUNDATION:
        for message in _MESSAGE.findall((REPO / name).read_text("utf-8")):
            found.add(re.sub(r"\{[^}]+\}", "7", message))  # f-string holes: any value
    return found


@pytest.mark.parametrize("message", sorted(_foundation_messages()))
def test_every_foundation_message_reads_in_polish(message: str) -> None:
    assert TABLE.server_message("pl", message) != message, f"add a server.* key for {message!r}"


def test_every_key_used_by_pages_and_scripts_exists() -> None:
    used = set()
    files = [*(WEB_DIR / "templates").glob("*.html"), *(WEB_DIR / "static/js").glob("*.js")]
    for path in files:
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", path.read_text("utf-8")))
    missing = sorted(k for k in used if k not in TABLE.table and not k.endswith("."))
    assert missing == []


def test_counted_texts_have_every_plural_form() -> None:
    for key, texts in TABLE.table.items():
        if isinstance(texts["pl"], dict):
            assert {"one", "few", "many"} <= set(texts["pl"]), key
            assert {"one", "other"} <= set(texts["en"]), key


@pytest.mark.parametrize(
    ("count", "polish", "english"),
    [
        (1, "Razem 1 biblioteka.", "1 library in all."),
        (3, "Razem 3 biblioteki.", "3 libraries in all."),
        (5, "Razem 5 bibliotek.", "5 libraries in all."),
        (12, "Razem 12 bibliotek.", "12 libraries in all."),
        (22, "Razem 22 biblioteki.", "22 libraries in all."),
        (0, "Razem 0 bibliotek.", "0 libraries in all."),
    ],
)
def test_polish_plural_forms(count: int, polish: str, english: str) -> None:
    assert TABLE.get("pl", "count.libraries_total", count=count) == polish
    assert TABLE.get("en", "count.libraries_total", count=count) == english


def test_server_messages_with_holes_and_exact_texts() -> None:
    assert TABLE.server_message("pl", "At most 200 characters.") == "Najwyżej 200 znaków."
    assert TABLE.server_message("pl", "Library not found.") == "Nie znaleziono biblioteki."
    assert TABLE.server_message("pl", "Something new.") == "Something new."
    assert TABLE.server_message("en", "At most 200 characters.") == "At most 200 characters."


def test_dates_and_times_per_language_and_zone() -> None:
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night summer time starts
    assert format_date(date(2012, 9, 1), "pl") == "1 września 2012"
    assert format_date(date(2012, 9, 1), "en") == "1 September 2012"
    assert format_datetime(moment, "pl", "Europe/Warsaw") == "29 marca 2026, 01:30"
    assert format_datetime(moment, "en", "Europe/London") == "29 March 2026, 00:30"
    assert format_datetime("2026-07-01T10:00:00.000000Z", "pl", "Europe/Warsaw").endswith("12:00")
    assert format_datetime(moment, "pl", "Not/AZone") == "29 marca 2026, 01:30"


# Polish texts speak to and about anyone without guessing their gender (no "(a)", no
# "ustawiłaś/ustawiłeś", no feminine-only "mogła" for everyone): phrased neutrally.
_GENDERED = re.compile(r"\(-?a\)|łaś/|łeś/|ła/|/a\b|\bmogła\b(?! zablokować)|\bmógł\b")


def test_polish_texts_are_gender_neutral() -> None:
    found = []
    for key, texts in TABLE.table.items():
        polish = texts.get("pl") if isinstance(texts, dict) else None
        for text in polish.values() if isinstance(polish, dict) else [polish]:
            if isinstance(text, str) and _GENDERED.search(text):
                found.append((key, text))
    assert found == []
