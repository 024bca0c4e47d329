"""What a file is, judged from its first bytes (never from the client's name or header),
and how it may be served.

``filetype`` knows binary formats by their magic numbers; text formats have none, so markup
that a browser would run (HTML, SVG, XML) is recognised here, and other text is plain text.
"""

from __future__ import annotations

import re

import filetype

SNIFF_BYTES = 8192  # filetype reads at most this much

OCTET_STREAM = "application/octet-stream"
# Shown inline when asked (previews): pictures, audio and video, nothing else. Everything
# else is only ever an attachment — PDFs too: they can carry scripts and forms for the
# browser's viewer, and under the files' CSP sandbox Chromium refuses to show them anyway.
INLINE_SAFE = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "audio/ogg",
        "audio/x-wav",
        "video/mp4",
        "video/webm",
    }
)
# Markup and scripts: a browser would run them in our origin, so they are served as opaque bytes.
RUNNABLE = frozenset(
    {"text/html", "image/svg+xml", "application/xml", "text/xml", "text/javascript"}
)
# Pillow reads these; they get thumbnails.
THUMBNAIL_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})

_MARKUP = (
    (re.compile(rb"<svg[\s>]", re.I), "image/svg+xml"),
    (re.compile(rb"<(!doctype\s+html|html|head|body|script|iframe|meta)[\s>]", re.I), "text/html"),
    (re.compile(rb"^\s*<\?xml", re.I), "application/xml"),
)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte letter cut off by the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def sniff(head: bytes) -> str:
    """The MIME type of content that starts with ``head``."""
    kind = filetype.guess(head[:SNIFF_BYTES]) if head else None
    if kind is not None:
        return str(kind.mime)
    if _looks_like_text(head):
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024]
        for pattern, mime in _MARKUP:
            if pattern.search(start):
                return mime
        return "text/plain"
    return OCTET_STREAM


def serve_inline(mime: str) -> bool:
    return mime in INLINE_SAFE


def served_type(mime: str) -> str:
    """The Content-Type a download gets: never one a browser would run as a page or script."""
    if mime in RUNNABLE:
        return OCTET_STREAM
    if mime == "text/plain":
        return "text/plain; charset=utf-8"
    return mime
