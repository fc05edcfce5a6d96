"""The compiled core: a C library built by the install, loaded with ctypes, with a fallback.

Rule (DESIGN, Arithmetic: a fast path is allowed when it is differentially tested against the
reference): the compiled core is an optimization of the reference readers, never a second
definition. ``hatch_build.py`` compiles ``scan.c`` when perpspec is installed (editable or
from a wheel) and writes why it could not in ``BUILD_STATUS.txt``. :func:`load_core` loads the
library once; when it is absent, stale (built from another ``scan.c``), refused by
``PERPSPEC_NO_CORE=1``, or does not load, it returns None and the first use says once on
stderr ``perpspec: the compiled core is not built (<why>); every command runs on the exact
path``. Every caller then takes the exact path, with the same results.

:func:`scan_lines` exposes the scanner of the canonical JSON Lines subset (``scan.c``): for
each line either its fields as raw text spans or None, "not handled" (module docstring of
``scan.c``: escapes, exponents, JSON numbers with a point, spaces, non-ASCII text and unknown
shapes are not handled; such lines go through the general reader).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

__all__ = [
    "LINE_HANDLED",
    "MAX_FIELDS",
    "CoreLibrary",
    "FieldKind",
    "ScannedField",
    "ScannedLine",
    "core_status",
    "load_core",
    "reset_core",
    "scan_lines",
    "scan_record",
]

_HERE = Path(__file__).resolve().parent
SOURCE = _HERE / "scan.c"
STATUS_FILE = _HERE / "BUILD_STATUS.txt"
LIBRARY = _HERE / ("libperpspec_core.dylib" if sys.platform == "darwin" else "libperpspec_core.so")
DISABLE_VARIABLE = "PERPSPEC_NO_CORE"

#: A line's status from the library (``scan.c``: LINE_*).
LINE_HANDLED = 1

#: Fields of one record the scanner reports at most (``scan.c``: MAX_KEYS).
MAX_FIELDS = 256


class FieldKind(IntEnum):
    """The kind of a scanned value (``scan.c``: KIND_*)."""

    STRING = 1
    INTEGER = 2
    NULL = 3
    LIST = 4


@dataclass(frozen=True, slots=True)
class ScannedField:
    """One ``"key":value`` of a scanned line: the key, the value's kind and raw text (a
    string without its quotes, a list as its whole JSON text)."""

    key: str
    kind: FieldKind
    text: str


@dataclass(frozen=True, slots=True)
class ScannedLine:
    """A line the scanner handled: ``seq``, ``ts`` and ``type`` (always its first three
    fields, in that order) and every field, those three included, in the line's order."""

    seq: int
    ts: str
    type: str
    fields: tuple[ScannedField, ...]


Int32Array = ctypes.Array[ctypes.c_int32]
Int64Array = ctypes.Array[ctypes.c_int64]


