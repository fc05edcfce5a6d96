"""Deliberately broken programs under test, each reported as what it is.

Every program is a few lines written into ``tmp_path``; the cases are two hand-computed
``position_prices`` cases (one long, one short) plus a third long one and an invalid one.
Long, 100 at 10000, isolated balance 100, mmr 0.005, linear: bankruptcy where
``100 + 1 (p - 10000) = 0``, ``p = 9900``; liquidation where
``100 + (p - 10000) = 0.005 p``, ``p = 9900 / 0.995 = 1980000/199``. Short, same numbers:
bankruptcy ``100 - (p - 10000) = 0``, ``p = 10100``; liquidation ``100 - (p - 10000) = 0.005 p``,
``p = 10100 / 1.005 = 2020000/201``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from perpspec.cli import main
from perpspec.conformance.runner import RunSummary, run_program

LONG = {"liquidation_price": "1980000/199", "bankruptcy_price": "9900"}
SHORT = {"liquidation_price": "2020000/201", "bankruptcy_price": "10100"}


def _input(side: str, qty: str = "1") -> dict[str, Any]:
    return {
        "instrument": {"kind": "linear", "tiers": [{"floor": "0", "mmr": "0.005"}]},
        "position": {"side": side, "qty": qty, "entry_price": "10000"},
        "margin": {"mode": "isolated", "balance": "100"},
    }


def _write_cases(tmp_path: Path, invalid: bool = False) -> Path:
    lines = [
        {"id": "long", "op": "position_prices", "input": _input("long"), "expected": LONG},
        {"id": "short", "op": "position_prices", "input": _input("short"), "expected": SHORT},
        {"id": "long2", "op": "position_prices", "input": _input("long"), "expected": LONG},
    ]
    if invalid:
        lines.append(
            {
                "id": "negative-qty",
                "op": "position_prices",
                "input": _input("long", "-1"),
                "reject_reason": "negative quantity",
            }
        )
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


#: A correct answerer: the hand-computed answers above, keyed by side.
_HEADER = f"""
import json, sys
ANSWERS = {{"long": {LONG!r}, "short": {SHORT!r}}}
def answer(case):
    if case["input"]["position"]["qty"].startswith("-"):
        return {{"id": case["id"], "error": "qty: must be > 0"}}
    return {{"id": case["id"], "output": dict(ANSWERS[case["input"]["position"]["side"]])}}
