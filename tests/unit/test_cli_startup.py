"""`qwen-bot` starts light: only the chosen subcommand is imported; the schema check needs no Alembic."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.__main__ import _COMMANDS, build_parser
from bot.storage import schema

ROOT = Path(__file__).resolve().parents[2]


def _choices(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {c.dest: c.help for c in action._choices_actions}


def test_stub_help_lines_match_each_modules_register() -> None:
    lazy = _choices(build_parser(["usage"]))
    full = _choices(build_parser())
    assert lazy == full
    assert list(full) == list(_COMMANDS)


@pytest.mark.parametrize("name", list(_COMMANDS))
def test_each_subcommand_module_registers_its_name(name: str) -> None:
    module = importlib.import_module(f"bot.cli.{_COMMANDS[name][0]}")
    sub = argparse.ArgumentParser().add_subparsers()
    module.register(sub)
    assert name in sub.choices


def test_usage_and_auth_import_no_slack_alembic_or_web_stack() -> None:
    code = (
        "import sys; from bot.__main__ import build_parser; "
        "build_parser(['usage', 'summary']); build_parser(['auth', 'status']); "
        "import bot.bootstrap, bot.cli.usage, bot.cli.auth; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('slack_bolt', 'slack_sdk', 'alembic', 'handlers', 'matplotlib', 'gunicorn') or m == 'bot.app'); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_static_head_is_alembics_head() -> None:
    from bot.storage.migrate import head_revision

    assert schema.static_head() == head_revision()


def test_at_head_only_when_the_stored_revision_is_the_head(tmp_path: Path) -> None:
    from bot.storage.migrate import upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert not schema.at_head(engine)  # no alembic_version table yet
    upgrade(engine, "0001")
    assert not schema.at_head(engine)
    upgrade(engine)
    assert schema.at_head(engine)
    engine.dispose()


def test_one_shot_exit_keeps_output_and_exit_code() -> None:
    # `usage` leaves with os._exit() after flushing: stderr and the exit code must be what the command made.
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "usage", "summary", "--days", "3", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "UNKNOWN_OPTION" in proc.stderr and proc.stderr.endswith("\n")
