"""The state machine of :mod:`perpspec.invariants.machine`, run inside one test.

Running it here (not as a bare ``TestCase``) lets the test assert afterwards that every
interesting case occurred in some run: a liquidation, an exhausted fund, an ADL, a
socialized charge, a tier crossing, a rejection, an accepted trade, a crash.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from perpspec.invariants import machine


def test_state_machine_keeps_every_invariant() -> None:
    machine.COUNTS.clear()
    # The profile's number of runs (ci: 200), each up to 40 steps.
    budget = settings(stateful_step_count=40)
    run_state_machine_as_test(machine.WaterfallMachine, settings=budget)
    missing = [case for case in machine.INTERESTING if machine.COUNTS[case] == 0]
    assert not missing, f"no run reached: {', '.join(missing)} ({dict(machine.COUNTS)})"
