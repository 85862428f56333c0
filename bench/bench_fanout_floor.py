"""The machine's floor for bench/bench_fanout.py: the same 2,000 digest posts (two per channel, 1 s apart per
channel) sent straight to the local Slack Web API by 16 threads of slack_sdk WebClient, with no database,
no QwenCloud, no claim. What remains of bench_fanout's time above this is the bot's own work.
Usage: python bench/bench_fanout_floor.py [--channels 1000] [--threads 16]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_e2e_stack import machine

from bot.devtools.localslack import FakeSlack
from bot.devtools.localslack.state import Channel
from bot.slack.posting import no_retry_client

TOKEN = "xoxb-bench-floor"


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args(argv)
    slack = FakeSlack.start(signing_secret="bench", bot_token=TOKEN)
    try:
        slack.enforce_channel_rate(1.0)
        channels = [f"CF{i:05d}" for i in range(args.channels)]
        for cid in channels:
            slack.ws.add_channel(Channel(cid, cid.lower()))
        client = no_retry_client(TOKEN, slack.api_url.rstrip("/") + "/")
        text = "*Weekly QwenCloud spend* " + "x" * 900
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}} for _ in range(12)]
        last: dict[str, float] = {}

        def post(cid: str) -> None:
            wait = 1.0 - (time.monotonic() - last.get(cid, -10.0))
            if wait > 0:
                time.sleep(wait)
            client.chat_postMessage(channel=cid, text="Weekly QwenCloud spend", blocks=blocks,
                                    metadata={"event_type": "qwen_digest", "event_payload": {"run_id": 1}})
            last[cid] = time.monotonic()

        started = time.monotonic()
        with ThreadPoolExecutor(args.threads) as pool:
            for _ in range(2):
                list(pool.map(post, channels))
        wall = time.monotonic() - started
        posted = sum(len(slack.messages(cid)) for cid in channels)
    finally:
        slack.stop()
    print(f"fan-out floor: {posted} posts to {len(channels)} channels (2 each, 1 s apart), "
          f"{args.threads} threads, no bot work: {wall:.1f} s ({wall / max(1, posted) * 1000:.1f} ms/post)")
    print(f"machine: {machine()}")
    return {"posts": float(posted), "wall_s": wall}


if __name__ == "__main__":
    main()
