"""Plain text from the HTML some calendars put in DESCRIPTION (Google writes ``<br>`` and
``<a href>``), read with the standard library's HTML parser: line breaks stay line breaks,
a link keeps its address, everything else is its text."""

from __future__ import annotations

from html.parser import HTMLParser

# Tags whose presence says "this DESCRIPTION is HTML"; a "<" in plain prose ("a < b") is
# text to the parser and no tag.
_HTML_TAGS = frozenset(
    {"a", "b", "br", "div", "em", "i", "li", "ol", "p", "span", "strong", "u", "ul", "html", "body"}
)
_BLOCKS = frozenset({"p", "div", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED = frozenset({"script", "style", "head", "title"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags = 0
        self._links: list[tuple[str, int]] = []  # href and where its text begins
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += tag in _HTML_TAGS
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS and tag not in ("ul", "ol"):  # a list's items start their lines
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._links.append((href.strip(), len(self.parts)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self._links:
            href, begin = self._links.pop()
            label = "".join(self.parts[begin:]).strip()
            if href.lower().startswith(("http://", "https://", "mailto:")) and href != label:
                # "label (address)": the address survives in any calendar, and a bare address
                # is not written twice.
                self.parts.append(f" ({href})" if label else href)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(text: str) -> str:
    """``text`` unchanged when it holds no HTML tags, else its plain-text reading."""
    if "<" not in text:
        return text
    parser = _TextParser()
    parser.feed(text)
    parser.close()
    if not parser.tags:
        return text
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    # At most one empty line in a row, none at either end.
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()
