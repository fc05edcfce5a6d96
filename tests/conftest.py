"""Hypothesis profiles (``ci``: derandomized, bounded, make test; ``dev``: default; ``deep``) and
the test order under mutation testing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
# `make fuzz`: long random runs, not part of make test
settings.register_profile("deep", max_examples=3000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``make mutation``, run a mutant's covering tests fastest first.

    mutmut names the tests that cover a mutated function in no particular order and stops at
    the first failure (``-x``), so a mutant the quick example tests kill would otherwise often
    wait for a slow property suite first. The durations are the ones mutmut measured
    (``mutmut-stats.json`` in its work directory, the current directory of its runs); outside
    a mutation run (no ``MUTANT_UNDER_TEST``) the order is pytest's own.
    """
    if not os.environ.get("MUTANT_UNDER_TEST"):
        return
    stats = Path("mutmut-stats.json")
    if not stats.is_file():
        return
    durations: dict[str, float] = json.loads(stats.read_text(encoding="utf-8")).get(
        "duration_by_test", {}
    )
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
