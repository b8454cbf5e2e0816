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
from typing import Any, Optional, Sequence, Union

from . import _core
from ._columns import Columns
from ._contract import Contract
from ._core import Report
from ._exchange import AnonymizationReport, ExportSummary, _deprecated
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
        store), applying pending schema migrations. ``policy`` (default ``Policy()``) is
        applied by the rules and queries; ``actor`` is recorded in every audit row;
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
    def export_dir(self, dir: PathLike, *, pseudonymization_key: Union[str, bytes, None] = None,
                   birth_precision: str = "year", overwrite: bool = False) -> ExportSummary:
        """Writes every table to ``dir`` in the exchange format v1. With
        ``pseudonymization_key`` (at least 16 bytes, used in memory only) ids are replaced
        by keyed hashes, birth dates reduced to ``birth_precision`` ("year" or "month"),
        last contacts dropped and free-text reasons redacted (R9). Refuses to replace
        non-empty exchange files unless ``overwrite``."""
        if isinstance(pseudonymization_key, bytes):
            pseudonymization_key = pseudonymization_key.decode("latin-1")
        return super().export_dir(os.fspath(dir), pseudonymization_key=pseudonymization_key,
                                  birth_precision=birth_precision, overwrite=overwrite)

    # --- columns ------------------------------------------------------------------------------
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
        return super().journeys(contract=contract, action=action, censor_on=censor_on,
                                columns=None if columns is None else list(columns))

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
