"""Type stubs of ctai._core, the compiled part of the ctai package.

Import ``ctai``, not ``ctai._core``: the package re-exports the public names below and adds
the pure-Python classes (enums, Policy, records). tests/python/test_api.py checks that this
file and the module list the same names.
"""

import datetime
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

from ._enums import (
    Need,
    ReferralSource,
    ReferralStatus,
    StepKind,
    Boundary,
    Feb29,
    HousingType,
    NationalityClass,
    PublicCategory,
    WindowKind,
)
from ._model import AgirSupport, DatedNationality, Person, PersonCase
from ._policy import Policy
from ._store import StoreSettings
from ._columns import Columns
from ._contract import Contract
from ._exchange import (
    AnonymizationReport,
    AuditEntry,
    DataFingerprint,
    ExportSummary,
    ImportSummary,
    Journey,
    JourneyStats,
    Referral,
)

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

class ImportIssue(NamedTuple):
    """One problem of an exchange folder."""

    #: File name inside the folder (or the folder name for folder-level problems).
    file: str
    #: Line in the file (header = 1), 0 when about the whole file.
    line: int
    #: Column name, or None.
    column: Optional[str]
    #: What is wrong and what is expected (never the content of a personal field).
    message: str
    #: The domain rule the store refused the row under (e.g. "R7.exit_before_entry"), or None.
    rule: Optional[str]

class ExchangeImportError(ValidationError):
    """An exchange folder could not be imported; nothing was written. Not the built-in
    ImportError (about Python modules)."""

    #: Every problem found, in file then line order.
    issues: List[ImportIssue]

def _raise_cpp_error(kind: str) -> None:
    """Raises a sample C++ error: kind is "validation", "not_found", "conflict", "storage",
    "schema_version", "import" or "error" (tests the translation)."""

# --- vocabularies -----------------------------------------------------------------------

def reason_code_spellings() -> List[str]:
    """The stable reason codes, in C++ declaration order (docs/rules.md, "Reason codes")."""

def enum_spellings() -> Dict[str, List[str]]:
    """The spelling table of every vocabulary: enum class name -> spellings, in C++
    declaration order. These are the values of the members of the ctai enums."""

def enum_vocabularies() -> Dict[str, str]:
    """Enum class name -> vocabulary name, as used in error messages and files (e.g.
    ``"SituationKind" -> "situation"``)."""

def _register(classes: Mapping[str, type]) -> None:
    """Registers the package's Python classes (name -> class: the enum classes, the
    records, Policy, Columns, Contract) that values returned by C++ are built with
    (called by ctai/__init__.py; the compiled module never imports the package)."""

def _registered() -> List[str]:
    """The names registered so far (sorted)."""

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
    @property
    def reason_codes(self) -> List[Dict[str, Any]]:
        """The stable reason codes: ``[{"code": "R3.window_ended", "date": date or None},
        ...]``, one per dimension (docs/rules.md, "Reason codes")."""
    def to_dict(self) -> Dict[str, Any]:
        """The object ``ctai check --format json`` prints for this person (dates as ISO
        text, enum members as their spellings)."""

def evaluate(
    case: PersonCase,
    on: datetime.date,
    *,
    policy: Optional[Policy] = None,
    family_bpi: Optional[PersonCase] = None,
    household: Optional[Sequence[PersonCase]] = None,
) -> Eligibility:
    """R1-R6: the full evaluation of one person at ``on``, with the reasons.
    ``family_bpi`` is the case of the BPI the person joins when
    ``person.rejoining_family_of`` is set (R6). ``household``: the cases of the person's
    household, for the policy option ``minors_follow_household`` (R3)."""

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

# --- columns ----------------------------------------------------------------------------

@overload
def _utf8_to_numpy(offsets: npt.NDArray[np.int32], data: npt.NDArray[np.uint8]) -> npt.NDArray[np.str_]: ...
@overload
def _utf8_to_numpy(offsets: npt.NDArray[np.int64], data: npt.NDArray[np.uint8]) -> npt.NDArray[np.str_]:
    """Arrow string buffers (offsets, UTF-8 bytes) -> a NumPy fixed-width text array,
    decoded in C++ without a Python object per row."""

# --- exchange folders, synthetic cohorts, contracts ----------------------------------------

