"""Shown names: cleaned on the way in, RFC 6266/5987 on the way out (unit and real server)."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetings_hub.actions.file_names import (
    MAX_BYTES,
    ascii_fallback,
    base_name,
    clean_name,
    content_disposition,
    disposition_filename,
)
from tests.files.support import download, morawica_room, multipart_body, upload
from tests.support import LEAD, PARTNER

POLISH = "sprawozdanie_łódź.pdf"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system32\\cmd.exe", "cmd.exe"),
        ("C:\\Users\\Ania\\Pulpit\\plan.docx", "plan.docx"),
        ("CON.txt", "_CON.txt"),
        ("con", "_con"),
        ("lpt1.tar.gz", "_lpt1.tar.gz"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("a\x00b.txt", "ab.txt"),
        ("zdj\u202egpj.exe", "zdjgpj.exe"),  # right-to-left override would show "exe.jpg"
        ("  .ukryty.  ", "ukryty"),
        ('pyt"anie?<>|*.txt', "pyt_anie_____.txt"),
        ("", "plik"),
        ("...", "plik"),
        (None, "plik"),
        (POLISH, POLISH),
        ("Zaz\u0301o\u0301łc\u0301.txt", "Zaźółć.txt"),  # NFD from macOS becomes NFC
    ],
)
def test_clean_name(raw: str | None, expected: str) -> None:
    assert clean_name(raw) == expected


# Every form of path a client may send in front of a name (issue 10: "C:\\Users\\x\\a.pdf"
# became "C_Usersxa.pdf").
PATHS = [
    "C:\\Users\\x\\a.pdf",  # drive letter, backslashes
    "C:/Users/x/a.pdf",  # drive letter, forward slashes
    "/home/x/a.pdf",
    "x/a.pdf",
    "\\\\serwer\\udzial\\folder\\a.pdf",  # UNC
    "//serwer/udzial/a.pdf",
    "\\\\?\\C:\\Users\\a.pdf",  # Windows long-path prefix
    "C:a.pdf",  # drive-relative
    "C:\\Users\\x\\a.pdf\\",  # trailing separators
    "x/a.pdf//",
    "..\\..\\a.pdf",
    "../../a.pdf",
    "a.pdf/..",
    "./a.pdf",
    "C:\\Users/x\\./a.pdf",  # mixed
]


@pytest.mark.parametrize("raw", PATHS)
def test_only_the_base_name_of_any_path_counts(raw: str) -> None:
    assert base_name(raw) == "a.pdf"
    assert clean_name(raw) == "a.pdf"


@pytest.mark.parametrize("raw", ["C:\\", "C:", "..", "/", "\\\\", "./.."])
def test_a_path_without_a_name_gets_the_fallback(raw: str) -> None:
    assert clean_name(raw) == "plik"


_PART = st.text(st.characters(blacklist_characters="/\\"), min_size=1, max_size=12)
_SEPARATOR = st.sampled_from(["/", "\\", "\\\\", "//"])
_BASE = st.from_regex(
    r"[A-Za-z0-9ąęłóśźżĄĘŁÓŚŹŻ_ -]{0,20}[A-Za-z0-9ąęłóśźż]\.[a-z]{1,4}", fullmatch=True
)


@given(
    st.sampled_from(["", "C:", "C:\\", "\\\\srv\\share\\", "//srv/share/", "/", "./", "../"]),
    st.lists(st.tuples(_PART, _SEPARATOR), max_size=5),
    _BASE,
    st.sampled_from(["", "/", "\\", "\\\\"]),
)
def test_any_path_keeps_the_base_name(
    root: str, folders: list[tuple[str, str]], base: str, trailing: str
) -> None:
    raw = root + "".join(part + separator for part, separator in folders) + base + trailing
    name = clean_name(raw)
    assert "/" not in name and "\\" not in name
    assert name == clean_name(base)


@pytest.mark.parametrize(
    ("header", "filename"),
    [
        ('form-data; name="file"; filename="C:\\Users\\x\\a.pdf"', "C:\\Users\\x\\a.pdf"),
        # curl escapes by RFC rules: a backslash pair and an escaped quote
        ('form-data; name="file"; filename="C:\\\\x\\\\a.pdf"', "C:\\x\\a.pdf"),
        ('form-data; name="file"; filename="say \\"hi\\".txt"', 'say "hi".txt'),
        ('form-data; name="file"; filename="C:\\dir\\"', "C:\\dir\\"),
        ("form-data; name=file; filename=a.pdf", "a.pdf"),
        ('form-data; name="file"; filename=""', ""),
        ('form-data; name="file"', None),
    ],
)
def test_disposition_filename_keeps_backslashes(header: str, filename: str | None) -> None:
    assert disposition_filename(header) == filename


def test_long_names_keep_their_extension() -> None:
    name = clean_name("ż" * 300 + ".pdf")
    assert name.endswith("ż.pdf")
    assert len(name.encode("utf-8")) <= MAX_BYTES
    assert len(clean_name("a" * 300)) == 200


@given(st.text(max_size=400))
def test_clean_name_is_always_safe(raw: str) -> None:
    name = clean_name(raw)
    assert name and name == name.strip(" .")
    assert not any(c in name for c in '/\\<>:"|?*')
    assert all(unicodedata.category(c) not in {"Cc", "Cf"} for c in name)
    assert len(name.encode("utf-8")) <= MAX_BYTES
    assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    assert clean_name(name) == name  # cleaning twice changes nothing


def test_content_disposition_has_ascii_and_utf8_names() -> None:
    header = content_disposition(POLISH)
    assert header == (
        'attachment; filename="sprawozdanie_lodz.pdf"; '
        "filename*=UTF-8''sprawozdanie_%C5%82%C3%B3d%C5%BA.pdf"
    )
    assert ascii_fallback('"ŁÓDŹ" 100%.txt') == "_LODZ_ 100_.txt"
    assert content_disposition("a.png", inline=True).startswith("inline;")


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        (POLISH, POLISH),
        ("../../etc/passwd", "passwd"),
        ("CON.txt", "_CON.txt"),
        ("x" * 300 + ".txt", "x" * 196 + ".txt"),
        *[(path, "a.pdf") for path in PATHS],
    ],
)
async def test_names_survive_the_round_trip(
    server, client_factory, sent: str | bytes, shown: str
) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    # As browsers send it: the name's UTF-8 bytes in the quoted filename parameter.
    raw = sent if isinstance(sent, bytes) else sent.encode("utf-8")
    status, shared = await upload(lead, room_id, raw, b"tresc pliku\n")
    assert status == 201, shared
    assert shared["name"] == shown
    partner = await client_factory(PARTNER)
    response, body = await download(partner, shared["url"])
    assert response.status == 200 and body == b"tresc pliku\n"
    # aiohttp reads filename* (RFC 5987) as browsers do.
    assert response.content_disposition is not None
    assert response.content_disposition.filename == shown
    header = response.headers["Content-Disposition"]
    assert unquote(header.split("filename*=UTF-8''")[1]) == shown
    # The bytes on disk are named by their hash, whatever the name said.
    blobs = server.settings.data_dir / "files" / "blobs"
    assert all(len(p.name) == 64 for p in blobs.rglob("*") if p.is_file())


async def test_nul_byte_in_a_name(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    # A raw NUL in a part header is malformed HTTP: a clear 400, nothing stored.
    status, body = await upload(lead, room_id, b"nul\x00bajt.txt", b"x")
    assert status == 400 and body["error"]["code"] == "malformed_upload"
    # Encoded (RFC 5987 filename*), the NUL arrives in the name and is cleaned away.
    body_bytes, content_type = multipart_body(b"x.txt", b"tresc")
    body_bytes = body_bytes.replace(
        b'filename="x.txt"', b"filename=\"x.txt\"; filename*=UTF-8''nul%00bajt.txt"
    )
    async with lead.session.post(
        f"{server.url}/api/v1/rooms/{room_id}/files",
        data=body_bytes,
        headers={"X-CSRF-Token": lead.csrf, "Content-Type": content_type},
    ) as r:
        assert r.status == 201
        assert (await r.json())["name"] == "nulbajt.txt"
    row = await server.hub.db.fetch_one("SELECT COUNT(*) AS n FROM room_files")
    assert row is not None and row["n"] == 1
