"""`qwen-bot simulator`: listed in help; `bot.__main__` runs bot.devtools.simulator directly
(import-free)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser("simulator", help="run the local QwenCloud simulator", add_help=False)
    parser.add_argument("rest", nargs=argparse.REMAINDER)
