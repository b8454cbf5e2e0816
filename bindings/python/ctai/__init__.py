"""libctai for Python: tracking the people helped by a French CTAI.

Dates are :class:`datetime.date` in and out (never datetimes); vocabularies are
:class:`enum.Enum` classes whose members are their spellings; every rule that the texts
leave open is an option of :class:`Policy`; errors are :class:`CtaiError` subclasses that
also belong to the built-in families (``ValueError``, ``LookupError``, ``OSError``).
See docs/python.md.

The package imports its compiled core ``ctai._core`` and registers its Python classes
there once (``_core._register``, at the end of this file); the core never imports the
package.
"""

from . import _core
from ._core import (
    CaseSnapshot,
    ConflictError,
    CtaiError,
    Dataset,
    Eligibility,
    ExchangeImportError,
    ImportIssue,
    NotFoundError,
    SchemaVersionError,
    StorageError,
    ValidationError,
    add_months,
    add_years,
    age_on,
    agir_positive_exit,
    agir_support_active,
    agir_window_end,
    builtin_contracts,
    enum_spellings,
    evaluate,
    is_agir_eligible,
    is_bpi,
    is_bpt,
    is_eu_member,
    is_lasting_housing,
    is_primo_arrivant,
    load_contract,
    generate_cohort,
    nationality_class,
    normalize_nationality,
    parse_date,
    parse_date_lenient,
    period_end_months,
    period_end_years,
    primo_anchor,
    protection_date,
    read_exchange_dir,
    to_iso,
    under_age,
    window_end_years,
    within_years,
)
from ._core import Report
from ._core import write_exchange_dir as _write_exchange_dir
from ._enums import (
    ENUMS as _ENUMS,
    ActivityKind,
    AgeReference,
    AgirPolicy,
    AgirRecency,
    Authority,
    Boundary,
    CirStatus,
    CtaiEnum,
    DatePrecision,
    ExitActivity,
    Feb29,
    HousingType,
    Motive,
    NationalityClass,
    Need,
    PermitKind,
    PrimoAnchor,
    ProtectionType,
    PublicCategory,
    ReferralDirection,
    ReferralSource,
    ReferralStatus,
    ReferralStep,
    Sex,
    SituationKind,
    StepKind,
    Tri,
    VolunteeringKind,
    WindowKind,
)

# The enums first: the modules below read C++ defaults that hold enum values.
_core._register(_ENUMS)

from ._model import (  # noqa: E402
    AgirSupport, DatedNationality, Permit, Person, PersonCase, Protection, Situation)
from ._policy import Policy  # noqa: E402
from ._columns import Columns  # noqa: E402
from ._contract import Action, Contract, ExitReason, Indicator, Prerequisite  # noqa: E402
from ._exchange import (  # noqa: E402
    AnonymizationReport,
    AuditEntry,
    DataFingerprint,
    ExportSummary,
    ImportSummary,
    Journey,
    JourneyStats,
    Referral,
    Step,
    TableSummary,
)
from ._store import Store, StoreSettings, Transaction  # noqa: E402
from ._report import build_report  # noqa: E402  (also adds Report.to_pandas)
from ._stats import journey_curves, journey_stats  # noqa: E402


def write_exchange_dir(data, dir, *, pseudonymization_key=None, birth_precision="year",
                       overwrite=False):
    """Writes a Dataset (e.g. ``generate_cohort(...)``) as an exchange folder, in the
    format and with the options of ``Store.export_dir``; returns an ExportSummary."""
    import os

    return ExportSummary(**_write_exchange_dir(
        data, os.fspath(dir), pseudonymization_key=pseudonymization_key,
        birth_precision=birth_precision, overwrite=overwrite))

# The classes the compiled core builds the values it returns with.
_core._register(
    {
        "Person": Person,
        "Permit": Permit,
        "Protection": Protection,
        "Situation": Situation,
        "DatedNationality": DatedNationality,
        "PersonCase": PersonCase,
        "AgirSupport": AgirSupport,
        "Policy": Policy,
        "StoreSettings": StoreSettings,
        "Columns": Columns,
        "Contract": Contract,
        "Journey": Journey,
        "Referral": Referral,
        "AuditEntry": AuditEntry,
        "ImportSummary": ImportSummary,
        "ExportSummary": ExportSummary,
        "JourneyStats": JourneyStats,
        "DataFingerprint": DataFingerprint,
        "AnonymizationReport": AnonymizationReport,
    }
)

# Renamed names kept one release (CHANGELOG.md, "Unreleased"): old name -> new name.
_DEPRECATED = {"AnonymisationReport": "AnonymizationReport"}


def __getattr__(name: str) -> object:
    if name in _DEPRECATED:
        import warnings

        new = _DEPRECATED[name]
        warnings.warn(f"ctai.{name} is deprecated: use ctai.{new} (the old name goes in the "
                      "next release)", DeprecationWarning, stacklevel=2)
        return globals()[new]
    raise AttributeError(f"module 'ctai' has no attribute {name!r}")


__version__: str = _core.__version__

__all__ = [
    "__version__",
    # errors
    "CtaiError",
    "ValidationError",
    "NotFoundError",
    "ConflictError",
    "StorageError",
    "SchemaVersionError",
    "ExchangeImportError",
    "ImportIssue",
    # dates (R0)
    "parse_date",
    "parse_date_lenient",
    "to_iso",
    "add_months",
    "add_years",
    "period_end_years",
    "period_end_months",
    "within_years",
    "window_end_years",
    "age_on",
    "under_age",
    # nationality (R1)
    "normalize_nationality",
    "nationality_class",
    "is_eu_member",
    # vocabularies
    "CtaiEnum",
    "enum_spellings",
    *sorted(_ENUMS),
    # policy
    "Policy",
    # records and eligibility (R2-R6)
    "Person",
    "Permit",
    "Protection",
    "Situation",
    "DatedNationality",
    "PersonCase",
    "AgirSupport",
    "Eligibility",
    "evaluate",
    "is_primo_arrivant",
    "is_bpi",
    "is_bpt",
    "is_agir_eligible",
    "primo_anchor",
    "protection_date",
    "agir_window_end",
    "agir_support_active",
    "agir_positive_exit",
    "is_lasting_housing",
    # store
    "CaseSnapshot",
    "Store",
    "StoreSettings",
    "Transaction",
    "Columns",
    "JourneyStats",
    "journey_stats",
    "journey_curves",
    "Journey",
    "Step",
    "Referral",
    "AuditEntry",
    "DataFingerprint",
    "AnonymizationReport",
    "ImportSummary",
    "TableSummary",
    "ExportSummary",
    # reports (R8)
    "Report",
    "build_report",
    # exchange folders, synthetic cohorts, contracts
    "Dataset",
    "generate_cohort",
    "read_exchange_dir",
    "write_exchange_dir",
    "Contract",
    "Action",
    "Indicator",
    "Prerequisite",
    "ExitReason",
    "builtin_contracts",
    "load_contract",
]
