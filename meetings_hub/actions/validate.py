"""Field checks shared by actions; each failure names its field so forms can show it there."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from meetings_hub.errors import ValidationFailed

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
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.add(name, "Unknown time zone.")

    def coordinate(self, name: str, value: float | None, limit: float) -> None:
        if value is not None and not -limit <= value <= limit:
            self.add(name, f"Must be between -{limit} and {limit}.")

    def password(self, name: str, value: str, minimum: int) -> None:
        if len(value) < minimum:
            self.add(name, f"At least {minimum} characters.")
        elif len(value) > 1000:
            self.add(name, "At most 1000 characters.")
