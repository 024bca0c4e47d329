"""Every setting is documented, and can be set by environment variable and by CLI flag."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, get_type_hints

import pytest

from meetings_hub import cli, settings
from tests.support import REPO

DOC = REPO / "docs" / "configuration.md"
SAMPLES: dict[Any, tuple[str, Any]] = {
    str: ("some-text", "some-text"),
    int: ("4321", 4321),
    float: ("2.5", 2.5),
    bool: ("yes", True),
    Path: ("/srv/meetings", Path("/srv/meetings")),
}
NAMES = [f.name for f in settings.setting_fields()]


def test_every_setting_has_help_text() -> None:
    for f in settings.setting_fields():
        assert f.metadata.get("help", "").strip(), f"setting {f.name} has no help text"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text("utf-8")
    undocumented = [n for n in NAMES if f"| `{n}` |" not in text]
    assert not undocumented, (
        f"settings missing from docs/configuration.md: {undocumented}; "
        "run `.venv/bin/python docs/gen_configuration.py --write`"
    )
    documented = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert documented <= set(NAMES), f"documented but gone: {documented - set(NAMES)}"


def test_the_generated_page_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "docs" / "gen_configuration.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_sections_follow_the_marker_comments() -> None:
    sys.path.insert(0, str(REPO / "docs"))
    try:
        import gen_configuration
    finally:
        sys.path.remove(str(REPO / "docs"))
    found = gen_configuration.sections()
    assert next(iter(found)) == "Foundation"
    assert {"Scheduling and calendars", "Chat rooms", "Files in rooms"} <= set(found)
    assert "smtp_host" in found["Foundation"]
    assert sorted(n for names in found.values() for n in names) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_setting_comes_from_its_env_variable_and_its_cli_flag(name: str) -> None:
    kind = get_type_hints(settings.Settings)[name]
    raw, value = SAMPLES[kind]
    from_env = settings.from_env({settings.ENV_PREFIX + name.upper(): raw})
    assert getattr(from_env, name) == value
    flag = "--" + name.replace("_", "-")
    argv = ["serve", flag] if kind is bool else ["serve", flag, raw]
    from_cli = settings.from_cli(cli.build_parser().parse_args(argv))
    assert getattr(from_cli, name) == value
    if kind is bool:
        off = settings.from_cli(cli.build_parser().parse_args(["serve", "--no-" + flag[2:]]))
        assert getattr(off, name) is False


def test_cli_flag_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEETINGS_HUB_PORT", "9000")
    args = cli.build_parser().parse_args(["serve", "--port", "9100"])
    assert settings.from_cli(args).port == 9100
    assert settings.from_cli(cli.build_parser().parse_args(["serve"])).port == 9000


def test_a_bad_value_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="port"):
        settings.from_env({"MEETINGS_HUB_PORT": "eighty"})
    with pytest.raises(ValueError, match="demo_mode"):
        settings.from_env({"MEETINGS_HUB_DEMO_MODE": "perhaps"})
