"""End-to-end time of `/qwen usage last-month`: signed slash command -> the answer posted to response_url,
with the shared results cache cold (miss: QwenCloud is asked) and warm (hit: the database answers).

One `qwen-bot serve --no-worker` process, QwenCloud simulator with 100 ms latency per call, QWEN_BOT_CACHE_TTL
600. For each of N users: first command (miss), then the same command again (hit). Medians and the ratio.
Usage: python bench/bench_e2e.py [--users 15]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_e2e_stack import machine, median, stack

TEXT = "usage last-month"


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=15)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args(argv)
    users = [f"UE{i:03d}" for i in range(args.users)]
    miss: list[float] = []
    hit: list[float] = []
    with stack(latency_ms=args.latency_ms, cache_ttl=600) as s:
        s.link(users)
        s.start_web()
        s.slash("UE000", "help")  # warm-up
        for user in users:
            for bucket in (miss, hit):
                calls = len(s.sim.state.calls)
                started = time.perf_counter()
                _, token = s.slash(user, TEXT)
                bucket.append(s.wait_answer(token) - started)
                went_upstream = len(s.sim.state.calls) > calls
                assert went_upstream == (bucket is miss), "cache did not behave as expected"
    out = {"miss_ms": median(miss) * 1000, "hit_ms": median(hit) * 1000}
    out["ratio"] = out["hit_ms"] / out["miss_ms"]
    print(
        f"/qwen {TEXT}, end to end, {args.users} users, upstream latency {args.latency_ms} ms: "
        f"miss median {out['miss_ms']:.0f} ms, hit median {out['hit_ms']:.0f} ms, hit/miss {out['ratio']:.2f}"
    )
    print(f"machine: {machine()}")
    return out


if __name__ == "__main__":
    main()
