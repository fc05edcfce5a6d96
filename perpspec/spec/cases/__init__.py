"""Sources of the conformance vectors: one module an op, each with ``cases()``.

``cases()`` returns the op's cases as dicts ``{"id", "op", "input", "expected"}`` (optional
``"tolerance"``), numbers as strings. Expected values come from the seeds' worked examples,
published examples, hand computations written out in the source, or sympy derivations:
never from the reference implementation, which the vectors exist to check.
"""
