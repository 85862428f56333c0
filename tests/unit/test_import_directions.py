"""The house rules of ../shared/design.md §3 (v2), checked on EVERY import of bot/ and handlers/: module
level, inside functions and under `TYPE_CHECKING` (the whole AST is walked; relative imports are resolved).

* no import cycle among bot/ and handlers/ modules;
* a room imports only from rooms below it (ORDER); handlers/ sits on top of slack/ and never builds;
* slack_bolt / slack_sdk only in bot/slack/, handlers/, bot/app.py and bot/devtools/;
* only bootstrap, app and cli import handlers; devtools import nothing else from bot;
* loose modules directly in bot/: bootstrap, app, __main__ (and __init__).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SLACK = ("slack_bolt", "slack_sdk")
# rooms bottom to top; a room may import its own modules and those of the rooms before it
ORDER = (
    "base", "qwencloud", "storage", "core", "render", "team", "jobs", "slack", "handlers", "bootstrap", "app",
)
# rooms outside the order: what each may import besides itself
OUTSIDE = {
    "cli": {*ORDER, "devtools", "cli"},
    "devtools": {"devtools"},
    "main": {"cli", "devtools"},  # bot/__main__.py: lists the subcommands, runs the simulator import-free
}
MAY_IMPORT_SLACK = {"slack", "handlers", "app", "devtools"}
MAY_IMPORT_HANDLERS = {"handlers", "bootstrap", "app", "cli"}
LOOSE = {"bot/__init__.py", "bot/__main__.py", "bot/bootstrap.py", "bot/app.py"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for folder in ("bot", "handlers")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if "__pycache__" not in p.parts
    }


MODULES = all_modules()


def imports_of(name: str, source: str, *, is_package: bool = False) -> set[str]:
    """Every module `source` imports, anywhere in it. `from pkg import mod` counts pkg.mod when that is a
    module of ours, else pkg; relative imports are resolved against `name`."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            subs = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES}
            found.update(subs)
            if len(subs) < len(node.names):
                found.add(base)
    return found


def ours(name: str) -> str | None:
    """The module of ours `name` lives in (a.b.C -> a.b), or None for third-party names."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def graph() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        names = imports_of(name, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
        out[name] = {m for m in map(ours, names) if m is not None and m != name}
    return out


def third_party(name: str) -> set[str]:
    path = MODULES[name]
    names = imports_of(name, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
    return {n.split(".")[0] for n in names if ours(n) is None}


def room(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "handlers":
        return "handlers"
    if module == "bot":
        return "root"  # bot/__init__.py: the version, importable by all
    if module == "bot.__main__":
        return "main"
    return parts[1]


def allowed(source: str) -> set[str]:
    if source in OUTSIDE:
        return OUTSIDE[source]
    return set(ORDER[: ORDER.index(source) + 1])


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    found = cycles(graph())
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_rooms_import_only_rooms_below() -> None:
    offenders = sorted(
        f"{src} -> {dst}"
        for src, targets in graph().items()
        for dst in targets
        if room(dst) != "root" and room(dst) not in allowed(room(src))
    )
    assert offenders == []


def test_slack_libraries_only_at_the_edge() -> None:
    offenders = sorted(m for m in MODULES if third_party(m) & set(SLACK) and room(m) not in MAY_IMPORT_SLACK)
    assert offenders == []


def test_only_bootstrap_app_and_cli_import_handlers() -> None:
    offenders = sorted(
        f"{src} -> {dst}"
        for src, targets in graph().items()
        for dst in targets
        if room(dst) == "handlers" and room(src) not in MAY_IMPORT_HANDLERS
    )
    assert offenders == []


def test_handlers_never_touch_storage_or_the_wire_client() -> None:
    """design.md §3: handlers get services handed in; the stores and the QwenCloud client stay below core."""
    offenders = sorted(
        f"{src} -> {dst}"
        for src, targets in graph().items()
        if room(src) == "handlers"
        for dst in targets
        if room(dst) in ("storage", "qwencloud")
    )
    assert offenders == []


def test_devtools_import_nothing_else_from_bot() -> None:
    offenders = sorted(
        f"{src} -> {dst}"
        for src, targets in graph().items()
        if room(src) == "devtools"
        for dst in targets
        if room(dst) not in ("devtools", "root")
    )
    assert offenders == []


def test_few_loose_modules_in_bot() -> None:
    loose = {str(p.relative_to(ROOT)) for p in (ROOT / "bot").glob("*.py")}
    assert loose <= LOOSE, sorted(loose - LOOSE)


def test_every_room_is_known() -> None:
    rooms = {room(m) for m in MODULES}
    assert rooms <= {*ORDER, *OUTSIDE, "root"}, sorted(rooms - {*ORDER, *OUTSIDE, "root"})


# -- the checks themselves must be able to fail --------------------------------------------------------------


def test_the_walker_sees_imports_in_functions_under_type_checking_and_relative() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bot.slack import posting\n"
        "def f():\n    import handlers\n    from ..base import clock\n    from . import outbox\n"
    )
    found = imports_of("bot.team.model", source)
    assert {"bot.slack.posting", "handlers", "bot.base.clock", "bot.team.outbox"} <= found


def test_a_cycle_is_named() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_the_layer_rule_refuses_an_upward_import() -> None:
    assert "slack" not in allowed("team")
    assert "handlers" not in allowed("slack")
    assert "bootstrap" not in allowed("handlers")
    assert allowed("devtools") == {"devtools"}
