"""bot.base.metrics: the counters move, upstream latency is labelled by action, /metrics serves them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.base import metrics


@pytest.fixture
def m() -> metrics.Metrics:
    return metrics.reset_metrics()


def scrape(app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]) -> dict[str, float]:
    status: list[str] = []
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/metrics", "QUERY_STRING": ""},
                        lambda s, h, *a: status.append(s)))
    assert status == ["200 OK"]
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def test_counters_and_gauge_show_in_metrics(m: metrics.Metrics) -> None:
    m.record_command("usage", "ok")
    m.record_command("usage", "ok")
    m.record_command("login", "auth_error")
    m.record_digest_run("posted")
    for result in ("hit", "hit", "hit", "miss"):
        m.record_cache(result)
    s = scrape(metrics.metrics_wsgi_app(pending_count=lambda: 7))
    assert s["qwen_bot_commands_total{command=usage,outcome=ok}"] == 2
    assert s["qwen_bot_commands_total{command=login,outcome=auth_error}"] == 1
    assert s["qwen_bot_digest_runs_total{outcome=posted}"] == 1
    assert s["qwen_bot_pending_logins{}"] == 7
    hits = s["qwen_bot_cache_lookups_total{result=hit}"]
    misses = s["qwen_bot_cache_lookups_total{result=miss}"]
    assert hits / (hits + misses) == 0.75


def test_scrape_survives_a_failing_pending_count(m: metrics.Metrics) -> None:
    m.set_pending_logins(3)

    def broken() -> int:
        raise RuntimeError("database down")

    assert scrape(metrics.metrics_wsgi_app(pending_count=broken))["qwen_bot_pending_logins{}"] == 3


def test_http_instrumentation_labels_by_action(m: metrics.Metrics) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": "200"})

    client = m.instrument_http(httpx.Client(transport=httpx.MockTransport(handler)))
    gw = "http://qc.test/data/v2/api.json"
    client.post(gw, json={"product": "p", "action": "DescribeFreeTierQuota", "params": {}})
    client.post(gw, json={"product": "sfm", "action": "IntlBroadScopeAspnGateway",
                          "params": {"Api": "CodingPlanUsage", "Data": "{}"}})
    client.post(gw, content=b"not json")
    client.post("http://auth.test/cli/device/token?token=abc")
    client.get("http://qc.test/api/account/info.json")
    s = scrape(metrics.metrics_wsgi_app())
    for action in ("DescribeFreeTierQuota", "CodingPlanUsage", "gateway", "device_token", "account_info"):
        assert s[f"qwen_bot_upstream_request_seconds_count{{action={action}}}"] == 1, action
    assert "qwen_bot_upstream_request_seconds_count{action=IntlBroadScopeAspnGateway}" not in s


def test_action_of_falls_back_safely() -> None:
    req = httpx.Request("POST", "http://x/data/v2/api.json", content=json.dumps([1, 2]).encode())
    assert metrics.action_of(req) == "gateway"
    assert metrics.action_of(httpx.Request("GET", "http://cdn/model-mapping")) == "model_map"
    assert metrics.action_of(httpx.Request("GET", "http://x/elsewhere")) == "other"


def test_multiprocess_mode_aggregates_processes(tmp_path: Path) -> None:
    """Two processes record into PROMETHEUS_MULTIPROC_DIR; one scrape sees both."""
    child = textwrap.dedent("""
        from bot.base import metrics
        metrics.get_metrics().record_command("usage", "ok")
    """)
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", child], env=env, check=True, timeout=60)
    reader = textwrap.dedent(f"""
        from bot.base import metrics
        app = metrics.metrics_wsgi_app({str(tmp_path)!r})
        out = b"".join(app({{"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": ""}},
                           lambda *a: None))
        print(out.decode())
    """)
    out = subprocess.run([sys.executable, "-c", reader], env=env, check=True, timeout=60,
                         capture_output=True, text=True).stdout
    assert 'qwen_bot_commands_total{command="usage",outcome="ok"} 2.0' in out


def test_command_and_outcome_labels_are_bounded() -> None:
    from bot.base import errors
    assert metrics.command_label("usage breakdown --model x") == "breakdown"
    assert metrics.command_label("  Usage last month") == "usage"
    assert metrics.command_label("") == "help"
    assert metrics.command_label("rm -rf / " + "x" * 500) == "other"
    assert metrics.outcome_label(None) == "ok"
    assert metrics.outcome_label(errors.TokenExpired()) == "auth_error"
    assert metrics.outcome_label(errors.NetworkError("down")) == "network_error"
    assert metrics.outcome_label(errors.MalformedResponse("x")) == "upstream_error"
    assert metrics.outcome_label(errors.ModelNotFound("m")) == "usage_error"
    assert metrics.outcome_label(RuntimeError("boom")) == "internal_error"