"""


def _program(tmp_path: Path, body: str) -> str:
    script = tmp_path / "engine.py"
    script.write_text(_HEADER + body, encoding="utf-8")
    return f"{sys.executable} {script}"


def _verdicts(summary: RunSummary) -> dict[str, str]:
    return {r.case_id: ("pass" if r.passed else r.reason) for r in summary.results}


LOOP = "for n, line in enumerate(sys.stdin):\n    case = json.loads(line)\n"


def test_a_correct_program_passes(tmp_path: Path) -> None:
    summary = run_program(
        _program(tmp_path, LOOP + "    print(json.dumps(answer(case)), flush=True)\n"),
        [_write_cases(tmp_path, True)],
    )
    assert _verdicts(summary) == dict.fromkeys(["long", "short", "long2", "negative-qty"], "pass")
    assert summary.ok


def test_wrong_sign_on_shorts_fails_the_short_only(tmp_path: Path) -> None:
    body = (
        LOOP
        + "    a = answer(case)\n"
        + "    if case['input']['position']['side'] == 'short':\n"
        + "        a['output'] = dict(ANSWERS['long'])\n"
        + "    print(json.dumps(a), flush=True)\n"
    )
    summary = run_program(_program(tmp_path, body), [_write_cases(tmp_path)])
    verdicts = _verdicts(summary)
    assert verdicts["long"] == verdicts["long2"] == "pass"
    assert verdicts["short"].startswith(
        'output.liquidation_price: expected "2020000/201", found "1980000/199"'
    )
    [failure] = [r for r in summary.results if not r.passed]
    assert failure.kind == "failed"
    assert failure.actual == LONG
    assert failure.expected == SHORT


def test_a_crash_on_the_third_case_is_that_case_and_the_rest_go_on(tmp_path: Path) -> None:
    # The marker file makes it crash once only, as a real intermittent crash would.
    marker = tmp_path / "crashed"
    body = (
        LOOP
        + f"    if n == 2 and not __import__('os').path.exists({str(marker)!r}):\n"
        + f"        open({str(marker)!r}, 'w').close(); sys.exit(3)\n"
        + "    print(json.dumps(answer(case)), flush=True)\n"
    )
    summary = run_program(_program(tmp_path, body), [_write_cases(tmp_path, True)])
    verdicts = _verdicts(summary)
    assert verdicts["long"] == verdicts["short"] == verdicts["negative-qty"] == "pass"
    assert verdicts["long2"].startswith("crashed: exit status 3")
    assert not summary.ok


def test_a_garbage_line_is_a_protocol_error(tmp_path: Path) -> None:
    body = LOOP + "    print('hello there')\n    print(json.dumps(answer(case)), flush=True)\n"
    summary = run_program(_program(tmp_path, body), [_write_cases(tmp_path)])
    assert set(_verdicts(summary).values()) == {"pass"}
    assert summary.protocol_errors[0].startswith("garbage line from the program (invalid JSON")
    assert len(summary.protocol_errors) == 3
    assert not summary.ok


def test_a_hang_is_killed_after_the_timeout(tmp_path: Path) -> None:
    body = (
        LOOP
        + "    if case['input']['position']['side'] == 'short':\n"
        + "        __import__('time').sleep(60)\n"
        + "    print(json.dumps(answer(case)), flush=True)\n"
    )
    summary = run_program(_program(tmp_path, body), [_write_cases(tmp_path)], timeout=0.5)
    verdicts = _verdicts(summary)
    assert verdicts["short"].startswith("timed out: no answer within 0.5 s")
    assert verdicts["long"] == verdicts["long2"] == "pass"


def test_a_skipped_case_is_reported_skipped(tmp_path: Path) -> None:
    body = (
        LOOP
        + "    if case['id'] != 'short':\n"
        + "        print(json.dumps(answer(case)), flush=True)\n"
    )
    summary = run_program(_program(tmp_path, body), [_write_cases(tmp_path)])
    assert _verdicts(summary)["short"] == (
        "skipped: the program ended (exit status 0) without answering this case"
    )
    assert [r.kind for r in summary.results if not r.passed] == ["error"]


def test_an_invalid_case_answered_with_an_output_fails(tmp_path: Path) -> None:
    body = (
        LOOP
        + "    print(json.dumps({'id': case['id'], 'output': dict(ANSWERS['long'])}), flush=True)\n"
    )
    summary = run_program(_program(tmp_path, body), [_write_cases(tmp_path, True)])
    verdicts = _verdicts(summary)
    assert verdicts["negative-qty"] == (
        "answered an invalid case with an output (must reject: negative quantity)"
    )
    assert verdicts["long"] == "pass"


def test_out_of_order_answers_match_by_id_with_a_note(tmp_path: Path) -> None:
    body = "cases = [json.loads(line) for line in sys.stdin]\nfor case in reversed(cases):\n"
    body += "    print(json.dumps(answer(case)), flush=True)\n"
    summary = run_program(_program(tmp_path, body), [_write_cases(tmp_path)])
    assert set(_verdicts(summary).values()) == {"pass"}
    assert summary.notes == ["the program answered out of order (answers matched by id)"]
    assert summary.ok


def test_a_double_answer_is_an_error(tmp_path: Path) -> None:
    body = LOOP + "    for _ in range(2 if n == 0 else 1):\n"
    body += "        print(json.dumps(answer(case)), flush=True)\n"
    summary = run_program(_program(tmp_path, body), [_write_cases(tmp_path)])
    verdicts = _verdicts(summary)
    assert verdicts["long"] == "answered twice"
    assert verdicts["short"] == "pass"


def test_json_report_counts_per_op(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = (
        LOOP
        + "    if case['id'] == 'short':\n        continue\n"
        + "    a = answer(case)\n"
        + "    if case['id'] == 'long2':\n        a['output']['bankruptcy_price'] = '9901'\n"
        + "    print(json.dumps(a), flush=True)\n"
    )
    command = _program(tmp_path, body)
    path = _write_cases(tmp_path)
    assert main(["conform", "--cmd", command, "--json", str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ops"] == {"position_prices": {"passed": 1, "failed": 1, "errors": 1}}
    assert report["ok"] is False
    [wrong] = [f for f in report["failures"] if f["kind"] == "failed"]
    assert wrong["actual"]["bankruptcy_price"] == "9901"
    assert wrong["expected"] == LONG


def test_a_stray_file_in_a_vectors_directory_fails_the_run(tmp_path: Path) -> None:
    _write_cases(tmp_path)
    serve = f"{sys.executable} -m perpspec.conformance.serve"
    assert main(["conform", "--cmd", serve, str(tmp_path)]) == 0
    (tmp_path / "more.json").write_text("{}", encoding="utf-8")
    assert main(["conform", "--cmd", serve, str(tmp_path)]) == 1


def test_python_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_engine.py").write_text(
        f"ANSWERS = {{'long': {LONG!r}, 'short': {SHORT!r}}}\n"
        "def run(case):\n"
        "    if case['input']['position']['qty'].startswith('-'):\n"
        "        raise ValueError('qty must be positive')\n"
        "    return dict(ANSWERS[case['input']['position']['side']])\n",
        encoding="utf-8",
    )
    path = _write_cases(tmp_path, True)
    monkeypatch.chdir(tmp_path)
    assert main(["conform", "--python", "my_engine:run", str(path)]) == 0


def test_python_naming_no_function_is_one_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_engine.py").write_text("def run(case):\n    return {}\n")
    path = _write_cases(tmp_path)
    assert main(["conform", "--python", "no_such_engine:run", str(path)]) == 2
    assert main(["conform", "--python", "my_engine:walk", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "perpspec conform: --python: cannot import 'no_such_engine': "
        "No module named 'no_such_engine'",
        "perpspec conform: --python: 'my_engine' has no function 'walk'",
    ]


@pytest.mark.parametrize("seconds", ["-1", "0", "abc", "inf"])
def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(
    tmp_path: Path, seconds: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write_cases(tmp_path)
    assert main(["conform", "--cmd", "true", "--timeout", seconds, str(path)]) == 2
    assert "argument --timeout" in capsys.readouterr().err


#: The same answerer in awk (POSIX): no Python, no JSON library; the fields are read with
#: match(), as an implementer in a small language would. ``SHORT`` names what a short gets.
_AWK = r"""
{
    match($0, /"id": "[^"]*"/); id = substr($0, RSTART + 7, RLENGTH - 8)
    if ($0 ~ /"qty": "-/) {
        printf "{\"id\": \"%s\", \"error\": \"qty: must be > 0\"}\n", id; fflush(); next
    }
    long = "{\"liquidation_price\": \"1980000/199\", \"bankruptcy_price\": \"9900\"}"
    short = "{\"liquidation_price\": \"2020000/201\", \"bankruptcy_price\": \"10100\"}"
    out = ($0 ~ /"side": "short"/) ? SHORT : long
    printf "{\"id\": \"%s\", \"output\": %s}\n", id, out; fflush()
}
"""


@pytest.mark.parametrize(("short_answer", "expected"), [("short", "pass"), ("long", "fail")])
def test_a_program_in_another_language_gets_the_right_verdicts(
    tmp_path: Path, short_answer: str, expected: str
) -> None:
    script = tmp_path / "engine.awk"
    script.write_text(_AWK.replace("SHORT", short_answer), encoding="utf-8")
    summary = run_program(f"awk -f {script}", [_write_cases(tmp_path, invalid=True)])
    verdicts = _verdicts(summary)
    assert verdicts["long"] == verdicts["long2"] == verdicts["negative-qty"] == "pass"
    if expected == "pass":
        assert verdicts["short"] == "pass" and summary.ok
    else:
        # the long's answer for the short: liquidation 1980000/199 where 2020000/201 is due
        assert "2020000/201" in verdicts["short"] and not summary.ok
