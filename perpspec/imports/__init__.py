"""Import adapters: real exchange exports into partial ledgers (DESIGN, Partial ledgers).

``perpspec import --from FORMAT FILE... --out LEDGER`` reads one export (several files of
one account) with the adapter of ``FORMAT`` and writes the ledger; ``--from auto`` asks each
adapter whether it knows the first file's header or keys. docs/import.md describes every
format, its field mapping, its quirks and what it lets the audit check.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence

from perpspec.imports.base import Adapter, ExportError, Sniff, is_empty_response
from perpspec.ledger.exact_json import ExactJSONError, loads_exact

__all__ = ["ADAPTER_MODULES", "detect_adapter", "get_adapter", "sniff_file"]

#: Each format's adapter module (each defines ``ADAPTER``), in the order ``--from auto`` asks.
ADAPTER_MODULES: dict[str, str] = {
    "binance-um": "perpspec.imports.binance_um",
    "bybit": "perpspec.imports.bybit",
    "bitmex": "perpspec.imports.bitmex",
    "okx": "perpspec.imports.okx",
    "hyperliquid": "perpspec.imports.hyperliquid",
    "ccxt": "perpspec.imports.ccxt",
}


def get_adapter(name: str) -> Adapter:
    """The adapter of format ``name`` (a key of :data:`ADAPTER_MODULES`)."""
    module = importlib.import_module(ADAPTER_MODULES[name])
    adapter: Adapter = module.ADAPTER
    return adapter


def sniff_file(path: str) -> Sniff:
    """The first line of ``path`` and the keys of its first JSON record, for detection."""
    name = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError as error:
        raise ExportError(name, 0, "file", f"cannot read: {error.strerror or error}") from None
    text = head.decode("utf-8-sig", errors="replace")
    first_line = text.split("\n", 1)[0].strip()
    return Sniff(name, first_line, _first_keys(head))


def _first_keys(head: bytes) -> frozenset[str]:
    for candidate in (head, head.split(b"\n", 1)[0]):
        try:
            document = loads_exact(candidate)
        except (ExactJSONError, RecursionError):
            continue
        return _keys_of(document)
    return frozenset()


def _keys_of(document: object) -> frozenset[str]:
    """The keys of the first record: of the first list element, or inside an API envelope
    (the first list found among the object's values, one level down at most)."""
    if isinstance(document, list):
        return _keys_of(document[0]) if document else frozenset()
    if not isinstance(document, dict):
        return frozenset()
    for value in document.values():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return frozenset(value[0]) | frozenset(document)
        if isinstance(value, dict):
            for inner in value.values():
                if isinstance(inner, list) and inner and isinstance(inner[0], dict):
                    return frozenset(inner[0]) | frozenset(document)
    return frozenset(document)


def detect_adapter(paths: Sequence[str]) -> str:
    """The format every file is of (``--from auto``); an ExportError naming the first file
    no adapter knows, or two files of different formats."""
    found: list[tuple[str, str]] = []
    for path in paths:
        sniff = sniff_file(path)
        if not sniff.keys and is_empty_response(path):
            # a response of no rows names no format: it is the format of the others
            continue
        names = [name for name in ADAPTER_MODULES if get_adapter(name).detect(sniff)]
        if not names:
            raise ExportError(
                sniff.name,
                1,
                "format",
                "no import format knows this file's header or keys (give --from FORMAT; "
                f"formats: {', '.join(ADAPTER_MODULES)})",
            )
        found.append((sniff.name, names[0]))
    if not found:
        raise ExportError(
            paths[0],
            1,
            "format",
            "every file is an empty response: no format to detect, and nothing to audit",
        )
    formats = {name for _, name in found}
    if len(formats) > 1:
        described = ", ".join(f"{file}: {name}" for file, name in found)
        raise ExportError(found[0][0], 1, "format", f"files of different formats ({described})")
    return found[0][1]