class Dataset:
    """A whole set of case files in memory: what an exchange folder holds, what
    generate_cohort makes. Write it with write_exchange_dir, then Store.import_dir."""

    def __init__(self) -> None: ...
    @property
    def cases(self) -> List[PersonCase]:
        """The persons with their permits, protections and situations."""
    def counts(self) -> Dict[str, int]:
        """Number of records of each table."""
    def __len__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...

def generate_cohort(
    persons: int = ...,
    *,
    seed: int = ...,
    contract: str = ...,
    evaluated_on: Optional[datetime.date] = None,
    policy: Optional[Policy] = None,
) -> Dataset:
    """A deterministic synthetic cohort (made-up people) through the actions of a built-in
    contract; the same arguments give the same Dataset everywhere."""

def read_exchange_dir(dir: Union[str, os.PathLike[str]]) -> Dataset:
    """Reads and validates an exchange folder into a Dataset, without a store. Raises
    ExchangeImportError listing every issue."""

def write_exchange_dir(
    data: Dataset,
    dir: Union[str, os.PathLike[str]],
    *,
    pseudonymization_key: Optional[str] = None,
    birth_precision: str = "year",
    overwrite: bool = False,
) -> Dict[str, Any]:
    """Writes a Dataset as an exchange folder (ctai.write_exchange_dir wraps the result
    in an ExportSummary)."""

def builtin_contracts() -> List[Contract]:
    """The built-in contracts (dijon-2022, dijon-2023-2024)."""

def load_contract(path: Union[str, os.PathLike[str]]) -> Contract:
    """Loads and validates a contract file."""

def _normalize_contract(contract: Union[Contract, Mapping[str, Any]]) -> Contract:
    """dict or Contract -> C++ Contract (validated) -> Contract."""

def _contract_json(contract: Union[Contract, Mapping[str, Any]]) -> Dict[str, Any]:
    """dict or Contract -> C++ Contract -> the dict of its JSON (C++ contract_to_json)."""

def _default_exit_reasons() -> List[Dict[str, Any]]:
    """The exit reasons every contract has unless it redefines them (R7), as dicts."""

# --- reports (R8) ------------------------------------------------------------------------

class Report:
    """R8: the evaluation report of a contract (Store.report). Read-only."""

    @property
    def contract_id(self) -> str: ...
    @property
    def contract_title(self) -> str: ...
    @property
    def amended_by(self) -> List[str]:
        """R10: the avenants applied (the contract as amended on evaluated_on)."""
    @property
    def convention(self) -> Optional[str]:
        """R10: the local AGIR convention in force on evaluated_on, or None."""
    @property
    def start(self) -> datetime.date:
        """First day of the period (included)."""
    @property
    def end(self) -> datetime.date:
        """Last day of the period (included)."""
    @property
    def evaluated_on(self) -> datetime.date:
        """The date open journeys are censored at."""
    @property
    def policy(self) -> Policy: ...
    @property
    def publish(self) -> bool: ...
    @property
    def k(self) -> int:
        """Small-cell suppression threshold."""
    @property
    def fingerprint(self) -> str:
        """SHA-256 of the store's data when the report was built."""
    @property
    def library_version(self) -> str: ...
    @property
    def notes(self) -> List[str]: ...
    @property
    def suppressed(self) -> List[Tuple[str, str]]:
        """(path, reason) of every suppressed cell."""
    def to_json(self) -> str:
        """The JSON of ``ctai report --format json``."""
    def to_markdown(self) -> str:
        """The questionnaire tables in Markdown."""
    def to_csv(self) -> str:
        """Long CSV: action, indicator key, label, target, realised."""
    def to_html(self) -> str:
        """A standalone HTML page, in French."""
    def to_dict(self) -> Dict[str, Any]:
        """json.loads(to_json())."""
    def to_pandas(self) -> Any:
        """Every figure as a row of a pandas DataFrame: action, block, key, entry, label,
        target, realised (long form, the rows of to_csv())."""
    @property
    def orientations(self) -> Dict[str, Any]:
        """R6: to_dict()["orientations"] (counts, acceptance, censored delays)."""
    def __eq__(self, other: object) -> bool: ...

# --- store (private: ctai.Store wraps it) --------------------------------------------------

