"""Contracts as typed values: :class:`Contract` and its parts (:class:`Action`,
:class:`Indicator`, :class:`Prerequisite`, :class:`ExitReason`), the Python side of
``ctai::Contract`` (contract.hpp; the file format is docs/contracts.md).

The C++ library reads and validates contracts; these frozen dataclasses only hold the
result. ``Contract.to_dict()`` is the dict of the contract's JSON file (what
``builtin_contracts()``, ``load_contract()`` and ``Store.contract()`` returned before
0.2.0); ``Contract.from_dict()`` validates a dict through the C++ reader. Reading a
Contract as a mapping (``contract["id"]``, ``dict(contract)``) still works for one release
and warns (DeprecationWarning): use the attributes or ``to_dict()``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import warnings
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

from . import _core
from ._enums import AgirPolicy, Need, StepKind

__all__ = ["Action", "Contract", "ExitReason", "Indicator", "Prerequisite"]

Number = Union[int, float]


@dataclasses.dataclass(frozen=True)
class ExitReason:
    """R7: an exit reason of a contract's vocabulary (``positive``: a « sortie positive »)."""

    code: str
    label_fr: str
    positive: bool = False

    def to_dict(self) -> Dict[str, Any]:
        return {"code": self.code, "label_fr": self.label_fr, "positive": self.positive}


@dataclasses.dataclass(frozen=True)
class Prerequisite:
    """R7: entry into an action requires a journey in ``action`` that reached one of
    ``steps`` (or has exited, when ``exited_counts``)."""

    action: int
    steps: Tuple[StepKind, ...]
    exited_counts: bool = True

    def to_dict(self) -> Dict[str, Any]:
        return {"action": self.action, "steps": [str(s.value) for s in self.steps],
                "exited_counts": self.exited_counts}


@dataclasses.dataclass(frozen=True)
class Indicator:
    """A row of a fiche's indicator table: ``key``, the exact French label and the target
    (None when the fiche gives none)."""

    key: str
    label_fr: str
    target: Optional[Number] = None

    def to_dict(self) -> Dict[str, Any]:
        return {"key": self.key, "label_fr": self.label_fr, "target": self.target}


@dataclasses.dataclass(frozen=True)
class Action:
    """A fiche action of a contract (numbered from 1)."""

    number: int
    title: str
    public_targets: Mapping[str, int]
    public_table: Tuple[Indicator, ...]
    specific_indicators: Tuple[Indicator, ...]
    planned_cost: Optional[Number]
    etp: Optional[Number]
    agir_policy: AgirPolicy
    agir_needs: Tuple[Need, ...]
    prerequisite: Optional[Prerequisite]
    open_to_general_population: bool

    __hash__ = None  # type: ignore[assignment]  (public_targets is a dict)

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "number": self.number,
            "title": self.title,
            "public_targets": dict(self.public_targets),
            "public_table": [i.to_dict() for i in self.public_table],
            "specific_indicators": [i.to_dict() for i in self.specific_indicators],
            "planned_cost": self.planned_cost,
            "etp": self.etp,
            "agir_policy": str(self.agir_policy.value),
        }
        if self.agir_needs:
            out["agir_needs"] = [str(n.value) for n in self.agir_needs]
        if self.prerequisite is not None:
            out["prerequisite"] = self.prerequisite.to_dict()
        out["open_to_general_population"] = self.open_to_general_population
        return out

    @classmethod
    def _from_json(cls, d: Mapping[str, Any]) -> "Action":
        pre = d.get("prerequisite")
        return cls(
            number=d["number"],
            title=d["title"],
            public_targets=dict(d["public_targets"]),
            public_table=tuple(Indicator(**i) for i in d["public_table"]),
            specific_indicators=tuple(Indicator(**i) for i in d["specific_indicators"]),
            planned_cost=d["planned_cost"],
            etp=d["etp"],
            agir_policy=AgirPolicy(d["agir_policy"]),
            agir_needs=tuple(Need(n) for n in d.get("agir_needs", ())),
            prerequisite=None if pre is None else Prerequisite(
                action=pre["action"], steps=tuple(StepKind(s) for s in pre["steps"]),
                exited_counts=pre["exited_counts"]),
            open_to_general_population=d["open_to_general_population"],
        )


