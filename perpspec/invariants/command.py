"""The ``perpspec invariants`` subcommand: the catalogue, as a table or as JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["add_invariants_parser", "run_invariants_command"]


def add_invariants_parser(commands: Any) -> None:
    """Register ``invariants`` on the subparsers object of the ``perpspec`` parser."""
    parser = commands.add_parser(
        "invariants", help="print the invariant catalogue and the methods that check each"
    )
    parser.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    parser.set_defaults(handler=run_invariants_command)


def run_invariants_command(args: argparse.Namespace) -> int:
    """Print the catalogue (DESIGN, Invariants). Exit 0."""
    from perpspec.invariants.render import get_catalogue_data, render_catalogue_table

    if args.json:
        print(json.dumps(get_catalogue_data(), indent=2))
    else:
        for line in render_catalogue_table():
            print(line)
    return 0
