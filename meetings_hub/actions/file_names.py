"""Shown file names: cleaned on the way in, sent back in Content-Disposition on the way out.

The name a browser sends is untrusted text. It is never used as a path (the bytes are stored
under their SHA-256); it is only shown and offered as the download name, so cleaning aims at
"saves safely on Windows, macOS and Linux and cannot pretend to be something else".
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_CHARS = 200
MAX_BYTES = 255  # the file-name limit of ext4, NTFS and APFS
MAX_EXTENSION = 16
FALLBACK = "plik"

# Windows refuses these as a name whatever the extension (CON.txt is CON), in any case.
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$", re.I)
# Characters Windows forbids in names; the slashes also make path parts.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")
# Letters that NFKD does not split into a base letter and an accent.
_ASCII_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O"})


def _visible(char: str) -> bool:
    # Cc: control (NUL, newlines, escape); Cf: format, e.g. U+202E which turns "gpj.exe" around
    # on screen; Zl/Zp: line and paragraph separators.
    return unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def _trim_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")[:limit]
    return encoded.decode("utf-8", errors="ignore")


def clean_name(raw: str | None) -> str:
    """A safe, readable file name from whatever the client sent; never empty."""
    name = unicodedata.normalize("NFC", raw or "")
    # Only the last path part counts, with either slash ("C:\\Users\\x\\a.pdf" from old IE).
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if _visible(c))
    name = _FORBIDDEN.sub("_", name)
    name = _SPACES.sub(" ", name)
    # Leading dots hide files on Unix; trailing dots and spaces are dropped by Windows.
    name = name.strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > MAX_EXTENSION or " " in extension:
        stem, extension = name, ""
    if _RESERVED.match(stem.split(".")[0].strip()):
        stem = "_" + stem
    suffix = "." + extension if extension else ""
    room = min(MAX_CHARS - len(suffix), MAX_BYTES - len(suffix.encode("utf-8")))
    stem = _trim_bytes(stem[:room], MAX_BYTES - len(suffix.encode("utf-8"))).rstrip(" .")
    if not stem:
        stem = FALLBACK
    return stem + suffix


def ascii_fallback(name: str) -> str:
    """The name in plain ASCII, for the old ``filename=`` parameter: "łódź.pdf" → "lodz.pdf"."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_EXTRA))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%' else "_" for c in plain)
    return plain or FALLBACK


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266 with the RFC 5987 ``filename*`` for the real (UTF-8) name.

    Browsers that know ``filename*`` (all current ones) use it; the ASCII ``filename`` is for the
    rest, so "sprawozdanie_łódź.pdf" keeps its letters wherever it can.
    """
    kind = "inline" if inline else "attachment"
    encoded = quote(name, safe="!#$&+-.^_`|~")
    return f"{kind}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"
