"""ctai.Policy: every option the domain leaves to the territory, in one immutable value.

The fields, their kinds and their defaults come from the C++ ``ctai::Policy`` (the single
place where defaults live); this class only validates, compares, prints and converts. It
holds the C++ value, built once, which every ``policy=`` argument reads without conversion.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import types
from typing import AbstractSet, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _core
from ._checks import boolean, date_value, enum_value, integer, text, type_name
from ._enums import (
    ENUMS,
    AgeReference,
    AgirRecency,
    Boundary,
    CtaiEnum,
    Feb29,
    Motive,
    PrimoAnchor,
)

__all__ = ["Policy"]

#: (name, kind, default) of every option, in C++ declaration order.
_FIELDS: Tuple[Tuple[str, str, Any], ...] = tuple(_core._policy_fields())
_NAMES: Tuple[str, ...] = tuple(name for name, _, _ in _FIELDS)


class _Default:
    """Marks an option left to its C++ default."""

    def __repr__(self) -> str:
        return "<default>"


_DEFAULT: Any = _Default()


def _normalize(kind: str, name: str, value: Any) -> Any:
    where = f"Policy.{name}"
    if kind == "bool":
        return boolean(value, where)
    if kind == "int":
        return integer(value, where)
    if kind == "optional_int":
        return None if value is None else integer(value, where)
    if kind.startswith("enum:"):
        return enum_value(ENUMS[kind[5:]], value, where)
    if kind.startswith("set:"):
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise TypeError(f"{where}: expected a set, got {type_name(value)}")
        cls = ENUMS[kind[4:]]
        return frozenset(enum_value(cls, v, where) for v in value)
    if kind == "dates":
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise TypeError(f"{where}: expected a sequence of dates, got {type_name(value)}")
        return tuple(date_value(v, where) for v in value)
    if kind == "date_map":
        if not isinstance(value, Mapping):
            raise TypeError(f"{where}: expected a mapping str -> date, got {type_name(value)}")
        return types.MappingProxyType(
            {text(k, where): date_value(v, where) for k, v in sorted(value.items())}
        )
    raise AssertionError(f"unknown policy option kind {kind!r}")  # pragma: no cover


_DEFAULTS: Dict[str, Any] = {name: _normalize(kind, name, d) for name, kind, d in _FIELDS}


def _plain(value: Any) -> Any:
    """A value as the C++ conversion and hashing want it (mapping proxies -> dict)."""
    return dict(value) if isinstance(value, types.MappingProxyType) else value


def _members_of(sample: CtaiEnum) -> List[CtaiEnum]:
    """Every member of the enum of `sample`, in declaration order (stable reprs)."""
    return list(type(sample))


def _repr_value(value: Any) -> str:
    if isinstance(value, frozenset):
        if not value:
            return "frozenset()"
        members = _members_of(next(iter(value)))
        return "frozenset({" + ", ".join(repr(m) for m in members if m in value) + "})"
    return repr(_plain(value))


def _json_value(value: Any) -> Any:
    if isinstance(value, frozenset):
        if not value:
            return []
        members = _members_of(next(iter(value)))
        return [m.value for m in members if m in value]
    if isinstance(value, tuple):
        return [d.isoformat() for d in value]
    if isinstance(value, types.MappingProxyType):
        return {k: d.isoformat() for k, d in value.items()}
    if isinstance(value, CtaiEnum):
        return value.value
    return value


def _from_json(kind: str, value: Any) -> Any:
    if kind == "dates":
        return [_dt.date.fromisoformat(d) if isinstance(d, str) else d for d in value]
    if kind == "date_map":
        return {k: _dt.date.fromisoformat(d) if isinstance(d, str) else d for k, d in value.items()}
    return value


class Policy:
    """Every policy option of the domain spec (keyword-only; enum members or spellings).

    ``Policy()`` holds the documented defaults (those of the C++ library). A policy is
    immutable and hashable; ``policy.replace(boundary="inclusive")`` makes a changed copy;
    ``eval(repr(policy)) == policy`` (with ``import ctai, datetime``).
    """

    __slots__ = _NAMES + ("_native",)

    feb29: Feb29
    boundary: Boundary
    primo_anchor: PrimoAnchor
    excluded_motives: AbstractSet[Motive]
    require_cir: bool
    accept_cir_proposed: bool
    bpi_includes_stateless: bool
    agir_includes_stateless: bool
    bpi_window_years: Optional[int]
    require_regular_stay: bool
    minors_follow_household: bool
    bpt_end_dates: Tuple[_dt.date, ...]
    agir_start: Mapping[str, _dt.date]
    agir_recency: AgirRecency
    intermediated_rental_is_lasting: bool
    pension_de_famille_is_lasting: bool
    age_reference: AgeReference
    suppression_k: int
    retention_years: int

    def __init__(
        self,
        *,
        feb29: Union[Feb29, str] = _DEFAULT,
        boundary: Union[Boundary, str] = _DEFAULT,
        primo_anchor: Union[PrimoAnchor, str] = _DEFAULT,
        excluded_motives: Iterable[Union[Motive, str]] = _DEFAULT,
        require_cir: bool = _DEFAULT,
        accept_cir_proposed: bool = _DEFAULT,
        bpi_includes_stateless: bool = _DEFAULT,
        agir_includes_stateless: bool = _DEFAULT,
        bpi_window_years: Optional[int] = _DEFAULT,
        require_regular_stay: bool = _DEFAULT,
        minors_follow_household: bool = _DEFAULT,
        bpt_end_dates: Sequence[_dt.date] = _DEFAULT,
        agir_start: Mapping[str, _dt.date] = _DEFAULT,
        agir_recency: Union[AgirRecency, str] = _DEFAULT,
        intermediated_rental_is_lasting: bool = _DEFAULT,
        pension_de_famille_is_lasting: bool = _DEFAULT,
        age_reference: Union[AgeReference, str] = _DEFAULT,
        suppression_k: int = _DEFAULT,
        retention_years: int = _DEFAULT,
    ) -> None:
        given = locals()
        for name, kind, _ in _FIELDS:
            value = given[name]
            object.__setattr__(
                self, name, _DEFAULTS[name] if value is _DEFAULT else _normalize(kind, name, value)
            )
        object.__setattr__(
            self, "_native", _core._native_policy({n: _plain(getattr(self, n)) for n in _NAMES})
        )

    # --- value semantics ------------------------------------------------------------------
    def _values(self) -> Tuple[Any, ...]:
        return tuple(_plain(getattr(self, n)) for n in _NAMES)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(
            tuple(frozenset(v.items()) if isinstance(v, dict) else v for v in self._values())
        )

    def __repr__(self) -> str:
        changed = [
            f"{n}={_repr_value(getattr(self, n))}"
            for n in _NAMES
            if _plain(getattr(self, n)) != _plain(_DEFAULTS[n])
        ]
        return "ctai.Policy(" + ", ".join(changed) + ")"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ctai.Policy is immutable: use policy.replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("ctai.Policy is immutable")

    def __reduce__(self) -> Any:
        return (_from_fields, ({n: _plain(getattr(self, n)) for n in _NAMES},))

    def __copy__(self) -> "Policy":
        return self

    def __deepcopy__(self, memo: Any) -> "Policy":
        return self

    # --- conveniences ---------------------------------------------------------------------
    def replace(self, **changes: Any) -> "Policy":
        """A copy with some options changed (like dataclasses.replace)."""
        fields = {n: getattr(self, n) for n in _NAMES}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"Policy has no option {sorted(unknown)[0]!r}")
        fields.update(changes)
        return Policy(**fields)

    def to_dict(self) -> Dict[str, Any]:
        """Every option as JSON-ready values (spellings, ISO dates, lists)."""
        return {n: _json_value(getattr(self, n)) for n in _NAMES}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Policy":
        """The inverse of to_dict (missing options take their defaults)."""
        kinds = {name: kind for name, kind, _ in _FIELDS}
        unknown = set(data) - set(kinds)
        if unknown:
            raise TypeError(f"Policy has no option {sorted(unknown)[0]!r}")
        return cls(**{k: _from_json(kinds[k], v) for k, v in data.items()})

    @classmethod
    def defaults(cls) -> Dict[str, Any]:
        """Option name -> default value (those of the C++ library)."""
        return dict(_DEFAULTS)


def _from_fields(fields: Dict[str, Any]) -> Policy:
    return Policy(**fields)


# help() and inspect show the real defaults (from C++) rather than a sentinel.
Policy.__init__.__signature__ = inspect.signature(Policy.__init__).replace(  # type: ignore[attr-defined]
    parameters=[
        p.replace(default=_DEFAULTS[p.name]) if p.name in _DEFAULTS else p
        for p in inspect.signature(Policy.__init__).parameters.values()
    ]
)
