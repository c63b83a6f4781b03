"""The prover's caches, owned by one context object and bounded in size.

Results that depend only on their key (the split of a radicand on a domain, the
sign of a polynomial on a domain, witness points of a domain) are kept in a
:class:`ProverContext`; nothing else in the prover keeps state between calls.
A failed split is cached as its reason text, never as an exception object.
"""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["LRU", "ProverContext", "default_context"]


class LRU:
    """A small least-recently-used map."""

    def __init__(self, size: int):
        self.size = size
        self._d: OrderedDict = OrderedDict()

    def get(self, key, default=None):
        try:
            self._d.move_to_end(key)
            return self._d[key]
        except KeyError:
            return default

    def __contains__(self, key) -> bool:
        return key in self._d

    def __setitem__(self, key, value) -> None:
        self._d[key] = value
        self._d.move_to_end(key)
        while len(self._d) > self.size:
            self._d.popitem(last=False)

    def __len__(self) -> int:
        return len(self._d)

    def clear(self) -> None:
        self._d.clear()


class ProverContext:
    """Caches shared by the proofs of one run (a ledger run, a check): bounded, and clearable."""

    def __init__(self, size: int = 4096):
        self.splits = LRU(size)      # (radicand, q, domain) -> split tuple, or the reason text it failed
        self.poly_signs = LRU(size)  # (polynomial, domain) -> sign certificate or None
        self.witnesses = LRU(256)    # (domain, count) -> witness points
        self.conditions = LRU(size)  # (expression, kind, domain) -> certificate line, or None when not shown

    def clear(self) -> None:
        self.splits.clear()
        self.poly_signs.clear()
        self.witnesses.clear()
        self.conditions.clear()


_DEFAULT = ProverContext()


def default_context() -> ProverContext:
    """The context used when a caller passes none."""
    return _DEFAULT
