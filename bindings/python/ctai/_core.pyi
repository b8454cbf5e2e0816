"""Type stubs of ctai._core, the compiled part of the ctai package.

Import ``ctai``, not ``ctai._core``: the package re-exports the public names below and adds
the pure-Python classes (enums, Policy, records). tests/python/test_api.py checks that this
file and the module list the same names.
"""

import datetime
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

from ._enums import (
    Boundary,
    Feb29,
    HousingType,
    NationalityClass,
    PublicCategory,
)
from ._model import AgirSupport, PersonCase
from ._policy import Policy

__version__: str

#: What the vectorised date functions accept: a NumPy datetime64 array (any unit, floored
#: to days; NaT allowed), an integer array of day numbers (days since 1970-01-01), or any
#: sequence of datetime.date / None / NaT.
_Dates = Union[npt.ArrayLike, Sequence[Optional[datetime.date]]]

# --- errors -----------------------------------------------------------------------------

class CtaiError(Exception):
    """Base of every libctai error."""

class ValidationError(CtaiError, ValueError):
    """Bad input: an invalid date, an unknown code, a malformed file or row."""

    #: The field (column) the error is about, or None.
    field: Optional[str]
    #: The file the value came from (imports), or None.
    file: Optional[str]
    #: The line in that file (header = 1), or None.
    line: Optional[int]

class NotFoundError(CtaiError, LookupError):
    """A looked-up entity (person, journey, contract, ...) does not exist."""

    #: The kind of entity looked up (e.g. "person"), or None.
    entity: Optional[str]
    #: The identifier looked up (an opaque id, never a personal field), or None.
    id: Optional[str]

class ConflictError(CtaiError, ValueError):
    """A write that breaks a rule of the domain (R6 articulation, R7 journeys, ...)."""

    #: The rule broken, e.g. "R7.one_open_journey".
    rule: Optional[str]

class StorageError(CtaiError, OSError):
    """The storage layer failed (I/O, lock, corruption)."""

    #: The SQLite result code (0 when not from SQLite).
    code: Optional[int]

class SchemaVersionError(StorageError):
    """The store file was written by a newer library, or is not a libctai store."""

    #: Schema version found in the file.
    found: Optional[int]
    #: Newest schema version this library reads.
    supported: Optional[int]

def _raise_cpp_error(kind: str) -> None:
    """Raises a sample C++ error: kind is "validation", "not_found", "conflict", "storage",
    "schema_version" or "error" (tests the translation)."""

# --- vocabularies -----------------------------------------------------------------------

def enum_spellings() -> Dict[str, List[str]]:
    """The spelling table of every vocabulary: enum class name -> spellings, in C++
    declaration order. These are the values of the members of the ctai enums."""

def enum_vocabularies() -> Dict[str, str]:
    """Enum class name -> vocabulary name, as used in error messages and files (e.g.
    ``"SituationKind" -> "situation"``)."""

def _register_enums(classes: Mapping[str, type]) -> None:
    """Registers the Python enum classes so that values returned by C++ are members
    (called once by ctai/__init__.py)."""

# --- dates (domain R0) ------------------------------------------------------------------

def parse_date(text: str) -> datetime.date:
    """Parses an ISO ``YYYY-MM-DD`` date. Raises ValidationError when it is not a valid
    calendar date (e.g. ``2023-02-30``)."""

def parse_date_lenient(text: str) -> datetime.date:
    """Parses ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (French spreadsheets). Raises
    ValidationError otherwise."""

def to_iso(d: datetime.date) -> str:
    """Formats a date as ISO ``YYYY-MM-DD``."""

def _normalize_partial_date(text: str) -> Union[datetime.date, str]:
    """R0.4: ``YYYY-MM-DD`` -> date; ``YYYY-MM`` or ``YYYY`` -> canonical text.
    Raises ValidationError."""

def add_months(start: datetime.date, n: int, *, feb29: Union[Feb29, str] = ...) -> datetime.date:
    """R0.1: the same day of the month n months later (n may be negative); when that day
    does not exist, the last day of the target month (CPC art. 641 al. 2).

    ``feb29="march_first"`` changes only a 29 February start landing in a common
    February: 1 March instead of 28 February. Default: ``Policy().feb29``.
    """

def add_years(start: datetime.date, n: int, *, feb29: Union[Feb29, str] = ...) -> datetime.date:
    """R0.1: ``add_months(start, 12 * n)``: 2020-02-29 + 1 year = 2021-02-28."""

def period_end_years(
    start: datetime.date,
    years: int,
    *,
    boundary: Union[Boundary, str] = ...,
    feb29: Union[Feb29, str] = ...,
) -> datetime.date:
    """R0.2: the first day no longer inside a period of ``years`` years starting on
    ``start`` (start included): the anniversary (``boundary="strict"``, default) or the
    day after it (``"inclusive"``)."""

