"""Room page features in a real browser: scroll-back history, search without diacritics,
edit and delete, @mentions with a notification, moderator tools, and long-polling only."""

from __future__ import annotations

import pytest

from tests.browser_support import axe_violations
from tests.chat.support import ChatClient, network_id_of, signed_in
from tests.chat_browser.support import guest_page, meeting_with_guest_link, person_page, send
from tests.support import LEAD, PARTNER, Server

pytestmark = pytest.mark.browser


async def network_room(server: Server) -> int:
    lead, _ = await signed_in(server, LEAD)
    status, body = await lead.post(
        f"/api/v1/networks/{await network_id_of(server, 'Morawic')}/room"
    )
    await lead.close()
    assert status == 200, body
    return int(body["id"])


async def test_scroll_back_loads_older_pages_in_order(server, browser, shots) -> None:
    room = await network_room(server)
    lead, token = await signed_in(server, LEAD)
    writer = ChatClient("lead")
    await writer.connect(server, token)
    await writer.join(room, None)
    for n in range(120):
        assert (await writer.send(room, f"wiadomość {n:03d}"))["ok"]
    await writer.close()
    await lead.close()

    page = await person_page(browser, server, PARTNER)
    await page.goto(f"{server.url}/rooms/{room}")
    await page.wait_for_selector(".msg:has-text('wiadomość 119')")
    assert await page.locator("#messages .msg").count() == 50
    # Scrolling to the top loads the next page; the button does the same from the keyboard.
    await page.eval_on_selector("#messages", "list => { list.scrollTop = 0; }")
    await page.wait_for_function("document.querySelectorAll('#messages .msg').length === 100")
    await page.focus("#load-older")
    await page.keyboard.press("Enter")
    await page.wait_for_function("document.querySelectorAll('#messages .msg').length === 120")
    await page.wait_for_selector("#load-older", state="hidden")
    texts = await page.locator("#messages .msg .msg-body").all_inner_texts()
    assert texts == [f"wiadomość {n:03d}" for n in range(120)]


async def test_search_edit_delete_and_mentions(server, browser, shots) -> None:
    room = await network_room(server)
    lead = await person_page(browser, server, LEAD)
    # The lead's tab is "hidden" and records notifications instead of showing them.
    await lead.add_init_script(
        """
        window.__notes = [];
        Object.defineProperty(document, "hidden", { get: () => true });
        window.Notification = class {
          static permission = "granted";
          static requestPermission() { return Promise.resolve("granted"); }
          constructor(title, options) { window.__notes.push({ title, body: options.body }); }
          addEventListener() {}
        };
        """
    )
    await lead.goto(f"{server.url}/rooms/{room}")
    await lead.wait_for_selector("#connection[data-state=connected]")
    partner = await person_page(browser, server, PARTNER)
    await partner.goto(f"{server.url}/rooms/{room}")
    await partner.wait_for_selector("#participants li:has-text('Anna Kowalczyk')")

    # @mention by completion: "@Ann" offers Anna Kowalczyk; Enter picks her.
    await partner.type("#composer-text", "Pytanie do @Ann")
    await partner.wait_for_selector(".mention-list [role=option]:has-text('Anna Kowalczyk')")
    await partner.press("#composer-text", "Enter")
    await partner.type("#composer-text", "czy widziałaś żółwia?")
    await partner.press("#composer-text", "Enter")
    mention = lead.locator(".msg.mentions-me mark.mention-me", has_text="@Anna Kowalczyk")
    await mention.wait_for()
    notes = await lead.evaluate("window.__notes")
    assert notes and "Tomasz" in notes[0]["title"], notes

    # Search ignores case and Polish letters.
    await partner.click("#tab-search")
    await partner.fill("#search-q", "ZOLWIA")
    await partner.press("#search-q", "Enter")
    hit = partner.locator("#search-results .search-hit", has_text="żółwia")
    await hit.wait_for()
    await hit.click()
    await partner.wait_for_selector(".msg.found:has-text('żółwia')")

    # Edit, then delete, my own message; the other side sees both.
    mine = partner.locator(".msg.mine", has_text="żółwia")
    await mine.locator("button", has_text="Edytuj").click()
    await partner.fill(".msg-edit textarea", "czy widziałaś żółwia w bibliotece?")
    await partner.press(".msg-edit textarea", "Enter")
    await lead.wait_for_selector(".msg:has-text('w bibliotece?') .msg-edited:has-text('edytowano')")
    partner.once("dialog", lambda d: d.accept())
    await mine.locator("button", has_text="Usuń").click()
    await lead.wait_for_selector(".msg.deleted:has-text('Wiadomość usunięta.')")
    await partner.screenshot(path=str(shots / "search-edit-delete.png"))
    assert await axe_violations(partner) == []


