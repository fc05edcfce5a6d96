"""Auto-deleveraging (DESIGN, ADL): ranking formulas, the ranking, allocation and fees.

- :mod:`.formulas`: the per-position score of each profile ``adl.ranking`` formula.
- :mod:`.ranking`: order by side, ties, quantiles and the 1..5 indicator lights.
- :mod:`.allocation`: ``queue`` and ``pro_rata`` allocation of a liquidated remainder.
- :mod:`.fees`: the ADL fee policy of a fill.
"""
