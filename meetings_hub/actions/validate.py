"""Field checks shared by actions; each failure names its field so forms can show it there."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from meetings_hub.errors import ValidationFailed

# SQLite integers are signed 64-bit, and JSON and URLs allow any size, so an unchecked 2**63
# would reach the driver and fail there (a 500) instead of at the edge (a 4xx). Every integer
# of every request body is one of these (tests/foundation/test_int_bounds.py holds it so).
MAX_INT = 2**63 - 1
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_INT)]  # an id in a request body
Int = Annotated[int, msgspec.Meta(ge=-MAX_INT, le=MAX_INT)]  # any other number; actions say more


def parse_int(raw: str | None, *, low: int = 0, high: int = MAX_INT) -> int | None:
    """The whole number in a path or query value (ASCII digits only: ``int`` would also take
    "1_0", " 1" and other scripts' digits), or None when it is not one or not in [low, high]."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if low <= value <= high else None


# Deliberately permissive: one @, a dot in the domain, no spaces. The emailed link is the proof.
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")

# The one rule for text from anyone (REST bodies, forms, socket events). Never allowed: C0 and
# C1 control characters but tab and line feed, DEL, lone surrogates (valid JSON escapes that no
# database or mail header can encode) and the noncharacters U+FDD0-U+FDEF, U+FFFE, U+FFFF.
_NEVER = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
# A single-line field (a name, a title, a town...) ends up in mail headers, calendar lines,
# lists and tooltips, so it also refuses tab, line feed, the Unicode line and paragraph
# separators, and the bidirectional embeddings, overrides and isolates, which would turn the
# text around it (the harmless marks U+200E/U+200F stay allowed). Multi-line text (an agenda, a
# note, a chat message) keeps them: mixed-direction writing may need them.
_LINE_BREAKS = "\n\u2028\u2029"
_SINGLE_ONLY = "\t" + _LINE_BREAKS + "\u202a-\u202e\u2066-\u2069"
_BAD_MULTI_LINE = re.compile(f"[{_NEVER}]")
_BAD_SINGLE_LINE = re.compile(f"[{_NEVER}{_SINGLE_ONLY}]")
_RUNS_OF_SPACE = re.compile(r"[\s\u2028\u2029]+")
CONTROL_CHARACTERS = "Control characters are not allowed."
LINE_BREAKS = "Line breaks are not allowed here."


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why this text may not be stored, or None: THE check for every text field, whatever the
    way in (``FieldErrors.text`` for bodies and forms, ``actions.chat`` for socket events)."""
    found = (_BAD_MULTI_LINE if multiline else _BAD_SINGLE_LINE).search(value)
    if found is None:
        return None
    return LINE_BREAKS if found.group() in _LINE_BREAKS else CONTROL_CHARACTERS


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Text from elsewhere (an imported calendar) made to pass ``text_problem``: refused
    characters dropped, and for a single-line field each run of spaces, tabs and line breaks
    made one space."""
    if multiline:
        return _BAD_MULTI_LINE.sub("", value)
    return _BAD_SINGLE_LINE.sub("", _RUNS_OF_SPACE.sub(" ", value)).strip()


class FieldErrors:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed("Some fields are not valid.", details=self.errors)

    def text(
        self,
        name: str,
        value: str | None,
        *,
        required: bool = True,
        max_len: int = 200,
        multiline: bool = False,
    ) -> None:
        """A text field; single-line unless ``multiline`` (see ``text_problem``)."""
        if value is None:
            return
        if required and not value.strip():
            self.add(name, "This field is required.")
        elif len(value) > max_len:
            self.add(name, f"At most {max_len} characters.")
        elif problem := text_problem(value, multiline=multiline):
            self.add(name, problem)

    def email(self, name: str, value: str | None) -> None:
        if value is None:
            return
        if len(value) > 254 or not _EMAIL.match(value) or text_problem(value):
            self.add(name, "Not a valid email address.")

    def timezone(self, name: str, value: str | None) -> None:
        if value is None:
            return
        try:
            # A very long name makes zoneinfo's file lookup fail with OSError, not NotFound.
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            self.add(name, "Unknown time zone.")

    def coordinate(self, name: str, value: float | None, limit: float) -> None:
        if value is not None and not -limit <= value <= limit:
            self.add(name, f"Must be between -{limit} and {limit}.")

    def password(self, name: str, value: str, minimum: int) -> None:
        if len(value) < minimum:
            self.add(name, f"At least {minimum} characters.")
        elif len(value) > 1000:
            self.add(name, "At most 1000 characters.")
