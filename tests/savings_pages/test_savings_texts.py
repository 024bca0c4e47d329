"""Every message the savings actions can send reads in Polish on the pages (server.savings.*),
and every savings text the templates and scripts use exists in both languages."""

from __future__ import annotations

import re

import pytest

from meetings_hub.app import WEB_DIR
from meetings_hub.i18n import Translations
from tests.support import REPO

TABLE = Translations.load(WEB_DIR / "i18n")
SOURCES = ["meetings_hub/actions/savings.py", "meetings_hub/savings/params.py"]
_MESSAGE = re.compile(
    r'(?:raise (?:Forbidden|NotFound|ValidationFailed)\(\s*|errors\.add\(\s*[\w"]+,\s*'
    r'|return )f?"([A-Z{][^"]+[.)])"'
)


def _messages() -> set[str]:
    found = set()
    for name in SOURCES:
        for message in _MESSAGE.findall((REPO / name).read_text("utf-8")):
            text = re.sub(r"\{[^}]+\}", "7", message)  # f-string holes: any value
            if re.sub(r"[\W\d_]", "", text):  # not only holes ("{name}: {message}")
                found.add(text)
    return found


def test_the_savings_sources_send_messages() -> None:
    assert len(_messages()) > 10


@pytest.mark.parametrize("message", sorted(_messages()))
def test_every_savings_message_reads_in_polish(message: str) -> None:
    assert TABLE.server_message("pl", message) != message, f"add a server.savings key: {message!r}"


def test_savings_templates_and_scripts_use_known_keys() -> None:
    files = [*(WEB_DIR / "templates").glob("savings*.html"), *(WEB_DIR / "static/js").rglob("*.js")]
    used: set[str] = set()
    for path in files:
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", path.read_text("utf-8")))
    missing = sorted(k for k in used if k not in TABLE.table and not k.endswith("."))
    assert missing == []
