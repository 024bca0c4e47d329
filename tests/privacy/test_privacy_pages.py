"""The privacy notice and what the guest entry page says, with the periods from the settings;
the audit page is the coordinator's."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from meetings_hub.actions import session
from tests.foundation.walk_support import client_as, start_world

HTML = {"Accept": "text/html"}


async def _page(url: str, lang: str = "pl") -> tuple[int, str]:
    async with aiohttp.ClientSession(cookies={"mh_lang": lang}) as http:
        async with http.get(url, headers=HTML) as r:
            return r.status, await r.text()


async def test_notice_states_the_configured_periods_in_both_languages(tmp_path: Path) -> None:
    server, world = await start_world(
        tmp_path, guest_data_retention_days=45, chat_retention_days=0, audit_retention_days=365
    )
    try:
        status, text = await _page(server.url + "/privacy")
        assert status == 200
        assert "45 dni po spotkaniu" in text and "365 dni" in text
        assert "bez ograniczenia czasu" in text  # chat kept
        status, text = await _page(server.url + "/privacy", "en")
        assert "Privacy notice" in text and "45 days after the meeting" in text
        # The footer of every page links it; the guest entry page says what it keeps.
        status, home = await _page(server.url + "/login")
        assert 'href="/privacy"' in home
        token = session.guest_link_token(
            world.hub, world.ids["invitation_id"], world.ids["meeting_id"]
        )
        status, guest = await _page(f"{server.url}/guest/{token}")
        assert status == 200
        assert "przez 45 dni po spotkaniu" in guest and 'href="/privacy"' in guest
    finally:
        await server.runner.cleanup()


async def test_audit_page_is_the_coordinators(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        for role, wanted in (("coordinator", 200), ("lead", 403), ("partner", 403)):
            client = await client_as(server, world, role)
            async with client.session.get(server.url + "/audit", headers=HTML) as r:
                assert r.status == wanted, role
                if wanted == 200:
                    text = await r.text()
                    assert "Dziennik działań administracyjnych" in text and "audit.csv" in text
            async with client.session.get(server.url + "/audit?since=wczoraj", headers=HTML) as r:
                assert r.status in (400, 403)
            await client.close()
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/audit", headers=HTML, allow_redirects=False) as r:
                assert r.status in (302, 303) and "/login" in r.headers["Location"]
    finally:
        await server.runner.cleanup()


async def test_my_data_page_is_for_accounts(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        partner = await client_as(server, world, "partner")
        async with partner.session.get(server.url + "/profile/data", headers=HTML) as r:
            text = await r.text()
            assert r.status == 200 and "Przygotuj moje dane" in text
            assert 'id="erase-guest"' not in text  # the erase forms are the coordinator's
        coordinator = await client_as(server, world, "coordinator")
        async with coordinator.session.get(server.url + "/profile/data", headers=HTML) as r:
            assert 'id="erase-guest"' in await r.text()
        for role in ("anonymous", "guest"):
            client = await client_as(server, world, role)
            async with client.session.get(
                server.url + "/profile/data", headers=HTML, allow_redirects=False
            ) as r:
                assert r.status in (302, 303, 403), role
            await client.close()
        await partner.close()
        await coordinator.close()
    finally:
        await server.runner.cleanup()
