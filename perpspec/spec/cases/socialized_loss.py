"""Cases of the ``socialized_loss`` op: seed 000's selection and caps, and each method by hand.

Rules (DESIGN, Socialized loss; :mod:`perpspec.reference.socialized_loss`): the fund pays
``min(fund, insurance_share x loss)``; the rest, ``amount``, is charged. ``top_profit``:
profitable positions by profit desc until the cumulative profit reaches ``threshold`` x the
total (crossing one included), ``charge = amount x profit / denominator`` capped at the profit.
``clawback``: rate ``min(1, amount / total profit)`` on every profit. ``open_interest``:
``amount x |size| / total size`` capped at ``max(0, equity)``. ``haircut_ratio``: ``h =
min(residual, total positive PnL) / total``, residual ``max(0, vault - principal - insurance)``,
payout ``profit x h`` (floored to ``unit``), charge = profit - payout, loss = shortfall
``max(0, principal + insurance + total - vault)``. ``uncovered = loss - insurance_paid -
sum(charges)``, booked to ``system_loss``. With a ``unit``: shares floored, then one unit more
to the top-ranked rounded shares (within their caps) until the total reaches the amount floored.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from perpspec.spec.cases.brute import share_loss_by_rule, text

__all__ = ["RANDOM_SEED", "cases"]

_OP = "socialized_loss"

#: The seed of the random cases; changing it changes the vectors (and the spec version's files).
RANDOM_SEED = 1505


def _p(pid: str, profit: str) -> dict[str, str]:
    return {"id": pid, "profit": profit}


def _oi(pid: str, size: str, equity: str) -> dict[str, str]:
    return {"id": pid, "size": size, "equity": equity}


def _case(case_id: str, case_input: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {"id": case_id, "op": _OP, "input": case_input, "expected": expected}


def _out(insurance: str, charges: dict[str, str], uncovered: str) -> dict[str, Any]:
    return {"insurance_paid": insurance, "charges": charges, "uncovered": uncovered}


# Cycle profits: A 500, B 300, C 150, D 50 (total profit 1,000), E lost 100.
_BOOK = [_p("A", "500"), _p("B", "300"), _p("C", "150"), _p("D", "50"), _p("E", "-100")]
_SEED000 = {"method": "top_profit", "insurance_share": "0.2", "threshold": "0.9"}


def _seed000_cases() -> list[dict[str, Any]]:
    return [
        # Seed 000, 20% / 80%: loss 1,000, fund 5,000 pays 200, 800 is charged. 90% of 1,000 is
        # 900: A 500, A + B 800, A + B + C 950 >= 900 -> A, B, C take part (sum 950).
        # Participants' denominator: A 800 x 500/950 = 8000/19, B 4800/19, C 2400/19 (= 800).
        _case(
            "seed000-top-profit-participants",
            {**_SEED000, "loss": "1000", "insurance_fund": "5000", "positions": _BOOK},
            _out("200", {"A": "8000/19", "B": "4800/19", "C": "2400/19"}, "0"),
        ),
        # The literal denominator (all profitable, 1,000): A 400, B 240, C 120 = 760; the
        # 40 = 800 x 50/1000 of D's share is not collected and goes to system_loss.
        _case(
            "seed000-top-profit-all-profitable",
            {
                **_SEED000,
                "denominator": "all_profitable",
                "loss": "1000",
                "insurance_fund": "5000",
                "positions": _BOOK,
            },
            _out("200", {"A": "400", "B": "240", "C": "120"}, "40"),
        ),
        # The fund holds 100 < 20% x 1,000 = 200: it pays 100, 900 is charged:
        # A 900 x 500/950 = 9000/19, B 5400/19, C 2700/19 (= 900).
        _case(
            "seed000-top-profit-fund-short",
            {**_SEED000, "loss": "1000", "insurance_fund": "100", "positions": _BOOK},
            _out("100", {"A": "9000/19", "B": "5400/19", "C": "2700/19"}, "0"),
        ),
        # Caps: loss 2,000, empty fund: shares 2000 x 500/950 > 500 etc., so each pays its whole
        # cycle profit (500, 300, 150) and 2,000 - 950 = 1,050 is uncovered.
        _case(
            "seed000-top-profit-caps",
            {**_SEED000, "loss": "2000", "insurance_fund": "0", "positions": _BOOK},
            _out("0", {"A": "500", "B": "300", "C": "150"}, "1050"),
        ),
        # Unit 0.01: 8000/19 = 421.0526... -> 421.05, 4800/19 -> 252.63, 2400/19 -> 126.31
        # (799.99); the amount 800 floored is 800, one unit more to A: 421.06.
        _case(
            "seed000-top-profit-unit",
            {
                **_SEED000,
                "loss": "1000",
                "insurance_fund": "5000",
                "positions": _BOOK,
                "unit": "0.01",
            },
            _out("200", {"A": "421.06", "B": "252.63", "C": "126.31"}, "0"),
        ),
    ]


def _top_profit_cases() -> list[dict[str, Any]]:
    return [
        # Exactly at the threshold: A 600 < 900, A + B = 900 >= 900 stops; share 1 of an empty
        # fund pays 0; 300 over A, B (900): A 200, B 100.
        _case(
            "hand-top-profit-exact-threshold",
            {
                "method": "top_profit",
                "loss": "300",
                "insurance_fund": "0",
                "positions": [_p("A", "600"), _p("B", "300"), _p("C", "100")],
            },
            _out("0", {"A": "200", "B": "100"}, "0"),
        ),
        # Equal profits, threshold 1/2 of 300 = 150: A (by id) then B (200 >= 150); 50 over
        # 200: 25 each.
        _case(
            "hand-top-profit-ties",
            {
                "method": "top_profit",
                "threshold": "0.5",
                "loss": "50",
                "insurance_fund": "0",
                "positions": [_p("C", "100"), _p("B", "100"), _p("A", "100")],
            },
            _out("0", {"A": "25", "B": "25"}, "0"),
        ),
        # Nobody in profit: the fund pays 30 of 100, 70 is uncovered.
        _case(
            "hand-top-profit-no-winners",
            {
                "method": "top_profit",
                "loss": "100",
                "insurance_fund": "30",
                "positions": [_p("A", "0"), _p("B", "-5")],
            },
            _out("30", {}, "70"),
        ),
    ]


def _clawback_cases() -> list[dict[str, Any]]:
    return [
        # 800 after the fund's 20%: rate 800/1000 = 0.8: A 400, B 240, C 120, D 40.
        _case(
            "hand-clawback-rate",
            {
                "method": "clawback",
                "insurance_share": "0.2",
                "loss": "1000",
                "insurance_fund": "5000",
                "positions": _BOOK,
            },
            _out("200", {"A": "400", "B": "240", "C": "120", "D": "40"}, "0"),
        ),
        # 1,500 against 1,000 of profit: rate 1, all profit taken, 500 uncovered.
        _case(
            "hand-clawback-over-profit",
            {"method": "clawback", "loss": "1500", "insurance_fund": "0", "positions": _BOOK},
            _out("0", {"A": "500", "B": "300", "C": "150", "D": "50"}, "500"),
        ),
        # Unit 0.01: rate 1/3 on 1 each: 0.333... -> 0.33 x 3 = 0.99; 1 floored is 1, one unit
        # to A (first by id among equal profits): 0.34.
        _case(
            "hand-clawback-unit",
            {
                "method": "clawback",
                "loss": "1",
                "insurance_fund": "0",
                "unit": "0.01",
                "positions": [_p("B", "1"), _p("A", "1"), _p("C", "1")],
            },
            _out("0", {"A": "0.34", "B": "0.33", "C": "0.33"}, "0"),
        ),
    ]


def _open_interest_cases() -> list[dict[str, Any]]:
    return [
        # Drift's unit test shape: 100 over 7 long and 4 short base units: 700/11 and 400/11.
        _case(
            "drift-open-interest-7-4",
            {
                "method": "open_interest",
                "loss": "100",
                "insurance_fund": "0",
                "positions": [_oi("L", "7", "1000"), _oi("S", "-4", "1000")],
            },
            _out("0", {"L": "700/11", "S": "400/11"}, "0"),
        ),
        # 100 over sizes 5 and 5: 50 each; A's equity 10 caps it at 10; 40 uncovered.
        _case(
            "hand-open-interest-equity-cap",
            {
                "method": "open_interest",
                "loss": "100",
                "insurance_fund": "0",
                "positions": [_oi("A", "5", "10"), _oi("B", "5", "100")],
            },
            _out("0", {"A": "10", "B": "50"}, "40"),
        ),
        # Fund 10 of its share 0.5 x 40 = 20 pays 10; 30 over sizes 5 and 10: A 10, C 20 but
        # C's equity -5 caps it at 0; 40 - 10 - 10 = 20 uncovered.
        _case(
            "hand-open-interest-negative-equity",
            {
                "method": "open_interest",
                "insurance_share": "0.5",
                "loss": "40",
                "insurance_fund": "10",
                "positions": [_oi("A", "5", "100"), _oi("C", "10", "-5")],
            },
            _out("10", {"A": "10"}, "20"),
        ),
    ]


def _haircut_cases() -> list[dict[str, Any]]:
    return [
        # Residual 1500 - 1000 - 100 = 400 against 1,000 of positive PnL: h = 2/5; A paid 200 of
        # 500 (charge 300), B 120 (180), C 60 (90), D 20 (30); shortfall 1000 + 100 + 1000 -
        # 1500 = 600 = 300 + 180 + 90 + 30.
        _case(
            "percolator-haircut",
            {
                "method": "haircut_ratio",
                "vault": "1500",
                "principal": "1000",
                "insurance_fund": "100",
                "positions": _BOOK,
            },
            _out("0", {"A": "300", "B": "180", "C": "90", "D": "30"}, "0"),
        ),
        # Fully backed: residual 1,900 >= 1,000, h = 1, no haircut, no shortfall.
        _case(
            "percolator-fully-backed",
            {
                "method": "haircut_ratio",
                "vault": "3000",
                "principal": "1000",
                "insurance_fund": "100",
                "positions": _BOOK,
            },
            _out("0", {}, "0"),
        ),
        # Floors: residual 1110 - 1000 - 100 = 10 over claims 10, 10, 10: h = 1/3, payouts
        # floor(10/3) = 3 each, charges 7 each (21); shortfall 1000 + 100 + 30 - 1110 = 20;
        # uncovered 20 - 21 = -1, the floor residue left in the vault.
        _case(
            "percolator-floor-residue",
            {
                "method": "haircut_ratio",
                "vault": "1110",
                "principal": "1000",
                "insurance_fund": "100",
                "unit": "1",
                "positions": [_p("A", "10"), _p("B", "10"), _p("C", "10")],
            },
            _out("0", {"A": "7", "B": "7", "C": "7"}, "-1"),
        ),
        # Principal underwater: residual 0, h = 0, A's 50 is all charged; shortfall 1000 + 100 +
        # 50 - 900 = 250, of which 200 no haircut can reach.
        _case(
            "percolator-principal-underwater",
            {
                "method": "haircut_ratio",
                "vault": "900",
                "principal": "1000",
                "insurance_fund": "100",
                "positions": [_p("A", "50")],
            },
            _out("0", {"A": "50"}, "200"),
        ),
        # Written off (Percolator 4.17, as the engine meets a loss; no vault given): loss
        # 1,018, the fund pays its 50 first, D = 968 against claims 2,000 and 1,000: h =
        # 2,032/3,000 = 254/375, payouts floored to 10^-8: bob 4,064/3 -> 1,354.66666666
        # (charged 645.33333334), carol 2,032/3 -> 677.33333333 (charged 322.66666667); the
        # charges exceed D by the floor residue 0.00000001 (uncovered -0.00000001).
        _case(
            "percolator-written-off",
            {
                "method": "haircut_ratio",
                "loss": "1018",
                "insurance_fund": "50",
                "unit": "0.00000001",
                "positions": [_p("bob", "2000"), _p("carol", "1000"), _p("mm", "-982")],
            },
            _out("50", {"bob": "645.33333334", "carol": "322.66666667"}, "-0.00000001"),
        ),
        # Written off beyond every claim: loss 5,000, fund 50, D = 4,950 > 3,000 of claims,
        # h = 0: both claims charged whole, 4,950 - 3,000 = 1,950 uncovered.
        _case(
            "percolator-written-off-beyond-claims",
            {
                "method": "haircut_ratio",
                "loss": "5000",
                "insurance_fund": "50",
                "positions": [_p("bob", "2000"), _p("carol", "1000")],
            },
            _out("50", {"bob": "2000", "carol": "1000"}, "1950"),
        ),
    ]


def _edge_cases() -> list[dict[str, Any]]:
    """Empty books, a fund of exactly the loss, a zero loss, units at and off a share."""
    return [
        # No positions at all (top_profit): the fund pays 30 of 100; nobody to charge; 70
        # uncovered, booked to system_loss.
        _case(
            "edge-top-profit-no-positions",
            {"method": "top_profit", "loss": "100", "insurance_fund": "30", "positions": []},
            _out("30", {}, "70"),
        ),
        # Clawback with only losers: total profit 0, rate 0; the empty fund pays 0; all 40
        # uncovered.
        _case(
            "edge-clawback-no-winners",
            {
                "method": "clawback",
                "loss": "40",
                "insurance_fund": "0",
                "positions": [_p("A", "-10"), _p("B", "0")],
            },
            _out("0", {}, "40"),
        ),
        # Open interest with every size 0: no holder; 25 of 25 uncovered.
        _case(
            "edge-open-interest-no-holders",
            {
                "method": "open_interest",
                "loss": "25",
                "insurance_fund": "0",
                "positions": [_oi("A", "0", "100")],
            },
            _out("0", {}, "25"),
        ),
        # The fund holds exactly the loss (share 1): it pays 100, 0 is charged, 0 uncovered.
        _case(
            "edge-fund-exactly-the-loss",
            {"method": "top_profit", "loss": "100", "insurance_fund": "100", "positions": _BOOK},
            _out("100", {}, "0"),
        ),
        # A loss of 0: nothing paid, nothing charged, nothing uncovered.
        _case(
            "edge-zero-loss",
            {"method": "clawback", "loss": "0", "insurance_fund": "10", "positions": _BOOK},
            _out("0", {}, "0"),
        ),
        # Shares exactly on the unit: rate 1/4 of profits 3 and 1 -> 0.75 and 0.25, already
        # whole hundredths; nothing rounded, nothing handed out.
        _case(
            "edge-unit-share-on-the-unit",
            {
                "method": "clawback",
                "loss": "1",
                "insurance_fund": "0",
                "unit": "0.01",
                "positions": [_p("A", "3"), _p("B", "1")],
            },
            _out("0", {"A": "0.75", "B": "0.25"}, "0"),
        ),
        # Shares a hair above the unit: loss 1.00000001 over equal profits 1 and 1, rate
        # 1.00000001/2: each 0.500000005 floors to 0.5 (1.0); the goal, 1.00000001 floored to
        # 0.01, is 1: no extra unit; 0.00000001 uncovered.
        _case(
            "edge-unit-share-a-hair-above",
            {
                "method": "clawback",
                "loss": "1.00000001",
                "insurance_fund": "0",
                "unit": "0.01",
                "positions": [_p("A", "1"), _p("B", "1")],
            },
            _out("0", {"A": "0.5", "B": "0.5"}, "0.00000001"),
        ),
        # A cap blocks the extra unit: open_interest, unit 1, loss 10 over sizes 1, 1, 1 with
        # equities 100, 100, 3: shares 10/3, 10/3 and min(3, 10/3) = 3 (at its cap). Floors
        # 3, 3, 3 = 9; goal floor(10/3 + 10/3 + 3) = floor(29/3) = 9: no extra; 1 uncovered.
        _case(
            "edge-unit-cap-blocks-extra",
            {
                "method": "open_interest",
                "loss": "10",
                "insurance_fund": "0",
                "unit": "1",
                "positions": [_oi("A", "1", "100"), _oi("B", "-1", "100"), _oi("C", "1", "3")],
            },
            _out("0", {"A": "3", "B": "3", "C": "3"}, "1"),
        ),
        # Amounts near zero: a loss of 3 x 10^-8 over three profits of 1 (threshold 1, all take
        # part), unit 10^-8: 10^-8 each, exact.
        _case(
            "edge-loss-near-zero",
            {
                "method": "top_profit",
                "threshold": "1",
                "loss": "0.00000003",
                "insurance_fund": "0",
                "unit": "0.00000001",
                "positions": [_p("A", "1"), _p("B", "1"), _p("C", "1")],
            },
            _out("0", {"A": "0.00000001", "B": "0.00000001", "C": "0.00000001"}, "0"),
        ),
    ]


def _random_position(rng: random.Random, method: str, index: int) -> dict[str, str]:
    pid = f"U{index}"
    if method == "open_interest":
        size = text(Fraction(rng.randint(-20, 20), rng.choice((1, 10))))
        return _oi(pid, size, str(rng.randint(-50, 500)))
    return _p(pid, text(Fraction(rng.randint(-100, 600), rng.choice((1, 1, 100)))))


def _random_haircut(rng: random.Random) -> dict[str, Any]:
    """``haircut_ratio`` in its vault form (about half the time) or its written-off form."""
    case_input: dict[str, Any] = {"method": "haircut_ratio"}
    if rng.random() < 0.5:
        case_input["vault"] = str(rng.randint(500, 3000))
        case_input["principal"] = str(rng.randint(500, 2000))
        case_input["insurance_fund"] = str(rng.randint(0, 300))
    else:
        case_input["loss"] = text(Fraction(rng.randint(0, 80000), 100))
        case_input["insurance_fund"] = str(rng.randint(0, 300))
        if rng.random() < 0.5:
            case_input["insurance_share"] = rng.choice(("0", "0.2", "1"))
    if rng.random() < 0.5:
        case_input["unit"] = rng.choice(("1", "0.01", "0.00000001"))
    case_input["positions"] = [
        _random_position(rng, "haircut_ratio", index) for index in range(rng.randint(1, 7))
    ]
    return case_input


def _random_input(rng: random.Random) -> dict[str, Any]:
    """One draw of any method (haircut_ratio by :func:`_random_haircut`)."""
    method = rng.choice(("top_profit", "clawback", "open_interest", "haircut_ratio"))
    if method == "haircut_ratio":
        return _random_haircut(rng)
    case_input: dict[str, Any] = {
        "method": method,
        "loss": text(Fraction(rng.randint(0, 80000), 100)),
        "insurance_fund": str(rng.randint(0, 300)),
    }
    if rng.random() < 0.6:
        case_input["insurance_share"] = rng.choice(("0", "0.2", "0.5", "1"))
    if method == "top_profit":
        if rng.random() < 0.6:
            case_input["threshold"] = rng.choice(("0.5", "0.8", "0.9", "1"))
        if rng.random() < 0.4:
            case_input["denominator"] = rng.choice(("participants", "all_profitable"))
    if rng.random() < 0.5:
        case_input["unit"] = rng.choice(("1", "0.01", "0.00000001"))
    case_input["positions"] = [
        _random_position(rng, method, index) for index in range(rng.randint(1, 7))
    ]
    return case_input


def _random_cases(count: int = 24) -> list[dict[str, Any]]:
    """Seeded random losses, expected by the methods' rules read literally (:mod:`.brute`)."""
    rng = random.Random(RANDOM_SEED)
    built = []
    for index in range(count):
        case_input = _random_input(rng)
        case = _case(f"random-loss-{index:02d}", case_input, share_loss_by_rule(case_input))
        case["source"] = (
            f"random:seed={RANDOM_SEED} (expected: brute-force shares by the method's rule, "
            "perpspec.spec.cases.brute)"
        )
        built.append(case)
    return built


def cases() -> list[dict[str, Any]]:
    """Every ``socialized_loss`` case."""
    return (
        _seed000_cases()
        + _top_profit_cases()
        + _clawback_cases()
        + _open_interest_cases()
        + _haircut_cases()
        + _edge_cases()
        + _random_cases()
    )
