"""Pages that show real commands with their real output: parse, run, compare, refresh.

A page's examples are fenced ``console`` blocks of one form::

    $ perpspec simulate --accounts 8 --steps 60 --seed 1 --out crash.jsonl
    ...what the command prints: its stdout, then its stderr...
    $ echo $?
    0

and the files the commands read may be written on the page itself, as a fenced block with a
title (``python title="my_engine.py"``, ``toml title="my-exchange.toml"``): its text is the
file, written before the commands run, so the program a guide shows is the program its
commands run.

A ``perpspec`` command runs in-process through :func:`perpspec.cli.main`; any other (``sed``,
``grep``, ``python3``) runs through ``bash -c``. The commands run in page order, in a scratch
directory holding a link to every entry of the repository root, so that ``vectors/`` and
``tests/...`` read the committed files and what the examples write lands outside the checkout.

Output that varies between runs (a temporary path, a time, a digest) is never compared raw:
each page names its :class:`Normalisation` rules, applied to the page's text and to the
command's output alike.

Refreshing a page after a deliberate change of output::

    python tests/support/console_blocks.py docs/guides/simulate-a-crash.md ...

rewrites each block's output and exit code with what the commands print now (normalised the
same way, so a page never records a temporary path); review the diff before committing.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
_TITLE = re.compile(r'title="(?P<name>[^"]+)"')
EXIT_LINE = "$ echo $?"
#: The terminal width argparse and the progress bar see, so wrapped help reads the same here
#: and on a reader's 100-column terminal.
COLUMNS = "100"


@dataclass(frozen=True, slots=True)
class Normalisation:
    """One rule for output that varies: every match of ``pattern`` reads as ``replacement``
    (``re.sub`` syntax), on the page and in the command's output alike."""

    pattern: str
    replacement: str

    def apply(self, text: str) -> str:
        return re.sub(self.pattern, self.replacement, text)


@dataclass(frozen=True, slots=True)
class Example:
    """One console block: where it starts and ends in the page's text, the command line, the
    output the page shows and the exit code."""

    page: str
    line: int
    start: int
    end: int
    command: str
    output: str
    exit_code: int

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def is_perpspec(self) -> bool:
        return self.command.startswith("perpspec ")


@dataclass(frozen=True, slots=True)
class PageFile:
    """A titled code block: a file the commands read, written before they run."""

    name: str
    text: str


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def parse_examples(text: str, page: str) -> list[Example]:
    """Every ``console`` block of ``text``; a block not of the module's form is an error
    naming ``page`` and its line."""
    nested = re.search(r"^[ \t]+```console", text, re.MULTILINE)
    if nested is not None:
        # An indented block would be skipped by the fence pattern and so never run.
        raise ValueError(
            f"{page}:{_line_of(text, nested.start())}: an indented console block (start it at "
            "the first column)"
        )
    examples: list[Example] = []
    for match in _FENCE.finditer(text):
        if match.group("info").strip().split(" ")[0] != "console":
            continue
        line = _line_of(text, match.start())
        lines = match.group("body").rstrip("\n").split("\n")
        if (
            len(lines) < 3
            or not lines[0].startswith("$ ")
            or lines[-2] != EXIT_LINE
            or not lines[-1].isdigit()
        ):
            raise ValueError(
                f"{page}:{line}: a console block is `$ COMMAND`, its output, "
                f"then `{EXIT_LINE}` and the exit code"
            )
        output = "".join(f"{row}\n" for row in lines[1:-2])
        examples.append(
            Example(page, line, match.start(), match.end(), lines[0][2:], output, int(lines[-1]))
        )
    return examples


def parse_page_files(text: str, page: str) -> list[PageFile]:
    """Every titled code block of ``text`` (other than ``console``), as a file."""
    files: list[PageFile] = []
    for match in _FENCE.finditer(text):
        title = _TITLE.search(match.group("info"))
        if title is None:
            continue
        name = title.group("name")
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise ValueError(f"{page}:{_line_of(text, match.start())}: {name}: not a plain name")
        files.append(PageFile(name, match.group("body")))
    return files


def make_scratch_root(directory: Path) -> Path:
    """``directory`` with a link to every entry of the repository root (the outputs of the
    examples are written there, never into the checkout)."""
    for entry in REPO.iterdir():
        if entry.name != ".git":
            (directory / entry.name).symlink_to(entry)
    return directory