class CoreLibrary:
    """The loaded library's entry points, typed."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self._scan_record = library.perpspec_scan_record
        self._scan_record.restype = ctypes.c_int32
        self._scan_record.argtypes = [
            ctypes.c_char_p,
            ctypes.c_int64,
            ctypes.POINTER(ctypes.c_int32),
            ctypes.c_int32,
        ]
        self._scan_lines = library.perpspec_scan_lines
        self._scan_lines.restype = ctypes.c_int64
        self._scan_lines.argtypes = [
            ctypes.c_char_p,
            ctypes.c_int64,
            ctypes.c_int32,
            ctypes.c_int64,
            ctypes.POINTER(ctypes.c_int64),
            ctypes.c_int64,
        ]

    def scan_record(self, line: bytes, fields: Int32Array) -> int:
        """The field count of one line (without its newline), or -1: not handled."""
        return int(self._scan_record(line, len(line), fields, len(fields) // 5))

    def scan_lines(
        self, data: bytes, offset: int, at_end: bool, max_line: int, out: Int64Array
    ) -> int:
        """Lines of ``data[offset:]`` scanned into ``out`` (end offset relative to ``offset``,
        status) pairs; how many (``scan.c``: perpspec_scan_lines)."""
        view = ctypes.c_char_p(data) if offset == 0 else _at(data, offset)
        return int(
            self._scan_lines(view, len(data) - offset, int(at_end), max_line, out, len(out) // 2)
        )


def _at(data: bytes, offset: int) -> ctypes.c_char_p:
    # bytes are immutable and kept alive by the caller for the call: a pointer into them is
    # safe and avoids copying the rest of the chunk
    base = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value
    assert base is not None
    return ctypes.c_char_p(base + offset)


_state: dict[str, object] = {}


def _source_hash() -> str | None:
    try:
        return hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    except OSError:
        return None


def _why_not_built() -> str:
    try:
        status = STATUS_FILE.read_text(encoding="utf-8").strip()
    except OSError:
        return f"no library at {LIBRARY} (install perpspec with pip to build it)"
    return status.removeprefix("not built: ") if status != "built" else f"no library at {LIBRARY}"


def _load() -> tuple[CoreLibrary | None, str]:
    if os.environ.get(DISABLE_VARIABLE, "") not in ("", "0"):
        return None, f"{DISABLE_VARIABLE} is set"
    if not LIBRARY.exists():
        return None, _why_not_built()
    try:
        library = ctypes.CDLL(str(LIBRARY))
        built_from = library.perpspec_core_source_hash
        built_from.restype = ctypes.c_char_p
        built_hash = (built_from() or b"").decode("ascii", "replace")
        core = CoreLibrary(library)
    except (OSError, AttributeError) as error:
        return None, f"the library does not load: {error}"
    current = _source_hash()
    if current is not None and built_hash != current:
        return None, "the library was built from another scan.c; reinstall perpspec"
    return core, "built"


def load_core() -> CoreLibrary | None:
    """The compiled core, or None (module docstring); the first None says why on stderr."""
    if "core" not in _state:
        core, reason = _load()
        _state["core"] = core
        _state["reason"] = reason
        if core is None:
            print(
                f"perpspec: the compiled core is not built ({reason}); "
                "every command runs on the exact path",
                file=sys.stderr,
            )
    loaded = _state["core"]
    return loaded if isinstance(loaded, CoreLibrary) else None


def core_status() -> str:
    """``built``, or why the compiled core is not used (loading it if not yet tried)."""
    load_core()
    return str(_state["reason"])


def reset_core() -> None:
    """Forget the loaded core, so the next use loads (and reports) again: for tests."""
    _state.clear()


def _decode_fields(line: bytes, fields: Int32Array, count: int) -> ScannedLine:
    items: list[ScannedField] = []
    for i in range(count):
        key_start, key_length, kind, value_start, value_length = fields[5 * i : 5 * i + 5]
        items.append(
            ScannedField(
                line[key_start : key_start + key_length].decode("ascii"),
                FieldKind(kind),
                line[value_start : value_start + value_length].decode("ascii"),
            )
        )
    return ScannedLine(int(items[0].text), items[1].text, items[2].text, tuple(items))


def scan_record(line: bytes) -> ScannedLine | None:
    """The fields of one canonical line (its final newline optional), or None when the
    scanner does not handle it; raises RuntimeError when the core is not built."""
    core = load_core()
    if core is None:
        raise RuntimeError(f"the compiled core is not built ({core_status()})")
    body = line.removesuffix(b"\n")
    fields = (ctypes.c_int32 * (5 * MAX_FIELDS))()
    count = core.scan_record(body, fields)
    return None if count < 0 else _decode_fields(body, fields, count)


def scan_lines(data: bytes) -> list[ScannedLine | None]:
    """One entry per line of ``data`` (``\\n``-separated; a last line without its newline
    counts, and is never handled): its fields, or None when the scanner does not handle it."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    ended = data.endswith(b"\n")
    return [
        scan_record(line) if (ended or i < len(lines) - 1) else None for i, line in enumerate(lines)
    ]
