"""`version [--check]` and the auth JSON against the official CLI on the same simulator (issue 13 items 5-6):
same keys in the same order, same values where the data is the same; `auth_mode` and `expires_at` as the
official prints them. Our index is the simulator's release endpoint, the one the official CLI reads."""

from __future__ import annotations

import subprocess

import pytest

from tests.conformance.official import REPO, CliResult
from tests.conformance.ours import qwen_bot_command
from tests.conformance.pair import Pair

pytestmark = pytest.mark.conformance


def _ours(pair: Pair, *args: str, index: str) -> CliResult:
    env = pair.ours.env() | {"QWEN_BOT_VERSION_INDEX_URL": index}
    proc = subprocess.run([*qwen_bot_command(), *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=90, stdin=subprocess.DEVNULL, check=False)
    return CliResult(tuple(args), proc.returncode, proc.stdout, proc.stderr)


def _releases(pair: Pair) -> str:
    return f"{pair.sim.url}/repos/qwen-usage-bot/qwen-usage-bot/releases/latest"


def test_version_json_has_the_official_shape(clean_pair: Pair) -> None:
    official, ours = clean_pair.both("version", "--format", "json")
    assert official.code == ours.code == 0
    assert list(official.json()) == list(ours.json()) == ["version"]


def test_version_check_json_has_the_official_keys_and_reads_the_index(clean_pair: Pair) -> None:
    official = clean_pair.official.run("version", "--check", "--format", "json")
    ours = _ours(clean_pair, "version", "--check", "--format", "json", index=_releases(clean_pair))
    assert official.code == ours.code == 0, ours.stderr
    assert list(official.json()) == list(ours.json()) == ["current", "latest", "update_available"]
    assert official.json()["latest"] == ours.json()["latest"] == "1.4.1"  # the simulator's release tag
    assert ours.json()["update_available"] is True  # we are 0.1.x


def test_version_check_text_has_the_official_layout(clean_pair: Pair) -> None:
    official = clean_pair.official.run("version", "--check", "--format", "text")
    ours = _ours(clean_pair, "version", "--check", "--format", "text", index=_releases(clean_pair))
    shape = [line.split(":")[0] for line in official.stdout.splitlines()[:4]]
    assert shape == [line.split(":")[0] for line in ours.stdout.splitlines()[:4]]
    assert "  Latest version:   v1.4.1" in official.stdout.splitlines()
    assert "  Latest version:   v1.4.1" in ours.stdout.splitlines()


def test_version_check_unreachable_index_is_a_network_error_not_up_to_date(clean_pair: Pair) -> None:
    ours = _ours(clean_pair, "version", "--check", "--format", "json", index="http://127.0.0.1:9/none")
    assert ours.code == 3 and ours.stdout == ""
    assert ours.error()["error"]["code"] == "NETWORK_ERROR"


def test_auth_status_json_matches_the_official_but_for_the_credential_source(clean_pair: Pair) -> None:
    official, ours = clean_pair.both("auth", "status", "--format", "json")
    assert official.code == ours.code == 0
    theirs, mine = official.json(), ours.json()
    assert mine["auth_mode"] == theirs["auth_mode"] == "device_flow"
    assert mine["token"]["expires_at"] == theirs["token"]["expires_at"]  # no added milliseconds
    assert (theirs.pop("source"), mine.pop("source")) == ("encrypted_file", "database")  # docs/differences.md
    assert theirs == mine and list(theirs) == list(mine)


def test_auth_login_when_logged_in_matches_the_official_but_for_the_source(clean_pair: Pair) -> None:
    official, ours = clean_pair.both("auth", "login", "--format", "json")
    assert official.code == ours.code == 0
    theirs, mine = official.json()["events"][0], ours.json()["events"][0]
    assert theirs["token"]["expires_at"] == mine["token"]["expires_at"]
    theirs.pop("source"), mine.pop("source")
    assert theirs == mine and list(theirs) == list(mine)
