"""Liquidation and bankruptcy prices: the generated closed forms and the tier fixed point."""