async def test_moderator_locks_and_removes_a_guest(server, browser, shots) -> None:
    _, link = await meeting_with_guest_link(server)
    guest = await guest_page(browser, link)
    lead = await person_page(browser, server, LEAD)
    await lead.goto(guest.url)
    await lead.wait_for_selector("#participants li:has-text('Jan Gość')")

    await lead.click("#mod-tools .mod-lock")
    await guest.wait_for_selector("#room-state:has-text('tylko do odczytu')")
    assert await guest.locator("#composer-text").is_disabled()
    await lead.click("#mod-tools .mod-lock:has-text('Odblokuj')")
    await guest.wait_for_function("!document.querySelector('#composer-text').disabled")

    lead.once("dialog", lambda d: d.accept())
    await lead.locator("#participants li", has_text="Jan Gość").locator("button").click()
    await guest.wait_for_selector("#room-state:has-text('usunął')")
    await lead.wait_for_function(
        "!document.querySelector('#participants').textContent.includes('Jan Gość')"
    )
    await guest.screenshot(path=str(shots / "guest-removed.png"))

    lead.once("dialog", lambda d: d.accept())
    await lead.click("#mod-tools .mod-end")
    await lead.wait_for_selector("#room-state:has-text('zakończone')")
    assert await lead.locator("#composer-text").is_disabled()


async def test_works_when_websockets_are_blocked(server, browser, shots) -> None:
    room = await network_room(server)
    page = await person_page(browser, server, PARTNER)
    await page.context.route_web_socket("**/socket.io/**", lambda ws: ws.close())
    await page.goto(f"{server.url}/rooms/{room}")
    await page.wait_for_selector("#connection[data-state=connected]")
    await send(page, "przez long-polling")
    await page.wait_for_selector(".msg.mine [data-state=saved]")
    await page.wait_for_timeout(1500)  # an upgrade attempt has failed by now
    assert "zgodności" in await page.locator("#connection").inner_text()
    await page.screenshot(path=str(shots / "polling-only.png"))


async def test_refused_message_can_be_sent_again(server, browser, shots) -> None:
    room = await network_room(server)
    lead = await person_page(browser, server, LEAD)
    await lead.goto(f"{server.url}/rooms/{room}")
    await lead.wait_for_selector("#connection[data-state=connected]")
    partner = await person_page(browser, server, PARTNER)
    await partner.goto(f"{server.url}/rooms/{room}")
    await partner.wait_for_selector("#connection[data-state=connected]")
    # The partner writes a moment after the lead locked the room, before the page knew it.
    await lead.click("#mod-tools .mod-lock")
    await partner.wait_for_selector("#room-state:has-text('tylko do odczytu')")
    await partner.evaluate(
        """() => {
          const box = document.querySelector('#composer-text');
          box.disabled = false;
          document.querySelector('#composer button[type=submit]').disabled = false;
        }"""
    )
    await send(partner, "napisane w zamkniętym pokoju")
    failed = partner.locator(".msg.mine", has_text="zamkniętym")
    await failed.locator("[data-state=failed]:has-text('Nie wysłano')").wait_for()
    assert "tylko do odczytu" in await partner.locator("#room-problem").inner_text()
    await lead.click("#mod-tools .mod-lock:has-text('Odblokuj')")
    await partner.wait_for_function("!document.querySelector('#composer-text').disabled")
    await failed.locator("button.retry").click()
    await failed.locator("[data-state=saved]").wait_for()
    await lead.wait_for_selector(".msg:has-text('napisane w zamkniętym pokoju')")
    assert await lead.locator(".msg", has_text="zamkniętym").count() == 1
