"""The ledger's file formats (DESIGN, Ledger: binding names).

JSON Lines is canonical (:mod:`.jsonl`); CSV (:mod:`.csv_format`) and Parquet
(:mod:`.parquet_format`) hold the same content in the columns of :mod:`.columns`. One event
maps to and from its JSON form in :mod:`.codec`; :mod:`.schema` publishes the JSON Schema of
a line; :mod:`.io` picks the format from the file name.
"""

from __future__ import annotations

from perpspec.ledger.codec import decode_event, decode_record, encode_event
from perpspec.ledger.errors import FieldError, LedgerError
from perpspec.ledger.io import FORMATS, detect_format, iter_ledger, read_ledger, write_ledger
from perpspec.ledger.schema import ledger_schema

__all__ = [
    "FORMATS",
    "FieldError",
    "LedgerError",
    "decode_event",
    "decode_record",
    "detect_format",
    "encode_event",
    "iter_ledger",
    "ledger_schema",
    "read_ledger",
    "write_ledger",
]
