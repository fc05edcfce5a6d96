"""Hypothesis profiles (``ci``: derandomized, bounded, make test; ``dev``: default; ``deep``) and
the test order under mutation testing."""

from __future__ import annotations

import importlib.util
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# A bug must fail, not hang: every example has a deadline far above the slowest correct one
# (a few hundred ms on two shared cores), so a loop that stops making progress is a red test
# in seconds. A deadline is measured when an example returns; the per-test timeout
# (pytest-timeout, pyproject) is what ends an example that never returns.
CI_DEADLINE = timedelta(seconds=10)
# `make fuzz` runs two workers for hours on a loaded machine: more room, same intent.
DEEP_DEADLINE = timedelta(seconds=30)

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=CI_DEADLINE,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=CI_DEADLINE)
# `make fuzz`: long random runs, not part of make test
settings.register_profile("deep", max_examples=3000, deadline=DEEP_DEADLINE, print_blob=True)
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


def pytest_addoption(parser: pytest.Parser) -> None:
    """Without pytest-timeout (a venv made before it was pinned), accept its two ini keys so
    the configuration still loads; the header then says that no timeout is enforced."""
    if importlib.util.find_spec("pytest_timeout") is None:
        parser.addini("timeout", "per-test timeout (pytest-timeout is not installed)")
        parser.addini("timeout_method", "timeout method (pytest-timeout is not installed)")


def pytest_report_header() -> list[str]:
    """Say when the per-test timeout is not enforced."""
    if importlib.util.find_spec("pytest_timeout") is None:
        return [
            "per-test timeout NOT enforced: pytest-timeout is missing (pip install -e '.[dev]')"
        ]
    return []