@dataclasses.dataclass(frozen=True, eq=False)
class Contract:
    """A CTAI contract between a territory and the State (built in, loaded from a file,
    or stored): its period (both days included), actions and exit-reason vocabulary.

    Build one from the dict of a contract file with :meth:`from_dict` (validated by the
    C++ reader, ValidationError naming the field); :meth:`to_dict` gives that dict back.
    """

    id: str
    title: str
    territory: str
    operator_name: str
    start: _dt.date
    end: _dt.date
    budget: Optional[Number]
    source: str
    notes: Tuple[str, ...]
    actions: Tuple[Action, ...]
    exit_reasons: Tuple[ExitReason, ...]
    """The whole exit-reason vocabulary: the defaults of the spec plus the contract's own."""
    format_version: int = 1
    publics: Tuple[str, ...] = ("bpi", "bpt", "primo_arrivant")
    """R8: the publics the contract serves (``primo_arrivant``, ``bpi``, ``bpt``)."""
    departments: Tuple[str, ...] = ()
    """R10: the département codes of the territory, e.g. ``("21",)``."""
    continues: Optional[Dict[str, Any]] = None
    """R10: ``{"contract": id, "actions": {"<earlier action>": action}}`` or None."""

    __hash__ = None  # type: ignore[assignment]

    @property
    def period(self) -> Tuple[_dt.date, _dt.date]:
        """(start, end), both days included."""
        return (self.start, self.end)

    def action(self, number: int) -> Action:
        """The action numbered ``number``; KeyError when the contract has none."""
        for a in self.actions:
            if a.number == number:
                return a
        raise KeyError(number)

    def exit_reason(self, code: str) -> ExitReason:
        """The exit reason with that code; KeyError when unknown."""
        for r in self.exit_reasons:
            if r.code == code:
                return r
        raise KeyError(code)

    # --- the JSON file -----------------------------------------------------------------
    def to_dict(self) -> Dict[str, Any]:
        """The dict of the contract's JSON file (``json.loads`` of what the C++
        ``contract_to_json`` writes): exit reasons only where they differ from the
        defaults."""
        out: Dict[str, Any] = {
            "format_version": self.format_version,
            "id": self.id,
            "title": self.title,
            "territory": self.territory,
            "operator_name": self.operator_name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "budget": self.budget,
            "source": self.source,
            "notes": list(self.notes),
            "publics": list(self.publics),
        }
        if self.departments:
            out["departments"] = list(self.departments)
        if self.continues is not None:
            out["continues"] = {"contract": self.continues["contract"],
                                "actions": dict(self.continues["actions"])}
        out["actions"] = [a.to_dict() for a in self.actions]
        defaults = _default_exit_reasons()
        own = [r.to_dict() for r in self.exit_reasons if r not in defaults]
        if own:
            out["exit_reasons"] = own
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Contract":
        """Validates the dict of a contract file (the C++ reader, ValidationError naming
        the field) and returns the Contract."""
        return _core._normalize_contract(dict(d))

    @classmethod
    def _from_json(cls, d: Mapping[str, Any]) -> "Contract":
        # Built by the binding from contract_to_json plus the whole exit-reason
        # vocabulary (key "_exit_reasons"): already validated.
        return cls(
            id=d["id"],
            title=d["title"],
            territory=d["territory"],
            operator_name=d["operator_name"],
            start=_dt.date.fromisoformat(d["start"]),
            end=_dt.date.fromisoformat(d["end"]),
            budget=d["budget"],
            source=d["source"],
            notes=tuple(d["notes"]),
            actions=tuple(Action._from_json(a) for a in d["actions"]),
            exit_reasons=tuple(ExitReason(**r) for r in d["_exit_reasons"]),
            format_version=d["format_version"],
            publics=tuple(d.get("publics", ("bpi", "bpt", "primo_arrivant"))),
            departments=tuple(d.get("departments", ())),
            continues=d.get("continues"),
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Contract):
            return self.to_dict() == other.to_dict()
        if isinstance(other, Mapping):
            _warn_mapping()
            return self.to_dict() == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return (f"<ctai.Contract id={self.id!r} {self.start.isoformat()}.."
                f"{self.end.isoformat()} actions={len(self.actions)}>")

    # --- deprecated: the dict interface of 0.1 (one release) -----------------------------
    def __getitem__(self, key: str) -> Any:
        _warn_mapping()
        return self.to_dict()[key]

    def keys(self) -> List[str]:
        _warn_mapping()
        return list(self.to_dict().keys())

    def get(self, key: str, default: Any = None) -> Any:
        _warn_mapping()
        return self.to_dict().get(key, default)

    def __contains__(self, key: object) -> bool:
        _warn_mapping()
        return key in self.to_dict()

    def __iter__(self) -> Iterator[str]:
        _warn_mapping()
        return iter(self.to_dict())


def _warn_mapping() -> None:
    warnings.warn(
        "ctai.Contract is no longer a dict: use its attributes (contract.id, .actions, ...) "
        "or contract.to_dict() (the dict interface goes in the next release)",
        DeprecationWarning, stacklevel=3)


_DEFAULT_EXIT_REASONS: List[ExitReason] = []


def _default_exit_reasons() -> List[ExitReason]:
    if not _DEFAULT_EXIT_REASONS:
        _DEFAULT_EXIT_REASONS.extend(ExitReason(**r) for r in _core._default_exit_reasons())
    return _DEFAULT_EXIT_REASONS
