"""Feeds over HTTP as calendar apps fetch them: headers, conditional requests, HEAD, revocation."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, quote, unquote, urlsplit

from meetings_hub.storage import scheduling as store
from tests.feeds.helpers import (
    WARSAW,
    add_meeting,
    event_of,
    fetch,
    network_named,
    uids,
)
from tests.support import LEAD, PARTNER


async def _feeds(client) -> dict[tuple[str, int | None], dict]:
    status, body = await client.get("/api/v1/feeds")
    assert status == 200, body
    return {(feed["scope"], feed["scope_id"]): feed for feed in body}


async def test_partner_gets_person_library_and_network_feeds_with_subscribe_links(
    server, client_factory
) -> None:
    partner = await client_factory(PARTNER)
    feeds = await _feeds(partner)
    net = await network_named(server, "Morawic")
    scopes = sorted((scope, scope_id is not None) for scope, scope_id in feeds)
    assert scopes == [("library", True), ("network", True), ("person", False)]
    assert ("network", net.id) in feeds
    feed = feeds[("person", None)]
    assert feed["name"] == "Moje spotkania"
    url = feed["url"]
    assert url.startswith(server.url + "/feeds/") and url.endswith(".ics")
    assert feed["webcal"] == "webcal://" + url.split("://", 1)[1]
    assert feed["google"] == (
        "https://calendar.google.com/calendar/r?cid=" + quote(feed["webcal"], safe="")
    )
    assert unquote(feed["google"].split("cid=", 1)[1]) == feed["webcal"]
    outlook = urlsplit(feed["outlook"])
    assert (outlook.scheme, outlook.netloc, outlook.path) == ("https", "outlook.live.com", "/owa")
    query = parse_qs(outlook.query)
    assert query == {
        "path": ["/calendar/action/compose"],
        "rru": ["addsubscription"],
        "url": [url],
        "name": ["Moje spotkania"],
    }
    assert feed["outlook365"].startswith("https://outlook.office.com/owa?")
    assert feed["download"] == urlsplit(url).path + "?download=1"  # relative: a browser link
    # The addresses stay the same from one visit to the next.
    assert (await _feeds(partner))[("person", None)]["url"] == url


async def test_feed_headers_conditional_requests_and_head(server, client_factory) -> None:
    net = await network_named(server, "Morawic")
    start = datetime.now(WARSAW).replace(hour=10, minute=0, second=0, microsecond=0)
    start += timedelta(days=7)
    meeting_id = await add_meeting(server, net, title="Spotkanie sieci", start=start)
    lead = await client_factory(LEAD)
    url = (await _feeds(lead))[("network", net.id)]["url"]

    status, headers, body = await fetch(url)
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag = headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    last_modified = headers["Last-Modified"]
    assert parsedate_to_datetime(last_modified).tzinfo is not None
    assert "private" in headers["Cache-Control"]
    assert headers["Content-Disposition"].startswith("inline;")
    assert f"meeting-{meeting_id}@meetings-hub.local" in uids(body)
    assert b"METHOD:" not in body

    # Unchanged: byte-identical, same validators.
    status, again_headers, again = await fetch(url)
    assert (status, again, again_headers["ETag"]) == (200, body, etag)
    assert again_headers["Last-Modified"] == last_modified

    for conditional in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": last_modified},
    ):
        status, headers304, body304 = await fetch(url, headers=conditional)
        assert (status, body304) == (304, b""), conditional
        assert headers304["ETag"] == etag
        assert headers304["Last-Modified"] == last_modified

    # If-None-Match decides alone when both are sent (RFC 9110 13.2.2).
    status, _, _ = await fetch(
        url, headers={"If-None-Match": '"stale"', "If-Modified-Since": last_modified}
    )
    assert status == 200
    past = format_datetime(parsedate_to_datetime(last_modified) - timedelta(hours=1), usegmt=True)
    status, _, _ = await fetch(url, headers={"If-Modified-Since": past})
    assert status == 200

    status, head_headers, head_body = await fetch(url, method="HEAD")
    assert (status, head_body) == (200, b"")
    assert head_headers["ETag"] == etag
    assert head_headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert int(head_headers["Content-Length"]) == len(body)
    status, _, _ = await fetch(url, method="HEAD", headers={"If-None-Match": etag})
    assert status == 304

    status, download_headers, download = await fetch(url + "?download=1")
    assert status == 200 and download == body
    assert download_headers["Content-Disposition"].startswith("attachment;")
    # RFC 6266: the Polish name in filename*, a transliterated ASCII one for old clients.
    disposition = download_headers["Content-Disposition"]
    assert 'filename="Siec - Siec bibliotek wokol Morawicy.ics"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Sieć - Sieć bibliotek wokół Morawicy.ics"

    # A change moves both validators; the old ETag now gets the full feed.
    await asyncio.sleep(1.1)  # Last-Modified has whole seconds
    async with server.hub.db.write() as tx:
        await store.cancel(tx, meeting_id)
    status, new_headers, changed = await fetch(url, headers={"If-None-Match": etag})
    assert status == 200 and changed != body
    assert new_headers["ETag"] != etag
    assert parsedate_to_datetime(new_headers["Last-Modified"]) > parsedate_to_datetime(
        last_modified
    )
    status, _, _ = await fetch(url, headers={"If-Modified-Since": last_modified})
    assert status == 200
    assert (await event_of(server, meeting_id)).status == "CANCELLED"


async def test_regenerate_gives_a_new_address_and_the_old_one_answers_404(
    server, client_factory
) -> None:
    partner = await client_factory(PARTNER)
    old = (await _feeds(partner))[("person", None)]
    assert (await fetch(old["url"]))[0] == 200
    status, new = await partner.post("/api/v1/feeds/regenerate", {"scope": "person"})
    assert status == 200, new
    assert new["url"] != old["url"] and new["scope"] == "person"
    status, headers, body = await fetch(old["url"])
    assert status == 404
    assert headers["Content-Type"].startswith("application/json")
    assert b'"not_found"' in body
    assert (await fetch(old["url"], method="HEAD"))[0] == 404
    assert (await fetch(new["url"]))[0] == 200
    assert (await _feeds(partner))[("person", None)]["url"] == new["url"]
    # Other feeds of the same person keep their addresses.
    assert sum(1 for key in await _feeds(partner) if key[0] != "person") == 2


async def test_unknown_and_malformed_tokens_answer_404(server) -> None:
    for path in ("/feeds/nope.ics", "/feeds/" + "a" * 43 + ".ics", "/feeds/%2E%2E.ics"):
        status, _, _ = await fetch(server.url + path)
        assert status == 404, path


async def test_last_fetch_is_shown_to_the_subscriber(server, client_factory) -> None:
    partner = await client_factory(PARTNER)
    feed = (await _feeds(partner))[("person", None)]
    assert feed["last_fetched_at"] is None
    await fetch(feed["url"])
    assert (await _feeds(partner))[("person", None)]["last_fetched_at"] is not None
