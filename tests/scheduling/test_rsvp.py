"""One-click answer links: GET only shows a page, POST records; forged and expired refused."""

from __future__ import annotations

import re
import time
from typing import Any

from meetings_hub import auth
from meetings_hub.actions import rsvp
from tests.scheduling.support import Smtp
from tests.support import LEAD, PARTNER, Server


async def _links(smtp: Smtp, address: str) -> dict[str, str]:
    await smtp.inbox.wait_for(lambda msgs: any(address in str(m["To"]) for m in msgs))
    msg = smtp.inbox.to(address)[0]
    plain = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    found = dict(re.findall(r"  (Wezmę udział|Może|Nie wezmę udziału): (\S+)", plain))
    assert len(found) == 3, plain
    return found


async def _answers(lead: Any, meeting_id: int) -> dict[str, str]:
    status, body = await lead.get(f"/api/v1/meetings/{meeting_id}")
    assert status == 200
    return {i["name"]: i["rsvp"] for lib in body["libraries"] for i in lib["invitees"]}


async def test_link_get_shows_page_post_records(
    mail_server: Server, smtp: Smtp, clients: Any
) -> None:
    lead = await clients(LEAD)
    status, meeting = await lead.post(
        "/api/v1/meetings", {"title": "Spotkanie", "start": "2027-10-19T10:00:00"}
    )
    assert status == 201
    links = await _links(smtp, PARTNER)
    anonymous = await clients()
    token = links["Nie wezmę udziału"].rsplit("/", 1)[1]
    # A mail scanner following the link: a page, and nothing recorded.
    status, page = await anonymous.get(f"/rsvp/{token}")
    assert status == 200 and "Potwierdź" in page
    assert (await _answers(lead, meeting["id"]))["Tomasz Zieliński"] == "needs_action"
    status, body = await anonymous.post(f"/api/v1/rsvp/{token}")
    assert status == 200 and body == {"meeting_id": meeting["id"], "answer": "declined"}
    assert (await _answers(lead, meeting["id"]))["Tomasz Zieliński"] == "declined"
    # Changing one's mind with another link of the same mail.
    token = links["Wezmę udział"].rsplit("/", 1)[1]
    status, _ = await anonymous.post(f"/api/v1/rsvp/{token}")
    assert status == 200
    assert (await _answers(lead, meeting["id"]))["Tomasz Zieliński"] == "accepted"


async def test_tampered_and_expired_links_are_refused(
    mail_server: Server, smtp: Smtp, clients: Any
) -> None:
    lead = await clients(LEAD)
    status, meeting = await lead.post(
        "/api/v1/meetings", {"title": "Spotkanie", "start": "2027-10-19T10:00:00"}
    )
    links = await _links(smtp, PARTNER)
    token = links["Wezmę udział"].rsplit("/", 1)[1]
    body, mac = token.split(".")
    payload = auth.unsign(mail_server.hub.secret, rsvp.PURPOSE, token)
    assert payload is not None
    # The same payload for another person, with the original signature.
    forged_body = auth.sign(b"not the secret", rsvp.PURPOSE, {**payload, "p": 1}).split(".")[0]
    expired = auth.sign(
        mail_server.hub.secret, rsvp.PURPOSE, {**payload, "x": int(time.time()) - 60}
    )
    wrong_answer = auth.sign(mail_server.hub.secret, rsvp.PURPOSE, {**payload, "a": "maybe"})
    anonymous = await clients()
    for bad, code in [
        (f"{forged_body}.{mac}", "invalid_rsvp_link"),
        (body + "." + mac[:-2] + ("AA" if not mac.endswith("AA") else "BB"), "invalid_rsvp_link"),
        ("garbage", "invalid_rsvp_link"),
        (expired, "expired_rsvp_link"),
        (wrong_answer, "invalid_rsvp_link"),
    ]:
        status, answer = await anonymous.post(f"/api/v1/rsvp/{bad}")
        assert status == 404 and answer["error"]["code"] == code, (bad, answer)
        status, _ = await anonymous.get(f"/rsvp/{bad}")
        assert status == 404
    assert (await _answers(lead, meeting["id"]))["Tomasz Zieliński"] == "needs_action"
    # A link of a cancelled meeting records nothing.
    await lead.post(f"/api/v1/meetings/{meeting['id']}/cancel")
    status, answer = await anonymous.post(f"/api/v1/rsvp/{token}")
    assert status == 422
    # Answers on the meeting page are checked too.
    partner = await clients(PARTNER)
    status, answer = await partner.post(
        f"/api/v1/meetings/{meeting['id']}/rsvp", {"answer": "maybe"}
    )
    assert status == 422 and "answer" in answer["error"]["details"]


async def test_answers_for_single_dates_of_a_series(mail_server: Server, clients: Any) -> None:
    lead = await clients(LEAD)
    partner = await clients(PARTNER)
    status, meeting = await lead.post(
        "/api/v1/meetings",
        {
            "title": "Klub",
            "start": "2027-10-19T10:00:00",
            "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 4},
        },
    )
    assert status == 201
    path = f"/api/v1/meetings/{meeting['id']}"
    assert (await partner.post(f"{path}/rsvp", {"answer": "accepted"}))[0] == 204
    # Not on 26 October (10:00 CEST = 08:00 UTC), maybe on 2 November (10:00 CET = 09:00 UTC).
    for original, answer in (("20271026T080000Z", "declined"), ("20271102T090000Z", "tentative")):
        status, _ = await partner.request(
            "PUT", f"{path}/occurrences/{original}/rsvp", json={"answer": answer}
        )
        assert status == 204

    async def dates(client: Any) -> list[tuple[str, str | None, dict[str, int]]]:
        status, body = await client.get(path)
        assert status == 200
        return [(o["start"], o["my_rsvp"], o["counts"]) for o in body["upcoming"]]

    mine = [(start, answer) for start, answer, _ in await dates(partner)]
    assert mine == [
        ("2027-10-19T08:00:00Z", "accepted"),
        ("2027-10-26T08:00:00Z", "declined"),
        ("2027-11-02T09:00:00Z", "tentative"),
        ("2027-11-09T09:00:00Z", "accepted"),
    ]
    # The organiser sees, per date, how everyone answered that date.
    # The organiser herself counts as coming (the accepted chair), never as "no answer".
    counts = {start: c for start, _, c in await dates(lead)}
    assert counts["2027-10-19T08:00:00Z"]["accepted"] == 2
    assert counts["2027-10-26T08:00:00Z"]["declined"] == 1
    assert counts["2027-10-26T08:00:00Z"]["accepted"] == 1
    assert sum(counts["2027-10-26T08:00:00Z"].values()) == sum(
        counts["2027-10-19T08:00:00Z"].values()
    )
    # Not a date of the series, a cancelled date: field errors.
    for original in ("20271027T080000Z",):
        status, body = await partner.request(
            "PUT", f"{path}/occurrences/{original}/rsvp", json={"answer": "declined"}
        )
        assert status == 422 and "original_start" in body["error"]["details"]
    assert (await lead.request("DELETE", f"{path}/occurrences/20271109T090000Z"))[0] == 204
    status, body = await partner.request(
        "PUT", f"{path}/occurrences/20271109T090000Z/rsvp", json={"answer": "declined"}
    )
    assert status == 422 and body["error"]["details"]["original_start"] == "Cancelled."
    # Answering for the whole series again replaces the answers for single dates.
    assert (await partner.post(f"{path}/rsvp", {"answer": "declined"}))[0] == 204
    assert {answer for _, answer, _ in await dates(partner)} == {"declined"}
