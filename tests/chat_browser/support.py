"""Browser chat helpers: a session meeting with a guest link, pages signed in as people/guests."""

from __future__ import annotations

from typing import Any

from meetings_hub.actions.demo import DEMO_PASSWORD
from tests.browser_support import login_page
from tests.chat.support import add_meeting, network_id_of, person_id
from tests.support import LEAD, Client, Server

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}


async def meeting_with_guest_link(server: Server, guest_name: str = "Jan Gość") -> tuple[int, str]:
    """A meeting of the lead's network starting in 5 minutes, and a guest invitation link."""
    network_id = await network_id_of(server, "Morawic")
    meeting_id = await add_meeting(server, network_id, created_by=await person_id(server, LEAD))
    lead = Client(server.url)
    try:
        await lead.login(LEAD)
        status, body = await lead.post(
            f"/api/v1/meetings/{meeting_id}/guest-invitations",
            {"name": guest_name, "category": "local_creator"},
        )
        assert status in (200, 201), body
        return meeting_id, body["link"]
    finally:
        await lead.close()


async def person_page(browser: Any, server: Server, email: str, **context: Any) -> Any:
    context.setdefault("viewport", DESKTOP)
    return await login_page(browser, server.url, email, DEMO_PASSWORD, **context)


async def guest_page(browser: Any, link: str, **context: Any) -> Any:
    """A guest opens the invitation link, enters with their name and lands in the room."""
    context.setdefault("viewport", DESKTOP)
    ctx = await browser.new_context(bypass_csp=True, **context)
    page = await ctx.new_page()
    await page.goto(link)
    await page.click("button[type=submit].primary")
    await page.wait_for_url("**/rooms/*")
    await page.wait_for_selector("#connection[data-state=connected]")
    return page


async def send(page: Any, text: str) -> None:
    await page.fill("#composer-text", text)
    await page.press("#composer-text", "Enter")


def watch_console(page: Any) -> list[str]:
    """Collects page errors and console errors, so a test can assert there were none."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    return problems
