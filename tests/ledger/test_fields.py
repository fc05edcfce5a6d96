"""Field kinds and table columns derived from the typed records (DESIGN, Ledger)."""

from __future__ import annotations

import pytest

from perpspec.ledger.columns import COLUMNS, CellKind, get_cell_kind
from perpspec.ledger.fields import FieldKind, get_field_specs, get_tier_specs
from perpspec.reference.events import EVENT_TYPES, get_event_fields

# Written by hand: the union of DESIGN's fields in order of first appearance.
HAND_HEADER = (
    "seq,ts,type,market,kind,multiplier,tick_size,lot_size,tiers,fund,settle_asset,account,"
    "asset,amount,price,buyer,seller,qty,buyer_fee,seller_fee,rate,payments,id,side,mark_price,"
    "liquidation_price,bankruptcy_price,margin_mode,fee,liquidation,counterparty,reason,score,"
    "rank,cycle,liquidations,input,format,accounts,covers,precision,files,unmapped,entry,ref,"
    "size,action,role,commission,commission_asset,liquidity,start_position,realized_pnl,"
    "entry_price,margin,equity,maintenance_rate,sources,funding_rate,time_until_funding,"
    "basis_average,last_price,impact_bid,impact_ask"
)


@pytest.mark.parametrize("event_type", list(EVENT_TYPES))
def test_specs_follow_the_records(event_type: str) -> None:
    assert tuple(s.name for s in get_field_specs(event_type)) == get_event_fields(event_type)


@pytest.mark.parametrize(
    ("event_type", "name", "kind", "nullable"),
    [
        ("deposit", "amount", FieldKind.POSITIVE, False),  # DESIGN: amount (> 0)
        ("withdrawal", "amount", FieldKind.POSITIVE, False),
        ("socialized_loss", "amount", FieldKind.POSITIVE, False),  # DESIGN: charged, > 0
        ("balance", "amount", FieldKind.NUMBER, False),
        ("insurance", "amount", FieldKind.NUMBER, False),  # DESIGN: signed
        ("margin_transfer", "amount", FieldKind.NUMBER, False),  # DESIGN: signed
        ("trade", "qty", FieldKind.POSITIVE, False),
        ("trade", "buyer_fee", FieldKind.NUMBER, False),  # negative: rebate
        ("mark", "price", FieldKind.POSITIVE, False),
        ("liquidation", "liquidation_price", FieldKind.POSITIVE, True),
        ("liquidation_fill", "price", FieldKind.POSITIVE, False),
        ("adl", "qty", FieldKind.POSITIVE, False),
        ("instrument", "tick_size", FieldKind.NUMBER, False),
        ("liquidation", "fee", FieldKind.NONNEGATIVE, False),
        ("liquidation", "side", FieldKind.CHOICE, False),
        ("insurance", "liquidation", FieldKind.TEXT, True),
        ("adl", "rank", FieldKind.INTEGER, False),
        ("instrument", "tiers", FieldKind.TIERS, False),
        ("funding", "payments", FieldKind.PAYMENTS, False),
        ("socialized_loss", "liquidations", FieldKind.TEXT_LIST, False),
    ],
)
def test_field_kinds(event_type: str, name: str, kind: FieldKind, nullable: bool) -> None:
    spec = {s.name: s for s in get_field_specs(event_type)}[name]
    assert (spec.kind, spec.nullable) == (kind, nullable)


def test_rank_starts_at_one_and_choices() -> None:
    adl = {s.name: s for s in get_field_specs("adl")}
    liquidation = {s.name: s for s in get_field_specs("liquidation")}
    assert adl["rank"].minimum == 1
    assert liquidation["side"].choices == ("long", "short")
    assert liquidation["margin_mode"].choices == ("isolated", "cross")


def test_tier_fields() -> None:
    # No ranges on inputs the engine validates itself (an unusable tier table is refused
    # with a rejection event, which a ledger must be able to record).
    specs = {s.name: (s.kind, s.nullable) for s in get_tier_specs()}
    assert specs == {
        "floor": (FieldKind.NUMBER, False),
        "mmr": (FieldKind.NUMBER, False),
        "maintenance_amount": (FieldKind.NUMBER, False),
        "max_leverage": (FieldKind.NUMBER, True),
    }


def test_columns_are_the_union_in_order() -> None:
    assert ",".join(COLUMNS) == HAND_HEADER


def test_cell_kinds() -> None:
    assert get_cell_kind("seq") is CellKind.INTEGER
    assert get_cell_kind("rank") is CellKind.INTEGER
    assert get_cell_kind("tiers") is CellKind.JSON
    assert get_cell_kind("liquidations") is CellKind.JSON
    assert get_cell_kind("amount") is CellKind.TEXT