@contextlib.contextmanager
def _environment(directory: Path) -> Iterator[None]:
    before = Path.cwd()
    columns = os.environ.get("COLUMNS")
    os.chdir(directory)
    os.environ["COLUMNS"] = COLUMNS
    try:
        yield
    finally:
        os.chdir(before)
        if columns is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = columns


def run_command(command: str) -> tuple[str, int]:
    """What ``command`` prints (stdout, then stderr) and its exit code, run in the current
    directory (``perpspec`` in-process, anything else through bash)."""
    if command.startswith("perpspec "):
        from perpspec.cli import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(shlex.split(command)[1:])
        return out.getvalue() + err.getvalue(), code
    env = {**os.environ, "PYTHONPATH": "", "COLUMNS": COLUMNS}
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    return done.stdout + done.stderr, done.returncode


@dataclass(frozen=True, slots=True)
class Outcome:
    """One example and what its command really printed (normalised)."""

    example: Example
    output: str
    exit_code: int

    @property
    def matches(self) -> bool:
        return self.output == self.example.output and self.exit_code == self.example.exit_code

    def describe(self) -> str:
        return (
            f"{self.example.where}: $ {self.example.command}\n"
            f"--- the page (exit {self.example.exit_code}):\n{self.example.output}"
            f"--- the command (exit {self.exit_code}):\n{self.output}"
        )


def run_page(
    text: str, page: str, directory: Path, rules: Sequence[Normalisation] = ()
) -> list[Outcome]:
    """Write the page's files into ``directory`` (a scratch root), run its examples there in
    page order, and return each with its normalised output. The page's shown output is
    normalised too, so a rule may name a placeholder the page writes literally."""
    for page_file in parse_page_files(text, page):
        target = directory / page_file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page_file.text, encoding="utf-8")
    outcomes: list[Outcome] = []
    with _environment(directory):
        for example in parse_examples(text, page):
            output, code = run_command(example.command)
            shown = example
            for rule in rules:
                output = rule.apply(output)
                shown = _normalise_shown(shown, rule)
            outcomes.append(Outcome(shown, output, code))
    return outcomes


def _normalise_shown(example: Example, rule: Normalisation) -> Example:
    return Example(
        example.page,
        example.line,
        example.start,
        example.end,
        example.command,
        rule.apply(example.output),
        example.exit_code,
    )


def mismatches(outcomes: Sequence[Outcome]) -> list[str]:
    """The examples whose page disagrees with their command, each described."""
    return [outcome.describe() for outcome in outcomes if not outcome.matches]


def refresh_page(text: str, outcomes: Sequence[Outcome]) -> str:
    """``text`` with each example's output and exit code replaced by what it printed."""
    parts: list[str] = []
    cursor = 0
    for outcome in outcomes:
        example = outcome.example
        parts.append(text[cursor : example.start])
        parts.append(
            f"```console\n$ {example.command}\n{outcome.output}{EXIT_LINE}\n"
            f"{outcome.exit_code}\n```"
        )
        cursor = example.end
    parts.append(text[cursor:])
    return "".join(parts)


#: The output that varies between runs, normalised on every page: the version perpspec names
#: itself by changes with every release.
COMMON_RULES = (Normalisation(r"perpspec \d+\.\d+\.\d+\S*", "perpspec VERSION"),)
#: Further rules of one page (by file name); none of the pages needs one today.
PAGE_RULES: dict[str, tuple[Normalisation, ...]] = {}


def rules_for(page: str) -> tuple[Normalisation, ...]:
    """The rules of ``page`` (a path from the repository root)."""
    return COMMON_RULES + PAGE_RULES.get(Path(page).name, ())


def main(argv: Sequence[str]) -> int:
    """Refresh the pages named in ``argv`` (paths from the repository root) in place, each
    with its rules (:func:`rules_for`)."""
    import tempfile

    for name in argv:
        path = REPO / name
        text = path.read_text(encoding="utf-8")
        with tempfile.TemporaryDirectory(prefix="perpspec-guide-") as folder:
            outcomes = run_page(text, name, make_scratch_root(Path(folder)), rules_for(name))
        updated = refresh_page(text, outcomes)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            print(f"{name}: refreshed")
        else:
            print(f"{name}: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
