"""The case-file records the eligibility rules read (C++ ``model.hpp``), as dataclasses.

Field names and order are those of the C++ structs; the defaults of the optional fields
come from default-constructed C++ values. Values are validated and normalised at
construction (enum spellings -> members, nationality codes -> stored codes, partial birth
dates -> canonical text); the C++ conversion checks again when a record is used.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any, List, Optional, Union

from . import _core
from ._checks import enum_value, integer, optional_date, optional_text, date_value, text, type_name
from ._enums import (
    Authority,
    CirStatus,
    ExitActivity,
    HousingType,
    Motive,
    PermitKind,
    ProtectionType,
    Sex,
    SituationKind,
)

__all__ = ["Person", "Permit", "Protection", "Situation", "DatedNationality", "PersonCase",
           "AgirSupport"]

_DEFAULTS = _core._model_defaults()


def _record_repr(self: Any) -> str:
    """ctai.Class(required fields, then the optional fields that differ from the default)."""
    parts = []
    for f in dataclasses.fields(self):
        value = getattr(self, f.name)
        if f.default is not dataclasses.MISSING:
            if value == f.default:
                continue
        elif f.default_factory is not dataclasses.MISSING:
            if value == f.default_factory():
                continue
        parts.append(f"{f.name}={value!r}")
    return f"ctai.{type(self).__name__}(" + ", ".join(parts) + ")"


def _records(value: Any, cls: type, where: str) -> List[Any]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{where}: expected a list of ctai.{cls.__name__}, got {type_name(value)}")
    items = list(value)
    for item in items:
        if not isinstance(item, cls):
            raise TypeError(f"{where}: expected ctai.{cls.__name__} items, got {type_name(item)}")
    return items


@dataclasses.dataclass(repr=False)
class Person:
    """A beneficiary (personal data, domain R9). ``birth_date`` is a date, or ``'YYYY'`` /
    ``'YYYY-MM'`` when only partly known (R0.4). ``nationalities`` are ISO codes (alpha-2
    or alpha-3, any case), ``STATELESS`` or ``UNKNOWN``, stored as alpha-2."""

    id: str
    sex: Sex = enum_value(Sex, _DEFAULTS["Person"]["sex"], "Person.sex")
    birth_date: Union[_dt.date, str, None] = None
    nationalities: List[str] = dataclasses.field(default_factory=list)
    household_id: Optional[str] = None
    department: str = _DEFAULTS["Person"]["department"]
    cir_status: CirStatus = enum_value(CirStatus, _DEFAULTS["Person"]["cir_status"], "Person.cir_status")
    cir_date: Optional[_dt.date] = None
    rejoining_family_of: Optional[str] = None
    last_contact: Optional[_dt.date] = None

    __repr__ = _record_repr

    def __post_init__(self) -> None:
        self.id = text(self.id, "Person.id")
        self.sex = enum_value(Sex, self.sex, "Person.sex")
        if isinstance(self.birth_date, str):
            self.birth_date = _core._normalize_partial_date(self.birth_date)
        else:
            self.birth_date = optional_date(self.birth_date, "Person.birth_date")
        if isinstance(self.nationalities, (str, bytes)):
            raise TypeError("Person.nationalities: expected a list of codes, got str")
        self.nationalities = [
            _core.normalize_nationality(text(c, "Person.nationalities")) for c in self.nationalities
        ]
        self.household_id = optional_text(self.household_id, "Person.household_id")
        self.department = text(self.department, "Person.department")
        self.cir_status = enum_value(CirStatus, self.cir_status, "Person.cir_status")
        self.cir_date = optional_date(self.cir_date, "Person.cir_date")
        self.rejoining_family_of = optional_text(self.rejoining_family_of, "Person.rejoining_family_of")
        self.last_contact = optional_date(self.last_contact, "Person.last_contact")


@dataclasses.dataclass(repr=False)
class Permit:
    """A residence document (R2): kind, motive, validity from (and to)."""

    kind: PermitKind
    motive: Motive
    valid_from: _dt.date
    valid_to: Optional[_dt.date] = None

    __repr__ = _record_repr

    def __post_init__(self) -> None:
        self.kind = enum_value(PermitKind, self.kind, "Permit.kind")
        self.motive = enum_value(Motive, self.motive, "Permit.motive")
        self.valid_from = date_value(self.valid_from, "Permit.valid_from")
        self.valid_to = optional_date(self.valid_to, "Permit.valid_to")


@dataclasses.dataclass(repr=False)
class Protection:
    """A protection decision (R4; type ``temporary`` = EU temporary protection, R5)."""

    type: ProtectionType
    authority: Authority
    decision_date: _dt.date
    notification_date: Optional[_dt.date] = None
    displaced_on: Optional[_dt.date] = None
    end_date: Optional[_dt.date] = None

    __repr__ = _record_repr

    def __post_init__(self) -> None:
        self.type = enum_value(ProtectionType, self.type, "Protection.type")
        self.authority = enum_value(Authority, self.authority, "Protection.authority")
        self.decision_date = date_value(self.decision_date, "Protection.decision_date")
        self.notification_date = optional_date(self.notification_date, "Protection.notification_date")
        self.displaced_on = optional_date(self.displaced_on, "Protection.displaced_on")
        self.end_date = optional_date(self.end_date, "Protection.end_date")


@dataclasses.dataclass(repr=False)
class Situation:
    """A dated situation that excludes the primo-arrivant public while it lasts (R3.3);
    ``end`` is exclusive, None while open."""

    kind: SituationKind
    start: _dt.date
    end: Optional[_dt.date] = None

    __repr__ = _record_repr

    def __post_init__(self) -> None:
        self.kind = enum_value(SituationKind, self.kind, "Situation.kind")
        self.start = date_value(self.start, "Situation.start")
        self.end = optional_date(self.end, "Situation.end")


@dataclasses.dataclass(repr=False)
class DatedNationality:
    """A nationality held from ``acquired_on`` (included; always when None) until
    ``lost_on`` (the first day it no longer counts; never when None), domain R1
    (exchange file nationalities.csv). ``code``: ISO 3166-1, ``STATELESS`` or ``UNKNOWN``."""

    code: str
    acquired_on: Optional[_dt.date] = None
    lost_on: Optional[_dt.date] = None

    __repr__ = _record_repr

    def __post_init__(self) -> None:
        self.code = text(self.code, "DatedNationality.code")
        self.acquired_on = optional_date(self.acquired_on, "DatedNationality.acquired_on")
        self.lost_on = optional_date(self.lost_on, "DatedNationality.lost_on")


@dataclasses.dataclass(repr=False)
class PersonCase:
    """Everything the eligibility rules need about one person."""

    person: Person
    permits: List[Permit] = dataclasses.field(default_factory=list)
    protections: List[Protection] = dataclasses.field(default_factory=list)
    situations: List[Situation] = dataclasses.field(default_factory=list)
    #: R1: dated nationalities; when not empty they decide the nationality class at each
    #: date and ``person.nationalities`` must hold the same codes.
    nationalities: List[DatedNationality] = dataclasses.field(default_factory=list)

    __repr__ = _record_repr

    def __post_init__(self) -> None:
        if not isinstance(self.person, Person):
            raise TypeError(f"PersonCase.person: expected a ctai.Person, got {type_name(self.person)}")
        self.permits = _records(self.permits, Permit, "PersonCase.permits")
        self.protections = _records(self.protections, Protection, "PersonCase.protections")
        self.situations = _records(self.situations, Situation, "PersonCase.situations")
        self.nationalities = _records(self.nationalities, DatedNationality,
                                      "PersonCase.nationalities")


@dataclasses.dataclass(repr=False)
class AgirSupport:
    """A period of AGIR support (R6): orientation, entry, exit and the exit situation."""

    person_id: str
    orientation_date: _dt.date
    entry_date: Optional[_dt.date] = None
    exit_date: Optional[_dt.date] = None
    exit_housing: Optional[HousingType] = None
    exit_activity: Optional[ExitActivity] = None
    cdd_months: Optional[int] = None

    __repr__ = _record_repr

    def __post_init__(self) -> None:
        self.person_id = text(self.person_id, "AgirSupport.person_id")
        self.orientation_date = date_value(self.orientation_date, "AgirSupport.orientation_date")
        self.entry_date = optional_date(self.entry_date, "AgirSupport.entry_date")
        self.exit_date = optional_date(self.exit_date, "AgirSupport.exit_date")
        if self.exit_housing is not None:
            self.exit_housing = enum_value(HousingType, self.exit_housing, "AgirSupport.exit_housing")
        if self.exit_activity is not None:
            self.exit_activity = enum_value(ExitActivity, self.exit_activity, "AgirSupport.exit_activity")
        if self.cdd_months is not None:
            self.cdd_months = integer(self.cdd_months, "AgirSupport.cdd_months")
