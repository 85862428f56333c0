"""Data flows one way (design §3): the core never imports handlers; Slack libraries stay at the edge."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SLACK = ("slack_bolt", "slack_sdk")
# the composition root wires handlers; the local workspace is a Slack stand-in
MAY_IMPORT_HANDLERS = {"bot/app.py"}
MAY_IMPORT_SLACK = {"bot/app.py", "bot/slack/posting.py"}  # slackio: Web API clients for background posts
MAY_IMPORT_SLACK_UNDER = ("bot/devtools/localslack/",)
# Known exceptions written before this rule was enforced. The test fails if one disappears, so the list only
# shrinks (bot/team/outbox.py and bot/team/model.py went pure: their Slack half is bot/slack/posting.py).
KNOWN_SLACK_EXCEPTIONS: set[str] = set()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(folder: str) -> dict[str, set[str]]:
    return {
        str(p.relative_to(ROOT)): _imports(p)
        for p in sorted((ROOT / folder).rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def _top(name: str) -> str:
    return name.split(".")[0]


def test_core_never_imports_handlers() -> None:
    offenders = {
        path
        for path, names in _modules("bot").items()
        if path not in MAY_IMPORT_HANDLERS and any(_top(n) == "handlers" for n in names)
    }
    assert offenders == set()


def test_only_the_composition_root_and_localslack_import_slack_libraries() -> None:
    importing = {
        path
        for path, names in _modules("bot").items()
        if any(_top(n) in SLACK for n in names) and not path.startswith(MAY_IMPORT_SLACK_UNDER)
    }
    assert importing - KNOWN_SLACK_EXCEPTIONS == MAY_IMPORT_SLACK
    assert importing >= KNOWN_SLACK_EXCEPTIONS, "an exception was fixed: remove it from the list"


def test_handlers_do_not_import_the_composition_root_at_run_time() -> None:
    for path, names in _modules("handlers").items():
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        runtime = {
            node.module
            for node in tree.body  # top level only; `if TYPE_CHECKING:` blocks are nested
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert "bot.app" not in runtime, path
        assert not any(n.startswith("bot.devtools.localslack") for n in names), path


def test_simulator_imports_nothing_else_from_bot() -> None:
    for path, names in _modules("bot/simulator").items():
        outside = {n for n in names if _top(n) == "bot" and not n.startswith("bot.devtools.simulator")}
        assert outside == set(), path


def test_the_rule_sees_a_violation() -> None:
    # the walker itself must be able to fail
    assert "slack_sdk" in {_top(n) for n in _imports(ROOT / "bot" / "app.py")}
    assert "handlers" in {_top(n) for n in _imports(ROOT / "bot" / "app.py")}
