"""The invariant catalogue and what checks it (DESIGN, Invariants).

``catalogue`` (ids, statements, rules, checks with their strength), ``predicates`` (the
invariants as functions over engine state), ``strategies`` and ``machine`` (hypothesis; need
the test dependencies), ``render`` and ``command`` (``perpspec invariants``),
``crosshair_report`` (``make crosshair``).
"""
