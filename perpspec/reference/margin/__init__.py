"""Margin: PnL and the margin requirements (the first step of the waterfall)."""
