"""The JSON Schema (draft 2020-12) of one ledger line, as ``perpspec schema`` prints it.

Rule (DESIGN, Ledger: "A JSON Schema is published"). It is built from the typed records and
the field kinds of :mod:`.fields`, so it cannot drift from the readers. It describes the
canonical line: ``oneOf`` one branch per event type (``type`` const, every field required),
numbers as exact strings (decimal or ``p/q``, at most ``MAX_NUMBER_LENGTH`` characters, no
zero denominator) or JSON integers (exact too), ranges as the codec checks them, and
``additionalProperties: true`` because more fields may be added. The readers accept a little
more than the schema: spaces around a number string, and JSON numbers with a fraction or an
exponent when they are exact and short (:mod:`.codec`); writers never produce either.
"""

from __future__ import annotations

from perpspec.ledger.fields import (
    MAX_INTEGER,
    FieldKind,
    FieldSpec,
    get_field_specs,
    get_payment_specs,
    get_quote_specs,
    get_tier_specs,
)
from perpspec.reference.events import EVENT_TYPES
from perpspec.reference.numbers import MAX_NUMBER_LENGTH

__all__ = [
    "NONNEGATIVE_PATTERN",
    "NUMBER_PATTERN",
    "POSITIVE_PATTERN",
    "SCHEMA_DIALECT",
    "TIMESTAMP_PATTERN",
    "ledger_schema",
]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: An exact number: a decimal (no exponent) or ``p/q`` with q > 0.
NUMBER_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)$|^[+-]?\d+/(?=\d*[1-9])\d+$"
#: An exact number > 0: no minus sign, and a non-zero digit (in p and q for ``p/q``).
POSITIVE_PATTERN = r"^\+?(?=[\d.]*[1-9])(\d+(\.\d*)?|\.\d+)$|^\+?(?=\d*[1-9])\d+/(?=\d*[1-9])\d+$"
#: An exact number >= 0: no minus sign, or a minus sign before a zero.
NONNEGATIVE_PATTERN = (
    r"^\+?(\d+(\.\d*)?|\.\d+)$|^\+?\d+/(?=\d*[1-9])\d+$|^-(0+(\.0*)?|\.0+)$|^-0+/(?=\d*[1-9])\d+$"
)
#: ``ts``: ISO 8601 in UTC, to the second or finer (the codec also checks the calendar).
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)$"

# Integers with at most MAX_NUMBER_LENGTH characters, the sign included.
_INTEGER_MAX = 10**MAX_NUMBER_LENGTH - 1
_INTEGER_MIN = -(10 ** (MAX_NUMBER_LENGTH - 1) - 1)


_NUMBER_DEFINITIONS = {
    FieldKind.POSITIVE: "positive_number",
    FieldKind.NONNEGATIVE: "nonnegative_number",
}


def _number_schema(pattern: str, minimum: dict[str, int]) -> dict[str, object]:
    integer: dict[str, object] = {"type": "integer", "maximum": _INTEGER_MAX}
    integer.update(minimum or {"minimum": _INTEGER_MIN})
    text = {"type": "string", "maxLength": MAX_NUMBER_LENGTH, "pattern": pattern}
    return {"oneOf": [text, integer]}


def _get_definitions() -> dict[str, object]:
    return {
        "number": _number_schema(NUMBER_PATTERN, {}),
        "positive_number": _number_schema(POSITIVE_PATTERN, {"exclusiveMinimum": 0}),
        "nonnegative_number": _number_schema(NONNEGATIVE_PATTERN, {"minimum": 0}),
        "text": {"type": "string", "minLength": 1},
        "tier": _record_schema(get_tier_specs(), "One margin tier of an instrument."),
        "payment": _record_schema(get_payment_specs(), "One account's funding (+ receives)."),
        "quote": _record_schema(get_quote_specs(), "One source's price in an index."),
    }


def _ref(name: str) -> dict[str, object]:
    return {"$ref": f"#/$defs/{name}"}


def _value_schema(spec: FieldSpec) -> dict[str, object]:
    kind = spec.kind
    if kind is FieldKind.TEXT:
        return _ref("text")
    if kind is FieldKind.CHOICE:
        return {"enum": list(spec.choices)}
    if kind is FieldKind.INTEGER:
        return {"type": "integer", "minimum": spec.minimum, "maximum": MAX_INTEGER}
    if kind is FieldKind.TIERS:
        return {"type": "array", "items": _ref("tier")}
    if kind is FieldKind.PAYMENTS:
        return {"type": "array", "items": _ref("payment")}
    if kind is FieldKind.QUOTES:
        return {"type": "array", "items": _ref("quote")}
    if kind is FieldKind.TEXT_LIST:
        return {"type": "array", "items": _ref("text")}
    return _ref(_NUMBER_DEFINITIONS.get(kind, "number"))


def _field_schema(spec: FieldSpec) -> dict[str, object]:
    value = _value_schema(spec)
    return {"anyOf": [value, {"type": "null"}]} if spec.nullable else value


def _record_schema(specs: tuple[FieldSpec, ...], description: str) -> dict[str, object]:
    return {
        "description": description,
        "type": "object",
        "properties": {spec.name: _field_schema(spec) for spec in specs},
        "required": [spec.name for spec in specs],
        "additionalProperties": True,
    }


def _event_schema(event_type: str) -> dict[str, object]:
    specs = get_field_specs(event_type)
    doc = (EVENT_TYPES[event_type].__doc__ or event_type).strip().splitlines()[0]
    properties: dict[str, object] = {"type": {"const": event_type}}
    properties.update({spec.name: _field_schema(spec) for spec in specs})
    return {
        "title": event_type,
        "description": doc,
        "properties": properties,
        "required": ["seq", "ts", "type", *(spec.name for spec in specs)],
    }


def ledger_schema() -> dict[str, object]:
    """The JSON Schema of one ledger line (module docstring)."""
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "perpspec ledger line",
        "description": (
            "One event of a perpspec ledger (JSON Lines, one event a line). Numbers are exact: "
            'a decimal string such as "19500.25", a rational "p/q", or a JSON integer.'
        ),
        "type": "object",
        "properties": {
            "seq": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
            "ts": {"type": "string", "pattern": TIMESTAMP_PATTERN, "format": "date-time"},
            "type": {"enum": list(EVENT_TYPES)},
        },
        "required": ["seq", "ts", "type"],
        "oneOf": [_event_schema(event_type) for event_type in EVENT_TYPES],
        "additionalProperties": True,
        "$defs": _get_definitions(),
    }
