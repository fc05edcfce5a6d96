"""LaTeX of the formulas and the formulas page."""

from __future__ import annotations

from perpspec.spec.derivations import get_closed_forms
from perpspec.spec.latex import EQUATION_SUFFIX, formula_latex, render_formulas_markdown
from perpspec.spec.mark_derivations import get_mark_formulas


def test_every_closed_form_has_its_latex_and_equation() -> None:
    latex = formula_latex()
    names = [form.name for form in get_closed_forms()]
    mark_names = [formula.name for formula in get_mark_formulas()]
    expected = names + [name + EQUATION_SUFFIX for name in names] + mark_names
    assert sorted(latex) == sorted(expected)
    for name in names:
        assert latex[name].startswith("P = \\frac{")
        assert latex[name + EQUATION_SUFFIX].count("=") == 1


def test_latex_uses_the_model_symbols() -> None:
    latex = formula_latex()
    # Linear bankruptcy: B + s n V (P - E) - f n V P = 0, so P = (s n V E - B) / (n V (s - f)).
    assert latex["linear_bankruptcy_price"] == ("P = \\frac{s n V E - B}{n V \\left(s - f\\right)}")
    assert latex["linear_bankruptcy_price" + EQUATION_SUFFIX] == (
        "B + s n V \\left(P - E\\right) - f n V P = 0"
    )
    assert "1 \\frac{1}" not in "".join(latex.values())


def test_formulas_page_lists_each_formula_with_coverage() -> None:
    page = render_formulas_markdown()
    for form in get_closed_forms():
        assert f"## `{form.name}`" in page
    assert page.count("$$") == 4 * len(get_closed_forms()) + 2 * len(get_mark_formulas())
    assert "isolated and cross margin" in page
    assert "Isolated" in page and "Cross" in page


def test_mark_formulas_in_their_letters() -> None:
    latex = formula_latex()
    # Funding basis r t / T; fair price X (1 + r t / T) (BitMEX "Fair Price Marking").
    assert latex["funding_basis"] == "\\beta = \\frac{r t}{T}"
    assert latex["fair_price"] == "P_{fair} = X \\left(1 + \\frac{r t}{T}\\right)"
    page = render_formulas_markdown()
    for formula in get_mark_formulas():
        assert f"### `{formula.name}`" in page
