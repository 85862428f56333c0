"""End-to-end time of each `/qwen` answer: signed slash command -> the answer (with its analysis) posted to
response_url, and the QwenCloud calls it made. The usage answer is the reference; the others are issue 12's.

One `qwen-bot serve --no-worker` process, the QwenCloud simulator at 100 ms per call, a fresh user for every
command (so no answer comes from the results cache). Writes its own section of docs/benchmarks.md (replaced on
a rerun; the rest of the file is left alone).

    .venv/bin/python bench/bench_answers.py [--runs 5] [--latency-ms 100] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "bench"), str(REPO)]  # bench_e2e_stack, and the tests' fakes it builds on
from bench_e2e_stack import machine, median, stack  # noqa: E402
from sections import write_section  # noqa: E402

HEADING = "## Slack answers end to end (`bench/bench_answers.py`)"
COMMANDS = (
    "usage last-month",
    "billing by api-key last month",
    "billing by model this year",
    "bills",
    "logs",
    "logs errors last 7 days",
    "limit",
    "plan",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    rows: list[str] = []
    with stack(latency_ms=args.latency_ms) as s:
        users = [f"UA{i:03d}" for i in range(args.runs * len(COMMANDS) + 1)]
        s.link(users)
        s.start_web()
        s.slash(users[-1], "help")  # warm-up
        fresh = iter(users)
        for text in COMMANDS:
            took: list[float] = []
            calls: list[int] = []
            for _ in range(args.runs):
                before = len(s.sim.state.calls)
                started = time.perf_counter()
                _, token = s.slash(next(fresh), text)
                took.append(s.wait_answer(token) - started)
                calls.append(len(s.sim.state.calls) - before)
            ms = (median(took) * 1000, max(took) * 1000)
            rows.append(f"| `/qwen {text}` | {ms[0]:.0f} | {ms[1]:.0f} | {median(calls):.0f} |")
            print(rows[-1], flush=True)
    section = f"""{HEADING}

Produced on {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}: signed slash command -> the answer with
its analysis posted to response_url, one `qwen-bot serve --no-worker` process, the QwenCloud simulator at
{args.latency_ms} ms per call (calls overlap), a fresh user per command (no cached answer), {args.runs} runs
each.

| command | median (ms) | max (ms) | QwenCloud calls |
|---|---|---|---|
{chr(10).join(rows)}

Machine: {machine()}.

`billing` over a week includes drawing the daily chart and uploading it (the first one also loads the
charting code: the max). `billing by model this year` asks the month totals and the days (for the chart) by
model, the same by API key, and the previous equal period by API key (the key that grew most): 88 calls;
a monthly chart for ranges over a quarter would save a quarter of them. `plan` is the official CLI's 17 calls.
"""
    print(section)
    if not args.no_write:
        write_section(REPO / "docs" / "benchmarks.md", HEADING, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
