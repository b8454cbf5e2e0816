"""Results of imports and exports, journey statistics and the other small records the store
returns, as plain Python values (dataclasses and named tuples)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import numpy as np

from ._core import ImportIssue
from ._enums import Need, ReferralSource, ReferralStatus, StepKind

__all__ = [
    "TableSummary",
    "ImportSummary",
    "ExportSummary",
    "JourneyStats",
    "Step",
    "Journey",
    "Referral",
    "AuditEntry",
    "DataFingerprint",
    "AnonymizationReport",
]


@dataclasses.dataclass(frozen=True)
class TableSummary:
    """What one file / table of an exchange folder gave."""

    table: str
    file: str
    present: bool
    #: "utf-8", "utf-8-bom" or "windows-1252"; None when the file is absent.
    encoding: Optional[str]
    separator: str
    rows_read: int
    #: Records inserted or changed, and records already equal (import_dir only).
    changed: int
    unchanged: int


@dataclasses.dataclass(frozen=True)
class ImportSummary:
    """What ``Store.import_dir`` did: one TableSummary per table of the format (persons
    first) and the warnings (files or columns ignored on purpose)."""

    tables: List[TableSummary]
    warnings: List[ImportIssue]
    #: settings.json (R10): None when absent from the folder (the store's settings were left
    #: as they were), else whether it changed them.
    settings_changed: Optional[bool] = None

    @classmethod
    def _from_core(cls, d: Dict[str, Any]) -> "ImportSummary":
        return cls([TableSummary(**t) for t in d["tables"]], list(d["warnings"]),
                   d.get("settings_changed"))

    @property
    def changed(self) -> int:
        """Records inserted or changed: 0 when the store already held the folder."""
        return sum(t.changed for t in self.tables)

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables)

    def table(self, name: str) -> TableSummary:
        """The entry of a table ("persons", "journeys", ...); KeyError when unknown."""
        for t in self.tables:
            if t.table == name:
                return t
        raise KeyError(name)


@dataclasses.dataclass(frozen=True)
class ExportSummary:
    """What ``Store.export_dir`` / ``write_exchange_dir`` wrote: (file, rows) in format
    order."""

    files: List[Tuple[str, int]]
    pseudonymized: bool

    @property
    def pseudonymised(self) -> bool:
        """Deprecated spelling of :attr:`pseudonymized` (goes in the next release)."""
        _deprecated("ExportSummary.pseudonymised", "ExportSummary.pseudonymized")
        return self.pseudonymized

    def rows(self, file: str) -> int:
        """Rows written to ``file`` (e.g. "persons.csv"), 0 when unknown."""
        return dict(self.files).get(file, 0)


@dataclasses.dataclass(frozen=True)
class JourneyStats:
    """R7: journey lengths at an evaluation date ``on``, with censoring.

    ``count = completed + open``; ``mean_days`` / ``median_days`` are over the completed
    journeys only (biased short while many are open); the ``km_*`` figures are the
    Kaplan-Meier estimates that count the open journeys as censored at ``on``
    (``km_median_days`` is None while the curve has not reached 0.5), with its 95 %
    confidence interval ``km_median_lower_days`` / ``km_median_upper_days`` (exponential
    Greenwood, as lifelines' KaplanMeierFitter; None when that bound never reaches 0.5).
    ``km_curve`` is a dict of NumPy arrays (time, at_risk, events, censored, survival and
    its pointwise 95 % interval lower / upper); ``to_pandas()`` gives it as a DataFrame,
    ``plot()`` draws it (matplotlib); ``completed_days`` and ``open_days`` the lengths
    (int32 arrays) for histograms.
    """

    on: _dt.date
    count: int
    completed: int
    open: int
    excluded_not_started: int
    mean_days: Optional[float]
    median_days: Optional[float]
    km_median_days: Optional[float]
    km_restricted_mean_days: Optional[float]
    km_tau_days: Optional[int]
    km_median_lower_days: Optional[float] = None
    km_median_upper_days: Optional[float] = None
    km_curve: Dict[str, np.ndarray] = dataclasses.field(default_factory=dict, repr=False,
                                                        compare=False)
    completed_days: np.ndarray = dataclasses.field(default=None, repr=False, compare=False)
    open_days: np.ndarray = dataclasses.field(default=None, repr=False, compare=False)

    @classmethod
    def _from_core(cls, d: Dict[str, Any]) -> "JourneyStats":
        return cls(**d)

    def to_dict(self) -> Dict[str, Any]:
        """The scalar figures (JSON-ready: the date as ISO text)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.compare}
        out["on"] = self.on.isoformat()
        return out

    def survival_at(self, days: Any) -> Any:
        """S(days) of the Kaplan-Meier curve (a step function: 1 before the first point),
        for one number of days or an array of them."""
        time = self.km_curve["time"]
        survival = np.concatenate([[1.0], self.km_curve["survival"]])
        out = survival[np.searchsorted(time, np.asarray(days), side="right")]
        return float(out) if np.ndim(out) == 0 else out

    def to_pandas(self) -> Any:
        """The Kaplan-Meier curve as a ``pandas.DataFrame``: time (days since entry),
        at_risk, events, censored, survival, lower, upper (pointwise 95 % interval)."""
        import pandas as pd

        return pd.DataFrame({k: self.km_curve[k] for k in
                             ("time", "at_risk", "events", "censored", "survival", "lower",
                              "upper") if k in self.km_curve})

    def plot(self, ax: Any = None, *, ci: bool = True, label: Optional[str] = None) -> Any:
        """Draws the Kaplan-Meier curve (a step function, with its 95 % band when ``ci``)
        on ``ax`` (default a new figure); returns the axes. Needs matplotlib."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ModuleNotFoundError("JourneyStats.plot() needs matplotlib: pip install "
                                      "matplotlib") from error
        if ax is None:
            _, ax = plt.subplots()
        time = np.concatenate([[0], self.km_curve["time"]])
        survival = np.concatenate([[1.0], self.km_curve["survival"]])
        ax.step(time, survival, where="post", label=label)
        if ci and "lower" in self.km_curve:
            lower = np.concatenate([[1.0], self.km_curve["lower"]])
            upper = np.concatenate([[1.0], self.km_curve["upper"]])
            ax.fill_between(time, lower, upper, step="post", alpha=0.25)
        ax.set_xlabel("days since entry")
        ax.set_ylabel("share of journeys still open")
        ax.set_ylim(0, 1.05)
        return ax

    def _repr_html_(self) -> str:
        def cell(v: Any) -> str:
            return "" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))

        rows = "".join(f"<tr><th>{f.name}</th><td>{cell(getattr(self, f.name))}</td></tr>"
                       for f in dataclasses.fields(self) if f.compare)
        return f"<table><caption>ctai.JourneyStats</caption>{rows}</table>"


class Step(NamedTuple):
    """R7: a dated step of a journey."""

    kind: StepKind
    date: _dt.date


@dataclasses.dataclass(frozen=True)
class Journey:
    """R7: one person's enrollment in one action of a contract (Store.journeys_of)."""

    id: str
    person_id: str
    contract_id: str
    action: int
    entry_date: _dt.date
    referral_source: ReferralSource
    exit_date: Optional[_dt.date]
    exit_reason: Optional[str]
    override_reason: Optional[str]
    steps: List[Step]

    @property
    def open(self) -> bool:
        return self.exit_date is None

    @classmethod
    def _from_core(cls, d: Dict[str, Any]) -> "Journey":
        d = dict(d)
        d["steps"] = [Step(*s) for s in d["steps"]]
        return cls(**d)


