"""The one error type of the reference: an input the spec does not accept, with its reason."""

from __future__ import annotations

__all__ = ["SpecError"]


class SpecError(ValueError):
    """An input the spec rejects. ``str(error)`` is a one-line reason naming the field."""
