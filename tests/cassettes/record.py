"""Re-record the cassettes and the official outputs they are compared with (not a test).

    QWENCLOUD_CLI=/path/to/qwencloud python -m tests.cassettes.record

One simulator run serves both: the official CLI 1.4.1 prints its outputs (stored under official/), and our
client's HTTP exchanges for the same queries are recorded with vcrpy (tokens scrubbed). The replay test
then feeds the cassettes through our client, service and renderers and compares with official/.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import vcr

from bot.base.clock import FixedClock
from bot.core.usage import UsageService
from bot.devtools.simulator import start_simulator
from bot.qwencloud.client import QwenCloudClient
from tests.cassettes.queries import API, FAKE_NOW, QUERIES, SEED, TZ, run_query
from tests.conformance.official import OfficialCli, require_official_cli

HERE = Path(__file__).parent
SCRUB = "Bearer <scrubbed>"


def scrub_request(request: Any) -> Any:
    if "authorization" in {k.lower() for k in request.headers}:
        request.headers = {
            k: (SCRUB if k.lower() == "authorization" else v) for k, v in request.headers.items()
        }
    return request


def recorder() -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(HERE),
        record_mode="all",
        match_on=["method", "path", "body"],
        before_record_request=scrub_request,
        decode_compressed_response=True,
    )


def main() -> None:
    sim = start_simulator(now=datetime.fromisoformat(FAKE_NOW), seed=SEED, device_interval=1, cli_compat=True)
    try:
        home = Path(tempfile.mkdtemp(prefix="official-home-"))  # holds credentials: never inside the repo
        official = OfficialCli(require_official_cli(), sim.url, home, tz=TZ, now=FAKE_NOW)
        official.login(sim.approve)
        token = sim.state.issue_token().value
        for name, query in QUERIES.items():
            result = official.run(*query["argv"])
            (HERE / "official" / f"{name}.out").write_text(result.stdout)
            # The api endpoint's host is part of the coding-plan body, so it is fixed; requests go to the sim.
            client = QwenCloudClient(
                http=httpx.Client(),
                api_endpoint=API,
                auth_endpoint=API,
                model_map_url=f"{sim.url}/cdn/model-mapping",
                gateway_url=f"{sim.url}/data/v2/api.json",
            )
            service = UsageService(
                client=client, clock=FixedClock(datetime.fromisoformat(FAKE_NOW)), max_workers=1
            )
            with recorder().use_cassette(f"{name}.yaml"):
                run_query(service, token, query)
        (HERE / "official" / "manifest.json").write_text(
            json.dumps({"now": FAKE_NOW, "seed": SEED, "tz": TZ, "cli": "1.4.1"}, indent=2) + "\n"
        )
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