def _store_defaults() -> Dict[str, Any]:
    """Defaults of ctai::StoreOptions (actor, busy_timeout_ms, must_exist)."""

class _Transaction:
    """A pending write transaction (private)."""

    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    @property
    def active(self) -> bool: ...

class CaseSnapshot:
    def __len__(self) -> int: ...
    def __contains__(self, person_id: object) -> bool: ...
    def eligibility(self, person_id: str, *, on: datetime.date, explain: bool = True) -> Eligibility: ...
    def index(self, person_ids: Iterable[str]) -> npt.NDArray[np.uint32]: ...
    def verdicts(self, index: npt.ArrayLike, *, on: Any) -> Any: ...

class _Store:
    """One connection to a case store: the base class of ctai.Store (open it with
    ctai.Store.open; ctai/_store.py adds only what Python adds)."""

    def __init__(
        self, path: Union[str, os.PathLike[str]], *, policy: Optional[Policy] = None,
        actor: str = ..., busy_timeout_ms: int = ..., must_exist: bool = ...
    ) -> None: ...
    @staticmethod
    def latest_schema_version() -> int: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def path(self) -> str: ...
    @property
    def policy(self) -> Policy: ...
    @policy.setter
    def policy(self, value: Optional[Policy]) -> None: ...
    @property
    def actor(self) -> str: ...
    @actor.setter
    def actor(self, value: str) -> None: ...
    @property
    def in_transaction(self) -> bool: ...
    def transaction(self, reason: str = "") -> _Transaction: ...
    def contract(self, contract_id: str) -> Contract: ...
    def contracts(self) -> List[Contract]: ...
    def put_contract(self, contract: Union[Contract, Mapping[str, Any]]) -> bool: ...
    def put_avenant(self, avenant: Mapping[str, Any]) -> bool:
        """R10: loads (or replaces) an avenant, the dict of its JSON file (kind 'avenant')."""
    def put_convention(self, convention: Mapping[str, Any]) -> bool:
        """R10: loads (or replaces) a local AGIR convention (kind 'convention')."""
    def avenant(self, avenant_id: str) -> Dict[str, Any]: ...
    def convention(self, convention_id: str) -> Dict[str, Any]: ...
    def avenants(self, contract: Optional[str] = None) -> List[Dict[str, Any]]: ...
    def conventions(self, contract: Optional[str] = None) -> List[Dict[str, Any]]: ...
    def contract_on(self, contract_id: str, *, on: datetime.date) -> Dict[str, Any]:
        """R10: {'contract': Contract as amended on `on`, 'amended_by': [ids], 'convention': id or None}."""
    def put_person(self, person: Person) -> bool: ...
    def put_case(self, case: PersonCase) -> bool: ...
    def put_agir_support(self, support: AgirSupport) -> bool: ...
    def enroll(
        self, person_id: str, contract_id: str, action: int, *, on: datetime.date,
        source: Union[ReferralSource, str], override_reason: Optional[str] = None,
        need: Union[Need, str, None] = None, id: Optional[str] = None
    ) -> str: ...
    def add_step(self, journey_id: str, step: Union[StepKind, str], *, on: datetime.date) -> None: ...
    def exit_journey(self, journey_id: str, *, on: datetime.date, reason: str) -> None: ...
    def propose_referral(
        self, person_id: str, from_: str, to: str, need: Union[Need, str], *, on: datetime.date,
        id: Optional[str] = None
    ) -> str: ...
    def accept_referral(self, referral_id: str, *, on: datetime.date) -> None: ...
    def complete_referral(self, referral_id: str, *, on: datetime.date) -> None: ...
    def decline_referral(self, referral_id: str, *, on: datetime.date, reason: str) -> None: ...
    def cancel_referral(self, referral_id: str, *, on: datetime.date, reason: str) -> None: ...
    def person(self, person_id: str) -> Person: ...
    def find_person(self, person_id: str) -> Optional[Person]: ...
    def person_case(self, person_id: str) -> PersonCase: ...
    def nationalities(self, person_id: str) -> List[DatedNationality]: ...
    def put_nationalities(self, person_id: str, nationalities: Sequence[DatedNationality]) -> bool: ...
    def settings(self, *, on: Optional[datetime.date] = None) -> Optional[StoreSettings]:
        """R10: the settings in force on ``on`` (default today, UTC): the entry with the
        latest effective date on or before it, or None."""
    def settings_history(self) -> List[StoreSettings]:
        """R10: every dated settings entry, by effective date (each change is audited)."""
    def put_settings(self, settings: StoreSettings) -> bool:
        """R10: records a dated settings entry, in force from ``settings.effective`` (an
        entry of the same day is replaced, the others kept). Audited. ValidationError for a
        territory that is not a département code. True when something changed. A Store
        opened without ``policy=`` takes the new policy when it is in force today."""
    def person_ids(self) -> List[str]: ...
    def person_count(self) -> int: ...
    def journey(self, journey_id: str) -> Journey: ...
    def journeys_of(self, person_id: str) -> List[Journey]: ...
    def agir_supports_of(self, person_id: str) -> List[AgirSupport]: ...
    def referral(self, referral_id: str) -> Referral: ...
    def referrals_of(self, person_id: str) -> List[Referral]: ...
    def eligibility(self, person_id: str, *, on: datetime.date) -> Eligibility: ...
    def journeys(
        self, *, contract: Optional[str] = None, action: Optional[int] = None,
        censor_on: Optional[datetime.date] = None, columns: Optional[Sequence[str]] = None
    ) -> Columns: ...
    def eligibility_table(self, *, on: datetime.date, explain: bool = False) -> Columns: ...
    def windows(
        self, *, on: datetime.date, within: int, kinds: Sequence[WindowKind] = ...
    ) -> Columns: ...
    def eligibility_for(self, person_ids: Sequence[str], *, on: Any) -> Columns: ...
    def referrals(
        self, *, on: Optional[datetime.date] = None,
        status: Optional[Union[ReferralStatus, str]] = None, need: Optional[Union[Need, str]] = None
    ) -> Columns: ...
    def activities(self, *, contract: Optional[str] = None) -> Columns: ...
    def journey_stats(
        self, *, contract: Optional[str] = None, action: Optional[int] = None, on: datetime.date
    ) -> JourneyStats: ...
    def journey_stats_by_public(
        self, *, contract: Optional[str] = None, action: Optional[int] = None, on: datetime.date
    ) -> Dict[str, JourneyStats]: ...
    def import_dir(
        self, dir: Union[str, os.PathLike[str]], *, actor: Optional[str] = None,
        reason: Optional[str] = None, progress: Optional[Callable[[str, int, int], Any]] = None
    ) -> ImportSummary: ...
    def export_dir(
        self, dir: Union[str, os.PathLike[str]], *, pseudonymization_key: Optional[str] = None,
        birth_precision: str = "year", overwrite: bool = False,
        progress: Optional[Callable[[str, int, int], Any]] = None
    ) -> ExportSummary: ...
    def audit_log(
        self, *, entity: Optional[str] = None, entity_id: Optional[str] = None,
        person_id: Optional[str] = None, after_seq: int = 0
    ) -> List[AuditEntry]: ...
    def retention_candidates(self, today: datetime.date) -> List[str]: ...
    def anonymize_expired(self, today: datetime.date) -> AnonymizationReport: ...
    def fingerprint(self) -> DataFingerprint: ...
    def case_snapshot(self) -> CaseSnapshot: ...
    def drop_case_snapshot(self) -> None: ...
    def integrity_check(self) -> str: ...

def _build_report(
    store: _Store, contract_id: str, *, start: Optional[datetime.date] = None,
    end: Optional[datetime.date] = None, evaluated_on: Optional[datetime.date] = None,
    publish: bool = False, k: Optional[int] = None
) -> Report:
    """R8: ctai::build_report(store, contract, options) (ctai.build_report wraps it)."""

def _journey_stats_days(
    entry: npt.NDArray[np.int32], exit: npt.NDArray[np.int32], on: datetime.date
) -> JourneyStats:
    """R7: ctai::journey_stats over day numbers (exit INT32_MIN when open)
    (ctai.journey_stats wraps it)."""

def _arrow_stream(columns: List[Tuple[Any, ...]], length: int) -> Any:
    """An Arrow C stream (PyCapsule "arrow_array_stream") of one struct batch over Arrow
    buffers (ctai.Columns.__arrow_c_stream__)."""