def period_end_months(
    start: datetime.date,
    months: int,
    *,
    boundary: Union[Boundary, str] = ...,
    feb29: Union[Feb29, str] = ...,
) -> datetime.date:
    """R0.2 for a period counted in months (the AGIR support window is 24 months)."""

@overload
def within_years(
    starts: datetime.date,
    years: int,
    *,
    on: datetime.date,
    boundary: Union[Boundary, str, None] = None,
    feb29: Union[Feb29, str, None] = None,
    policy: Optional[Policy] = None,
) -> bool: ...
@overload
def within_years(
    starts: _Dates,
    years: int,
    *,
    on: datetime.date,
    boundary: Union[Boundary, str, None] = None,
    feb29: Union[Feb29, str, None] = None,
    policy: Optional[Policy] = None,
) -> npt.NDArray[np.bool_]:
    """R0.2: whether ``on`` is inside the period of ``years`` years from each start:
    ``start <= on < period_end_years(start, years)``.

    ``starts`` is one date (-> bool) or many (-> a NumPy bool array of the same shape):
    a datetime64 array of any unit, integer day numbers, or a sequence of dates; missing
    starts (None, NaT) give False. ``boundary`` and ``feb29`` default to those of
    ``policy`` (default: ``Policy()``). Computed in C++ without the GIL; exact on every
    29 February case.
    """

@overload
def window_end_years(
    starts: datetime.date,
    years: int,
    *,
    boundary: Union[Boundary, str, None] = None,
    feb29: Union[Feb29, str, None] = None,
    policy: Optional[Policy] = None,
) -> datetime.date: ...
@overload
def window_end_years(
    starts: _Dates,
    years: int,
    *,
    boundary: Union[Boundary, str, None] = None,
    feb29: Union[Feb29, str, None] = None,
    policy: Optional[Policy] = None,
) -> npt.NDArray[np.datetime64]:
    """R0.2: ``period_end_years`` of each start: one date (-> date) or many (-> a
    ``datetime64[D]`` array of the same shape, NaT where the start is missing). Options
    as in within_years. Computed in C++ without the GIL."""

@overload
def age_on(birth: datetime.date, on: datetime.date, *, feb29: Union[Feb29, str] = ...) -> int: ...
@overload
def age_on(birth: str, on: datetime.date, *, feb29: Union[Feb29, str] = ...) -> Optional[int]:
    """R0.3: age in whole years (âge révolu) at ``on`` (0 before birth). A partial birth
    date (``"YYYY"``, ``"YYYY-MM"``, R0.4) gives None when the compatible full dates do
    not all give the same age."""

def under_age(
    birth: Union[datetime.date, str], years: int, on: datetime.date, *, feb29: Union[Feb29, str] = ...
) -> Optional[bool]:
    """R0.3/R0.4: "moins de N ans" at ``on``: ``on < add_years(birth, years)``. True,
    False, or None when a partial birth date leaves it undecided (never guessed)."""

# --- nationality (R1) -------------------------------------------------------------------

def normalize_nationality(code: str) -> str:
    """R1: ISO 3166-1 alpha-2 or alpha-3 (any case), the aliases EL -> GR and UK -> GB,
    ``STATELESS``, ``UNKNOWN`` -> the stored code (alpha-2). Raises ValidationError on an
    unknown code (an input error, never a silent "undetermined")."""

def is_eu_member(code: str, on: datetime.date) -> bool:
    """R1: whether a normalised code is an EU member state on ``on`` (GB until
    2020-12-31, the end of the Brexit transition)."""

def nationality_class(codes: Iterable[str], on: datetime.date) -> NationalityClass:
    """R1: the nationality class at ``on`` of a person holding ``codes`` (normalised
    first): french, eu_eea_ch, third_country or undetermined."""

# --- policy -----------------------------------------------------------------------------

class _NativePolicy:
    """The C++ ctai::Policy held by a ctai.Policy (private)."""

    def to_dict(self) -> Dict[str, Any]:
        """Option name -> value (enum members, sets, lists, dicts)."""
    def __eq__(self, other: object) -> bool: ...

def _native_policy(fields: Mapping[str, Any]) -> _NativePolicy:
    """Builds the C++ Policy from option name -> value (missing options: defaults)."""

def _policy_fields() -> List[Tuple[str, str, Any]]:
    """(name, kind, default) of every Policy option in declaration order; the defaults
    are those of ctai::Policy."""

# --- records ----------------------------------------------------------------------------

