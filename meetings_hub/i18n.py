"""The one translation table: web/i18n/*.json merged, Polish by default, English available.

Each file holds ``{"key": {"pl": "...", "en": "..."}}`` for one feature; together they form one
table (a key may be defined in one file only; tests check that every key has both languages).

Where a count appears, a language's text is instead a dict of CLDR plural forms, e.g.
``{"one": "{count} biblioteka", "few": "{count} biblioteki", "many": "{count} bibliotek"}``
(Polish needs one/few/many, English one/other); ``get(lang, key, count=n)`` picks the form.

Keys under ``server.`` translate the English messages the API sends (their ``en`` text is the
server's exact message, with ``{n}``-style holes); forms and error pages show them translated.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.numbers import format_currency as babel_currency

LANGUAGES = ("pl", "en")
DEFAULT_LANGUAGE = "pl"
LANGUAGE_COOKIE = "mh_lang"
SERVER_PREFIX = "server."
# English dates in the European order (26 November 2026, 14:05): the readers are in Poland.
LOCALES = {"pl": "pl_PL", "en": "en_GB"}
# "PLN 1,234.56" in English (Babel's en_GB writes "PLN1,234.56"); Polish keeps CLDR's
# "1 234,56 zł". Grouping and the unit are joined by a no-break space, as CLDR does.
MONEY_PATTERNS = {"en": "¤\xa0#,##0.00"}
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")

Text = str | dict[str, str]


def _check_text(key: str, lang: str, text: object, where: str) -> None:
    if isinstance(text, str) and text:
        return
    if isinstance(text, dict) and text and set(text) <= set(PLURAL_FORMS):
        if all(isinstance(v, str) and v for v in text.values()):
            return
    raise ValueError(f"translation key {key!r} has no usable {lang!r} text in {where}")


class Translations:
    def __init__(self, table: dict[str, dict[str, Text]]) -> None:
        self.table = table
        self._server: dict[str, list[tuple[re.Pattern[str], str]]] = {}
        self._script_json: dict[str, tuple[str, str]] = {}

    @classmethod
    def load(cls, folder: Path) -> Translations:
        table: dict[str, dict[str, Text]] = {}
        for path in sorted(folder.glob("*.json")):
            for key, texts in json.loads(path.read_text("utf-8")).items():
                if key in table:
                    raise ValueError(f"translation key {key!r} is defined twice ({path.name})")
                missing = [lang for lang in LANGUAGES if not texts.get(lang)]
                if missing:
                    raise ValueError(f"translation key {key!r} lacks {missing} in {path.name}")
                for lang in LANGUAGES:
                    _check_text(key, lang, texts[lang], path.name)
                table[key] = texts
        return cls(table)

    def _text(self, language: str, key: str) -> Text | None:
        texts = self.table.get(key)
        if texts is None:
            return None
        return texts.get(language) or texts[DEFAULT_LANGUAGE]

    def get(self, language: str, key: str, **values: object) -> str:
        text = self._text(language, key)
        if text is None:
            return key
        if isinstance(text, dict):
            text = pick_plural(language, text, values.get("count", 0))
        return text.format(**values) if values else text

    def for_language(self, language: str) -> dict[str, Text]:
        return {
            key: texts.get(language) or texts[DEFAULT_LANGUAGE] for key, texts in self.table.items()
        }

    def for_page(self, language: str) -> dict[str, Text]:
        """The table a page embeds for its scripts (server messages go separately)."""
        table = self.for_language(language)
        return {k: v for k, v in table.items() if not k.startswith(SERVER_PREFIX)}

    def server_table(self, language: str) -> dict[str, str]:
        """{the API's English message: its translation}, for a page's scripts."""
        return {
            str(texts["en"]): str(texts.get(language) or texts["en"])
            for key, texts in self.table.items()
            if key.startswith(SERVER_PREFIX)
        }

    def script_json(self, language: str) -> tuple[str, str]:
        """``for_page`` and ``server_table`` as JSON for <script> blocks, made once per language.

        Every request's template context carries them (aiohttp_jinja2 builds the context for
        API and socket.io requests too), and a socket.io connection keeps its request for as
        long as it lives: building them per request cost ~12 KiB per idle connection and
        grows with every feature's texts (bench/RESULTS.md, chat fan-out)."""
        if language not in self._script_json:
            self._script_json[language] = (
                _for_script(self.for_page(language)),
                _for_script(self.server_table(language)),
            )
        return self._script_json[language]

    def server_message(self, language: str, message: str) -> str:
        """The API's English message in ``language``; unknown messages stay as they are."""
        if language not in self._server:
            # Exact texts first, so "Library not found." wins over "{what} not found.".
            entries = sorted(self.server_table(language).items(), key=lambda e: e[0].count("{"))
            self._server[language] = [(_pattern(en), text) for en, text in entries]
        for pattern, translated in self._server[language]:
            found = pattern.fullmatch(message.strip())
            if found:
                return translated.format(**found.groupdict())
        return message


