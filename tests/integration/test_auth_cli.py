"""`qwen-bot auth|migrate|rotate-keys` in-process against the simulator over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.__main__ import main
from bot.base.config import Settings
from bot.bootstrap import build_bot, build_services
from bot.cli.auth import terminal_owner
from bot.devtools.simulator.server import SimulatorHandle, start_simulator


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    with start_simulator(device_interval=1) as handle:
        yield handle


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sim: SimulatorHandle, db_url: str, key: str) -> Path:
    from bot.storage.migrate import upgrade

    upgrade(db_url)
    data = tmp_path / "home"
    for name, value in {
        "QWEN_BOT_DATA_DIR": str(data),
        "QWENCLOUD_API_ENDPOINT": sim.url,
        "QWENCLOUD_AUTH_ENDPOINT": sim.url,
        "QWEN_BOT_ENCRYPTION_KEYS": key,
        "DATABASE_URL": db_url,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("QWEN_BOT_NOW", raising=False)
    return data


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def events(out: str) -> list[dict[str, object]]:
    return json.loads(out)["events"]  # type: ignore[no-any-return]


def test_full_terminal_login_cycle(
    env: Path, sim: SimulatorHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "auth", "status")
    assert code == 2 and json.loads(out) == {"authenticated": False, "server_verified": False}

    code, out, err = run(capsys, "auth", "login", "--init-only")
    [event] = events(out)
    assert (
        code == 0
        and event["event"] == "device_code"
        and event["next_step"] == "qwen-bot auth login --complete"
    )
    assert event["expires_in"] == event["expires_in_seconds"] == 600
    assert "then run `qwen-bot auth login --complete`" in err
    code, out, _ = run(capsys, "auth", "login", "--init-only")
    assert events(out)[0]["verification_url"] == event["verification_url"]  # same link, not invalidated
    assert len(sim.snapshot()["device_codes"]) == 1

    sim.approve()
    code, out, _ = run(capsys, "auth", "login", "--complete", "--timeout", "20")
    [success] = events(out)
    assert code == 0 and success["event"] == "success" and success["authenticated"] is True
    aliyun = success["user"]["aliyunId"]  # type: ignore[index]
    assert aliyun

    code, out, _ = run(capsys, "auth", "status")
    status = json.loads(out)
    assert code == 0 and status["server_verified"] is True and status["user"] == {"aliyunId": aliyun}
    assert status["token"]["expires_at"].endswith("Z") and status["source"] == "database"

    code, out, _ = run(capsys, "auth", "login", "--init-only")
    [already] = events(out)
    assert already["event"] == "already_authenticated" and already["token"]["remaining"] == "11h 59m"  # type: ignore[index]

    code, out, _ = run(capsys, "auth", "logout")
    assert code == 0 and json.loads(out) == {"success": True, "message": "Logged out", "source": "database"}
    code, out, _ = run(capsys, "auth", "logout", "--format", "text")
    assert out == "  Not logged in\n"
    assert run(capsys, "auth", "status")[0] == 2


def test_complete_without_pending_session(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "auth", "login", "--complete")
    assert code == 1
    assert events(out) == [
        {
            "event": "error",
            "authenticated": False,
            "message": "No pending login session found. Run login without --complete first.",
        }
    ]


def test_denied_login(env: Path, sim: SimulatorHandle, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "auth", "login", "--init-only")
    sim.deny()
    code, out, _ = run(capsys, "auth", "login", "--complete", "--timeout", "20")
    assert code == 1
    assert events(out) == [
        {"event": "error", "authenticated": False, "message": "Authorization was denied by the user."}
    ]


def test_window_exhausted_reports_expired_but_keeps_the_flow(
    env: Path, sim: SimulatorHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "auth", "login", "--init-only")
    code, out, _ = run(capsys, "auth", "login", "--complete", "--timeout", "1.5")
    assert code == 1 and events(out)[0]["event"] == "expired"
    sim.approve()  # the flow is still alive: completing again succeeds
    code, out, _ = run(capsys, "auth", "login", "--complete", "--timeout", "20")
    assert code == 0 and events(out)[0]["event"] == "success"


def test_status_text_layout(env: Path, sim: SimulatorHandle, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "auth", "login", "--init-only")
    sim.approve()
    run(capsys, "auth", "login", "--complete")
    code, out, _ = run(capsys, "auth", "status", "--format", "text")
    lines = out.split("\n")
    assert code == 0 and lines[:3] == ["", "  ✓  Authenticated", ""]
    assert lines[3].startswith("  User           ") and lines[5] == "  Source         database"
    assert lines[6] == "  Scope          inference:read  usage:read  config:write"


def test_no_plaintext_token_in_sqlite_and_rotate_keys(
    env: Path,
    sim: SimulatorHandle,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    db_url: str,
) -> None:
    run(capsys, "auth", "login", "--init-only")
    sim.approve()
    assert run(capsys, "auth", "login", "--complete")[0] == 0
    services = build_services(Settings.from_env())
    stored = services.credentials.get(terminal_owner())
    services.close()
    assert stored is not None and len(stored.access_token) > 8
    if db_url.startswith("sqlite"):
        raw = Path(db_url.removeprefix("sqlite:///")).read_bytes()
        assert stored.access_token.encode() not in raw

    new = Fernet.generate_key().decode()
    monkeypatch.setenv("QWEN_BOT_ENCRYPTION_KEYS", f"{new},{key}")
    code, out, _ = run(capsys, "rotate-keys")
    assert code == 0 and "Re-encrypted 1 credentials, 1 pending logins and 0 Slack installation rows" in out
    monkeypatch.setenv("QWEN_BOT_ENCRYPTION_KEYS", new)  # the old key is gone: rows still readable
    assert run(capsys, "auth", "status")[0] == 0


def test_missing_keys_for_shared_database_is_exit_4(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QWEN_BOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.delenv("QWEN_BOT_ENCRYPTION_KEYS", raising=False)
    code, _, err = run(capsys, "auth", "status", "--format", "json")
    assert code == 4 and json.loads(err)["error"]["code"] == "CONFIG_ERROR"


def test_migrate_reports_up_to_date(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "migrate")
    assert code == 0 and "is up to date" in out


def test_complete_while_a_worker_runs_reports_the_workers_outcome(
    env: Path, sim: SimulatorHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading

    run(capsys, "auth", "login", "--init-only")
    services = build_services(Settings.from_env())
    stop = threading.Event()
    worker = threading.Thread(target=build_bot(services).worker(idle_seconds=0.1).run_forever, args=(stop,))
    worker.start()
    try:
        sim.approve()
        code, out, _ = run(capsys, "auth", "login", "--complete", "--timeout", "20")
    finally:
        stop.set()
        worker.join(timeout=10)
        services.close()
    assert code == 0 and events(out)[0]["event"] == "success"
    assert events(out)[0]["user"]["aliyunId"]  # type: ignore[index]
    codes = sim.snapshot()["device_codes"]
    assert len(codes) == 1 and codes[0]["decision"] == "consumed"
