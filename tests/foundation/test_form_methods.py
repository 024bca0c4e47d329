"""Every form a script sends also says ``method="post"``: sent before its script has run, it
must not become a GET that writes the fields (a password, a chat message) into the address.
Only a form meant to be a plain GET (the calendar's, the savings log's and the audit log's
filters) says ``method="get"``."""

from __future__ import annotations

import re

from tests.support import REPO

FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)


def test_every_script_sent_form_is_a_post() -> None:
    forms = [
        (path.name, tag)
        for path in sorted((REPO / "web" / "templates").glob("*.html"))
        for tag in FORM.findall(path.read_text(encoding="utf-8"))
    ]
    assert len(forms) >= 30  # the check reads the templates it means to
    plain_gets = [f for f in forms if 'method="get"' in f[1]]
    assert [name for name, _ in plain_gets] == ["audit.html", "calendar.html", "savings.html"]
    assert [f for f in forms if f not in plain_gets and 'method="post"' not in f[1]] == []
