"""Typed access to the fields of a parsed conformance case, with one-line reasons.

Every accessor names the field by its path inside the case (``input.position.qty``) so a
malformed case fails with a reason an implementer can act on, never with a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TypeVar

from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import parse_nonnegative, parse_number, parse_positive

__all__ = [
    "CaseError",
    "get_choice",
    "get_list",
    "get_mapping",
    "get_nonnegative",
    "get_number",
    "get_optional",
    "get_positive",
    "get_str",
]

T = TypeVar("T", bound=str)


class CaseError(SpecError):
    """A case whose input is malformed: a missing field, a wrong type, an unknown choice."""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def get_optional(obj: Mapping[str, object], key: str) -> object | None:
    """The value at ``key``, or None when absent or JSON null."""
    return obj.get(key)


def _require(obj: Mapping[str, object], key: str, path: str) -> object:
    if key not in obj or obj[key] is None:
        raise CaseError(f"{_join(path, key)}: missing")
    return obj[key]


def get_mapping(obj: Mapping[str, object], key: str, path: str = "") -> Mapping[str, object]:
    """A required JSON object."""
    value = _require(obj, key, path)
    if not isinstance(value, Mapping):
        raise CaseError(f"{_join(path, key)}: expected an object, found {type(value).__name__}")
    return value


def get_list(obj: Mapping[str, object], key: str, path: str = "") -> Sequence[object]:
    """A required JSON array."""
    value = _require(obj, key, path)
    if not isinstance(value, list):
        raise CaseError(f"{_join(path, key)}: expected a list, found {type(value).__name__}")
    return value


def get_str(obj: Mapping[str, object], key: str, path: str = "") -> str:
    """A required string."""
    value = _require(obj, key, path)
    if not isinstance(value, str):
        raise CaseError(f"{_join(path, key)}: expected a string, found {type(value).__name__}")
    return value


def get_choice(
    obj: Mapping[str, object],
    key: str,
    choices: Sequence[T],
    path: str = "",
    default: T | None = None,
) -> T:
    """A string that must be one of ``choices``; ``default`` when absent (if given)."""
    if default is not None and obj.get(key) is None:
        return default
    value = get_str(obj, key, path)
    for choice in choices:
        if value == choice:
            return choice
    raise CaseError(
        f"{_join(path, key)}: unknown value {value!r} (expected one of {', '.join(choices)})"
    )


def get_number(
    obj: Mapping[str, object], key: str, path: str = "", default: Fraction | None = None
) -> Fraction:
    """A required exact number (``default`` when absent, if given)."""
    if default is not None and obj.get(key) is None:
        return default
    return parse_number(_require(obj, key, path), _join(path, key))


def get_positive(
    obj: Mapping[str, object], key: str, path: str = "", default: Fraction | None = None
) -> Fraction:
    """A required exact number > 0 (``default`` when absent, if given)."""
    if default is not None and obj.get(key) is None:
        return default
    return parse_positive(_require(obj, key, path), _join(path, key))


def get_nonnegative(
    obj: Mapping[str, object], key: str, path: str = "", default: Fraction | None = None
) -> Fraction:
    """A required exact number >= 0 (``default`` when absent, if given)."""
    if default is not None and obj.get(key) is None:
        return default
    return parse_nonnegative(_require(obj, key, path), _join(path, key))
