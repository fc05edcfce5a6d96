"""The mutation score of ``perpspec.reference`` from mutmut's work files (docs/mutation.md).

Two commands:

- ``select``: the mutant names ``make mutation-sample`` runs: every mutant outside the sampled
  packages, and a uniform random sample (fixed seed) of the mutants inside them. The sample
  is drawn from all their mutants, checked or not, so it does not depend on which ones an
  earlier run happened to reach; only the names without a verdict yet (or whose function no
  test called, which a later test may) are printed.
- ``report``: per module, the counts of each verdict, and the score
  ``killed / (killed + survived + no tests)``: exact where every mutant was checked, and for
  the modules of the sampled packages not every mutant of which was checked, an estimate
  ``N * killed / checked`` over the sample, with a 95% Wilson interval, scaled to the
  module's mutant count. Timeouts are left out of exact scores (mutmut's own reading: a
  mutant that never ends is not a survivor) and stated apart.

mutmut 3 keeps one verdict per mutant in ``mutants/<path>.meta`` (JSON,
``exit_code_by_key``); its exit codes are read with mutmut's own meaning.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants" / "perpspec" / "reference"
#: Packages whose mutants are sampled rather than all run (their covering tests are the
#: slow engine and simulation tests; a full run takes hours on two cores).
SAMPLED = ("engine/",)
SAMPLE_SIZE = 500
SEED = 20261121

STATUS: dict[int | None, str] = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    35: "suspicious",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    255: "timeout",
    37: "type check",
    -11: "segfault",
    -9: "segfault",
    None: "not checked",
}


def read_verdicts() -> dict[str, dict[str, str]]:
    """module path (relative to perpspec/reference) -> mutant name -> verdict."""
    if not MUTANTS.is_dir():
        sys.exit(f"{MUTANTS}: no mutmut work files (run `make mutation` or mutmut run first)")
    modules: dict[str, dict[str, str]] = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        if codes:
            module = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
            modules[module] = {name: STATUS.get(code, "suspicious") for name, code in codes.items()}
    return modules


def is_sampled(module: str) -> bool:
    return module.startswith(SAMPLED)


def draw_sample(modules: dict[str, dict[str, str]], size: int, seed: int) -> set[str]:
    """A uniform sample of ``size`` mutants of the sampled packages (names sorted first, so
    the draw depends only on the seed and the set of mutants)."""
    names = sorted(n for m, v in modules.items() if is_sampled(m) for n in v)
    return set(random.Random(seed).sample(names, min(size, len(names))))


def select(size: int, seed: int) -> list[str]:
    modules = read_verdicts()
    sample = draw_sample(modules, size, seed)
    chosen = [
        name
        for module, verdicts in modules.items()
        for name, verdict in verdicts.items()
        if verdict in ("not checked", "no tests") and (not is_sampled(module) or name in sample)
    ]
    return sorted(chosen)


def wilson(killed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion killed/n."""
    if n == 0:
        return (0.0, 1.0)
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def report(size: int, seed: int, show: str | None) -> int:
    modules = read_verdicts()
    sample = draw_sample(modules, size, seed)
    print("| module | mutants | checked | killed | survived | no tests | timeouts | score |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total = total_low = total_high = 0.0
    all_mutants = 0
    exact_complete = True
    for module, verdicts in modules.items():
        # A module of a sampled package whose every mutant was checked is scored exactly.
        sampled = is_sampled(module) and "not checked" in verdicts.values()
        counted = {n: v for n, v in verdicts.items() if not sampled or n in sample}
        c = Counter(counted.values())
        scored = c["killed"] + c["survived"] + c["no tests"]
        checked = len(counted) - c["not checked"]
        all_mutants += len(verdicts)
        if scored == 0:
            estimate, low, high = 0.0, 0.0, 0.0
        elif sampled:
            low, high = wilson(c["killed"], scored)
            estimate = c["killed"] / scored
        else:
            estimate = low = high = c["killed"] / scored
            exact_complete &= c["not checked"] == 0
        # A module's weight is its number of mutants (timeouts excluded from the score).
        weight = len(verdicts) - (0 if sampled else c["timeout"])
        total += estimate * weight
        total_low += low * weight
        total_high += high * weight
        label = f"{module} (sample)" if sampled else module
        score = f"{estimate:.1%}" + (f" [{low:.1%}, {high:.1%}]" if sampled else "")
        print(
            f"| {label} | {len(verdicts)} | {checked} | {c['killed']} | {c['survived']} | "
            f"{c['no tests']} | {c['timeout']} | {score} |"
        )
    print()
    weight_total = all_mutants - sum(
        Counter(v.values())["timeout"] for v in modules.values() if "not checked" not in v.values()
    )
    print(
        f"score: {total / weight_total:.1%} (95% interval {total_low / weight_total:.1%} to "
        f"{total_high / weight_total:.1%}); sample of {len(sample)} mutants of "
        f"{', '.join(SAMPLED)} (seed {seed})"
        + ("" if exact_complete else "; NOT every unsampled mutant was checked")
    )
    if show:
        for module, verdicts in modules.items():
            if show in module:
                for name, verdict in sorted(verdicts.items()):
                    in_scope = not is_sampled(module) or name in sample
                    if in_scope and verdict in ("survived", "no tests", "suspicious"):
                        print(verdict, name)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("select", "report"))
    parser.add_argument("--size", type=int, default=SAMPLE_SIZE, help="sample size")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--show", metavar="MODULE", help="report: list survivors of MODULE")
    args = parser.parse_args(argv)
    if args.command == "select":
        print("\n".join(select(args.size, args.seed)))
        return 0
    return report(args.size, args.seed, args.show)


if __name__ == "__main__":
    sys.exit(main())