@dataclasses.dataclass(frozen=True)
class Referral:
    """R6: a hand-off between AGIR and a CTAI action. ``from_`` and ``to`` are ``agir`` or
    ``<contract_id>:<action>`` (``from_``: ``from`` is a Python keyword)."""

    id: str
    person_id: str
    from_: str
    to: str
    need: Need
    status: ReferralStatus
    proposed_on: _dt.date
    decided_on: Optional[_dt.date]
    completed_on: Optional[_dt.date]
    reason: Optional[str]


class AuditEntry(NamedTuple):
    """One row of the audit log (R9). ``change`` is JSON text."""

    seq: int
    at: str
    actor: str
    entity: str
    entity_id: str
    person_id: Optional[str]
    operation: str
    change: str
    reason: Optional[str]


class DataFingerprint(NamedTuple):
    """The data version a report records (R8): SHA-256 of the data tables and the
    sequence number of the last audit row."""

    sha256: str
    change_counter: int


@dataclasses.dataclass(frozen=True)
class AnonymizationReport:
    """What Store.anonymize_expired did (R9)."""

    today: _dt.date
    persons: int
    households: int
    journeys: int
    referrals: int
    agir_supports: int
    audit_rows: int


# Deprecated British spelling (one release): the spec spells -ize (``--pseudonymize``).
AnonymisationReport = AnonymizationReport


def _deprecated(old: str, new: str) -> None:
    import warnings

    warnings.warn(f"{old} is deprecated: use {new} (the old name goes in the next release)",
                  DeprecationWarning, stacklevel=3)
