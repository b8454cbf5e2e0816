"""R7: journey-length statistics over any columns: ``ctai.journey_stats(entry, exit, on=...,
by=...)`` and ``ctai.journey_curves(...)``. The grouping is done here (pandas); every
group's figures are computed in C++ (``ctai::journey_stats``, domain/stats.cpp: completed
mean and median, Kaplan-Meier median with its 95 % exponential-Greenwood interval as
lifelines' KaplanMeierFitter gives it, restricted mean)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._checks import as_date, type_name
from ._columns import Columns, _require

__all__ = ["journey_stats", "journey_curves"]

_NO_DATE = np.iinfo(np.int32).min

#: The columns of ``journey_stats``' DataFrame after the grouping columns.
STAT_COLUMNS = [
    "count", "completed", "open", "excluded_not_started", "mean_days", "median_days",
    "km_median_days", "km_median_lower_days", "km_median_upper_days",
    "km_restricted_mean_days", "km_tau_days",
]


def _day_numbers(values: Any, where: str, missing_ok: bool) -> np.ndarray:
    """int32 day numbers (days since 1970-01-01; INT32_MIN when missing) of dates given as
    a datetime64 array, a pandas Series, a ctai column, integer day numbers or a sequence
    of dates / ISO strings / None."""
    if hasattr(values, "to_numpy"):
        arr = values.to_numpy()
    else:
        arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"journey_stats: {where} must be one-dimensional")
    if arr.dtype.kind in "iu":
        days = arr.astype(np.int64)
        missing = np.zeros(len(arr), dtype=bool)
    else:
        if arr.dtype.kind != "M":
            items = []
            for v in arr.tolist():
                if v is None or (isinstance(v, float) and np.isnan(v)) or (
                        type(v).__name__ == "NaTType"):
                    items.append(None)
                else:
                    items.append(np.datetime64(as_date(v, f"journey_stats: {where}"), "D"))
            arr = np.array(items, dtype="datetime64[D]")
        arr = arr.astype("datetime64[D]")
        missing = np.isnat(arr)
        days = arr.view(np.int64)
    if missing.any() and not missing_ok:
        raise _core.ValidationError(f"journey_stats: {where} has missing dates "
                                    f"({int(missing.sum())} rows)")
    out = days.astype(np.int32)
    out[missing] = _NO_DATE
    return out


def _inputs(entry: Any, exit: Any, by: Any) -> Tuple[np.ndarray, np.ndarray, Any, List[str]]:
    """(entry days, exit days, grouping DataFrame or None, grouping names)."""
    frame = None
    if isinstance(entry, Columns):
        frame = entry
    elif hasattr(entry, "columns") and hasattr(entry, "iloc"):  # a pandas DataFrame
        frame = entry
    elif type(entry).__module__.startswith("polars") and hasattr(entry, "to_pandas"):
        frame = entry.to_pandas()
    if frame is not None:
        if exit is not None:
            raise TypeError("journey_stats: give a table (with columns entry and exit) or the "
                            "two columns, not both")
        exit = frame["exit"]
        entry_values = frame["entry"]
    else:
        if exit is None:
            raise TypeError(f"journey_stats: exit is required when entry is a "
                            f"{type_name(entry)} (not a table with entry and exit columns)")
        entry_values = entry
    e = _day_numbers(entry_values, "entry", missing_ok=False)
    x = _day_numbers(exit, "exit", missing_ok=True)
    if len(e) != len(x):
        raise _core.ValidationError("journey_stats: entry and exit differ in length")
    if by is None:
        return e, x, None, []
    pd = _require("pandas", "journey_stats(by=...)")
    keys: Dict[str, Any] = {}
    items = by if isinstance(by, (list, tuple)) else [by]
    for k, item in enumerate(items):
        if isinstance(item, str):
            if frame is None:
                raise TypeError(f"journey_stats: by={item!r} names a column, but entry is not "
                                "a table")
            if isinstance(frame, Columns):
                keys[item] = frame.to_pandas()[item] if item in frame else frame[item]
            else:
                keys[item] = frame[item]
        elif hasattr(item, "columns") and hasattr(item, "iloc"):
            for name in item.columns:
                keys[str(name)] = item[name]
        else:
            name = getattr(item, "name", None)
            keys[str(name) if name is not None else f"by_{k}"] = item
    # Positional: a Series' own index (e.g. of a filtered frame) is dropped.
    groups = pd.DataFrame({name: (v.reset_index(drop=True) if isinstance(v, pd.Series)
                                  else pd.Series(np.asarray(v)))
                           for name, v in keys.items()})
    if len(groups) != len(e):
        raise _core.ValidationError("journey_stats: by differs in length from entry")
    return e, x, groups, list(keys)


def _stats_by_group(entry: Any, exit: Any, on: Any, by: Any):
    on = as_date(on, "journey_stats: on")
    e, x, groups, names = _inputs(entry, exit, by)
    if groups is None:
        return names, [((), _core._journey_stats_days(e, x, on))]
    out = []
    grouped = groups.groupby(names, dropna=False, observed=True, sort=True)
    for key, positions in grouped.indices.items():
        key = key if isinstance(key, tuple) else (key,)
        idx = np.asarray(positions)
        out.append((key, _core._journey_stats_days(e[idx], x[idx], on)))
    return names, out


def journey_stats(entry: Any, exit: Any = None, *, on: Any, by: Any = None) -> Any:
    """R7: journey-length statistics per group, as a pandas DataFrame.

    ``entry`` and ``exit``: two date columns (NumPy ``datetime64``, pandas Series, ctai
    columns, sequences of dates; ``exit`` missing = still open), or one table (a pandas or
    polars DataFrame, ``ctai.Columns``) with columns ``entry`` and ``exit`` and ``exit``
    omitted. ``on`` (a date): journeys entering after it are left out
    (``excluded_not_started``), exits after it count as still open (censored at ``on``).
    ``by``: nothing (one row), a column name of the table, a Series / array, or a list of
    them, or a DataFrame of grouping columns; every group is kept, a missing key included
    (no journey is lost).

    One row per group (the grouping columns first, sorted), then ``count``, ``completed``,
    ``open``, ``excluded_not_started``, ``mean_days`` and ``median_days`` (completed
    journeys only), ``km_median_days`` with its 95 % confidence interval
    ``km_median_lower_days`` / ``km_median_upper_days`` (exponential Greenwood, lifelines'
    default; NaN when the curve or the bound never reaches 0.5), ``km_restricted_mean_days``
    (area under the curve up to ``km_tau_days``, the largest observed length)."""
    pd = _require("pandas", "journey_stats()")
    names, results = _stats_by_group(entry, exit, on, by)
    rows = []
    for key, s in results:
        row: Dict[str, Any] = dict(zip(names, key))
        for c in STAT_COLUMNS:
            v = getattr(s, c)
            row[c] = np.nan if v is None else v
        rows.append(row)
    df = pd.DataFrame(rows, columns=names + STAT_COLUMNS)
    for c in ("count", "completed", "open", "excluded_not_started"):
        df[c] = df[c].astype("int64")
    for c in STAT_COLUMNS[4:]:
        df[c] = df[c].astype("float64")
    return df


def journey_curves(entry: Any, exit: Any = None, *, on: Any, by: Any = None) -> Any:
    """The Kaplan-Meier curves of :func:`journey_stats` as one long DataFrame: the grouping
    columns, then ``time`` (days since entry), ``at_risk``, ``events``, ``censored``,
    ``survival`` and its 95 % pointwise interval ``lower`` / ``upper`` (exponential
    Greenwood), one row per distinct observed length of each group."""
    pd = _require("pandas", "journey_curves()")
    names, results = _stats_by_group(entry, exit, on, by)
    parts = []
    for key, s in results:
        part = s.to_pandas()
        for name, value in reversed(list(zip(names, key))):
            part.insert(0, name, value)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=names + ["time", "at_risk", "events", "censored",
                                             "survival", "lower", "upper"])
    return pd.concat(parts, ignore_index=True)
