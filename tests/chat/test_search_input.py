"""Room search takes any text: FTS5 syntax, NUL (which ended the quoted query: "unterminated
string", a 500), lone surrogates, control characters — never an error, and still finds words."""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from meetings_hub.storage.chat import fold, match_expression
from tests.chat.support import network_id_of, signed_in
from tests.support import LEAD, REPO, Server

MIGRATION = REPO / "meetings_hub" / "storage" / "migrations" / "0004_chat.sql"
# Every code point, surrogates and controls included.
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=60)
LETTERS = "abcdefghijklmnopqrstuvwxyząćęłńóśźżĄĆĘŁŃÓŚŹŻ0123456789"
WORD = st.text(st.sampled_from(LETTERS), min_size=1)


def _fts() -> sqlite3.Connection:
    """An in-memory table made by the migration's own statement."""
    ddl = re.search(r"CREATE VIRTUAL TABLE messages_fts[^;]*;", Path(MIGRATION).read_text())
    assert ddl is not None
    db = sqlite3.connect(":memory:")
    db.execute(ddl.group(0))
    return db


DB = _fts()


def _search(stored: str, query: str) -> bool:
    DB.execute("DELETE FROM messages_fts")
    DB.execute("INSERT INTO messages_fts (rowid, folded) VALUES (1, ?)", (fold(stored),))
    match = match_expression(query)
    if match is None:
        return False
    found = DB.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?", (match,))
    return bool(found.fetchall())


@settings(max_examples=500, deadline=None)
@given(ANY_TEXT)
def test_any_query_is_a_valid_match(query: str) -> None:
    _search("zwykła wiadomość", query)  # raises on a query FTS5 or SQLite refuses


@settings(max_examples=200, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=5), st.data())
def test_every_stored_word_and_its_prefix_is_found(words: list[str], data: st.DataObject) -> None:
    word = data.draw(st.sampled_from(words))
    prefix = word[: data.draw(st.integers(1, len(word)))]
    stored = " ".join(words)
    assert _search(stored, word) and _search(stored, prefix.upper())
    # Noise around the word (FTS syntax, NUL, controls) does not hide it.
    assert _search(stored, f'\x00"{word}"\x01 *')


async def test_search_api_answers_any_query(server: Server) -> None:
    lead, _ = await signed_in(server, LEAD)
    try:
        network_id = await network_id_of(server, "Morawic")
        status, room = await lead.post(f"/api/v1/networks/{network_id}/room")
        assert status in (200, 201), room
        room_id = room["id"]
        status, _ = await lead.post(
            f"/api/v1/rooms/{room_id}/messages",
            {"client_msg_id": uuid.uuid4().hex, "text": "Żółw w Łodzi"},
        )
        assert status in (200, 201)
        for raw in ("%00", "zolw%00", "%ED%A0%80", "%C0", '"', "*", "NEAR(", "%01%1F%7F", "^"):
            status, found = await lead.get(f"/api/v1/rooms/{room_id}/search?q={raw}")
            assert status == 200 and isinstance(found, list), (raw, status, found)
        status, found = await lead.get(f"/api/v1/rooms/{room_id}/search?q=%00lodz%00")
        assert status == 200 and [m["text"] for m in found] == ["Żółw w Łodzi"]
    finally:
        await lead.close()
