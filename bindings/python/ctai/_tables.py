"""``Store.tables()``: every table of the exchange format as ctai.Columns, keyed by the
exchange file names (persons, permits, ..., costs). The rows are those ``export_dir``
writes (the store's export reads, in C++, into a private temporary folder), typed here:
dates as dates, numbers as numbers, empty cells as nulls."""

from __future__ import annotations

import csv
import os
import re
import tempfile
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ._columns import Columns

__all__ = ["TABLES", "tables_of"]

#: The tables of the exchange format, in the format's order (docs/exchange-format.md).
TABLES = ["persons", "permits", "protections", "situations", "journeys", "steps", "agir",
          "referrals", "activities", "participations", "volunteering", "housing",
          "partnerships", "costs", "nationalities"]
#: Files written only when they have rows: an empty table then, with these columns.
_OPTIONAL = {"nationalities": ["person_id", "nationality", "acquired_on", "lost_on"]}

_DATES = {"valid_from", "valid_to", "decision_date", "notification_date", "displaced_on",
          "end_date", "start", "end", "entry_date", "exit_date", "date", "orientation_date",
          "proposed_on", "decided_on", "completed_on", "cir_date", "last_contact",
          "acquired_on", "lost_on"}
_INTS = {"action", "cdd_months", "satisfaction", "participants"}
_FLAGS = {"co_animated", "exit_housing", "exit_activity"}
#: Text even when every value looks like a number.
_TEXT = {"birth_date", "department", "household_id", "nationalities", "nationality"}
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_NO_INT = np.iinfo(np.int32).min


def _kind(table: str, name: str, values: List[str]) -> str:
    if name in _DATES:
        return "date"
    if name in _INTS:
        return "int32"
    if name in _FLAGS:
        return "bool" if all(v in ("0", "1") for v in values) else "string"
    if name in _TEXT or name.endswith("_id"):
        return "string"
    if table == "costs" and values and all(v == "" or _NUMBER.match(v) for v in values):
        return "float64"
    if name == "hours":
        return "float64"
    return "string"


def _strings(values: List[str]) -> Tuple[np.ndarray, np.ndarray]:
    encoded = [v.encode("utf-8") for v in values]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    total = int(lengths.sum())
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32 if total < 2**31 - 1 else np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets, np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()


def _columns(table: str, header: List[str], rows: List[List[str]]) -> Columns:
    specs: List[Tuple[str, str, Optional[str]]] = []
    data: Dict[str, Any] = {}
    nulls: Dict[str, Any] = {}
    for k, name in enumerate(header):
        values = [r[k] if k < len(r) else "" for r in rows]
        kind = _kind(table, name, values)
        if kind == "date":
            data[name] = np.array([v or "NaT" for v in values], dtype="datetime64[D]")
        elif kind == "int32":
            data[name] = np.array([int(v) if v else _NO_INT for v in values], dtype=np.int32)
            nulls[name] = _NO_INT
        elif kind == "float64":
            data[name] = np.array([float(v) if v else np.nan for v in values], dtype=np.float64)
        elif kind == "bool":
            data[name] = np.array([v == "1" for v in values], dtype=bool)
        else:
            data[name] = _strings(values)
            nulls[name] = ""
        specs.append((name, kind, None))
        if table == "persons" and name == "birth_date":
            # The precision of a partial birth date (R0.4) and its year.
            precision = ["" if not v else "year" if len(v) == 4 else "month" if len(v) == 7
                         else "day" for v in values]
            specs.append(("birth_precision", "string", None))
            data["birth_precision"] = _strings(precision)
            nulls["birth_precision"] = ""
            specs.append(("birth_year", "int32", None))
            data["birth_year"] = np.array([int(v[:4]) if v else _NO_INT for v in values],
                                          dtype=np.int32)
            nulls["birth_year"] = _NO_INT
    if not header:
        specs, data = [], {}
    return Columns((specs, data), {"table": table}, nulls=nulls)


def tables_of(store: Any, export: Any) -> Dict[str, Columns]:
    with tempfile.TemporaryDirectory(prefix="ctai-tables-") as tmp:
        export(tmp)
        out: Dict[str, Columns] = {}
        for table in TABLES:
            path = os.path.join(tmp, table + ".csv")
            if not os.path.exists(path):
                if table in _OPTIONAL:
                    out[table] = _columns(table, _OPTIONAL[table], [])
                continue
            with open(path, newline="", encoding="utf-8-sig") as f:
                reader = csv.reader(f)
                header = next(reader, [])
                rows = list(reader)
            out[table] = _columns(table, header, rows)
        return out
