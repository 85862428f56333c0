"""Benchmark: `billing breakdown` for a full month by API key, ours vs the official CLI 1.4.1.

Both talk to one `qwen-bot simulator --latency-ms 100` process (every call costs 100 ms, calls overlap).
Writes the medians to docs/benchmarks.md (its own section, replaced on a rerun; the rest is left alone).

    .venv/bin/python bench/bench_billing_breakdown.py [--runs 7] [--latency-ms 100] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_year_summary import (  # noqa: E402
    approve_all,
    call_profile,
    control,
    machine,
    start_simulator_process,
)
from bench.sections import write_section  # noqa: E402
from tests.conformance.official import OfficialCli, official_cli_path  # noqa: E402
from tests.conformance.ours import OurCli  # noqa: E402

NOW = "2026-12-15T10:00:00Z"
HEADING = "## `billing breakdown --group-by api-key` for a full month (ours vs official CLI 1.4.1)"
SHAPES = {
    "day slices (`--period 2026-11`)": (
        "billing",
        "breakdown",
        "--group-by",
        "api-key",
        "--period",
        "2026-11",
    ),
    "one total (`--granularity month --from 2026-11 --to 2026-11`)": (
        "billing",
        "breakdown",
        "--group-by",
        "api-key",
        "--granularity",
        "month",
        "--from",
        "2026-11",
        "--to",
        "2026-11",
    ),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    binary = official_cli_path()
    if binary is None:
        print("official CLI not found: set QWENCLOUD_CLI or npm install it at the repo root", file=sys.stderr)
        return 2
    sim, url = start_simulator_process(args.latency_ms)
    rows: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            official = OfficialCli(binary, url, Path(tmp) / "official", now=NOW)
            ours = OurCli(url, Path(tmp) / "ours", now=NOW)
            for cli in (official, ours):
                cli.login(lambda: approve_all(url))
            for label, command in SHAPES.items():
                times: dict[str, list[float]] = {"official": [], "ours": []}
                calls: dict[str, int] = {}
                outputs: dict[str, str] = {}
                for _ in range(args.runs):
                    for name, cli in (("official", official), ("ours", ours)):
                        control(url, {"action": "clear_calls"})
                        started = time.monotonic()
                        result = cli.run(*command, "--format", "json")
                        times[name].append(time.monotonic() - started)
                        if result.code != 0:
                            print(f"{name} failed: {result.stderr[:500]}", file=sys.stderr)
                            return 1
                        calls[name] = call_profile(url, started)[2]
                        outputs[name] = result.stdout
                same = json.loads(outputs["official"]) == json.loads(outputs["ours"])
                med_o, med_u = statistics.median(times["official"]), statistics.median(times["ours"])
                rows.append(
                    f"| {label} | {med_o:.3f} | {med_u:.3f} | {med_u / med_o:.2f}x | "
                    f"{calls['official']} / {calls['ours']} | {'yes' if same else 'NO'} |"
                )
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    section = f"""{HEADING}

Produced by `bench/bench_billing_breakdown.py` on {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}: whole
processes against one `qwen-bot simulator --latency-ms {args.latency_ms}`, clock frozen at {NOW}, TZ=UTC,
{args.runs} runs each, alternating; November 2026 (30 days).

| shape | official median (s) | ours median (s) | ours / official | calls (official / ours) | same JSON |
|---|---|---|---|---|---|
{chr(10).join(rows)}

Machine: {machine()}.

Both CLIs make the same calls here (one month: the spend query and the tax query, in parallel), so the
difference is start-up: `qwen-bot billing` imports only its own subcommand and the core services.
"""
    print(section)
    if not args.no_write:
        write_section(REPO / "docs" / "benchmarks.md", HEADING, section)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
