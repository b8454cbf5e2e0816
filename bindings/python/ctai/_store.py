"""The case store: ``ctai.Store``, a Pythonic shell over the C++ ``ctai::Store``
(``_core._Store``). The work (SQL, rules, columns, reports) is done in C++ without the GIL.

Threads: a Store is one SQLite connection. Use one Store per thread (open the same file
in each thread: WAL mode lets them read in parallel, writers wait up to
``busy_timeout_ms`` for the write lock). A Store shared by two threads is safe but
serialised (each call takes the Store's lock).
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _core
from ._columns import Columns
from ._core import CaseSnapshot, Eligibility, Report
from ._enums import Need, ReferralSource, StepKind
from ._exchange import _deprecated
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
from ._model import AgirSupport, Person, PersonCase
from ._policy import Policy

__all__ = ["Store", "Transaction"]

_DEFAULTS = _core._store_defaults()

PathLike = Union[str, "os.PathLike[str]"]


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


class Store:
    """A case store: one SQLite file (or ``":memory:"``) holding the people tracked, their
    statuses, journeys, referrals and activities. Open it with :meth:`Store.open`, as a
    context manager; every write applies the domain rules (R6/R7) and is audited (R9).

    One Store per thread (see the module documentation). Errors: ``NotFoundError``
    (unknown id), ``ConflictError`` (a rule refused the write; ``.rule``),
    ``ValidationError``, ``StorageError`` (SQLite; ``.code``).
    """

    __slots__ = ("_native", "__weakref__")

    def __init__(self, native: Any) -> None:
        if not isinstance(native, _core._Store):
            raise TypeError("use ctai.Store.open(path, ...) to open a store")
        self._native = native

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
        store), applying pending schema migrations. ``policy`` (default ``Policy()``) is
        applied by the rules and queries; ``actor`` is recorded in every audit row;
        ``must_exist`` refuses to create a file. Raises SchemaVersionError (file written
        by a newer libctai, or not a libctai store), StorageError."""
        return cls(
            _core._Store.open(
                os.fspath(path) if not isinstance(path, str) else path,
                policy=policy,
                actor=actor,
                busy_timeout_ms=busy_timeout_ms,
                must_exist=must_exist,
            )
        )

    # --- life cycle -----------------------------------------------------------------------
    def close(self) -> None:
        """Closes the connection (pending transactions are rolled back). Idempotent."""
        self._native.close()

    @property
    def closed(self) -> bool:
        return self._native.closed

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<ctai.Store closed>"
        return f"<ctai.Store path={str(self.path)!r} persons={self.person_count()}>"

    # --- properties -------------------------------------------------------------------------
    @property
    def path(self) -> str:
        """The file path (``":memory:"`` for an in-memory store)."""
        return str(self._native.path())

    @property
    def policy(self) -> Policy:
        """The policy of the rules and queries; assignable."""
        return self._native.policy()

    @policy.setter
    def policy(self, value: Policy) -> None:
        self._native.set_policy(value)

    @property
    def actor(self) -> str:
        """The actor recorded in the following audit rows (R9); assignable."""
        return self._native.actor()

    @actor.setter
    def actor(self, value: str) -> None:
        self._native.set_actor(value)

    @property
    def schema_version(self) -> int:
        """The schema version of the open file (PRAGMA user_version)."""
        return self._native.schema_version()

    @staticmethod
    def latest_schema_version() -> int:
        """The schema version this library writes."""
        return _core._Store.latest_schema_version()

    @property
    def in_transaction(self) -> bool:
        return self._native.in_transaction()

    def transaction(self, reason: str = "") -> Transaction:
        """Begins a write transaction (a savepoint inside another one); use it with
        ``with``. ``reason`` is recorded in the audit rows it writes."""
        return Transaction(self._native.transaction(reason))

    # --- exchange folders -------------------------------------------------------------------
    def import_dir(self, dir: PathLike, *, actor: Optional[str] = None,
                   reason: Optional[str] = None) -> ImportSummary:
        """Imports an exchange folder, all or nothing (one transaction). Raises
        ExchangeImportError (``.issues``: every problem, as ImportIssue tuples) and writes
        nothing when any row is invalid or refused by a rule. Importing the same folder
        again changes nothing (``summary.changed == 0``)."""
        return ImportSummary._from_core(self._native.import_dir(os.fspath(dir), actor=actor, reason=reason))

    def export_dir(self, dir: PathLike, *, pseudonymization_key: Union[str, bytes, None] = None,
                   birth_precision: str = "year", overwrite: bool = False) -> ExportSummary:
        """Writes every table to ``dir`` in the exchange format v1. With
        ``pseudonymization_key`` (at least 16 bytes, used in memory only) ids are replaced
        by keyed hashes, birth dates reduced to ``birth_precision`` ("year" or "month"),
        last contacts dropped and free-text reasons redacted (R9). Refuses to replace
        non-empty exchange files unless ``overwrite``."""
        if isinstance(pseudonymization_key, bytes):
            pseudonymization_key = pseudonymization_key.decode("latin-1")
        return ExportSummary(**self._native.export_dir(
            os.fspath(dir), pseudonymization_key=pseudonymization_key,
            birth_precision=birth_precision, overwrite=overwrite))

    # --- contracts -----------------------------------------------------------------------------
    def contract(self, contract_id: str) -> Contract:
        """A built-in or loaded contract. NotFoundError."""
        return self._native.contract(contract_id)

    def contracts(self) -> List[Contract]:
        """The built-in contracts followed by the loaded ones."""
        return self._native.contracts()

    def put_contract(self, contract: Union[Contract, Dict[str, Any]]) -> bool:
        """Loads (or replaces) a user contract, a Contract or the dict of its JSON file
        (see ``load_contract``), validated by the C++ reader. Returns whether something
        changed."""
        return self._native.put_contract(contract)

    # --- writes ------------------------------------------------------------------------------
    def put_person(self, person: Person) -> bool:
        """Upserts the person row only. Returns whether something changed (audited)."""
        return self._native.put_person(person)

    def put_case(self, case: PersonCase) -> bool:
        """Upserts the person and replaces their permits, protections and situations.
        Returns whether something changed (audited)."""
        return self._native.put_case(case)

    def put_agir_support(self, support: AgirSupport) -> bool:
        """Upserts an AGIR support period (keyed by person and orientation date, R6)."""
        return self._native.put_agir_support(support)

    def enroll(self, person_id: str, contract_id: str, action: int, *, on: _dt.date,
               source: Union[ReferralSource, str], override_reason: Optional[str] = None,
               need: Union[Need, str, None] = None, id: Optional[str] = None) -> str:
        """R6/R7: enrolls a person in an action on ``on`` (a new open journey with an
        intake step) after checking the public, prerequisite and AGIR rules; returns the
        journey id. ``override_reason`` (non-blank) overrides the rules and is audited.
        ConflictError names the rule broken."""
        return self._native.enroll(person_id, contract_id, action, on=on, source=source,
                                   override_reason=override_reason, need=need, id=id)

    def add_step(self, journey_id: str, step: Union[StepKind, str], *, on: _dt.date) -> None:
        """R7: adds a dated step to a journey (inside entry..exit)."""
        self._native.add_step(journey_id, step, on=on)

    def exit_journey(self, journey_id: str, *, on: _dt.date, reason: str) -> None:
        """R7: closes an open journey with an exit reason of the contract's vocabulary."""
        self._native.exit_journey(journey_id, on=on, reason=reason)

    def propose_referral(self, person_id: str, from_: str, to: str, need: Union[Need, str], *,
                         on: _dt.date, id: Optional[str] = None) -> str:
        """R6: records a proposed referral; ``from_``/``to`` are ``agir`` or
        ``<contract_id>:<action>``. Returns the referral id."""
        return self._native.propose_referral(person_id, from_, to, need, on=on, id=id)

    def accept_referral(self, referral_id: str, *, on: _dt.date) -> None:
        """R6: proposed -> accepted."""
        self._native.accept_referral(referral_id, on=on)

    def decline_referral(self, referral_id: str, *, on: _dt.date, reason: str) -> None:
        """R6: proposed -> declined, with a reason."""
        self._native.decline_referral(referral_id, on=on, reason=reason)

    def complete_referral(self, referral_id: str, *, on: _dt.date) -> None:
        """R6: accepted -> completed."""
        self._native.complete_referral(referral_id, on=on)

    def cancel_referral(self, referral_id: str, *, on: _dt.date, reason: str) -> None:
        """R6: accepted -> cancelled, with a reason (ConflictError "R6.referral_transition"
        when out of order)."""
        self._native.cancel_referral(referral_id, on=on, reason=reason)

    # --- reads -------------------------------------------------------------------------------
    def person(self, person_id: str) -> Person:
        """NotFoundError when unknown."""
        return self._native.person(person_id)

    def find_person(self, person_id: str) -> Optional[Person]:
        return self._native.find_person(person_id)

    def person_case(self, person_id: str) -> PersonCase:
        """The person with permits, protections and situations. NotFoundError."""
        return self._native.person_case(person_id)

    def person_ids(self) -> List[str]:
        """All person ids, sorted."""
        return self._native.person_ids()

    def person_count(self) -> int:
        return self._native.person_count()

    def journey(self, journey_id: str) -> Journey:
        """NotFoundError when unknown."""
        return Journey._from_core(self._native.journey(journey_id))

    def journeys_of(self, person_id: str) -> List[Journey]:
        """The person's journeys, by entry date then id."""
        return [Journey._from_core(j) for j in self._native.journeys_of(person_id)]

    def agir_supports_of(self, person_id: str) -> List[AgirSupport]:
        return self._native.agir_supports_of(person_id)

    def referral(self, referral_id: str) -> Referral:
        """NotFoundError when unknown."""
        return Referral(**self._native.referral(referral_id))

    def referrals_of(self, person_id: str) -> List[Referral]:
        return [Referral(**r) for r in self._native.referrals_of(person_id)]

    def eligibility(self, person_id: str, *, on: _dt.date) -> Eligibility:
        """R1-R6: evaluates one stored person at ``on`` under the store policy (the same
        Eligibility as ``ctai.evaluate``). NotFoundError when unknown."""
        return self._native.eligibility(person_id, on=on)

    def case_snapshot(self) -> CaseSnapshot:
        """Every case of the store (persons with permits, protections, situations, and AGIR
        supports) in memory, read in one pass per table: see :class:`CaseSnapshot`. The
        Store keeps it too: while the data is unchanged, :meth:`eligibility`,
        :meth:`eligibility_for`, :meth:`eligibility_table` and :meth:`report` use it instead
        of reading the file. A write through this Store, a commit by another connection or a
        new policy makes it stale; it is read again when needed."""
        return self._native.case_snapshot()

    def drop_case_snapshot(self) -> None:
        """Frees the Store's case snapshot (snapshots already handed out stay valid)."""
        self._native.drop_case_snapshot()

    # --- columns ------------------------------------------------------------------------------
    def eligibility_table(self, *, on: _dt.date) -> Columns:
        """R1-R6 for every person at ``on``, by person id, as Columns: person_id,
        nationality_class, primo_arrivant, bpi, bpt, agir, ctai_public, public, primo_anchor,
        primo_window_end, protection_date, agir_window_end, sex, birth_year (0 when
        unknown), in_agir_support."""
        return Columns(self._native.eligibility_table(on=on), {"on": on})

    def eligibility_for(self, person_ids: Sequence[str], *, on: Any) -> Columns:
        """R1-R6 for many (person, date) checks in one call (performance.md W5): ``on`` is
        one date for every person, or one date per person (a sequence of dates or a
        datetime64 array). Same columns as :meth:`eligibility_table`, one row per check,
        in the order given. NotFoundError for an unknown person."""
        return Columns(self._native.eligibility_for(list(person_ids), on=on), {})

    def journeys(self, *, contract: Optional[str] = None, action: Optional[int] = None,
                 censor_on: Optional[_dt.date] = None,
                 columns: Optional[Sequence[str]] = None) -> Columns:
        """R7: journeys (optionally of one contract and/or action) ordered by contract,
        action, entry, id, as Columns: journey_id, person_id, contract_id, action, entry,
        exit (NaT when open), open, referral_source, exit_reason ("" when open), positive,
        length (days; for open journeys ``censor_on - entry``, or -1 without
        ``censor_on``), overridden, steps, end_step_date.

        ``columns``: only these columns (in the order above; ValueError for an unknown
        name), reading only what they need: e.g. ``["action", "entry", "exit", "length"]``
        reads no string and not the steps table. Same rows in the same order.

        The text columns are Arrow buffers (offsets + UTF-8 bytes, no Python object per
        row): ``to_pandas()`` gives them pandas' pyarrow-backed text dtype (``str`` on
        pandas >= 3, ``string[pyarrow]`` on pandas 1.5-2.x; ``object`` without pyarrow),
        ``to_arrow()`` the type ``large_string``."""
        if isinstance(columns, str):
            columns = [columns]
        return Columns(self._native.journeys(contract=contract, action=action, censor_on=censor_on,
                                             columns=None if columns is None else list(columns)))

    def referrals(self) -> Columns:
        """R6: every referral as Columns: referral_id, person_id, from, to, need, status,
        proposed_on, decided_on, completed_on."""
        return self._native.referrals()

    def activities(self, *, contract: Optional[str] = None) -> Columns:
        """R8: activities as Columns: activity_id, contract_id, action, kind, type, date,
        hours, co_animated, structure, participants, mean_satisfaction (NaN when none)."""
        return self._native.activities(contract=contract)

    # --- statistics and reports ---------------------------------------------------------------
    def journey_stats(self, *, contract: Optional[str] = None, action: Optional[int] = None,
                      on: _dt.date) -> JourneyStats:
        """R7: journey-length statistics at ``on`` (open journeys censored there):
        completed-only mean/median and the Kaplan-Meier median and restricted mean."""
        return JourneyStats._from_core(self._native.journey_stats(contract=contract, action=action, on=on))

    def journey_stats_by_public(self, *, contract: Optional[str] = None,
                                action: Optional[int] = None,
                                on: _dt.date) -> Dict[str, JourneyStats]:
        """R7: journey_stats split by the public category at entry: keys "bpi", "bpt",
        "primo_arrivant", "not_eligible" (only those with journeys)."""
        raw = self._native.journey_stats_by_public(contract=contract, action=action, on=on)
        return {k: JourneyStats._from_core(v) for k, v in raw.items()}

    def report(self, contract_id: Union[str, Contract], *, start: Optional[_dt.date] = None,
               end: Optional[_dt.date] = None, evaluated_on: Optional[_dt.date] = None,
               publish: bool = False, k: Optional[int] = None) -> Report:
        """R8: ``ctai.build_report(self, contract_id, ...)``, the evaluation report of a
        contract (see :func:`ctai.build_report`). ``report.to_dict()`` is ``ctai report
        --format json``."""
        from ._report import build_report

        return build_report(self, contract_id, start=start, end=end, evaluated_on=evaluated_on,
                            publish=publish, k=k)

    # --- audit, retention, fingerprint ----------------------------------------------------------
    def audit_log(self, *, entity: Optional[str] = None, entity_id: Optional[str] = None,
                  person_id: Optional[str] = None, after_seq: int = 0) -> List[AuditEntry]:
        """R9: audit rows in order, optionally filtered."""
        return [AuditEntry(**a) for a in self._native.audit_log(
            entity=entity, entity_id=entity_id, person_id=person_id, after_seq=after_seq)]

    def retention_candidates(self, today: _dt.date) -> List[str]:
        """R9: persons whose retention period from their last contact has ended."""
        return self._native.retention_candidates(today)

    def anonymize_expired(self, today: _dt.date) -> AnonymizationReport:
        """R9: anonymizes every retention candidate, keeping the statistical dimensions."""
        return AnonymizationReport(**self._native.anonymize_expired(today))

    def anonymise_expired(self, today: _dt.date) -> AnonymizationReport:
        """Deprecated spelling of :meth:`anonymize_expired` (goes in the next release)."""
        _deprecated("Store.anonymise_expired", "Store.anonymize_expired")
        return self.anonymize_expired(today)

    def fingerprint(self) -> DataFingerprint:
        """The data version for report reproducibility (R8)."""
        return DataFingerprint(*self._native.fingerprint())

    def integrity_check(self) -> str:
        """SQLite ``PRAGMA integrity_check`` ("ok" when sound)."""
        return self._native.integrity_check()
