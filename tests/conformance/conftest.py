from __future__ import annotations

from collections.abc import Iterator

import pytest

# Field-level diffs from the helpers' asserts, not bare AssertionErrors.
pytest.register_assert_rewrite(
    "tests.conformance.pair", "tests.conformance.official", "tests.conformance.ours"
)

from tests.conformance.pair import Pair, start_pair  # noqa: E402


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Shared by a module's tests; knobs are reset after each test by `clean_pair`."""
    started = start_pair(tmp_path_factory.mktemp("pair"))
    yield started
    started.stop()


@pytest.fixture
def clean_pair(pair: Pair) -> Iterator[Pair]:
    pair.reset()
    yield pair
    pair.reset()
