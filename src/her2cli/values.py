"""``@valueclass``: a dataclass whose methods are shared functions, not code generated for each class.

Why not plain ``@dataclass``: before Python 3.13 it writes the source of ``__init__``, ``__eq__``,
``__repr__``, ``__hash__``, ``__setattr__`` and ``__delattr__`` for every class and compiles it with
``exec``. For the ~30 value classes on the path of a plain ``her2 annotate`` that was a sixth of the
run's instructions (parsing and compiling ~25 kB of generated source each time; ``benchmarks/startup.py``). Here
``dataclass`` only collects the fields, and the shared methods behave as the generated ones do:

- ``__init__`` takes the ``init`` fields positionally or by name, fills in defaults and default
  factories, raises ``TypeError`` for a missing, repeated or unknown argument, then calls
  ``__post_init__`` if the class has one;
- ``==`` compares the fields that have ``compare=True`` as a tuple, and only between objects of the same class;
- a frozen value hashes that tuple; a mutable one is unhashable (``__hash__ = None``), as with ``eq=True``;
- ``repr`` lists the fields that have ``repr=True``;
- a frozen value's fields cannot be assigned or deleted (``FrozenInstanceError``).

``dataclasses.fields``, ``replace``, ``asdict`` and pickling work unchanged. Keyword-only fields and
``init=False`` fields without a default are refused; ``InitVar`` is not supported (nothing here uses
any of them).
"""

from __future__ import annotations

from dataclasses import MISSING, FrozenInstanceError, dataclass, field, fields

__all__ = ["valueclass"]

try:  # tells type checkers and IDEs that the decorator makes dataclasses (Python >= 3.11)
    from typing import dataclass_transform
except ImportError:  # pragma: no cover - older Pythons: no static help, same behaviour
    def dataclass_transform(**_kwargs):
        return lambda decorator: decorator


def _init(self, *args, **kwargs) -> None:
    cls = self.__class__
    names = cls._init_names
    values = cls._plain_defaults.copy()
    if args:
        if len(args) > len(names):
            raise TypeError(f"{cls.__qualname__}() takes {len(names)} positional arguments but {len(args)} were given")
        values.update(zip(names, args))
    if kwargs:
        if not kwargs.keys() <= cls._accepted:
            unknown = next(name for name in kwargs if name not in cls._accepted)
            raise TypeError(f"{cls.__qualname__}() got an unexpected keyword argument {unknown!r}")
        if args and not kwargs.keys().isdisjoint(names[:len(args)]):
            twice = next(name for name in names[:len(args)] if name in kwargs)
            raise TypeError(f"{cls.__qualname__}() got multiple values for argument {twice!r}")
        values.update(kwargs)
    if len(values) < cls._n_fields:  # default factories to call, or a required argument missing
        for name, factory in cls._factories:
            if name not in values:
                values[name] = factory()
        if len(values) < cls._n_fields:
            missing = next(name for name in names if name not in values)
            raise TypeError(f"{cls.__qualname__}() missing required argument: {missing!r}")
    self.__dict__.update(values)  # no __setattr__: frozen values are set here once
    if cls._post_init:
        self.__post_init__()


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


def _frozen_setattr(self, name: str, new) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass_transform(field_specifiers=(field,))
def valueclass(cls=None, /, *, frozen: bool = False):
    """Make ``cls`` a value class: ``@valueclass`` or ``@valueclass(frozen=True)``, like ``@dataclass``."""

    def wrap(cls):
        undocumented = cls.__doc__ is None
        if undocumented:  # else dataclass derives one from inspect.signature, which tokenizes text (slow)
            cls.__doc__ = cls.__name__
        cls = dataclass(cls, init=False, eq=False, repr=False)
        every = fields(cls)
        if undocumented:
            cls.__doc__ = f"{cls.__name__}({', '.join(f.name for f in every if f.init)})"
        if any(f.kw_only for f in every):
            raise TypeError(f"{cls.__qualname__}: keyword-only fields are not supported by @valueclass")
        if any(not f.init and f.default is MISSING and f.default_factory is MISSING for f in every):
            raise TypeError(f"{cls.__qualname__}: a field with init=False needs a default for @valueclass")
        cls._init_names = tuple(f.name for f in every if f.init)
        cls._accepted = frozenset(cls._init_names)
        # Fields with a plain default (init or not) start from it; the others are given or come from a factory.
        cls._plain_defaults = {f.name: f.default for f in every if f.default is not MISSING}
        cls._factories = tuple((f.name, f.default_factory) for f in every if f.default_factory is not MISSING)
        cls._n_fields = len(every)
        cls._post_init = hasattr(cls, "__post_init__")
        cls._compared = tuple(f.name for f in every if f.compare)
        cls._shown = tuple(f.name for f in every if f.repr)
        methods = {"__init__": _init, "__eq__": _eq, "__repr__": _repr}
        if frozen:
            methods.update(__hash__=_hash, __setattr__=_frozen_setattr, __delattr__=_frozen_delattr)
        else:
            methods["__hash__"] = None  # mutable values are unhashable, as with @dataclass(eq=True)
        for name, method in methods.items():
            if name not in cls.__dict__ or (name == "__hash__" and cls.__dict__[name] is None):
                setattr(cls, name, method)
        return cls

    return wrap if cls is None else wrap(cls)
