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
_SEPARATORS = re.compile(r"[/\\]")
# "C:a.pdf" is a.pdf in drive C's current folder.
_DRIVE = re.compile(r"^[A-Za-z]:")
# The filename parameter of a part's Content-Disposition, quoted (with RFC quoted-pairs for
# clients that escape) or bare.
_QUOTED_FILENAME = re.compile(r'(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"', re.I | re.S)
_LITERAL_FILENAME = re.compile(r'(?:^|;)\s*filename\s*=\s*"([^"]*)"', re.I)
_BARE_FILENAME = re.compile(r"(?:^|;)\s*filename\s*=\s*([^\s;\"]+)", re.I)
# Letters that NFKD does not split into a base letter and an accent.
_ASCII_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O"})


def _visible(char: str) -> bool:
    # Cc: control (NUL, newlines, escape); Cf: format, e.g. U+202E which turns "gpj.exe" around
    # on screen; Zl/Zp: line and paragraph separators.
    return unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def _trim_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")[:limit]
    return encoded.decode("utf-8", errors="ignore")


def disposition_filename(header: str) -> str | None:
    """The ``filename`` of a multipart part's Content-Disposition, backslashes kept.

    Browsers send the name as it is between the quotes, escaping only ``"`` and line breaks
    as %22, %0D, %0A (WHATWG); a backslash is part of the name ("C:\\Users\\x\\a.pdf" from
    old IE or a script). aiohttp reads the quotes by RFC rules, where a backslash escapes the
    next character, and made that name "C:Usersxa.pdf". Here only ``\\\\`` and ``\\"`` (RFC
    quoted-pairs, which curl sends) are escapes; any other backslash stays and then separates
    path parts. None when the header has no plain ``filename``.
    """
    quoted = _QUOTED_FILENAME.search(header)
    if quoted:
        return re.sub(r'\\([\\"])', r"\1", quoted.group(1))
    # An unpaired backslash just before the closing quote ("C:\\dir\\"): read literally.
    literal = _LITERAL_FILENAME.search(header) or _BARE_FILENAME.search(header)
    return literal.group(1) if literal else None


def base_name(raw: str) -> str:
    """The last real part of a path of either kind of slash: "C:\\x\\a.pdf", "\\\\srv\\s\\a.pdf",
    "x/a.pdf/", "a.pdf/.." and "C:a.pdf" are all "a.pdf"; "C:\\" and ".." are empty."""
    parts = [part for part in _SEPARATORS.split(raw) if part not in ("", ".", "..")]
    if not parts:
        return ""
    return _DRIVE.sub("", parts[-1]) if len(parts) == 1 else parts[-1]


def clean_name(raw: str | None) -> str:
    """A safe, readable file name from whatever the client sent; never empty."""
    name = unicodedata.normalize("NFC", raw or "")
    name = base_name(name)
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
