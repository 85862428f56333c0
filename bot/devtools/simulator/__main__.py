"""`qwen-bot simulator` / `python -m bot.devtools.simulator`: serve the simulator until interrupted."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from bot.devtools.simulator.server import build_state, make_simulator_server


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("--now needs a timezone offset, e.g. 2026-04-15T10:00:00Z")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qwen-bot simulator", description="local QwenCloud (auth, data, CDN map)"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (printed as LISTENING <port>)")
    p.add_argument("--now", type=_instant, help="freeze the clock at this ISO instant")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--latency-ms", type=int, default=0, help="added to every call, per call (calls overlap)")
    p.add_argument("--auto-approve-after", type=int, metavar="N", help="approve device codes after N polls")
    p.add_argument("--cli-compat", action="store_true", help="double-wrap the coding plan for CLI 1.4.1")
    p.add_argument("--device-interval", type=int, default=5)
    p.add_argument("--device-expires-in", type=int, default=600)
    p.add_argument("--token-ttl", type=int, default=12 * 3600, help="access token lifetime in seconds")
    p.add_argument("--no-coding-plan", action="store_true")
    p.add_argument("--empty-usage", action="store_true", help="no pay-as-you-go rows at all")
    p.add_argument("--history-months", type=int, default=15)
    p.add_argument(
        "--heavy-month",
        action="append",
        metavar="YYYY-MM",
        help="months billed with >100 rows (default: chosen by the seed)",
    )
    p.add_argument(
        "--gateway-error",
        metavar="ACTION=CODE",
        action="append",
        default=[],
        help="answer ACTION (or *) with this gateway code",
    )
    p.add_argument(
        "--http-error",
        metavar="ACTION=STATUS",
        action="append",
        default=[],
        help="answer ACTION with this HTTP status",
    )
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    state = build_state(
        now=args.now,
        seed=args.seed,
        latency_ms=args.latency_ms,
        auto_approve_after=args.auto_approve_after,
        cli_compat=args.cli_compat,
        device_interval=args.device_interval,
        device_expires_in=args.device_expires_in,
        token_ttl=args.token_ttl,
        coding_plan=not args.no_coding_plan,
        empty_usage=args.empty_usage,
        history_months=args.history_months,
        heavy_months=set(args.heavy_month) if args.heavy_month else None,
    )
    for spec in args.gateway_error:
        action, _, code = spec.partition("=")
        state.faults.gateway_error_actions[action] = code or "Throttling.User"
    for spec in args.http_error:
        action, _, status = spec.partition("=")
        state.faults.http_error_actions[action] = int(status or 500)
    server = make_simulator_server(state, args.host, args.port)
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
