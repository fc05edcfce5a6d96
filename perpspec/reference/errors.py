"""The error types of the reference: an input the spec does not accept, with its reason, and
a loop that ran past the bound its inputs give it."""

from __future__ import annotations

__all__ = ["LoopBoundError", "SpecError"]


class SpecError(ValueError):
    """An input the spec rejects. ``str(error)`` is a one-line reason naming the field."""


class LoopBoundError(SpecError):
    """A loop of the reference ran more iterations than the bound derived from its inputs.

    Every loop whose end is argued rather than structural (a ``while``, a round that repeats
    until nothing is left) carries an explicit bound, so a defect that breaks the argument
    (an ADL counterparty not re-ranked, a position that never shrinks) ends in this error in
    seconds instead of running until it is killed. It is a :class:`SpecError` so every
    command reports it as one line, but it is never an input rejection: the engine re-raises
    it instead of answering with a ``rejection`` event, because the state it leaves is
    half-changed (invariant ``frame`` would not hold).
    """

    @classmethod
    def exceeded(cls, loop: str, bound: int, why: str) -> LoopBoundError:
        """The error of ``loop`` after ``bound`` iterations; ``why`` names the argument the
        bound comes from."""
        return cls(
            f"{loop}: not done after {bound} iterations, the bound {why} (a defect of the "
            "reference, or an input outside the argument for the bound)"
        )
