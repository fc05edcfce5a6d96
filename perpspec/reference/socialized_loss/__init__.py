"""Socialized loss, the other last resort (DESIGN, Socialized loss; seed 000).

- :mod:`.result`: the common position and result types, the method and denominator options.
- :mod:`.common`: the fund's share, charge rounding and the result's bookkeeping.
- :mod:`.top_profit`, :mod:`.clawback`, :mod:`.open_interest`, :mod:`.haircut_ratio`: one
  module a method.
- :mod:`.cycles`: settlement cycles (profile option ``socialized_loss.cycle``).
- :mod:`.process`: the method named by the profile, and several losses in one cycle.
"""
