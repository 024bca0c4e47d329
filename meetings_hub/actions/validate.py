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


class FieldErrors:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed("Some fields are not valid.", details=self.errors)

    def text(
        self, name: str, value: str | None, *, required: bool = True, max_len: int = 200
    ) -> None:
        if value is None:
            return
        if required and not value.strip():
            self.add(name, "This field is required.")
        elif len(value) > max_len:
            self.add(name, f"At most {max_len} characters.")
        elif any(ord(c) < 32 and c not in "\n\t" for c in value):
            self.add(name, "Control characters are not allowed.")

    def email(self, name: str, value: str | None) -> None:
        if value is None:
            return
        if len(value) > 254 or not _EMAIL.match(value):
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
