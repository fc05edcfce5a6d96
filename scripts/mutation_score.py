"""The mutation score of ``perpspec.reference`` from mutmut's work files (docs/mutation.md).

The design (``make mutation-sample``): every mutant's covering tests include the engine's and
the simulator's suites, so a full run takes many hours on two cores. The score is therefore
estimated from a stratified random sample, one stratum per module, drawn with a fixed seed
from all of a module's mutants (so the draw does not depend on which mutants an earlier run
happened to reach):

- the modules of ``perpspec/reference/engine/``: one uniform sample of ``ENGINE_SAMPLE``
  mutants over the package (the first of a seeded random order), counted per module;
- every other module: ``MODULE_RATE`` of its mutants, uniformly;
- a module whose every mutant has a verdict is scored exactly, whatever the sample.

Commands:

- ``select``: the mutant names still to run: those in the sample without a verdict, or whose
  function no test called yet (a later test may).
- ``survivors``: the scored survivors, to run again once tests were added for them.
- ``report``: per module, the counts of each verdict over what is scored (the sample, or the
  whole module), its score ``killed / (killed + survived + no tests)``, and the estimate for
  the whole of ``perpspec.reference``: the modules' scores weighted by their mutant counts,
  with a 95% interval from the stratified variance (normal approximation, Agresti-Coull
  adjusted proportions, finite-population correction). Timeouts are not scored (mutmut's
  reading: a mutant that never ends is caught, not a survivor) and are stated apart.

mutmut 3 keeps one verdict per mutant in ``mutants/<path>.meta`` (JSON,
``exit_code_by_key``); its exit codes are read with mutmut's own table
(``mutmut.stats.status_by_exit_code``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants" / "perpspec" / "reference"
ENGINE = "engine/"
ENGINE_SAMPLE = 300
MODULE_RATE = 0.15
SEED = 20261121


def read_verdicts() -> dict[str, dict[str, str]]:
    """module path (relative to perpspec/reference) -> mutant name -> verdict."""
    if not MUTANTS.is_dir():
        sys.exit(f"{MUTANTS}: no mutmut work files (run `make mutation` or mutmut run first)")
    modules: dict[str, dict[str, str]] = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        if codes:
            module = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
            modules[module] = {name: status_by_exit_code[code] for name, code in codes.items()}
    return modules


def draw_sample(modules: dict[str, dict[str, str]], seed: int) -> set[str]:
    """The design's sample (module docstring). Names are sorted before each draw, so the
    sample depends only on the seed and the set of mutants; each module has its own
    generator, so one module's draw does not move another's."""
    engine = sorted(n for m, v in modules.items() if m.startswith(ENGINE) for n in v)
    # A seeded random order of all the engine's mutants; its first ENGINE_SAMPLE are a
    # uniform sample, and a larger sample extends a smaller one.
    order = random.Random(seed).sample(engine, len(engine))
    sample = set(order[:ENGINE_SAMPLE])
    for module, verdicts in sorted(modules.items()):
        if not module.startswith(ENGINE):
            names = sorted(verdicts)
            rng = random.Random(f"{seed}:{module}")
            sample |= set(rng.sample(names, math.ceil(MODULE_RATE * len(names))))
    return sample


def _scored_names(seed: int, verdicts_wanted: tuple[str, ...]) -> list[str]:
    """Names with one of ``verdicts_wanted`` among the scored mutants: a module's sample, or
    all of a module every mutant of which has a verdict."""
    modules = read_verdicts()
    sample = draw_sample(modules, seed)
    return sorted(
        name
        for verdicts in modules.values()
        for name, verdict in verdicts.items()
        if verdict in verdicts_wanted and (name in sample or "not checked" not in verdicts.values())
    )


def select(seed: int) -> list[str]:
    """The sampled mutants without a verdict, or whose function no test called yet."""
    return _scored_names(seed, ("not checked", "no tests"))


def list_survivors(seed: int) -> list[str]:
    """The scored survivors (and functions no test called): what a later run re-checks
    after tests were added (mutmut keeps a verdict unless the mutant is named)."""
    return _scored_names(seed, ("survived", "no tests"))


def report(seed: int, show: str | None) -> int:
    modules = read_verdicts()
    sample = draw_sample(modules, seed)
    print("| module | mutants | scored | killed | survived | no tests | timeouts | score |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    estimate = variance = weight_total = 0.0
    pending = 0
    for module, verdicts in modules.items():
        exact = "not checked" not in verdicts.values()
        counted = verdicts if exact else {n: v for n, v in verdicts.items() if n in sample}
        c = Counter(counted.values())
        pending += c["not checked"]
        scored = c["killed"] + c["survived"] + c["no tests"]
        # The stratum's size: its mutants less the timeouts (exactly, or as the sample says).
        size = len(verdicts) * (scored / (scored + c["timeout"]) if scored else 1.0)
        p = c["killed"] / scored if scored else 0.0
        if not exact and scored:
            adjusted = (c["killed"] + 2) / (scored + 4)
            correction = max(0.0, 1 - scored / size)
            variance += size * size * adjusted * (1 - adjusted) / scored * correction
        estimate += p * size
        weight_total += size
        label = module if exact else f"{module} (sample)"
        print(
            f"| {label} | {len(verdicts)} | {len(counted) - c['not checked']} | {c['killed']} "
            f"| {c['survived']} | {c['no tests']} | {c['timeout']} | {p:.1%} |"
        )
    score = estimate / weight_total
    half = 1.96 * math.sqrt(variance) / weight_total
    print()
    print(
        f"score: {score:.1%} (95% interval {score - half:.1%} to {min(1.0, score + half):.1%}); "
        f"seed {seed}" + (f"; {pending} sampled mutants not yet run" if pending else "")
    )
    if show:
        for module, verdicts in modules.items():
            if show in module:
                exact = "not checked" not in verdicts.values()
                for name, verdict in sorted(verdicts.items()):
                    if (exact or name in sample) and verdict in ("survived", "no tests"):
                        print(verdict, name)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("select", "survivors", "report"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--show", metavar="MODULE", help="report: list scored survivors of MODULE")
    args = parser.parse_args(argv)
    if args.command == "select":
        print("\n".join(select(args.seed)))
        return 0
    if args.command == "survivors":
        print("\n".join(list_survivors(args.seed)))
        return 0
    return report(args.seed, args.show)


if __name__ == "__main__":
    sys.exit(main())
