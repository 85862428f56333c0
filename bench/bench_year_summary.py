"""Benchmark: `usage summary --period year`, ours vs the official CLI 1.4.1, as whole processes.

Both talk to one `qwen-bot simulator --latency-ms 100` process (every call costs 100 ms, calls overlap).
Writes the medians and the ratio to docs/benchmarks.md. Goal: ours <= 0.5x official.

    /work/venv/bin/python bench/bench_year_summary.py [--runs 7] [--latency-ms 100] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conformance.official import CliResult, OfficialCli, official_cli_path  # noqa: E402
from tests.conformance.ours import OurCli  # noqa: E402

NOW = "2026-12-15T10:00:00Z"  # a full year of months; seed 8 has no >100-row month in 2026
ARGS = ("usage", "summary", "--period", "year", "--format", "json")
HISTORY = "### History"  # this heading and what follows it in docs/benchmarks.md are kept on rewrite


def start_simulator_process(latency_ms: int) -> tuple[subprocess.Popen[str], str]:
    cmd = [
        sys.executable,
        "-m",
        "bot",
        "simulator",
        "--port",
        "0",
        "--seed",
        "8",
        "--now",
        NOW,
        "--latency-ms",
        str(latency_ms),
        "--cli-compat",
        "--device-interval",
        "1",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("LISTENING "):
        proc.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    return proc, f"http://127.0.0.1:{int(line.split()[1])}"


def control(url: str, command: dict[str, Any] | None = None) -> dict[str, Any]:
    data = None if command is None else json.dumps(command).encode()
    method = "GET" if data is None else "POST"
    headers = {"Content-Type": "application/json"}
    req = urllib.request.Request(f"{url}/_sim/control", data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return dict(json.load(resp))


def approve_all(url: str) -> int:
    return int(control(url, {"action": "approve"})["result"]["decided"])


def call_profile(url: str, started: float) -> tuple[float, float, int]:
    """(ms from process start to the first upstream call, ms from first to last call, number of calls)."""
    sim_start = float(control(url)["started_monotonic"])
    with urllib.request.urlopen(f"{url}/_sim/calls", timeout=10) as resp:
        received = [int(c["received_ms"]) for c in json.load(resp)["calls"]]
    first = sim_start * 1000 + min(received) - started * 1000
    return first, float(max(received) - min(received)), len(received)


def timed(cli: OfficialCli | OurCli) -> tuple[float, float, CliResult]:
    """(wall seconds, monotonic start, result)."""
    started = time.monotonic()
    result = cli.run(*ARGS)
    return time.monotonic() - started, started, result


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, Node {node or 'n/a'}"
    )


def write_report(
    path: Path,
    *,
    latency: int,
    runs: int,
    official: list[float],
    ours: list[float],
    profiles: dict[str, tuple[float, float, int]],
) -> str:
    med_o, med_u = statistics.median(official), statistics.median(ours)
    ratio = med_u / med_o
    verdict = "meets" if ratio <= 0.5 else "misses"
    text = f"""# Benchmarks

## `usage summary --period year` (ours vs official CLI 1.4.1)

Produced by `bench/bench_year_summary.py` on {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}.
Both CLIs run as whole processes (start-up included) against one `qwen-bot simulator --latency-ms {latency}`
process, clock frozen at {NOW} (12 calendar months, one `MaasListConsumeSummary` chunk per month),
TZ=UTC, fresh login per CLI, {runs} runs each, alternating.

| CLI | median (s) | min (s) | max (s) |
|---|---|---|---|
| official `qwencloud` 1.4.1 | {med_o:.3f} | {min(official):.3f} | {max(official):.3f} |
| ours `qwen-bot` | {med_u:.3f} | {min(ours):.3f} | {max(ours):.3f} |

**Ratio ours / official: {ratio:.2f}x** (goal <= 0.5x: {verdict} it).

Machine: {machine()}.

Where the time goes (last run; the simulator logs when each upstream call arrives):

| CLI | process start -> first call (ms) | first -> last call (ms) | calls |
|---|---|---|---|
| official | {profiles["official"][0]:.0f} | {profiles["official"][1]:.0f} | {profiles["official"][2]} |
| ours | {profiles["ours"][0]:.0f} | {profiles["ours"][1]:.0f} | {profiles["ours"][2]} |

Why: the official CLI awaits the month chunks one after another (12 x {latency} ms on the critical path);
ours puts every independent call in flight at once (contract §10), so two dependency rounds remain (model
map -> free-tier quotas; subscription gray -> plan instances), and starts light: `qwen-bot usage` imports
only its own subcommand and the core services (no Bolt, Slack SDK or Alembic; the schema check is one
SELECT), and leaves without the interpreter's teardown once its output is flushed.
"""
    history = path.read_text().partition(HISTORY)[2] if path.exists() else ""
    text += f"\n{HISTORY}{history}" if history else ""
    path.write_text(text)
    return text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    binary = official_cli_path()
    if binary is None:
        print("official CLI not found: set QWENCLOUD_CLI or npm install it at the repo root", file=sys.stderr)
        return 2
    sim, url = start_simulator_process(args.latency_ms)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            official = OfficialCli(binary, url, Path(tmp) / "official", now=NOW)
            ours = OurCli(url, Path(tmp) / "ours", now=NOW)
            for cli in (official, ours):
                cli.login(lambda: approve_all(url))
            times: dict[str, list[float]] = {"official": [], "ours": []}
            profiles: dict[str, tuple[float, float, int]] = {}
            for _ in range(args.runs):
                for name, cli in (("official", official), ("ours", ours)):
                    control(url, {"action": "clear_calls"})
                    seconds, started, result = timed(cli)
                    if result.code != 0:
                        print(f"{name} failed (exit {result.code}): {result.stderr[:500]}", file=sys.stderr)
                        return 1
                    times[name].append(seconds)
                    profiles[name] = call_profile(url, started)
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    target = REPO / "docs" / "benchmarks.md"
    if args.no_write:
        print(json.dumps({"times": times, "profiles": profiles}))
        return 0
    print(
        write_report(
            target,
            latency=args.latency_ms,
            runs=args.runs,
            official=times["official"],
            ours=times["ours"],
            profiles=profiles,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
