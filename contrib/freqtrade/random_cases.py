"""Random ``position_prices`` cases for a run that classifies every disagreement.

``perpspec conform --fuzz`` stops at the first disagreement and shrinks it; against freqtrade,
which answers no ``bankruptcy_price``, every input disagrees, so the fuzzer only ever finds
the smallest input its strategy draws. This draws the same inputs (the fuzzer's strategy,
``perpspec.invariants.strategies.OP_INPUTS``, with the same seed) without stopping, and
writes them as a case file whose ``expected`` is the reference's answer, as ``--fuzz`` saves
a disagreement::

    PYTHONPATH=. python contrib/freqtrade/random_cases.py --count 200 --seed 1 > random.jsonl

The file is for a run, not for the repository: its expected values come from the reference.
An input the reference refuses is left out and counted on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from perpspec.conformance.fuzz import reference_answer


def draw_inputs(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` inputs of ``position_prices`` from the fuzzer's strategy, seeded."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    from perpspec.invariants.strategies import OP_INPUTS

    drawn: list[dict[str, Any]] = []

    @fixed_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(OP_INPUTS["position_prices"])
    def collect(case_input: dict[str, Any]) -> None:
        drawn.append(case_input)

    collect()
    return drawn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    refused = 0
    for index, case_input in enumerate(draw_inputs(args.count, args.seed)):
        output, refusal = reference_answer("position_prices", case_input)
        if refusal is not None:
            refused += 1
            continue
        line = {
            "id": f"random-{args.seed}-{index:03d}",
            "op": "position_prices",
            "input": case_input,
            "expected": output,
            "source": f"random:seed={args.seed} (expected: the reference, as --fuzz saves)",
        }
        print(json.dumps(line))
    print(f"{refused} drawn inputs the reference refuses were left out", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
