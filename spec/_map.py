"""``Map``: a TLA+ function whose domain is a finite set that a spec can grow and shrink.

A tuple indexed by node id covers ``[RM -> State]``; what it cannot cover is a function whose
domain is part of the state -- raft.tla's bag of messages (``messages[m]`` is how many copies of
``m`` are in flight, ``DOMAIN messages`` the messages ever counted), a key-value store's
``[keys -> values]`` over the keys written so far, a log indexed by slot.  ``Map`` is that value:

* immutable and a state value: it fingerprints as its class and its set of ``(key, value)``
  pairs, so two maps are the same state value exactly when they have the same pairs, whatever
  order they were built in;
* TLA+'s operators as methods returning new maps: ``m.set(k, v)`` is ``[m EXCEPT ![k] = v]`` (and
  ``m @@ (k :> v)`` for a new key), ``m.remove(k)``, ``Map.const(keys, v)`` is
  ``[k \\in keys |-> v]``; ``k in m`` is ``k \\in DOMAIN m``, ``m.domain()`` is ``DOMAIN m``;
* iteration (keys, ``items()``, ``values()``) in a stable order -- ints and strings sorted,
  anything else by fingerprint -- so that a parameter domain ``members(lambda s: s.messages)``
  lists the same keys in the same order in every process.

Keys are compared as Python compares them (``1 == True``), like a ``dict``: a spec keeps one kind
of key per map.  The prover has no symbolic maps: it refuses a spec whose state holds one unless
the map's type is small enough to enumerate (see ``MapOf``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from spec._fingerprint import stable_order

__all__ = ["Map"]


class Map:
    """An immutable finite function (see the module docstring)."""

    __slots__ = ("pairs", "_index", "_order", "_hash")
    #: fingerprinted as a record of these fields (see spec._fingerprint._classify)
    __dc_value_fields__ = ("pairs",)

    pairs: frozenset[tuple[Any, Any]]

    def __init__(self, items: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = ()) -> None:
        index = dict(items.items() if isinstance(items, Mapping) else items)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "pairs", frozenset(index.items()))
        object.__setattr__(self, "_order", None)
        object.__setattr__(self, "_hash", None)

    @classmethod
    def const(cls, keys: Iterable[Any], value: Any) -> Map:
        """``[k \\in keys |-> value]``."""
        return cls({k: value for k in keys})

    @classmethod
    def _of(cls, index: dict[Any, Any]) -> Map:
        new = cls.__new__(cls)
        object.__setattr__(new, "_index", index)
        object.__setattr__(new, "pairs", frozenset(index.items()))
        object.__setattr__(new, "_order", None)
        object.__setattr__(new, "_hash", None)
        return new

    # --- reading -----------------------------------------------------------------------------

    def __getitem__(self, key: Any) -> Any:
        return self._index[key]

    def get(self, key: Any, default: Any = None) -> Any:
        return self._index.get(key, default)

    def __contains__(self, key: Any) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._index)

    def domain(self) -> frozenset[Any]:
        """``DOMAIN m``."""
        return frozenset(self._index)

    def _keys(self) -> tuple[Any, ...]:
        order = self._order
        if order is None:
            order = stable_order(self._index)
            object.__setattr__(self, "_order", order)
        return order

    def __iter__(self) -> Iterator[Any]:
        return iter(self._keys())

    def keys(self) -> tuple[Any, ...]:
        return self._keys()

    def items(self) -> tuple[tuple[Any, Any], ...]:
        return tuple((k, self._index[k]) for k in self._keys())

    def values(self) -> tuple[Any, ...]:
        return tuple(self._index[k] for k in self._keys())

    # --- new maps ----------------------------------------------------------------------------

    def set(self, key: Any, value: Any) -> Map:
        """``[m EXCEPT ![key] = value]``, or ``m @@ (key :> value)`` when ``key`` is new."""
        index = self._index
        if key in index:
            old = index[key]
            if old is value:
                return self
        new = dict(index)
        new[key] = value
        return Map._of(new)

    def remove(self, key: Any) -> Map:
        """The function restricted to ``DOMAIN m \\ {key}`` (``m`` itself if ``key`` is not in
        its domain)."""
        if key not in self._index:
            return self
        new = dict(self._index)
        del new[key]
        return Map._of(new)

    # --- a value -----------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Map is immutable: use m.set(key, value), which returns a new one")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a Map is immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.pairs == other.pairs  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = hash((Map, self.pairs))
            object.__setattr__(self, "_hash", h)
        return h

    def __reduce__(self) -> Any:
        return (Map, (dict(self._index),))

    def __repr__(self) -> str:
        if not self._index:
            return "Map()"
        return "Map({" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "})"