def _for_script(value: object) -> str:
    # Inside <script type="application/json">, "</" would end the element early.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _pattern(english: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", english)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(regex)


def pick_plural(language: str, forms: dict[str, str], count: object) -> str:
    try:
        number = float(count)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = 0
    if number.is_integer():
        number = int(number)
    form = Locale.parse(LOCALES.get(language, language)).plural_form(number)
    return forms.get(form) or forms.get("other") or forms.get("many") or next(iter(forms.values()))


def pick_language(requested: str | None, fallback: str = DEFAULT_LANGUAGE) -> str:
    return requested if requested in LANGUAGES else fallback


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Europe/Warsaw")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Warsaw")


def format_date(value: date | datetime | str | None, language: str, tz: str = "") -> str:
    """A calendar date the way the language writes it: 12 marca 2012 / 12 March 2012."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = _aware(value).astimezone(zone(tz)).date()
    return babel_date(value, "long", locale=LOCALES.get(language, language))


def format_datetime(value: datetime | str | None, language: str, tz: str = "") -> str:
    """A moment shown in the reader's time zone: 26 listopada 2026, 14:05."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = _aware(value).astimezone(zone(tz))
    locale = LOCALES.get(language, language)
    day = babel_date(local.date(), "long", locale=locale)
    return f"{day}, {babel_time(local, 'HH:mm', locale=locale)}"


def _aware(value: datetime) -> datetime:
    # The database stores UTC; a naive value read from it is UTC too.
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))


# Numbers on pages: every figure (savings, sizes...) is formatted here, in the page's language,
# rounded half up (as a person with a calculator does, not Babel's half-even) to what is shown.
# The symbols come from Babel (CLDR) once per language; the formatting itself is Python's own,
# since a long table calls it thousands of times (Babel's parser costs ~80 µs a number).


@functools.cache
def _symbols(language: str) -> tuple[str, str, str, str]:
    """(decimal sign, group separator, text before and after an amount of złoty)."""
    locale = LOCALES.get(language, language)
    symbols = Locale.parse(locale).number_symbols["latn"]
    one = babel_currency(
        Decimal(1), "PLN", MONEY_PATTERNS.get(language), locale=locale, currency_digits=False
    )
    before, _, after = one.partition("1" + symbols["decimal"] + "00")
    return symbols["decimal"], symbols["group"], before, after


def _rounded(value: Decimal | float | int, places: int) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # never "-0,0"


def format_number(value: Decimal | float | int | None, language: str, places: int = 0) -> str:
    """12.5 → "12,5" / "12.5"; 1234 → "1 234" / "1,234" (no-break space)."""
    if value is None:
        return ""
    decimal, group, _, _ = _symbols(language)
    text = format(_rounded(value, places), f",.{places}f")
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def format_money(value: Decimal | float | int | None, language: str) -> str:
    """Złoty to the grosz: "1 234,56 zł" / "PLN 1,234.56"."""
    if value is None:
        return ""
    _, _, before, after = _symbols(language)
    return before + format_number(value, language, 2) + after


def format_unit(
    value: Decimal | float | int | None, language: str, unit: str, places: int = 1
) -> str:
    """A measure with its unit after a no-break space: "12,5 km" / "12.5 km", "3,4 kg"."""
    if value is None:
        return ""
    return f"{format_number(value, language, places)}\xa0{unit}"