def _register_classes(classes: Mapping[str, type]) -> None:
    """Registers the Python record classes built from C++ values (called once by
    ctai/__init__.py)."""

def _model_defaults() -> Dict[str, Dict[str, Any]]:
    """Field values of default-constructed C++ records."""

def _roundtrip_case(case: PersonCase) -> PersonCase:
    """PersonCase -> C++ -> PersonCase (tests the conversions)."""

def _roundtrip_agir_support(support: AgirSupport) -> AgirSupport:
    """AgirSupport -> C++ -> AgirSupport (tests the conversions)."""

# --- eligibility (R2-R6) ----------------------------------------------------------------

class Eligibility:
    """The outcome of evaluating one person at one date (R1-R6). Read-only."""

    @property
    def person_id(self) -> str: ...
    @property
    def on(self) -> datetime.date:
        """The evaluation date."""
    @property
    def nationality_class(self) -> NationalityClass:
        """R1 at the evaluation date."""
    @property
    def primo_arrivant(self) -> bool:
        """R3."""
    @property
    def bpi(self) -> bool:
        """R4."""
    @property
    def bpt(self) -> bool:
        """R5."""
    @property
    def agir(self) -> bool:
        """R6: AGIR-eligible if the evaluation date were the orientation date."""
    @property
    def ctai_public(self) -> bool:
        """In the public of the CTAI actions: primo_arrivant or bpi or bpt."""
    @property
    def public(self) -> Optional[PublicCategory]:
        """The exclusive category bpi > bpt > primo_arrivant, or None."""
    @property
    def primo_anchor(self) -> Optional[datetime.date]:
        """R2: T1, the anchor of the five-year window."""
    @property
    def primo_window_end(self) -> Optional[datetime.date]:
        """R3: first day outside the five-year window (None without T1)."""
    @property
    def protection_date(self) -> Optional[datetime.date]:
        """R4: decision date of the first qualifying protection."""
    @property
    def agir_window_end(self) -> Optional[datetime.date]:
        """R6: first day outside the AGIR recency window (None without protection)."""
    @property
    def reasons(self) -> List[str]:
        """Human-readable reasons, built from codes and dates only (never personal data)."""
    def to_dict(self) -> Dict[str, Any]:
        """The object ``ctai check --format json`` prints for this person (dates as ISO
        text, enum members as their spellings)."""

def evaluate(
    case: PersonCase,
    on: datetime.date,
    *,
    policy: Optional[Policy] = None,
    family_bpi: Optional[PersonCase] = None,
) -> Eligibility:
    """R1-R6: the full evaluation of one person at ``on``, with the reasons.
    ``family_bpi`` is the case of the BPI the person joins when
    ``person.rejoining_family_of`` is set (R6)."""

def is_primo_arrivant(case: PersonCase, on: datetime.date, *, policy: Optional[Policy] = None) -> bool:
    """R3: primo-arrivant at ``on``."""

def is_bpi(case: PersonCase, on: datetime.date, *, policy: Optional[Policy] = None) -> bool:
    """R4: BPI at ``on``."""

def is_bpt(case: PersonCase, on: datetime.date, *, policy: Optional[Policy] = None) -> bool:
    """R5: BPT at ``on``."""

def is_agir_eligible(
    case: PersonCase,
    on: datetime.date,
    *,
    policy: Optional[Policy] = None,
    family_bpi: Optional[PersonCase] = None,
) -> bool:
    """R6: AGIR eligibility with ``on`` as the orientation date."""

def primo_anchor(case: PersonCase, *, policy: Optional[Policy] = None) -> Optional[datetime.date]:
    """R2: T1 under the policy's anchor, or None; for a BPI without a qualifying permit,
    the protection date (R3)."""

def protection_date(case: PersonCase, *, policy: Optional[Policy] = None) -> Optional[datetime.date]:
    """R4: decision date of the first refugee/subsidiary (and stateless, by default)
    decision, or None."""

def agir_window_end(protection: datetime.date, *, policy: Optional[Policy] = None) -> datetime.date:
    """R6: first day outside the AGIR recency window of a protection date."""

def agir_support_active(entry: datetime.date, d: datetime.date, *, policy: Optional[Policy] = None) -> bool:
    """R6: whether the 24-month support window from the AGIR entry date is active on ``d``."""

def agir_positive_exit(support: AgirSupport, *, policy: Optional[Policy] = None) -> bool:
    """R6: AGIR positive exit: lasting housing AND (CDI, CDD of at least 6 months, or
    qualifying training)."""

def is_lasting_housing(type: Union[HousingType, str], *, policy: Optional[Policy] = None) -> bool:
    """R6: whether a housing type is lasting housing under the policy (emergency and
    asylum accommodation never are)."""
