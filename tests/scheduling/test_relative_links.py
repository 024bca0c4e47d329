"""Links inside pages are relative: a server reached on another address or port than
``site_url`` says still links to itself. Only mail and feeds use ``site_url``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from meetings_hub.actions import demo
from meetings_hub.cli import site_url_mismatch
from tests.support import LEAD, Client, Server, make_settings, start_server

ELSEWHERE = "http://127.0.0.1:1"


@pytest.fixture
async def misaddressed(tmp_path: Path) -> AsyncIterator[Server]:
    srv = await start_server(make_settings(tmp_path, site_url=ELSEWHERE))
    await demo.load(srv.hub)
    yield srv
    await srv.runner.cleanup()


async def test_pages_and_api_link_relatively(misaddressed: Server) -> None:
    lead = Client(misaddressed.url)
    try:
        await lead.login(LEAD)
        status, meeting = await lead.post(
            "/api/v1/meetings", {"title": "Spotkanie", "start": "2027-10-19T10:00:00"}
        )
        assert status == 201, meeting
        status, body = await lead.get(f"/api/v1/meetings/{meeting['id']}")
        assert status == 200
        assert body["join_url"] == f"/meetings/{meeting['id']}/room"
        assert body["page_url"] == f"/meetings/{meeting['id']}"
        for path in ("/", f"/meetings/{meeting['id']}", "/meetings", "/calendar"):
            status, html = await lead.get(path)
            assert status == 200, path
            hrefs = re.findall(r'href="([^"]*)"', html)
            assert hrefs, path
            # Subscription addresses are for calendar apps, which fetch from site_url.
            inside = [h for h in hrefs if "/feeds/" not in h or "download=1" in h]
            assert not [h for h in inside if h.startswith(ELSEWHERE)], (path, hrefs)
        # The join button of the meeting page leads into the room on this server.
        status, html = await lead.get(f"/meetings/{meeting['id']}")
        assert f'href="/meetings/{meeting["id"]}/room"' in html
    finally:
        await lead.close()


def test_start_warns_when_site_url_names_another_local_port(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, site_url=ELSEWHERE)
    assert "site_url is http://127.0.0.1:1" in site_url_mismatch(settings)
    assert site_url_mismatch(make_settings(tmp_path)) == ""
    # Behind a proxy the public name differs from the listening address on purpose.
    assert site_url_mismatch(make_settings(tmp_path, site_url="https://spotkania.example.pl")) == ""
