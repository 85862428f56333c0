"""AckFirstExecutor: lazy work waits for acks in progress, never longer than max_wait, never lost."""

from __future__ import annotations

import contextvars
import time

import pytest

from bot.slack.acks import AckFirstExecutor
from tests.fakes.waits import WAIT_S, quiet_period

var: contextvars.ContextVar[str] = contextvars.ContextVar("test_acks_var", default="none")


def test_task_waits_while_a_request_is_being_acked() -> None:
    pool = AckFirstExecutor(2, max_wait=5.0, quiet=0.01)
    try:
        pool.begin()
        future = pool.submit(time.monotonic)
        quiet_period(0.1)
        assert not future.done()
        ended = time.monotonic()
        pool.end()
        assert future.result(timeout=WAIT_S) >= ended + 0.01
    finally:
        pool.shutdown()


def test_max_wait_bounds_the_delay_even_when_acks_never_stop() -> None:
    pool = AckFirstExecutor(2, max_wait=0.1, quiet=0.01)
    try:
        pool.begin()
        started = time.monotonic()
        assert pool.submit(lambda: 42).result(timeout=WAIT_S) == 42
        assert 0.09 <= time.monotonic() - started < 1.0
    finally:
        pool.end()
        pool.shutdown()


def test_context_and_exceptions_are_carried() -> None:
    pool = AckFirstExecutor(2, quiet=0.0)
    try:
        token = var.set("request-1")
        try:
            assert pool.submit(var.get).result(timeout=WAIT_S) == "request-1"
        finally:
            var.reset(token)

        def boom() -> None:
            raise ValueError("x")

        with pytest.raises(ValueError):
            pool.submit(boom).result(timeout=WAIT_S)
    finally:
        pool.shutdown()


def test_shutdown_runs_held_tasks_and_refuses_new_ones() -> None:
    pool = AckFirstExecutor(2, max_wait=60.0)
    pool.begin()
    future = pool.submit(lambda: "ran")
    pool.shutdown(wait=True)
    assert future.result(timeout=WAIT_S) == "ran"
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)
