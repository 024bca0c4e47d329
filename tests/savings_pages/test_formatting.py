"""Figures on pages: one formatting module (meetings_hub/i18n.py) for Polish and English."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import format_currency as babel_currency
from babel.numbers import format_decimal as babel_decimal
from hypothesis import given
from hypothesis import strategies as st

from meetings_hub.i18n import LOCALES, MONEY_PATTERNS, format_money, format_number, format_unit

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("value", "polish", "english"),
    [
        (Decimal("1234.56"), "1 234,56 zł", "PLN 1,234.56"),
        (Decimal("0"), "0,00 zł", "PLN 0.00"),
        (Decimal("1234567.891"), "1 234 567,89 zł", "PLN 1,234,567.89"),
        # Halves go up, as with a calculator (Babel alone would round half to even).
        (Decimal("0.125"), "0,13 zł", "PLN 0.13"),
        (Decimal("2.345"), "2,35 zł", "PLN 2.35"),
        (12, "12,00 zł", "PLN 12.00"),
    ],
)
def test_money(value: Decimal | int, polish: str, english: str) -> None:
    assert format_money(value, "pl").replace(NBSP, " ") == polish
    assert format_money(value, "en").replace(NBSP, " ") == english


@pytest.mark.parametrize(
    ("value", "unit", "polish", "english"),
    [
        (Decimal("12.5"), "km", "12,5 km", "12.5 km"),
        (12.45, "km", "12,5 km", "12.5 km"),
        (Decimal("1234.25"), "kg", "1 234,3 kg", "1,234.3 kg"),
        (Decimal("0.04"), "h", "0,0 h", "0.0 h"),
    ],
)
def test_units(value: Decimal | float, unit: str, polish: str, english: str) -> None:
    assert format_unit(value, "pl", unit).replace(NBSP, " ") == polish
    assert format_unit(value, "en", unit).replace(NBSP, " ") == english


def test_numbers_group_thousands_and_keep_the_unit_on_the_line() -> None:
    assert format_number(1234, "pl") == f"1{NBSP}234"
    assert format_number(1234, "en") == "1,234"
    assert format_number(Decimal("2.5"), "pl", 2) == "2,50"
    # A no-break space: "12,5" never ends one line and "km" starts the next.
    assert format_unit(Decimal("12.5"), "pl", "km") == f"12,5{NBSP}km"
    assert format_number(None, "pl") == "" and format_money(None, "en") == ""


@given(
    value=st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
    places=st.integers(min_value=0, max_value=3),
    lang=st.sampled_from(["pl", "en"]),
)
def test_the_same_as_babel_writes_what_is_shown(value: Decimal, places: int, lang: str) -> None:
    """The fast path writes exactly what Babel (CLDR) writes for the value as rounded."""
    locale = LOCALES[lang]
    shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    assert format_number(value, lang, places) == babel_decimal(shown, pattern, locale=locale)
    money = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert format_money(value, lang) == babel_currency(
        money, "PLN", MONEY_PATTERNS.get(lang), locale=locale, currency_digits=False
    )
