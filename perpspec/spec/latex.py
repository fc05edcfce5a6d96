"""LaTeX of the defining equations and closed forms, and the docs page that lists them.

Rule (DESIGN, layout: spec/ holds "derivations -> closed forms, theorems, LaTeX"). The LaTeX is
printed from the same expressions the code generator prints (parsed back unevaluated, so the
terms keep the generated code's order), in the model's one-letter symbols.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

from perpspec.spec.codegen import get_equation_text, print_exact
from perpspec.spec.derivations import (
    CLOSE_FEE_RATE,
    COLLATERAL,
    ENTRY_PRICE,
    MAINTENANCE_AMOUNT,
    MARK_PRICE,
    MMR,
    MULTIPLIER,
    OTHER_MAINTENANCE_MARGIN,
    QTY,
    SIDE,
    ClosedForm,
    get_closed_forms,
)
from perpspec.spec.mark_derivations import MARK_SYMBOLS, MarkFormula, get_mark_formulas

__all__ = [
    "EQUATION_SUFFIX",
    "LATEX_SYMBOLS",
    "formula_latex",
    "get_closed_form_latex",
    "get_equation_latex",
    "get_mark_formula_latex",
    "render_formulas_markdown",
]

#: The model's one-letter names (DESIGN, Notation).
LATEX_SYMBOLS: dict[Any, str] = {
    SIDE: "s",
    QTY: "n",
    MULTIPLIER: "V",
    ENTRY_PRICE: "E",
    MARK_PRICE: "P",
    COLLATERAL: "B",
    MMR: "m",
    MAINTENANCE_AMOUNT: "c",
    OTHER_MAINTENANCE_MARGIN: "O",
    CLOSE_FEE_RATE: "f",
}
#: Key suffix of a defining equation in :func:`formula_latex`.
EQUATION_SUFFIX = ":equation"

_SYMBOL_DESCRIPTIONS = (
    ("s", "side: +1 long, -1 short"),
    ("n", "quantity (> 0)"),
    ("V", "contract multiplier (> 0)"),
    ("E", "entry price (> 0)"),
    ("P", "mark price (> 0), the unknown"),
    ("B", "collateral: the isolated margin, or cross wallet balance + other positions' uPnL"),
    ("m", "maintenance margin rate of the tier"),
    ("c", "maintenance amount of the tier"),
    ("O", "other positions' maintenance margin (cross; 0 when isolated)"),
    ("f", "close fee rate reserved (profile option close_fee_rate; 0 when none)"),
)


def _to_latex(python_text: str) -> str:
    """LaTeX of a Python expression in the argument names, keeping its term order."""
    local: dict[str, Any] = {symbol.name: symbol for symbol in LATEX_SYMBOLS}
    local["P"] = MARK_PRICE
    local["Fraction"] = sp.Rational
    expr = parse_expr(python_text, local_dict=local, evaluate=False)
    text = str(sp.latex(expr, order="none", symbol_names=LATEX_SYMBOLS))
    # Unevaluated 1/x parses as 1 * x**-1; print it as the fraction it is.
    return re.sub(r"(?<![\d.}])1 \\frac\{1\}", r"\\frac{1}", text)


def get_equation_latex(form: ClosedForm) -> str:
    """LaTeX of the defining equation of ``form``."""
    left, right = get_equation_text(form)
    return f"{_to_latex(left)} = {_to_latex(right)}"


def get_closed_form_latex(form: ClosedForm) -> str:
    """LaTeX of ``P = numerator / denominator``."""
    numerator = _to_latex(print_exact(form.numerator))
    denominator = _to_latex(print_exact(form.denominator))
    return f"P = \\frac{{{numerator}}}{{{denominator}}}"


def get_mark_formula_latex(formula: MarkFormula) -> str:
    """LaTeX of ``defines = expression`` for one mark or funding formula, in its letters."""
    body = sp.latex(formula.expression, symbol_names=MARK_SYMBOLS)
    return f"{formula.defines} = {body}"


def formula_latex() -> dict[str, str]:
    """LaTeX of every closed form, by generated function name, and of the mark formulas.

    ``name`` maps to the closed form ``P = ...``; ``name + ":equation"`` to its defining
    equation. The mark and funding formulas (:mod:`perpspec.spec.mark_derivations`) map by
    their name to ``quantity = expression``.
    """
    latex: dict[str, str] = {}
    for form in get_closed_forms():
        latex[form.name] = get_closed_form_latex(form)
        latex[form.name + EQUATION_SUFFIX] = get_equation_latex(form)
    for formula in get_mark_formulas():
        latex[formula.name] = get_mark_formula_latex(formula)
    return latex


def _render_mark_formulas() -> list[str]:
    """The section of the formulas page on the mark price and funding rate rules."""
    lines = [
        "## Mark price and funding rate",
        "",
        "The forms of `perpspec/spec/mark_derivations.py` that the theorems "
        "`index-single-source`, `funding-basis-decay`, `mark-median-bounds`, "
        "`funding-rate-interest-band` and `funding-rate-bounds` are proved over "
        "([the rules](../mark-price.md)). $X$ index price, $r$ funding rate, $t$ time until "
        "funding, $T$ funding interval, $B_i$ / $A_i$ impact bid / ask, $P$ premium, $I$ "
        "interest, $b$ dampener, $s$ scale.",
        "",
    ]
    for formula in get_mark_formulas():
        lines += [
            f"### `{formula.name}`",
            "",
            formula.description,
            "",
            "$$",
            get_mark_formula_latex(formula),
            "$$",
            "",
        ]
    return lines


def _describe_coverage(form: ClosedForm) -> str:
    """Which positions and margin modes one closed form covers."""
    settled = "quote-settled (linear)" if form.kind == "linear" else "coin-settled (inverse)"
    basis = (
        ""
        if form.basis is None
        else f" Maintenance margin on the {form.basis} value (`maintenance_basis: {form.basis}`)."
    )
    return (
        f"Covers {settled} longs ($s = +1$) and shorts ($s = -1$), isolated and cross margin, "
        f"with or without a reserved close fee ($f = 0$ when none).{basis}"
    )


def render_formulas_markdown() -> str:
    """The docs page of the derived formulas (mkdocs-material, arithmatex ``$$`` blocks)."""
    lines = [
        "# Liquidation and bankruptcy prices",
        "",
        "Derived with sympy in `perpspec/spec/derivations.py` from the defining equations of",
        "DESIGN (The waterfall: Margin, Prices) and printed to the generated module",
        "`perpspec/reference/prices/closed_forms.py`.",
        "",
        "| symbol | meaning |",
        "|---|---|",
        *(f"| ${symbol}$ | {meaning} |" for symbol, meaning in _SYMBOL_DESCRIPTIONS),
        "",
        "Linear: $\\mathrm{uPnL}(P) = s n V (P - E)$, $\\mathrm{value}(P) = n V P$. "
        "Inverse: $\\mathrm{uPnL}(P) = s n V (1/E - 1/P)$, $\\mathrm{value}(P) = n V / P$. "
        "Margin balance $B + \\mathrm{uPnL}(P) - f\\,\\mathrm{value}(P)$; maintenance margin "
        "$m\\,\\mathrm{value} - c$ on the value at the mark or at the entry price.",
        "",
        "One equation serves both margin modes. **Isolated**: $B$ is the position's isolated "
        "margin and $O = 0$. **Cross**: $B$ is the wallet balance plus the other positions' "
        "unrealized PnL and $O$ their maintenance margin, both held at their current values.",
        "",
        "A zero denominator means the equation has no unique solution; a price $\\le 0$ means "
        "there is no such price (a long that can never be liquidated): both are reported as "
        "none. With margin tiers the liquidation price is a fixed point: solve with each tier's "
        "$(m, c)$ and keep the solution whose value lies in that tier (floor inclusive).",
        "",
    ]
    for form in get_closed_forms():
        lines += [
            f"## `{form.name}`",
            "",
            _describe_coverage(form),
            "",
            "Defining equation:",
            "",
            "$$",
            get_equation_latex(form),
            "$$",
            "",
            "Closed form:",
            "",
            "$$",
            get_closed_form_latex(form),
            "$$",
            "",
        ]
    lines += _render_mark_formulas()
    return "\n".join(lines)
