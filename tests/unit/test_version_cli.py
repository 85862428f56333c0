"""`qwen-bot version [--check]` against a package index served over real HTTP on a local port (the index URL
is the QWEN_BOT_VERSION_INDEX_URL setting): the official shapes, the newest stable version, exit 3 when the
index cannot be read."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot import __version__
from bot.__main__ import main
from bot.core.release import compare
from tests.fakes.index import serve_index

ANSWERS: dict[str, tuple[int, object]] = {
    "/simple/qwen-usage-bot/": (200, {"name": "qwen-usage-bot", "versions": ["0.0.9", __version__, "9.1.0",
                                                                             "9.2.0rc1", "10.0.0.dev1"]}),
    "/same/": (200, {"versions": [__version__]}),
    "/api/": (200, {"info": {"version": "9.0.0"}}),
    "/release/": (200, {"tag_name": "v9.0.1"}),
    "/broken/": (200, {"nothing": True}),
    "/missing/": (404, {"message": "Not Found"}),
}


@pytest.fixture
def index() -> Iterator[str]:
    with serve_index(ANSWERS) as url:
        yield url


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *args: str
         ) -> tuple[int, str, str]:
    monkeypatch.setenv("QWEN_BOT_VERSION_INDEX_URL", url)
    code = main(["version", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_version_alone_is_the_official_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"version": __version__}
    assert main(["version", "--format", "text"]) == 0
    assert capsys.readouterr().out == f"qwen-bot v{__version__}\n"


def test_check_reads_the_newest_stable_version_from_the_index(
    index: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(monkeypatch, capsys, f"{index}/simple/qwen-usage-bot/", "--check", "--format", "json")
    assert code == 0 and out.startswith('{\n  "current"')
    assert json.loads(out) == {"current": __version__, "latest": "9.1.0", "update_available": True}
    code, out, _ = _run(monkeypatch, capsys, f"{index}/simple/qwen-usage-bot/", "--check", "--format", "text")
    assert out == (f"\n  Current version:  v{__version__}\n  Latest version:   v9.1.0\n\n"
                   "  Run pip install --upgrade qwen-usage-bot to upgrade.\n\n")


def test_check_up_to_date(
    index: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(monkeypatch, capsys, f"{index}/same/", "--check", "--format", "text")
    assert code == 0 and out.endswith("  ✓  You're up to date!\n\n") and f"v{__version__}" in out
    code, out, _ = _run(monkeypatch, capsys, f"{index}/same/", "--check", "--format", "json")
    assert json.loads(out)["update_available"] is False


@pytest.mark.parametrize(("path", "latest"), [("/api/", "9.0.0"), ("/release/", "9.0.1")])
def test_check_reads_an_api_document_or_a_release(
    index: str, path: str, latest: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(monkeypatch, capsys, index + path, "--check", "--format", "json")
    assert code == 0 and json.loads(out)["latest"] == latest


@pytest.mark.parametrize("path", ["/missing/", "/broken/"])
def test_an_unusable_index_is_a_network_error(
    index: str, path: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(monkeypatch, capsys, index + path, "--check", "--format", "json")
    assert code == 3 and out == "" and json.loads(err)["error"]["code"] == "NETWORK_ERROR"


def test_an_unreachable_index_is_a_network_error_exit_3(
    index: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = "http://127.0.0.1:9/simple/qwen-usage-bot/"  # the discard port: nothing listens
    code, out, err = _run(monkeypatch, capsys, closed, "--check", "--format", "json")
    assert code == 3 and out == ""
    error = json.loads(err)["error"]
    assert error == {"code": "NETWORK_ERROR", "message": error["message"], "exit_code": 3}
    assert "Could not reach the package index" in error["message"]
    code, _, err = _run(monkeypatch, capsys, closed, "--check", "--format", "text")
    assert code == 3 and err.startswith("Error: Could not reach the package index")


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [("0.1.0", "0.2.0", -1), ("1.4.1", "1.4.1", 0), ("2.0", "1.9.9", 1), ("v1.10.0", "1.9.0", 1)],
)
def test_compare(a: str, b: str, want: int) -> None:
    assert compare(a, b) == want
