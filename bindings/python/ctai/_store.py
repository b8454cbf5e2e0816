"""The case store: ``ctai.Store``, a subclass of the bound C++ ``ctai::Store``
(``_core._Store``, bindings/python/src/bind_store.cpp) that adds only what Python adds: the
context manager, the repr, :class:`Transaction` as a context manager, bytes keys, a single
column name, the report through :func:`ctai.build_report` and the deprecated spellings.
Every other method is the binding's own. The work (SQL, rules, columns, reports) is done in
C++ without the GIL.

Threads: a Store is one SQLite connection. Use one Store per thread (open the same file
in each thread: WAL mode lets them read in parallel, writers wait up to
``busy_timeout_ms`` for the write lock). A Store shared by two threads is safe but
serialised (each call takes the Store's lock).
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Union

from . import _core
from ._columns import Columns
from ._checks import as_date, as_optional_date
from ._contract import Contract
from ._core import Report
from ._exchange import AnonymizationReport, ExportSummary, _deprecated
from ._enums import WindowKind
from ._policy import Policy

__all__ = ["Store", "StoreSettings", "Transaction"]


class StoreSettings(NamedTuple):
    """One dated entry of a store's settings (R10): in force from ``effective``; the
    territory (an INSEE département code such as ``"21"``, or None) and the policy."""

    effective: _dt.date
    territory: Optional[str] = None
    policy: Policy = Policy()

    def __repr__(self) -> str:  # evaluates back, as ctai.Policy's
        return (f"ctai.StoreSettings(effective={self.effective!r}, territory={self.territory!r}, "
                f"policy={self.policy!r})")

_DEFAULTS = _core._store_defaults()

PathLike = Union[str, "os.PathLike[str]"]


def _progress(progress: Any) -> Any:
    """The progress argument of import_dir / export_dir: a callable, None, or True for a
    text bar on stderr (one line per stage, redrawn in place)."""
    if progress is None or progress is False:
        return None
    if progress is True:
        import sys

        def bar(stage: str, done: int, total: int) -> None:
            width = 30
            filled = width if total == 0 else int(width * done / total)
            end = "\n" if done >= total else ""
            sys.stderr.write(f"\r{stage:<28} [{'#' * filled}{'.' * (width - filled)}] "
                             f"{done}/{total}{end}")
            sys.stderr.flush()

        return bar
    if not callable(progress):
        raise TypeError(f"progress: expected a callable (stage, done, total), True or None, "
                        f"got {type(progress).__name__}")
    return progress


class Transaction:
    """A write transaction of a Store, used as a context manager (``with
    store.transaction():``): committed when the block ends normally, rolled back when it
    raises. Nested transactions are savepoints: an inner rollback undoes only the inner
    writes; nothing is durable before the outermost commit."""

    __slots__ = ("_native",)

    def __init__(self, native: Any) -> None:
        self._native = native

    def commit(self) -> None:
        """Commits now (or releases the savepoint). StorageError on failure (then rolled
        back)."""
        self._native.commit()

    def rollback(self) -> None:
        """Rolls back now (idempotent)."""
        self._native.rollback()

    @property
    def active(self) -> bool:
        """Whether the transaction is still pending."""
        return self._native.active

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            if self._native.active:
                self._native.commit()
        else:
            self._native.rollback()

    def __repr__(self) -> str:
        return f"<ctai.Transaction active={self.active}>"


class Store(_core._Store):
    """A case store: one SQLite file (or ``":memory:"``) holding the people tracked, their
    statuses, journeys, referrals and activities. Open it with :meth:`Store.open`, as a
    context manager; every write applies the domain rules (R6/R7) and is audited (R9).

    One Store per thread (see the module documentation). Errors: ``NotFoundError``
    (unknown id), ``ConflictError`` (a rule refused the write; ``.rule``),
    ``ValidationError``, ``StorageError`` (SQLite; ``.code``).
    """

    @classmethod
    def open(
        cls,
        path: PathLike,
        *,
        policy: Optional[Policy] = None,
        actor: str = _DEFAULTS["actor"],
        busy_timeout_ms: int = _DEFAULTS["busy_timeout_ms"],
        must_exist: bool = _DEFAULTS["must_exist"],
    ) -> "Store":
        """Opens or creates the store at ``path`` (``":memory:"``: a private in-memory
        store), applying pending schema migrations. ``policy`` is applied by the rules and
        queries; without it, the store's settings in force today (R10, :meth:`settings`),
        or ``Policy()`` when the store has none (a report then lists the options of an
        explicit policy that differ from the store's, ``policy_overrides``); ``actor`` is recorded in every audit row;
        ``must_exist`` refuses to create a file. Raises SchemaVersionError (file written
        by a newer libctai, or not a libctai store), StorageError."""
        return cls(os.fspath(path), policy=policy, actor=actor,
                   busy_timeout_ms=busy_timeout_ms, must_exist=must_exist)

    # --- life cycle -----------------------------------------------------------------------
    def __enter__(self) -> "Store":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<ctai.Store closed>"
        return f"<ctai.Store path={str(self.path)!r} persons={self.person_count()}>"

    def transaction(self, reason: str = "") -> Transaction:
        """Begins a write transaction (a savepoint inside another one); use it with
        ``with``. ``reason`` is recorded in the audit rows it writes."""
        return Transaction(super().transaction(reason))

    # --- exchange folders -------------------------------------------------------------------
    def import_dir(self, dir: PathLike, *, actor: Optional[str] = None,
                   reason: Optional[str] = None, progress: Any = None) -> Any:
        """Imports an exchange folder, all or nothing (one transaction). Raises
        ExchangeImportError (``.issues``: every problem, as ImportIssue tuples) and writes
        nothing when any row is invalid or refused by a rule. Importing the same folder
        again changes nothing (``summary.changed == 0``). ``progress``: a callable
        ``progress(stage, done, total)`` (called from the import, with the GIL; an exception
        it raises stops the import, which then writes nothing), or True for a bar on
        stderr."""
        return super().import_dir(os.fspath(dir), actor=actor, reason=reason,
                                  progress=_progress(progress))

    def export_dir(self, dir: PathLike, *, pseudonymization_key: Union[str, bytes, None] = None,
                   birth_precision: str = "year", overwrite: bool = False,
                   progress: Any = None) -> ExportSummary:
        """Writes every table to ``dir`` in the exchange format v1. With
        ``pseudonymization_key`` (at least 16 bytes, used in memory only) ids are replaced
        by keyed hashes, birth dates reduced to ``birth_precision`` ("year" or "month"),
        last contacts dropped and free-text reasons redacted (R9). Refuses to replace
        non-empty exchange files unless ``overwrite``."""
        if isinstance(pseudonymization_key, bytes):
            pseudonymization_key = pseudonymization_key.decode("latin-1")
        return super().export_dir(os.fspath(dir), pseudonymization_key=pseudonymization_key,
                                  birth_precision=birth_precision, overwrite=overwrite,
                                  progress=_progress(progress))

    def tables(self) -> "Dict[str, Columns]":
        """Every table of the exchange format as Columns, keyed by the exchange file names
        without ``.csv`` (persons, permits, protections, situations, journeys, steps, agir,
        referrals, activities, participations, volunteering, housing, partnerships, costs,
        nationalities (dated nationalities, R1: empty when the store has none);
        docs/exchange-format.md gives the columns). The rows are those ``export_dir``
        writes, typed: dates as dates, numbers as numbers, an empty cell as a null;
        ``persons`` adds ``birth_precision`` ("day", "month", "year") and ``birth_year``
        after ``birth_date`` (kept as text: a partial date is never completed)."""
        from ._tables import tables_of

        native = super().export_dir
        return tables_of(self, lambda folder: native(
            folder, pseudonymization_key=None, birth_precision="year", overwrite=True))

    def export_parquet(self, dir: PathLike, *, overwrite: bool = False) -> Dict[str, str]:
        """Writes every table of :meth:`tables` as a Parquet file ``dir/<table>.parquet``
        (needs pyarrow); returns table -> path. Refuses to replace an existing file unless
        ``overwrite`` (FileExistsError). Personal data: the files hold the store's
        identifiers and birth dates, as ``export_dir`` without a key."""
        try:
            import pyarrow.parquet as pq
        except ImportError as error:
            raise ModuleNotFoundError("export_parquet() needs pyarrow: pip install pyarrow") \
                from error
        folder = os.fspath(dir)
        os.makedirs(folder, exist_ok=True)
        tables = self.tables()
        paths = {name: os.path.join(folder, name + ".parquet") for name in tables}
        if not overwrite:
            for path in paths.values():
                if os.path.exists(path):
                    raise FileExistsError(f"export_parquet: {path} exists (overwrite=True "
                                          "replaces it)")
        for name, table in tables.items():
            pq.write_table(table.to_arrow(), paths[name])
        return paths

    # --- columns ------------------------------------------------------------------------------
    def journeys(self, *, contract: Optional[str] = None, action: Optional[int] = None,
                 censor_on: Any = None,
                 columns: Optional[Sequence[str]] = None) -> Columns:
        """R7: journeys (optionally of one contract and/or action) ordered by contract,
        action, entry, id, as Columns: journey_id, person_id, contract_id, action, entry,
        exit (NaT when open), open, referral_source, exit_reason (null when open), positive,
        length (days, null for an open journey without ``censor_on``), overridden, steps,
        end_step_date.

        ``censor_on=D`` gives the journeys *as known on D*: journeys entered after D are
        left out, exits after D are reopened (exit NaT, ``open``, exit_reason null,
        positive False, an end step after D dropped) and ``length = min(exit, D) - entry``.
        ``NotFoundError`` for an unknown contract or action.

        ``columns``: only these columns (in the order above; ValueError for an unknown
        name), reading only what they need: e.g. ``["action", "entry", "exit", "length"]``
        reads no string and not the steps table. Same rows in the same order.

        The text columns are Arrow buffers (offsets + UTF-8 bytes, no Python object per
        row): ``to_pandas()`` gives them pandas' pyarrow-backed text dtype (``str`` on
        pandas >= 3, ``string[pyarrow]`` on pandas 1.5-2.x; ``object`` without pyarrow),
        ``to_arrow()`` the type ``large_string``."""
        if isinstance(columns, str):
            columns = [columns]
        censor_on = as_optional_date(censor_on, "Store.journeys: censor_on")
        return super().journeys(contract=contract, action=action, censor_on=censor_on,
                                columns=None if columns is None else list(columns))

    # --- date arguments: datetime.date, a midnight pandas.Timestamp, numpy.datetime64, ISO text
    def eligibility(self, person_id: str, *, on: Any) -> Any:
        """R1-R6: evaluates one stored person at ``on`` under the store policy (the same
        Eligibility as ctai.evaluate). NotFoundError when unknown."""
        return super().eligibility(person_id, on=as_date(on, "Store.eligibility: on"))

    def eligibility_table(self, *, on: Any, explain: bool = False) -> Columns:
        """R1-R6 for every person at ``on``, by person id, as Columns: person_id,
        nationality_class, primo_arrivant, bpi, bpt, agir, ctai_public, public
        ("not_eligible" when none), primo_anchor, primo_window_end, protection_date,
        agir_window_end, sex, birth_year (null when unknown), in_agir_support.

        With ``explain=True``, also the stable reason code that decided each dimension and
        its date (docs/rules.md, "Reason codes"): primo_reason, primo_reason_date,
        bpi_reason, bpi_reason_date, bpt_reason, bpt_reason_date, agir_reason,
        agir_reason_date; ``df.bpi_reason.value_counts()`` says why. Slower (each person
        evaluated with its reasons); without it nothing is spent on reasons."""
        return super().eligibility_table(on=as_date(on, "Store.eligibility_table: on"),
                                         explain=bool(explain))

    def windows(self, *, on: Any, within: int,
                kind: Union[None, str, Sequence[str]] = None) -> Columns:
        """What ends in (``on``, ``on`` + ``within`` days], as ``ctai windows`` lists it:
        Columns person_id, kind (primo_window, agir_window, agir_support, permit, receipt,
        aps), end (the first day outside), days_left, public (at ``on``), stays (still in
        the CTAI public on ``end``, judged from the facts known on ``on``), stays_as
        ("not_eligible" when the person leaves). ``kind``: one kind, a list of kinds or
        None for all. ``within``: 0..36500 days (ValueError otherwise)."""
        on = as_date(on, "Store.windows: on")
        if isinstance(within, bool) or not isinstance(within, int):
            raise TypeError(f"Store.windows: within must be an int (days), not {type(within).__name__}")
        if not 0 <= within <= 36500:
            raise ValueError("Store.windows: within must be 0..36500 days")
        kinds = [] if kind is None else [kind] if isinstance(kind, str) else list(kind)
        return super().windows(on=on, within=within, kinds=[WindowKind(k) for k in kinds])

    def eligibility_for(self, person_ids: Sequence[str], *, on: Any) -> Columns:
        """R1-R6 for many (person, date) checks in one call: ``on`` is one date for every
        person, or one date per person (a sequence of dates or a datetime64 array). The
        columns of eligibility_table with ``on`` after person_id, one row per check, in the
        order given. NotFoundError for an unknown person."""
        if not hasattr(on, "__len__") or isinstance(on, str):
            on = as_date(on, "Store.eligibility_for: on")
        return super().eligibility_for(list(person_ids), on=on)

    def journey_stats(self, *, contract: Optional[str] = None, action: Optional[int] = None,
                      on: Any) -> Any:
        """R7: journey-length statistics at ``on`` (open journeys censored there; see
        :func:`ctai.journey_stats` for any grouping). NotFoundError for an unknown
        contract or action."""
        return super().journey_stats(contract=contract, action=action,
                                     on=as_date(on, "Store.journey_stats: on"))

    def journey_stats_by_public(self, *, contract: Optional[str] = None,
                                action: Optional[int] = None, on: Any) -> Any:
        """R7: journey_stats split by the public category at entry: keys "bpi", "bpt",
        "primo_arrivant", "not_eligible" (only those with journeys)."""
        return super().journey_stats_by_public(
            contract=contract, action=action, on=as_date(on, "Store.journey_stats_by_public: on"))

    # --- reports --------------------------------------------------------------------------------
    def report(self, contract_id: Union[str, Contract], *, start: Optional[_dt.date] = None,
               end: Optional[_dt.date] = None, evaluated_on: Optional[_dt.date] = None,
               publish: bool = False, k: Optional[int] = None) -> Report:
        """R8: ``ctai.build_report(self, contract_id, ...)``, the evaluation report of a
        contract (see :func:`ctai.build_report`). ``report.to_dict()`` is ``ctai report
        --format json``."""
        from ._report import build_report

        return build_report(self, contract_id, start=start, end=end, evaluated_on=evaluated_on,
                            publish=publish, k=k)

    # --- deprecated spellings (one release, CHANGELOG.md) -----------------------------------
    def anonymise_expired(self, today: _dt.date) -> AnonymizationReport:
        """Deprecated spelling of :meth:`anonymize_expired` (goes in the next release)."""
        _deprecated("Store.anonymise_expired", "Store.anonymize_expired")
        return self.anonymize_expired(today)
