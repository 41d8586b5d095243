"""``@valueclass``: a dataclass whose equality, hash, repr and immutability are shared methods, not generated ones.

Why not plain ``@dataclass``: before Python 3.13 it compiles ``__eq__``, ``__repr__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` for every class with ``exec``. The ~30 value classes on the path of a
plain ``her2 annotate`` spent ~20 ms doing that, a sixth of the whole run (``benchmarks/startup.py``).
Here ``dataclass`` generates ``__init__`` only; the rest behaves as the generated methods do:

- ``==`` compares the fields that have ``compare=True`` as a tuple, and only between objects of the same class;
- a frozen value hashes that tuple; a mutable one is unhashable (``__hash__ = None``), as with ``eq=True``;
- ``repr`` lists the fields that have ``repr=True``;
- a frozen value's fields are set once, by ``__init__``, and never again (``FrozenInstanceError``).

``dataclasses.fields``, ``replace``, ``asdict`` and pickling work unchanged.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, fields

__all__ = ["valueclass"]


def _key(self) -> tuple:
    return tuple([getattr(self, name) for name in self._compared])


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _key(self) == _key(other)


def _repr(self) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
    return f"{self.__class__.__qualname__}({shown})"


def _hash(self) -> int:
    return hash(_key(self))


def _set_once(self, name: str, new) -> None:
    # The generated __init__ assigns each field once; nothing assigns it again.
    if name not in self.__dataclass_fields__ or name in self.__dict__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, new)


def _no_delete(self, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def valueclass(cls=None, /, *, frozen: bool = False):
    """Make ``cls`` a value class: ``@valueclass`` or ``@valueclass(frozen=True)``, like ``@dataclass``."""

    def wrap(cls):
        cls = dataclass(cls, eq=False, repr=False)
        cls._compared = tuple(f.name for f in fields(cls) if f.compare)
        cls._shown = tuple(f.name for f in fields(cls) if f.repr)
        methods = {"__eq__": _eq, "__repr__": _repr}
        if frozen:
            methods.update(__hash__=_hash, __setattr__=_set_once, __delattr__=_no_delete)
        else:
            methods["__hash__"] = None  # mutable values are unhashable, as with @dataclass(eq=True)
        for name, method in methods.items():
            if name not in cls.__dict__ or (name == "__hash__" and cls.__dict__[name] is None):
                setattr(cls, name, method)
        return cls

    return wrap if cls is None else wrap(cls)
