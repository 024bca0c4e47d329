"""Feeds and invitations compared byte for byte with tests/calendars/data/*.ics.

Regenerate after an intended change with:
    UPDATE_GOLDEN=1 PYTHONPATH=. pytest tests/calendars/test_calendars_golden.py
and review the diff of tests/calendars/data/ before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from samples import golden_files

DATA = Path(__file__).parent / "data"
GOLDEN = golden_files()


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_matches_golden_file(name: str) -> None:
    path = DATA / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(GOLDEN[name])
    assert path.is_file(), f"missing {path}; run with UPDATE_GOLDEN=1 to create it"
    assert GOLDEN[name] == path.read_bytes(), f"{name} changed; see the module docstring"


def test_same_input_gives_same_bytes() -> None:
    assert golden_files() == GOLDEN


def test_no_golden_file_is_orphaned() -> None:
    # server_*.ics come from the whole app (tests/feeds/test_feed_golden.py); import_*.ics are
    # inputs, files other calendars wrote.
    found = sorted(
        path.name for path in DATA.glob("*.ics") if not path.name.startswith(("server_", "import_"))
    )
    assert found == sorted(GOLDEN)
