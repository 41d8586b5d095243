"""``@valueclass`` behaves as ``@dataclass`` does: each check runs on a twin class made with the standard
library's ``@dataclass`` and expects the same answer."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, asdict, dataclass, field, fields, replace
from typing import Optional

import pytest

from her2cli.values import valueclass


@valueclass(frozen=True)
class FrozenPoint:
    """A frozen value with a field left out of comparison."""

    x: int
    y: float = 0.0
    note: Optional[str] = field(default=None, compare=False)
    tags: tuple = ()


@dataclass(frozen=True)
class FrozenPointTwin:
    x: int
    y: float = 0.0
    note: Optional[str] = field(default=None, compare=False)
    tags: tuple = ()


@valueclass
class Box:
    """A mutable value with a hidden field and a factory default."""

    name: str
    items: list = field(default_factory=list)
    secret: str = field(default="", repr=False)


@dataclass
class BoxTwin:
    name: str
    items: list = field(default_factory=list)
    secret: str = field(default="", repr=False)


@pytest.mark.parametrize("make", [FrozenPoint, FrozenPointTwin])
def test_frozen_equality_and_hash_follow_dataclass(make):
    a, b = make(1, 2.0, note="a"), make(1, 2.0, note="b")
    assert a == b and hash(a) == hash(b)  # note has compare=False
    assert a != make(1, 3.0)
    assert len({a, b, make(2)}) == 2
    nan = float("nan")
    same_nan = make(1, nan)
    assert same_nan == make(1, nan)  # the same NaN object: tuple comparison checks identity first
    assert make(1) != (1, 0.0, ())


def test_frozen_value_compares_only_with_its_own_class():
    assert FrozenPoint(1) != FrozenPointTwin(1)
    assert FrozenPoint(1).__eq__(FrozenPointTwin(1)) is NotImplemented


@pytest.mark.parametrize("make", [FrozenPoint, FrozenPointTwin])
def test_frozen_fields_cannot_be_assigned_or_deleted(make):
    point = make(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2
    with pytest.raises(FrozenInstanceError):
        point.other = 2
    with pytest.raises(FrozenInstanceError):
        del point.x
    assert point.x == 1


@pytest.mark.parametrize("make", [Box, BoxTwin])
def test_mutable_value_is_unhashable_and_assignable(make):
    box = make("a")
    with pytest.raises(TypeError):
        hash(box)
    box.name = "b"
    box.items.append(1)
    assert box == make("b", [1])
    assert box != make("b", [1], secret="different")  # repr=False still compares
    assert box != make("b", [1, 2])
    assert make("x").items is not make("x").items  # default_factory per instance


def test_repr_matches_dataclass():
    assert repr(FrozenPoint(1, 2.5, "n", ("t",))).replace("FrozenPoint", "") == \
        repr(FrozenPointTwin(1, 2.5, "n", ("t",))).replace("FrozenPointTwin", "")
    assert repr(Box("a", [1], "s")).replace("Box", "") == repr(BoxTwin("a", [1], "s")).replace("BoxTwin", "")
    assert "secret" not in repr(Box("a"))


def test_dataclass_helpers_and_pickling_work():
    point = FrozenPoint(1, 2.0, "n")
    assert [f.name for f in fields(point)] == ["x", "y", "note", "tags"]
    assert replace(point, x=5) == FrozenPoint(5, 2.0)
    assert asdict(point) == asdict(FrozenPointTwin(1, 2.0, "n"))
    for clone in (pickle.loads(pickle.dumps(point)), copy.deepcopy(point), copy.copy(point)):
        assert clone == point and hash(clone) == hash(point) and clone.note == "n"
    box = pickle.loads(pickle.dumps(Box("a", [1])))
    assert box == Box("a", [1])


@valueclass
class Derived:
    """A value with a __post_init__ and a field set there (init=False)."""

    a: int
    b: int = 2
    total: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.total = self.a + self.b


@dataclass
class DerivedTwin:
    a: int
    b: int = 2
    total: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.total = self.a + self.b


@pytest.mark.parametrize("make", [Derived, DerivedTwin])
def test_init_arguments_follow_dataclass(make):
    assert make(1).total == 3 and make(1, 5).total == 6 and make(b=1, a=1).total == 2
    for args, kwargs in (((), {}), ((1, 2, 3), {}), ((1,), {"a": 1}), ((1,), {"total": 5}), ((1,), {"c": 1})):
        with pytest.raises(TypeError):
            make(*args, **kwargs)
    assert replace(make(1), b=10).total == 11


@pytest.mark.parametrize("make", [FrozenPoint, FrozenPointTwin])
def test_frozen_init_fills_defaults(make):
    point = make(x=3)
    assert (point.x, point.y, point.note, point.tags) == (3, 0.0, None, ())


@valueclass
class Undocumented:
    a: int
    b: str = ""


def test_undocumented_value_gets_a_docstring_naming_its_fields():
    assert Undocumented.__doc__ == "Undocumented(a, b)"
    assert FrozenPoint.__doc__.startswith("A frozen value")
