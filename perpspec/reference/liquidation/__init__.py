"""Liquidation: the trigger, and settlement of a liquidated position."""
