"""The engine's state: accounts, positions, markets, insurance funds and system accounts.

Accounting model (DESIGN, Ledger and Invariants):

- An account's *cash* in an asset is its cross wallet plus the isolated margins of its
  positions settled in that asset. Realized PnL, fees, funding and socialized charges move
  cash; opening a position moves none.
- Conservation (invariant ``conservation``): for every asset, the cash of all accounts
  (traders, ``insurance:<fund>``, ``fees``, ``system_loss``, ``engine:<market>``) plus the
  unrealized PnL of all open positions equals deposits minus withdrawals. The uPnL term is
  needed because realized PnL alone does not sum to zero; its sum does not depend on the mark
  because open interest balances (sum of q = 0), so any common mark gives the same total.
- The liquidation engine is the account ``engine:<market>``: it takes positions over at
  their bankruptcy price and holds them until they are closed in the market or by ADL.
- ``system_loss`` holds what the last resort could not collect, as a negative cash balance.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from fractions import Fraction

from perpspec.reference.instrument import Instrument
from perpspec.reference.prices.position_prices import MarginMode

__all__ = [
    "AccountState",
    "ExchangeState",
    "MarketState",
    "PositionState",
    "get_engine_account",
    "is_system_account",
]

SYSTEM_PREFIXES = ("insurance:", "engine:")
SYSTEM_NAMES = frozenset({"fees", "system_loss"})


def get_engine_account(market: str) -> str:
    """The liquidation engine's account for ``market``."""
    return f"engine:{market}"


def is_system_account(account: str) -> bool:
    """True for ``insurance:<fund>``, ``engine:<market>``, ``fees`` and ``system_loss``."""
    return account in SYSTEM_NAMES or account.startswith(SYSTEM_PREFIXES)


@dataclass(slots=True)
class PositionState:
    """One account's position in one market (one-way mode: one position per market).

    ``mode`` is isolated once margin has been transferred into the market, else cross.
    ``isolated_margin`` is that margin (0 for cross positions).
    """

    qty: Fraction = Fraction(0)
    entry_price: Fraction = Fraction(0)
    mode: MarginMode = MarginMode.CROSS
    isolated_margin: Fraction = Fraction(0)


@dataclass(slots=True)
class AccountState:
    """A trader's (or a system account's) wallet per asset and positions per market."""

    wallet: dict[str, Fraction] = field(default_factory=dict)
    positions: dict[str, PositionState] = field(default_factory=dict)


@dataclass(slots=True)
class MarketState:
    """A market: its instrument and its current mark (None until the first mark event);
    the mark its last ``index`` record derived, which the next mark must state (None: no
    index record since the last mark), and the premium samples of the index records since
    the last funding, which the next funding's rate must follow (rule ``mark.funding-rate``;
    none: the rate is given)."""

    instrument: Instrument
    mark: Fraction | None = None
    derived_mark: tuple[int, Fraction] | None = None
    premiums: list[Fraction] = field(default_factory=list)


@dataclass(slots=True)
class ExchangeState:
    """Everything the engine knows. ``seq`` is the last sequence number it stamped.

    Insurance funds, ``fees`` and ``system_loss`` are accounts like any other (their cash is
    their balance), so one sum over accounts proves conservation.
    """

    accounts: dict[str, AccountState] = field(default_factory=dict)
    markets: dict[str, MarketState] = field(default_factory=dict)
    deposits: dict[str, Fraction] = field(default_factory=dict)
    withdrawals: dict[str, Fraction] = field(default_factory=dict)
    seq: int = 0
    liquidations: int = 0

    def clone(self) -> ExchangeState:
        """A deep copy: ``apply`` works on one so the caller's state never changes."""
        return copy.deepcopy(self)
