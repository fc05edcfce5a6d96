"""Which keys of a case's ``input`` an op read: no input is ever silently ignored.

Rule (DESIGN, Conformance protocol: "malformed cases are failures with a reason, never
skipped silently"): a key that the op never read is either unknown (a typo, a field of
another op) or misplaced (``maintenance_basis`` beside ``instrument`` instead of inside
it). Either way the case means something the reference did not compute, so it is malformed.

The op is not asked to list what it accepts: the case's ``input`` is handed to it wrapped
(:func:`track_input`), every key it looks up is noted in a :class:`ReadLog`, and after the
op returns, :func:`find_unread_keys` walks the input and names every key never looked up.
What the op reads *is* its schema, so the two cannot drift apart. A key looked up and found
absent is noted too: that is how a misplaced key gets a hint naming where the op looked for
it. Iterating an object counts as reading all of its keys (the consumer saw every one; the
``replay`` op, whose events the ledger decoder iterates, refuses fields no record type has
itself, :mod:`.ops.replay`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ReadLog", "UnreadKey", "find_unread_keys", "track_input"]


@dataclass(slots=True)
class ReadLog:
    """Object path (``input.instrument``, ``input.fills[0]``) -> the keys looked up there."""

    reads: dict[str, set[str]] = field(default_factory=dict)

    def note(self, path: str, key: object) -> None:
        if isinstance(key, str):
            self.reads.setdefault(path, set()).add(key)

    def note_all(self, path: str, keys: Iterator[str]) -> None:
        self.reads.setdefault(path, set()).update(keys)

    def places_of(self, key: str) -> list[str]:
        """Every object path where ``key`` was looked up, sorted."""
        return sorted(path for path, keys in self.reads.items() if key in keys)


def _wrap(value: Any, path: str, log: ReadLog) -> Any:
    if isinstance(value, dict):
        return _TrackedObject(value, path, log)
    if isinstance(value, list):
        return _TrackedList(
            _wrap(item, f"{path}[{index}]", log) for index, item in enumerate(value)
        )
    return value


class _TrackedObject(dict[str, Any]):
    """A JSON object that notes each key looked up; children are wrapped when reached.

    A ``dict`` subclass, so code that checks ``isinstance(value, dict)`` (the ledger decoder)
    takes it as it takes the parsed object.
    """

    __slots__ = ("_log", "_path")

    def __init__(self, data: dict[str, Any], path: str, log: ReadLog) -> None:
        super().__init__(data)
        self._path = path
        self._log = log

    def _child(self, key: str) -> str:
        return f"{self._path}.{key}"

    def __getitem__(self, key: str) -> Any:
        self._log.note(self._path, key)
        return _wrap(dict.__getitem__(self, key), self._child(key), self._log)

    def get(self, key: str, default: Any = None) -> Any:
        self._log.note(self._path, key)
        if dict.__contains__(self, key):
            return _wrap(dict.__getitem__(self, key), self._child(key), self._log)
        return default

    def __contains__(self, key: object) -> bool:
        self._log.note(self._path, key)
        return dict.__contains__(self, key)

    def __iter__(self) -> Iterator[str]:
        self._log.note_all(self._path, dict.__iter__(self))
        return dict.__iter__(self)

    def keys(self) -> Any:
        self._log.note_all(self._path, dict.__iter__(self))
        return dict.keys(self)

    def items(self) -> Any:
        self._log.note_all(self._path, dict.__iter__(self))
        return [(key, self[key]) for key in dict.__iter__(self)]

    def values(self) -> Any:
        return [value for _, value in self.items()]


class _TrackedList(list[Any]):
    """A JSON array whose items are wrapped (so reads inside them are noted)."""

    __slots__ = ()


def track_input(case_input: dict[str, Any], log: ReadLog) -> dict[str, Any]:
    """``case_input`` wrapped so that every key an op looks up is noted in ``log``."""
    wrapped: dict[str, Any] = _wrap(case_input, "input", log)
    return wrapped


@dataclass(frozen=True, slots=True)
class UnreadKey:
    """A key of the input that the op never looked up, and where it did look for that name."""

    path: str
    looked_for_at: tuple[str, ...]

    def describe(self, op: str) -> str:
        """The one-line reason: unknown, or misplaced with the place the op reads it."""
        name = self.path.rsplit(".", 1)[-1]
        if self.looked_for_at:
            where = " or ".join(f"{place}.{name}" for place in self.looked_for_at)
            return f"{self.path}: misplaced key (op {op} reads {where})"
        return f"{self.path}: unknown key, or one that does not apply here (op {op} never reads it)"


def find_unread_keys(case_input: dict[str, Any], log: ReadLog) -> list[UnreadKey]:
    """Every key of ``case_input`` never looked up, in document order.

    Only read keys are descended into: the keys inside an unread value are not listed again,
    its own key already names it. The walk is iterative, so depth is no concern here (the
    runner bounds it when it parses the case).
    """
    unread: list[UnreadKey] = []
    stack: list[tuple[str, Any]] = [("input", case_input)]
    while stack:
        path, value = stack.pop()
        children: list[tuple[str, Any]] = []
        if isinstance(value, dict):
            read = log.reads.get(path, set())
            for key, child in value.items():
                child_path = f"{path}.{key}"
                if key in read:
                    children.append((child_path, child))
                else:
                    places = tuple(p for p in log.places_of(key) if p != path)
                    unread.append(UnreadKey(child_path, places))
        elif isinstance(value, list):
            children = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
        stack.extend(reversed(children))
    return unread
