#!/usr/bin/env python3
"""Runs libctai's workloads W1-W7 and the tools analysts would otherwise use, side by side on
the same data, and writes docs/performance.md (see /work/shared/spec/performance.md).

    python3 bench/run_peers.py [--build build-bench] [--large] [--sizes S,M] [--persons N]
                               [--reps 5] [--check-only] [--out docs/performance.md]

For each size the cohort is written by the `ctai_cohort` tool (cached under
BUILD/bench-data/<size>/ unless --regen), the C++ harness `ctai_bench` runs (its results are
read from Google Benchmark's JSON output), then each peer runs in this process. Every answer
is checked against a slow reference first: a wrong answer is reported as FAIL and not timed.
Times are the median of --reps runs (spread = min-max); ratios are peer / ctai and
ctai / floor.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"S": 10_000, "M": 100_000, "L": 1_000_000}
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

try:  # peers: bench/requirements.txt
    import numpy as np
    import pandas as pd
    import polars as pl
    import duckdb
    import pyarrow.csv as pacsv
    from dateutil.relativedelta import relativedelta
except ImportError as e:  # pragma: no cover
    sys.exit(f"run_peers.py: a peer package is missing ({e}); pip install -r bench/requirements.txt")

if os.environ.get("CTAI_PYTHONPATH"):
    sys.path.insert(0, os.environ["CTAI_PYTHONPATH"])
try:
    import ctai  # the Python package (pip install . from the repository)
except ImportError:
    ctai = None


# ------------------------------------------------------------------------------------------
# Small helpers


def day(iso: str | None) -> int | None:
    return None if not iso else dt.date.fromisoformat(iso).toordinal() - EPOCH_ORDINAL


def date_of(days: int) -> dt.date:
    return dt.date.fromordinal(days + EPOCH_ORDINAL)


def leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def ref_add_years(d: dt.date, n: int) -> dt.date:
    """R0.1: same day n years later, clamped to the month end (29 Feb -> 28 Feb)."""
    y = d.year + n
    return d.replace(year=y, day=28) if (d.month == 2 and d.day == 29 and not leap(y)) else d.replace(year=y)


class Fail(Exception):
    """A wrong answer: reported as FAIL, not timed."""


def expect(ok: bool, what: str) -> None:
    if not ok:
        raise Fail(what)


def timeit(fn, reps: int):
    """Runs fn reps times; returns (median, min, max) seconds and the last result."""
    times, out = [], None
    for _ in range(reps):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times), out


class Results:
    """Rows of the tables of docs/performance.md: results[workload][size] = list of rows."""

    def __init__(self):
        self.rows = defaultdict(lambda: defaultdict(list))
        self.notes = defaultdict(list)
        self.skipped = {}  # size -> workloads not run at that size

    def add(self, w, size, tool, median=None, lo=None, hi=None, status="ok", note="", role="peer",
            unit_count=None):
        self.rows[w][size].append(dict(tool=tool, median=median, lo=lo, hi=hi, status=status,
                                       note=note, role=role, unit_count=unit_count))

    def get(self, w, size, tool):
        for r in self.rows[w][size]:
            if r["tool"] == tool and r["status"] == "ok":
                return r["median"]
        return None


# Peers shown to give wrong answers on purpose (W4: SQLite's date arithmetic on 29 February).
KNOWN_WRONG = {"SQLite date(x, '+5 years')"}


def measure(res: Results, w, size, tool, check, run, reps, note="", role="peer", unit_count=None):
    """Checks run() once with check(answer) (raises Fail) then times it."""
    try:
        check(run())
    except Fail as e:
        res.add(w, size, tool, status="FAIL", note=str(e), role=role)
        print(f"  {w} {tool}: FAIL {e}", flush=True)
        return None
    except Exception as e:  # a peer that cannot run here
        res.add(w, size, tool, status="error", note=f"{type(e).__name__}: {e}"[:200], role=role)
        print(f"  {w} {tool}: error {e}", flush=True)
        traceback.print_exc()
        return None
    if reps == 0:
        res.add(w, size, tool, status="ok", note="checked only", role=role)
        return None
    med, lo, hi, _ = timeit(run, reps)
    res.add(w, size, tool, med, lo, hi, note=note, role=role, unit_count=unit_count)
    print(f"  {w} {tool}: {med * 1e3:.2f} ms", flush=True)
    return med


def measure_first(res: Results, w, size, tool, check, run, role="part", unit_count=None):
    """Times the first run() (one that changes state, e.g. a new store building its snapshot
    on its way: a second run would measure something else), then checks its answer."""
    try:
        gc.collect()
        t0 = time.perf_counter()
        out = run()
        t = time.perf_counter() - t0
        check(out)
    except Fail as e:
        res.add(w, size, tool, status="FAIL", note=str(e), role=role)
        print(f"  {w} {tool}: FAIL {e}", flush=True)
        return None
    res.add(w, size, tool, t, t, t, note="one run: the first on a newly opened store", role=role,
            unit_count=unit_count)
    print(f"  {w} {tool}: {t * 1e3:.2f} ms", flush=True)
    return t


# ------------------------------------------------------------------------------------------
# The cohort and the C++ harness


def cohort(build: Path, size: str, persons: int, regen: bool) -> Path:
    d = build / "bench-data" / size
    meta = d / "meta.json"
    if not regen and meta.exists() and json.loads(meta.read_text())["persons"] == persons:
        return d
    print(f"== generating {size} ({persons} persons)", flush=True)
    subprocess.run([str(build / "bench" / "ctai_cohort"), "--persons", str(persons), "--out", str(d)],
                   check=True)
    return d


def run_harness(build: Path, data: Path, reps: int, check_only: bool, only=None):
    exe = build / "bench" / "ctai_bench"
    sel = ["--only", ",".join(sorted(only))] if only else []
    if check_only:
        subprocess.run([str(exe), "--data", str(data), "--check-only", *sel], check=True)
        return {}
    out = data / "harness.json"
    subprocess.run([str(exe), "--data", str(data), *sel, f"--benchmark_repetitions={reps}",
                    "--benchmark_report_aggregates_only=true", "--benchmark_format=json",
                    f"--benchmark_out={out}", "--benchmark_out_format=json",
                    "--benchmark_format=console", "--benchmark_min_time=0.2"], check=True)
    return parse_harness(json.loads(out.read_text()))


def parse_harness(doc):
    result = {}
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    for b in doc["benchmarks"]:
        name = re.sub(r"/repeats:\d+$", "", b["run_name"])
        t = b["real_time"] * unit[b["time_unit"]]
        entry = result.setdefault(name, {})
        agg = b.get("aggregate_name", "")
        if agg in ("median", "mean", "stddev", "cv"):
            entry[agg] = t if agg != "cv" else b["real_time"]
        elif not agg:  # a single repetition
            entry["median"] = t
        for k in ("rows", "persons", "feb29_anchors", "items_per_second"):
            if k in b:
                entry[k] = b[k]
    return result


def machine() -> dict:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return dict(cpu=cpu, cores=os.cpu_count(), memory=mem, python=platform.python_version(),
                kernel=platform.release(), load=os.getloadavg())


# ------------------------------------------------------------------------------------------
# Data access shared by the peers


def connect_ro(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


class Cohort:
    def __init__(self, d: Path):
        self.dir = d
        self.meta = json.loads((d / "meta.json").read_text())
        self.db = d / "store.db"
        self.folder = d / "exchange"
        self.contract = self.meta["contract"]
        self.frm = dt.date.fromisoformat(self.meta["from"])
        self.to = dt.date.fromisoformat(self.meta["to"])
        self.on = self.to  # evaluation date of W2 and of the report
        self.persons = self.meta["persons"]
        self.rows = sum(self.meta["rows"].values())

    def table_counts(self, db: Path) -> dict:
        con = sqlite3.connect(db)
        try:
            return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in STORE_TABLES}
        finally:
            con.close()


STORE_TABLES = ["persons", "permits", "protections", "situations", "journeys", "steps",
                "agir_supports", "referrals", "activities", "participations", "volunteering",
                "housing_moves", "partnerships", "costs"]
# Exchange file -> (store table, columns with a position counter keyed by the first column).
FILES = [("persons.csv", "persons"), ("permits.csv", "permits"), ("protections.csv", "protections"),
         ("situations.csv", "situations"), ("agir.csv", "agir_supports"), ("referrals.csv", "referrals"),
         ("journeys.csv", "journeys"), ("steps.csv", "steps"), ("activities.csv", "activities"),
         ("participations.csv", "participations"), ("volunteering.csv", "volunteering"),
         ("housing.csv", "housing_moves"), ("partnerships.csv", "partnerships"), ("costs.csv", "costs")]
DATE_COLS = {"cir_date", "last_contact", "valid_from", "valid_to", "decision_date", "notification_date",
             "displaced_on", "end_date", "start", "end", "entry_date", "exit_date", "orientation_date",
             "proposed_on", "decided_on", "completed_on", "date"}
POSITIONED = {"permits", "protections", "situations", "steps"}
INT_COLS = {"action", "cdd_months", "satisfaction", "co_animated"}
REAL_COLS = {"hours", "total_cost", "subsidy_p104"}


# ------------------------------------------------------------------------------------------
# W1: bulk load of the exchange folder


def w1_python_csv_executemany(c: Cohort, target: Path):
    """Python csv + sqlite3.executemany into the store's own schema (copied from the file)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    src = connect_ro(c.db)
    schema = [r[0] for r in src.execute(
        "SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index'")]
    src.close()
    con = sqlite3.connect(target, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA foreign_keys = ON")
    for s in schema:
        con.execute(s)
    con.execute("BEGIN IMMEDIATE")
    sex = {"F": "female", "M": "male", "": "unknown"}
    for fname, table in FILES:
        path = c.folder / fname
        if not path.exists():
            continue
        with open(path, newline="", encoding="utf-8") as f:
            r = csv.reader(f)
            header = next(r)
            cols = list(header)
            if table in POSITIONED:
                cols.insert(1, "position")
            if table == "persons":
                cols.insert(3, "birth_precision")
            conv = []
            for h in header:
                if h in DATE_COLS:
                    conv.append(day)
                elif h in INT_COLS:
                    conv.append(lambda v: int(v) if v else None)
                elif h in REAL_COLS:
                    conv.append(float)
                elif h == "sex":
                    conv.append(sex.__getitem__)
                elif h == "authority":
                    conv.append(str.lower)
                elif h in ("person_id", "journey_id", "activity_id", "contract_id", "referral_id",
                           "household_id", "nationalities", "department", "type", "structure",
                           "partner", "theme", "association_type", "from", "to", "kind", "step"):
                    conv.append(lambda v: v)
                else:
                    conv.append(lambda v: v if v else None)
            rows = []
            last_key, pos = None, 0
            for rec in r:
                vals = [f(v) for f, v in zip(conv, rec)]
                if table == "persons":
                    b = rec[2]
                    prec = None if not b else {4: "year", 7: "month"}.get(len(b), "day")
                    vals[2] = None if not b else day(b if prec == "day" else (b + "-01-01")[:10] if prec == "year" else b + "-01")
                    vals.insert(3, prec)
                if table in POSITIONED:
                    pos = pos + 1 if rec[0] == last_key else 0
                    last_key = rec[0]
                    vals.insert(1, pos)
                rows.append(vals)
            qcols = ", ".join(f'"{x}"' for x in cols)
            con.executemany(f"INSERT INTO {table} ({qcols}) VALUES ({', '.join('?' * len(cols))})", rows)
    con.execute("COMMIT")
    con.close()
    return target


def w1_pandas(c: Cohort, target: Path):
    """pandas read_csv + to_sql (pandas creates its own tables, no constraints)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    con = sqlite3.connect(target)
    for fname, table in FILES:
        path = c.folder / fname
        if path.exists():
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
            df.to_sql(table, con, index=False, if_exists="replace")
    con.commit()
    con.close()
    return target


def run_w1(res, size, c: Cohort, reps, tmp: Path):
    expected = c.table_counts(c.db)

    def check_counts(path):
        got = c.table_counts(path)
        expect(got == expected, f"row counts {got} != {expected}")

    n = c.rows
    r = 0 if reps == 0 else max(1, min(reps, 3))
    measure(res, "W1", size, "Python csv + sqlite3.executemany (same schema)", check_counts,
            lambda: w1_python_csv_executemany(c, tmp / "w1_py.db"), r, unit_count=n)
    measure(res, "W1", size, "pandas read_csv + to_sql", check_counts,
            lambda: w1_pandas(c, tmp / "w1_pd.db"), r, unit_count=n)


# ------------------------------------------------------------------------------------------
# W2: mean and median of completed journey lengths per action


def w2_reference(c: Cohort):
    on = day(c.on.isoformat())
    con = connect_ro(c.db)
    lengths = defaultdict(list)
    for a, e, x in con.execute("SELECT action, entry_date, exit_date FROM journeys WHERE contract_id = ?",
                               (c.contract,)):
        if x is not None and e <= on and x <= on:
            lengths[a].append(x - e)
    con.close()
    return {a: (len(v), statistics.mean(v), statistics.median(v)) for a, v in lengths.items() if v}


def w2_check(ref):
    def check(got):
        got = {int(a): (int(n), float(m), float(md)) for a, n, m, md in got}
        expect(set(got) == set(ref), f"actions {sorted(got)} != {sorted(ref)}")
        for a, (n, m, md) in ref.items():
            gn, gm, gmd = got[a]
            expect(gn == n and abs(gm - m) < 1e-6 * (1 + abs(m)) and abs(gmd - md) < 1e-9,
                   f"action {a}: got n={gn} mean={gm} median={gmd}, reference n={n} mean={m} median={md}")
    return check


W2_SQL = """
WITH c AS (SELECT action, exit_date - entry_date AS len FROM journeys
           WHERE contract_id = :contract AND exit_date IS NOT NULL AND exit_date <= :on
             AND entry_date <= :on),
r AS (SELECT action, len, row_number() OVER (PARTITION BY action ORDER BY len) AS rn,
             count(*) OVER (PARTITION BY action) AS n, avg(len) OVER (PARTITION BY action) AS mean
      FROM c)
SELECT action, n, mean, avg(len) FROM r WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
GROUP BY action ORDER BY action
"""


def run_w2(res, size, c: Cohort, reps):
    ref = w2_reference(c)
    check = w2_check(ref)
    on = day(c.on.isoformat())
    con = connect_ro(c.db)
    con.execute("PRAGMA cache_size = -1000000")
    measure(res, "W2", size, "SQLite SQL (window functions, on the store file)", check,
            lambda: con.execute(W2_SQL, {"contract": c.contract, "on": on}).fetchall(), reps)

    q = "SELECT action, entry_date, exit_date FROM journeys WHERE contract_id = ?"

    def pandas_agg(df):
        done = df[(df.exit_date.notna()) & (df.exit_date <= on) & (df.entry_date <= on)]
        length = done.exit_date - done.entry_date
        g = length.groupby(done.action)
        out = pd.DataFrame({"n": g.size(), "mean": g.mean(), "median": g.median()})
        return [(a, r.n, r["mean"], r["median"]) for a, r in out.iterrows()]

    measure(res, "W2 cold", size, "pandas read_sql + mean/median", check,
            lambda: pandas_agg(pd.read_sql(q, con, params=(c.contract,))), reps)
    df = pd.read_sql(q, con, params=(c.contract,))
    measure(res, "W2", size, "pandas (DataFrame in memory)", check, lambda: pandas_agg(df), reps)

    ddb = duckdb.connect()
    ddb.execute("SET threads = 1")
    ddb.register("jdf", df)
    ddb.execute("CREATE TABLE journeys AS SELECT * FROM jdf")
    ddb.unregister("jdf")
    dq = ("SELECT action, count(*), avg(exit_date - entry_date), median(exit_date - entry_date) "
          "FROM journeys WHERE exit_date IS NOT NULL AND exit_date <= $on AND entry_date <= $on "
          "GROUP BY action ORDER BY action")
    measure(res, "W2", size, "DuckDB (1 thread, table in memory)", check,
            lambda: ddb.execute(dq, {"on": on}).fetchall(), reps)
    ddb.execute("SET threads = 2")
    measure(res, "W2", size, "DuckDB (2 threads, table in memory)", check,
            lambda: ddb.execute(dq, {"on": on}).fetchall(), reps)
    ddb.close()

    pdf = pl.from_pandas(df)

    def polars_agg():
        out = (pdf.filter(pl.col("exit_date").is_not_null() & (pl.col("exit_date") <= on) & (pl.col("entry_date") <= on))
               .with_columns((pl.col("exit_date") - pl.col("entry_date")).alias("len"))
               .group_by("action").agg(pl.len().alias("n"), pl.col("len").mean().alias("mean"),
                                       pl.col("len").median().alias("median")).sort("action"))
        return out.rows()

    measure(res, "W2", size, "polars (DataFrame in memory)", check, polars_agg, reps)

    if ctai is not None and hasattr(ctai, "Store"):
        def ctai_stats():
            out = []
            with ctai.Store.open(str(c.db)) as store:
                for a in sorted(ref):
                    s = store.journey_stats(action=a, on=c.on)
                    out.append((a, s.completed, s.mean_days, s.median_days))
            return out
        measure(res, "W2 cold", size, "ctai Python Store.journey_stats", check, ctai_stats, reps, role="ctai")
    con.close()


# ------------------------------------------------------------------------------------------
# W3 and W7: the questionnaire breakdown (BPI cells per action at each person's reference date)

# Counted population: persons with a journey of the action overlapping the period; reference
# date: the entry of their first such journey (docs/reports.md, age_reference = entry).
# BPI (R4): a refugee/subsidiary/stateless decision dated on or before ref and in force on it.
# Under 25 (R0.3/R0.4): certain for every compatible birth date, i.e. ref < add_years(first, 25)
# with 29 February -> 28 February in a common year.
# R1/R4: a BPI must be an étranger on the reference date: a French or EU/EEA/Swiss nationality
# (GB counting as EU up to 2020-12-31) ends BPI status. The cohort's nationalities are undated.
NOT_ETRANGER_CODES = ("FR AT BE BG HR CY CZ DK EE FI DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
                      "IS LI NO CH").split()
GB_LAST_EU_DAY = 18627  # 2020-12-31 as a day number


def not_etranger_sql(nat: str, ref: str) -> str:
    """SQL (SQLite and DuckDB) true when the '|'-separated nationalities `nat` make the person
    French or EU/EEA/Swiss on day number `ref`."""
    cell = f"('|' || {nat} || '|')"
    any_code = " OR ".join(f"instr({cell}, '|{c}|') > 0" for c in NOT_ETRANGER_CODES)
    return f"({any_code} OR (instr({cell}, '|GB|') > 0 AND {ref} <= {GB_LAST_EU_DAY}))"


def not_etranger(nationalities: str, ref: float) -> bool:
    codes = set(nationalities.split("|")) if nationalities else set()
    return bool(codes.intersection(NOT_ETRANGER_CODES)) or ("GB" in codes and ref <= GB_LAST_EU_DAY)


W3_SQLITE = """
WITH pop AS (
  SELECT person_id, action, min(entry_date) AS ref FROM journeys
  WHERE contract_id = :contract AND entry_date <= :to AND (exit_date IS NULL OR exit_date >= :from)
  GROUP BY person_id, action),
f AS (
  SELECT pop.action, p.sex,
    EXISTS (SELECT 1 FROM protections pr WHERE pr.person_id = pop.person_id
            AND pr.type IN ('refugee', 'subsidiary', 'stateless') AND pr.decision_date <= pop.ref
            AND (pr.end_date IS NULL OR pr.end_date > pop.ref))
      AND NOT """ + not_etranger_sql("p.nationalities", "pop.ref") + """ AS bpi,
    p.birth_date AS b, pop.ref AS ref
  FROM pop JOIN persons p ON p.person_id = pop.person_id),
y AS (
  SELECT action, sex, bpi, b IS NOT NULL AS has_b,
    CAST(strftime('%Y', b + 2440587.5) AS INTEGER) AS byr, CAST(strftime('%m', b + 2440587.5) AS INTEGER) AS bm,
    CAST(strftime('%d', b + 2440587.5) AS INTEGER) AS bd,
    CAST(strftime('%Y', ref + 2440587.5) AS INTEGER) AS ry, CAST(strftime('%m', ref + 2440587.5) AS INTEGER) AS rm,
    CAST(strftime('%d', ref + 2440587.5) AS INTEGER) AS rd
  FROM f),
u AS (
  SELECT action, sex, bpi,
    has_b AND (ry < byr + 25 OR (ry = byr + 25 AND (rm < bm OR (rm = bm AND rd <
      CASE WHEN bm = 2 AND bd = 29 AND NOT ((byr + 25) % 4 = 0 AND ((byr + 25) % 100 <> 0 OR (byr + 25) % 400 = 0))
           THEN 28 ELSE bd END)))) AS u25
  FROM y)
SELECT action, sex, bpi, u25, count(*) FROM u GROUP BY action, sex, bpi, u25
"""

W3_DUCKDB = """
WITH pop AS (
  SELECT person_id, action, min(entry_date) AS ref FROM journeys
  WHERE contract_id = $contract AND entry_date <= $to AND (exit_date IS NULL OR exit_date >= $from)
  GROUP BY person_id, action),
bp AS (
  SELECT DISTINCT pop.person_id, pop.action FROM pop JOIN protections pr ON pr.person_id = pop.person_id
  JOIN persons pn ON pn.person_id = pop.person_id
  WHERE pr.type IN ('refugee', 'subsidiary', 'stateless') AND pr.decision_date <= pop.ref
    AND (pr.end_date IS NULL OR pr.end_date > pop.ref)
    AND NOT """ + not_etranger_sql("pn.nationalities", "pop.ref") + """),
y AS (
  SELECT pop.action, p.sex, bp.person_id IS NOT NULL AS bpi, p.birth_date IS NOT NULL AS has_b,
    year(DATE '1970-01-01' + CAST(p.birth_date AS INTEGER)) AS byr,
    month(DATE '1970-01-01' + CAST(p.birth_date AS INTEGER)) AS bm,
    day(DATE '1970-01-01' + CAST(p.birth_date AS INTEGER)) AS bd,
    year(DATE '1970-01-01' + CAST(pop.ref AS INTEGER)) AS ry, month(DATE '1970-01-01' + CAST(pop.ref AS INTEGER)) AS rm,
    day(DATE '1970-01-01' + CAST(pop.ref AS INTEGER)) AS rd
  FROM pop JOIN persons p ON p.person_id = pop.person_id
  LEFT JOIN bp ON bp.person_id = pop.person_id AND bp.action = pop.action)
SELECT action, sex, bpi, coalesce(has_b AND (ry < byr + 25 OR (ry = byr + 25 AND (rm < bm OR (rm = bm AND rd <
      CASE WHEN bm = 2 AND bd = 29 AND NOT ((byr + 25) % 4 = 0 AND ((byr + 25) % 100 <> 0 OR (byr + 25) % 400 = 0))
           THEN 28 ELSE bd END)))), false) AS u25, count(*)
FROM y GROUP BY ALL
"""


def cells_from_groups(rows):
    """(action, sex, bpi, u25, n) groups -> {action: {bpi, bpi_men, bpi_women, bpi_under_25}}."""
    out = defaultdict(lambda: dict(bpi=0, bpi_men=0, bpi_women=0, bpi_under_25=0))
    for a, sex, bpi, u25, n in rows:
        if not bpi:
            continue
        cell = out[int(a)]
        cell["bpi"] += int(n)
        cell["bpi_men"] += int(n) if sex == "male" else 0
        cell["bpi_women"] += int(n) if sex == "female" else 0
        cell["bpi_under_25"] += int(n) if u25 else 0
    return {a: v for a, v in out.items() if v["bpi"]}


def report_cells(report: dict):
    out = {}
    for a in report["actions"]:
        p = a["public"]
        cell = {k: p[k]["realised"] or 0 for k in ("bpi", "bpi_men", "bpi_women", "bpi_under_25")}
        if cell["bpi"]:
            out[a["number"]] = cell
    return out


def report_journeys(report: dict):
    return {a["number"]: a["journeys"] for a in report["actions"] if a["journeys"]["count"]}


def load_frames(con, contract):
    j = pd.read_sql("SELECT person_id, action, entry_date, exit_date FROM journeys WHERE contract_id = ?",
                    con, params=(contract,))
    p = pd.read_sql("SELECT person_id, sex, birth_date, nationalities FROM persons", con)
    pr = pd.read_sql("SELECT person_id, type, decision_date, end_date FROM protections", con)
    return j, p, pr


def under25_np(b, ref):
    """R0.3 'moins de 25 ans' (certain) from day numbers (b may be NaN), vectorised."""
    bd = pd.to_datetime(b.fillna(0).astype("int64"), unit="D")
    rd = pd.to_datetime(ref.astype("int64"), unit="D")
    byr, bm, bdd = bd.dt.year.values, bd.dt.month.values, bd.dt.day.values
    ry, rm, rdd = rd.dt.year.values, rd.dt.month.values, rd.dt.day.values
    y25 = byr + 25
    common = ~((y25 % 4 == 0) & ((y25 % 100 != 0) | (y25 % 400 == 0)))
    adj = np.where((bm == 2) & (bdd == 29) & common, 28, bdd)
    under = (ry < y25) | ((ry == y25) & ((rm < bm) | ((rm == bm) & (rdd < adj))))
    return under & b.notna().values


def w3_pandas(j, p, pr, c: Cohort):
    frm, to = day(c.frm.isoformat()), day(c.to.isoformat())
    ov = j[(j.entry_date <= to) & (j.exit_date.isna() | (j.exit_date >= frm))]
    pop = ov.groupby(["person_id", "action"], as_index=False).entry_date.min().rename(columns={"entry_date": "ref"})
    q = pr[pr.type.isin(["refugee", "subsidiary", "stateless"])].merge(pop, on="person_id")
    q = q[(q.decision_date <= q.ref) & (q.end_date.isna() | (q.end_date > q.ref))]
    q = q.merge(p[["person_id", "nationalities"]], on="person_id")
    q = q[[not not_etranger(n, r) for n, r in zip(q.nationalities, q.ref)]]
    bpi_keys = q[["person_id", "action"]].drop_duplicates().assign(bpi=True)
    f = pop.merge(p[["person_id", "sex", "birth_date"]], on="person_id").merge(bpi_keys, on=["person_id", "action"], how="left")
    f["bpi"] = f.bpi.astype("boolean").fillna(False).astype(bool)
    f["u25"] = under25_np(f.birth_date, f.ref)
    g = f.groupby(["action", "sex", "bpi", "u25"]).size().reset_index()
    return cells_from_groups(g.itertuples(index=False, name=None))


def run_w3(res, size, c: Cohort, reps, report: dict):
    expected = report_cells(report)

    def check(cells):
        expect(cells == expected, f"cells {cells} != report {expected}")

    frm, to = day(c.frm.isoformat()), day(c.to.isoformat())
    params = {"contract": c.contract, "from": frm, "to": to}
    con = connect_ro(c.db)
    con.execute("PRAGMA cache_size = -1000000")
    measure(res, "W3", size, "SQLite GROUP BY (on the store file)", check,
            lambda: cells_from_groups(con.execute(W3_SQLITE, params).fetchall()), reps)
    j, p, pr = load_frames(con, c.contract)
    measure(res, "W3", size, "pandas (frames in memory)", check, lambda: w3_pandas(j, p, pr, c), reps)
    ddb = duckdb.connect()
    ddb.execute("SET threads = 1")
    for name, df in (("journeys", j.assign(contract_id=c.contract)), ("persons", p), ("protections", pr)):
        ddb.register("tmp_df", df)
        ddb.execute(f"CREATE TABLE {name} AS SELECT * FROM tmp_df")
        ddb.unregister("tmp_df")
    measure(res, "W3", size, "DuckDB (1 thread, tables in memory)", check,
            lambda: cells_from_groups(ddb.execute(W3_DUCKDB, params).fetchall()), reps)
    ddb.close()
    con.close()


def w7_pandas_from_csv(folder: Path, contract: str, frm: dt.date, to: dt.date):
    """The report's journey block and BPI cells, computed with pandas from the CSV folder."""
    j = pd.read_csv(folder / "journeys.csv", usecols=["person_id", "contract_id", "action", "entry_date", "exit_date"],
                    parse_dates=["entry_date", "exit_date"])
    p = pd.read_csv(folder / "persons.csv", usecols=["person_id", "sex", "birth_date", "nationalities"], dtype=str,
                    keep_default_na=False)
    pr = pd.read_csv(folder / "protections.csv", usecols=["person_id", "type", "decision_date", "end_date"],
                     parse_dates=["decision_date", "end_date"])
    def days(x):
        """datetime64 values (NaT allowed) -> float day numbers (NaN for NaT)."""
        v = np.asarray(x, dtype="datetime64[D]")
        out = v.astype("int64").astype("float64")
        out[np.isnat(v)] = np.nan
        return out

    j = j[j.contract_id == contract]
    j = j.assign(entry_date=days(j.entry_date), exit_date=days(j.exit_date))
    pr = pr.assign(decision_date=days(pr.decision_date), end_date=days(pr.end_date))
    b = p.birth_date
    n = b.str.len()
    full = b.where(n != 4, b + "-01-01").where(n != 7, b + "-01")
    p = pd.DataFrame({"person_id": p.person_id, "sex": p.sex.map({"F": "female", "M": "male"}).fillna("unknown"),
                      "birth_date": days(pd.to_datetime(full.where(b != ""), format="%Y-%m-%d")),
                      "nationalities": p.nationalities})

    class C:
        pass
    cc = C()
    cc.frm, cc.to = frm, to
    cells = w3_pandas(j, p, pr, cc)
    f, t = day(frm.isoformat()), day(to.isoformat())
    ov = j[(j.entry_date <= t) & (j.exit_date.isna() | (j.exit_date >= f))]
    done = ov[ov.exit_date.notna() & (ov.exit_date <= t)]
    length = done.exit_date - done.entry_date
    g = length.groupby(done.action)
    jb = {}
    for a, cnt in ov.groupby("action").size().items():
        n = int(g.size().get(a, 0))
        jb[int(a)] = dict(count=int(cnt), completed=n, open=int(cnt) - n,
                          mean_days=round(float(g.mean()[a]), 1) if n else None,
                          median_days=float(g.median()[a]) if n else None)
    return {"cells": {str(k): v for k, v in cells.items()}, "journeys": {str(k): v for k, v in jb.items()}}


def cold(cmd, reps):
    """Median wall time and peak RSS (MiB) of a cold process. The peak RSS comes from
    /usr/bin/time -f %M: the rusage of a child forked from this (large) Python process would
    keep the parent's high-water mark across exec."""
    walls, rss, out = [], [], b""
    timer = Path("/usr/bin/time")
    for _ in range(reps):
        with tempfile.NamedTemporaryFile(suffix=".rss") as f:
            full = ([str(timer), "-f", "%M", "-o", f.name] if timer.exists() else []) + [str(x) for x in cmd]
            t0 = time.perf_counter()
            proc = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            walls.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                raise RuntimeError(f"{' '.join(map(str, cmd))} exited with {proc.returncode}: "
                                   f"{proc.stderr.decode()[-500:]}")
            text = Path(f.name).read_text().strip().splitlines()
            rss.append(int(text[-1]) / 1024 if text and text[-1].isdigit() else float("nan"))
        out = proc.stdout
    return statistics.median(walls), min(walls), max(walls), max(rss), out


def columnar_size(folder: Path) -> int:
    """Bytes of the exchange folder held as Arrow columns (dates as date32, strings utf8)."""
    total = 0
    for f in sorted(folder.glob("*.csv")):
        total += pacsv.read_csv(f).nbytes
    return total


def run_w7(res, size, c: Cohort, reps, build: Path):
    """Cold-process report (ctai_cohort --report) vs pandas from the CSV folder (also a cold
    process). Returns the report JSON (the expected answer of W3)."""
    exe = build / "bench" / "ctai_cohort"
    r = 0 if reps == 0 else max(1, min(reps, 3))
    med, lo, hi, rss, out = cold([str(exe), "--report", str(c.db), "--contract", c.contract], r)
    report = json.loads(out)
    col = columnar_size(c.folder)
    res.add("W7", size, "ctai report (cold process: open, build_report, to_json)", med, lo, hi, role="ctai",
            note=f"peak RSS {rss:.0f} MiB = {rss * 2**20 / col:.1f}x the columnar size ({col / 2**20:.0f} MiB)")
    res.notes[("W7", size)].append(dict(rss=rss, columnar=col))
    print(f"  W7 ctai: {med:.3f} s, peak RSS {rss:.0f} MiB", flush=True)
    cli = build / "cli" / "ctai"
    if cli.exists():
        try:
            m2, l2, h2, rss2, _ = cold([str(cli), "report", str(c.db), "--contract", c.contract, "--format", "json"], r)
            res.add("W7", size, "`ctai report --format json` (the CLI)", m2, l2, h2, role="ctai",
                    note=f"peak RSS {rss2:.0f} MiB")
        except Exception as e:
            res.add("W7", size, "`ctai report` (the CLI)", status="error", note=str(e)[:200], role="ctai")
    # The pandas peer, in its own process so that its peak memory is its own.
    expected_cells = report_cells(report)
    expected_j = report_journeys(report)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--w7-child", str(c.dir)]
    try:
        _, _, _, _, pout = cold(cmd, 1)
        got = json.loads(pout)
        cells = {int(k): v for k, v in got["cells"].items()}
        expect(cells == expected_cells, f"cells {cells} != report {expected_cells}")
        for a, jb in expected_j.items():
            g = got["journeys"].get(str(a))
            expect(g is not None, f"action {a} missing")
            for k in ("count", "completed", "open", "mean_days", "median_days"):
                expect(g[k] == jb[k], f"action {a} {k}: {g[k]} != report {jb[k]}")
        pm, pl_, ph, prss, _ = cold(cmd, r)
        res.add("W7", size, "pandas from the CSV folder (cold process; journey block + BPI cells only)",
                pm, pl_, ph, note=f"peak RSS {prss:.0f} MiB")
        print(f"  W7 pandas: {pm:.3f} s", flush=True)
    except Fail as e:
        res.add("W7", size, "pandas from the CSV folder", status="FAIL", note=str(e)[:300])
        print(f"  W7 pandas: FAIL {e}", flush=True)
    return report


# ------------------------------------------------------------------------------------------
# W4: window membership for every person at one date


def w4_starts(c: Cohort):
    con = connect_ro(c.db)
    rows = con.execute("SELECT (SELECT min(valid_from) FROM permits pm WHERE pm.person_id = p.person_id) "
                       "FROM persons p ORDER BY p.person_id").fetchall()
    con.close()
    return [r[0] for r in rows]


def run_w4(res, size, c: Cohort, reps):
    on = dt.date(2025, 2, 28)  # the day SQLite gets 29 February 2020 + 5 years wrong
    starts = w4_starts(c)
    n = len(starts)
    # Slow reference: the scalar rule per row, in plain Python.
    ref5 = [s is not None and date_of(s) <= on < ref_add_years(date_of(s), 5) for s in starts]
    ref2 = [s is not None and date_of(s) <= on < ref_add_years(date_of(s), 2) for s in starts]
    feb29 = sum(1 for s in starts if s is not None and date_of(s).month == 2 and date_of(s).day == 29)
    ref5a, ref2a = np.array(ref5), np.array(ref2)

    def check(pair):
        a5, a2 = (np.asarray(x, dtype=bool) for x in pair)
        bad = int((a5 != ref5a).sum() + (a2 != ref2a).sum())
        expect(bad == 0, f"{bad} of {2 * n} answers disagree with the legal rule (29 February)")

    arr = np.array([s if s is not None else np.iinfo(np.int64).min for s in starts], dtype=np.int64)
    d64 = arr.astype("datetime64[D]")  # INT64_MIN = NaT
    on64 = np.datetime64(on.isoformat(), "D")
    ser = pd.Series(d64)
    ts_on = pd.Timestamp(on)

    def pandas_run():
        return tuple(((ser <= ts_on) & (ser + pd.DateOffset(years=k) > ts_on)).values for k in (5, 2))

    measure(res, "W4", size, "pandas DateOffset(years=5)", check, pandas_run, reps, unit_count=n)

    ddb = duckdb.connect()
    ddb.execute("SET threads = 1")
    ddb.register("sdf", pd.DataFrame({"s": d64}))
    ddb.execute("CREATE TABLE starts AS SELECT * FROM sdf")

    def duck_run():
        t = ddb.execute("SELECT coalesce(s <= $on AND $on < s + INTERVAL 5 YEAR, false), "
                        "coalesce(s <= $on AND $on < s + INTERVAL 2 YEAR, false) FROM starts", {"on": on}).fetchnumpy()
        return tuple(t[k] for k in t)

    measure(res, "W4", size, "DuckDB + INTERVAL 5 YEAR (1 thread)", check, duck_run, reps, unit_count=n)
    ddb.close()

    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE starts (i INTEGER PRIMARY KEY, s INTEGER)")
    con.executemany("INSERT INTO starts (s) VALUES (?)", ((s,) for s in starts))
    ons = on.isoformat()

    def sqlite_run():
        rows = con.execute("SELECT coalesce(date(s + 2440587.5) <= :on AND :on < date(s + 2440587.5, '+5 years'), 0), "
                           "coalesce(date(s + 2440587.5) <= :on AND :on < date(s + 2440587.5, '+2 years'), 0) "
                           "FROM starts ORDER BY i", {"on": ons}).fetchall()
        return [r[0] for r in rows], [r[1] for r in rows]

    measure(res, "W4", size, "SQLite date(x, '+5 years')", check, sqlite_run, reps, unit_count=n)
    con.close()

    def dateutil_run():
        o5, o2 = [], []
        for s in starts:
            if s is None:
                o5.append(False)
                o2.append(False)
                continue
            d = date_of(s)
            o5.append(d <= on < d + relativedelta(years=5))
            o2.append(d <= on < d + relativedelta(years=2))
        return o5, o2

    measure(res, "W4", size, "pure Python loop with dateutil", check, dateutil_run, 0 if reps == 0 else max(1, min(reps, 3)), unit_count=n)

    if ctai is not None and hasattr(ctai, "within_years"):
        measure(res, "W4", size, "ctai.within_years from Python (datetime64[D] array)", check,
                lambda: (ctai.within_years(d64, 5, on=on), ctai.within_years(d64, 2, on=on)), reps,
                role="ctai", unit_count=n)
    res.notes[("W4", size)].append(dict(feb29=feb29, persons=n))


# ------------------------------------------------------------------------------------------
# W5 / W6: Python Store binding


def run_w5_w6(res, size, c: Cohort, reps):
    if ctai is None or not hasattr(ctai, "Store"):
        why = "not available yet: the Python Store binding is not installed" if ctai is not None else \
            "not available yet: the ctai Python package is not installed"
        res.add("W5", size, "ctai Store.eligibility", status="n/a", note=why, role="ctai")
        res.add("W6", size, "ctai Store.journeys().to_pandas()", status="n/a", note=why, role="ctai")
        return
    import random
    rnd = random.Random(42)
    con = connect_ro(c.db)
    ids = [r[0] for r in con.execute("SELECT person_id FROM persons ORDER BY person_id")]
    k = min(100_000, 10 * len(ids))
    pairs = [(rnd.choice(ids), c.frm + dt.timedelta(days=rnd.randrange(0, 366))) for _ in range(k)]
    pr = defaultdict(list)
    for pid, t, d, e in con.execute("SELECT person_id, type, decision_date, end_date FROM protections"):
        pr[pid].append((t, d, e))
    nat = dict(con.execute("SELECT person_id, nationalities FROM persons"))

    def py_bpi(pid, on):  # pure-Python R4 (BPI, an étranger: R1) on the loaded rows
        o = day(on.isoformat())
        return any(t in ("refugee", "subsidiary", "stateless") and d <= o and (e is None or e > o)
                   for t, d, e in pr[pid]) and not not_etranger(nat[pid], o)

    with ctai.Store.open(str(c.db)) as store:
        ref = [store.eligibility(pid, on=on).bpi for pid, on in pairs[:2000]]

        def chk(got):
            expect(list(got[:2000]) == ref, "BPI answers differ from ctai's")

        with ctai.Store.open(str(c.db)) as fresh:
            measure_first(res, "W5", size, f"ctai Store.eligibility ({k} calls, fresh store: point reads, then the snapshot the store builds itself)", chk,
                          lambda: [fresh.eligibility(pid, on=on).bpi for pid, on in pairs], role="part", unit_count=k)
        snap = store.case_snapshot()
        expect(len(snap) == len(ids), "case_snapshot: person count")
        try:
            snap.eligibility(pairs[0][0], on=pairs[0][1], explain=False)
            quick = True
        except TypeError:  # a ctai without the explain switch
            quick = False
        if quick:
            measure(res, "W5", size, f"ctai CaseSnapshot.eligibility ({k} calls, snapshot from Store.case_snapshot(), explain=False: answers without the reason sentences)", chk,
                    lambda: [snap.eligibility(pid, on=on, explain=False).bpi for pid, on in pairs], reps, role="ctai", unit_count=k)
        measure(res, "W5", size, f"ctai CaseSnapshot.eligibility ({k} calls, snapshot from Store.case_snapshot(), with its reasons)", chk,
                lambda: [snap.eligibility(pid, on=on).bpi for pid, on in pairs], reps, role="part" if quick else "ctai", unit_count=k)
        measure(res, "W5", size, f"ctai Store.eligibility ({k} calls, store holding its snapshot: checks data_version per call)", chk,
                lambda: [store.eligibility(pid, on=on).bpi for pid, on in pairs], reps, role="part", unit_count=k)
        pids = [pid for pid, _ in pairs]
        ons = np.array([on for _, on in pairs], dtype="datetime64[D]")
        if hasattr(snap, "verdicts"):
            idx = snap.index(pids)
            measure(res, "W5", size, f"ctai CaseSnapshot.verdicts (one batch of {k}: index and date arrays in, flag arrays out)",
                    lambda cols: chk(cols.bpi.tolist()),
                    lambda: snap.verdicts(idx, on=ons), reps, role="batch", unit_count=k)
            measure(res, "W5", size, f"  for scale: CaseSnapshot.index ({k} person ids to indexes, once per set of persons)",
                    lambda got: expect(len(got) == k, "index: row count"),
                    lambda: snap.index(pids), reps, role="part", unit_count=k)
        measure(res, "W5", size, f"ctai Store.eligibility_for (one batch of {k} person ids, every column, case snapshot loaded)",
                lambda cols: chk(cols.bpi.astype(bool).tolist()),
                lambda: store.eligibility_for(pids, on=ons), reps,
                role="part" if hasattr(snap, "verdicts") else "batch", unit_count=k)
        store.drop_case_snapshot()
        measure(res, "W5", size, f"ctai Store.eligibility_for (one batch of {k}, reading the cases inside the call)",
                lambda cols: chk(cols.bpi.astype(bool).tolist()),
                lambda: (store.drop_case_snapshot(), store.eligibility_for(pids, on=ons))[1], reps, role="part", unit_count=k)
    q = ("SELECT EXISTS (SELECT 1 FROM protections WHERE person_id = ?1 AND type IN ('refugee','subsidiary','stateless') "
         "AND decision_date <= ?2 AND (end_date IS NULL OR end_date > ?2)) AND NOT EXISTS (SELECT 1 FROM persons p "
         "WHERE p.person_id = ?1 AND " + not_etranger_sql("p.nationalities", "?2") + ")")
    measure(res, "W5", size, f"indexed SQLite lookup via sqlite3 ({k} calls, BPI rule only)",
            lambda got: expect(list(got[:2000]) == ref, "differs"),
            lambda: [bool(con.execute(q, (pid, day(on.isoformat()))).fetchone()[0]) for pid, on in pairs],
            reps, unit_count=k)
    measure(res, "W5", size, f"pure Python rules ({k} calls, BPI rule only)",
            lambda got: expect(list(got[:2000]) == ref, "differs"),
            lambda: [py_bpi(pid, on) for pid, on in pairs], reps, unit_count=k)
    jq = "SELECT * FROM journeys"
    n = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
    measure(res, "W6", size, "pandas read_sql", lambda df: expect(len(df) == n, "rows"),
            lambda: pd.read_sql(jq, con), reps)
    measure(res, "W6", size, "sqlite3 fetchall", lambda r: expect(len(r) == n, "rows"),
            lambda: con.execute(jq).fetchall(), reps)
    with ctai.Store.open(str(c.db)) as store:
        measure(res, "W6", size, "ctai Store.journeys().to_pandas()", lambda df: expect(len(df) == n, "rows"),
                lambda: store.journeys().to_pandas(), reps, role="ctai")
    con.close()


# ------------------------------------------------------------------------------------------
# The document


def fmt_t(s):
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} us"


def fmt_r(x):
    if x is None:
        return "-"
    return f"{x:.0f}x" if x >= 10 else f"{x:.1f}x"


def harness_rows(res: Results, size, h: dict, c: Cohort):
    """C++ harness results -> rows (role ctai / floor / reference)."""
    def add(w, name, tool, role, unit=None):
        e = h.get(name)
        if not e or "median" not in e:
            return
        sd = e.get("stddev")
        lo = hi = None
        if sd is not None:
            lo, hi = e["median"] - sd, e["median"] + sd
        res.add(w, size, tool, e["median"], lo, hi, role=role, note="C++ harness" + (" (±1 sd)" if sd else ""),
                unit_count=unit)
    n = c.persons
    add("W1", "W1/ctai_import_dir/iterations:1", "ctai import_dir (C++)", "ctai", c.rows)
    add("W1", "W1/ctai_read_exchange_dir/iterations:1", "  of which read_exchange_dir (parse + validate)", "part", c.rows)
    add("W1", "W1/floor_raw_insert/iterations:1", "floor: raw SQLite C API prepared inserts, same schema", "floor", c.rows)
    add("W2", "W2/warm/ctai_journey_stats", "ctai journey_stats on JourneyColumns (C++, warm)", "ctai")
    add("W2", "W2/warm/floor", "floor: int32 loop + nth_element", "floor")
    add("W2 cold", "W2/cold/ctai_journeys_stats", "ctai Store::journeys(JourneyFields::lengths) + journey_stats (C++)", "ctai")
    add("W2 cold", "W2/cold/ctai_journeys_only", "  of which Store::journeys(JourneyFields::lengths)", "part")
    add("W2 cold", "W2/cold/ctai_journeys_all_columns", "  for scale: Store::journeys() with every column", "part")
    add("W2 cold", "W2/cold/floor_3_columns", "floor: raw SQLite C API, the 3 columns W2 needs", "floor")
    add("W2 cold", "W2/cold/floor_all_columns", "floor: raw SQLite C API, all JourneyColumns columns", "floor2")
    add("W3", "W3/ctai_build_report", "ctai build_report (C++, whole report; store open, its contract data and case snapshot kept)", "ctai")
    add("W3", "W3/ctai_build_report_reading", "  same, reading the contract's rows and every case inside the call (snapshots dropped first)", "part")
    k5 = min(100_000, 10 * n)
    add("W5", "W5/point_reads", "C++ Store::eligibility, point reads from the file (no snapshot)", "part", 1)
    add("W5", "W5/point_snapshot", "C++ Store::eligibility, case snapshot held", "part", 1)
    add("W5", "W5/point_loop_cold/iterations:1", f"C++ loop of {k5} Store::eligibility on a newly opened store (it builds its snapshot when worth it)", "part", k5)
    add("W5", "W5/batch_snapshot", f"C++ Store::eligibility_for, one batch of {k5}, snapshot held", "part", k5)
    add("W5", "W5/batch_cold", f"C++ Store::eligibility_for, one batch of {k5}, cases read inside the call", "part", k5)
    add("W5", "W5/verdicts", f"C++ CaseSnapshot::verdicts, one batch of {k5} (indexes and day numbers in)", "part", k5)
    add("W7", "W7/part_case_snapshot", "  for scale: Store::case_snapshot() (every case read into memory)", "part")
    add("W7", "W7/ctai_open_report_json", "ctai open + build_report + to_json (C++, in process)", "part")
    add("W7", "W7/part_fingerprint", "  of which Store::fingerprint()", "part")
    add("W7", "W7/part_eligibility_table", "  for scale: Store::eligibility_table(to)", "part")
    add("W7", "W7/part_all_cases", "  for scale: Store::all_cases()", "part")
    add("W4", f"W4/ctai_within_years/{n}", "ctai::within_years (C++, int32, 5y + 2y)", "ctai", n)
    add("W4", f"W4/floor/{n}", "floor: int32 loop vs two constants", "floor", n)
    add("W4", f"W4/naive_add_years/{n}", "naive per-row ctai::add_years (C++)", "part", n)
    if n != 1_000_000:
        add("W4", "W4/ctai_within_years/1000000", "ctai::within_years, 10^6 persons (tiled)", "part", 1_000_000)
        add("W4", "W4/floor/1000000", "floor, 10^6 persons (tiled)", "part", 1_000_000)


def table(res: Results, w: str, sizes):
    lines = ["| size | tool | role | median | spread | peer / ctai | ctai / floor | note |",
             "|---|---|---|---|---|---|---|---|"]
    for size in sizes:
        rows = res.rows[w].get(size, [])
        if not rows:
            continue
        ctai_t = next((r["median"] for r in rows if r["role"] == "ctai" and r["status"] == "ok" and r["median"]), None)
        floor_t = next((r["median"] for r in rows if r["role"] == "floor" and r["status"] == "ok" and r["median"]), None)
        for r in rows:
            spread = "-" if r["lo"] is None else f"{fmt_t(r['lo'])} - {fmt_t(r['hi'])}"
            ratio = ctai_floor = "-"
            if r["status"] != "ok":
                med = f"**{r['status'].upper()}**"
            else:
                med = fmt_t(r["median"])
                if r["median"] and ctai_t and r["role"] == "peer":
                    ratio = fmt_r(r["median"] / ctai_t)
                if r["median"] and r["role"] in ("floor", "floor2") and ctai_t:
                    ctai_floor = fmt_r(ctai_t / r["median"])
            note = r["note"]
            if r["unit_count"] and r["median"] and r["status"] == "ok":
                per = r["median"] / r["unit_count"]
                note = (note + "; " if note else "") + (f"{r['unit_count'] / r['median'] / 1e6:.2f} M rows/s"
                                                        if w == "W1" else f"{per * 1e9:.1f} ns/item")
            lines.append(f"| {size} | {r['tool']} | {r['role']} | {med} | {spread} | {ratio} | {ctai_floor} | {note} |")
    return "\n".join(lines)


def best(res, w, size, tools_prefix):
    for r in res.rows[w].get(size, []):
        if r["tool"].startswith(tools_prefix) and r["status"] == "ok" and r["median"]:
            return r["median"]
    return None


def role_t(res, w, size, role):
    return next((r["median"] for r in res.rows[w].get(size, []) if r["role"] == role and r["status"] == "ok"
                 and r["median"]), None)


def verdicts(res: Results, sizes):
    out = []

    def v(w, text, ok):
        out.append(f"| {w} | {text} | {'met' if ok else ('**missed**' if ok is not None else 'not measured')} |")

    for size in sizes:
        ct = role_t(res, "W1", size, "ctai")
        fl = role_t(res, "W1", size, "floor")
        py = best(res, "W1", size, "Python csv")
        rows = next((r["unit_count"] for r in res.rows["W1"].get(size, []) if r["role"] == "ctai"), None)
        if ct and rows:
            v("W1", f"{size}: >= 1 000 000 rows/s: {rows / ct / 1e6:.2f} M rows/s (floor {rows / fl / 1e6:.2f} M rows/s)" if fl else f"{size}: rows/s", rows / ct >= 1e6)
            v("W1", f"{size}: >= 5x Python executemany: {py / ct:.1f}x" if py else f"{size}: vs executemany", (py / ct >= 5) if py else None)
        cw = role_t(res, "W2", size, "ctai")
        fw = role_t(res, "W2", size, "floor")
        sq = best(res, "W2", size, "SQLite")
        dk = best(res, "W2", size, "DuckDB (1")
        if cw and fw:
            v("W2 warm", f"{size}: <= 3x floor: {cw / fw:.1f}x", cw / fw <= 3)
        if cw and sq:
            v("W2 warm", f"{size}: >= 50x SQLite SQL: {sq / cw:.1f}x", sq / cw >= 50)
        if cw and dk:
            v("W2 warm", f"{size}: >= 5x DuckDB 1 thread: {dk / cw:.1f}x", dk / cw >= 5)
        cc = role_t(res, "W2 cold", size, "ctai")
        fc = role_t(res, "W2 cold", size, "floor")
        fa = role_t(res, "W2 cold", size, "floor2")
        pdc = best(res, "W2 cold", size, "pandas read_sql")
        if cc and fc:
            v("W2 cold", f"{size}: <= 1.3x raw SQLite extraction: {cc / fc:.1f}x the 3-column floor, "
                         f"{cc / fa:.1f}x the all-column floor" if fa else "", cc / fc <= 1.3)
        if cc and pdc:
            v("W2 cold", f"{size}: >= 4x pandas read_sql + mean: {pdc / cc:.1f}x", pdc / cc >= 4)
        c3 = role_t(res, "W3", size, "ctai")
        s3 = best(res, "W3", size, "SQLite")
        d3 = best(res, "W3", size, "DuckDB")
        if c3 and s3:
            v("W3", f"{size}: >= 30x SQLite GROUP BY: {s3 / c3:.2f}x", s3 / c3 >= 30)
        if c3 and d3:
            v("W3", f"{size}: >= 3x DuckDB: {d3 / c3:.2f}x", d3 / c3 >= 3)
        c4 = role_t(res, "W4", size, "ctai")
        p4 = best(res, "W4", size, "pandas")
        n4 = next((r["unit_count"] for r in res.rows["W4"].get(size, []) if r["role"] == "ctai"), None)
        big = next((r for r in res.rows["W4"].get(size, []) if r["tool"].startswith("ctai::within_years, 10^6")), None)
        if c4 and n4:
            v("W4", f"{size}: <= 15 ns per person (two windows): {c4 / n4 * 1e9:.2f} ns", c4 / n4 <= 15e-9)
        if big and big["median"]:
            v("W4", f"{size} run, 10^6 persons tiled: {big['median'] / 1e6 * 1e9:.2f} ns per person", big["median"] / 1e6 <= 15e-9)
        if c4 and p4:
            v("W4", f"{size}: >= 20x pandas: {p4 / c4:.0f}x", p4 / c4 >= 20)
        w7 = role_t(res, "W7", size, "ctai")
        if w7:
            note = res.notes.get(("W7", size), [{}])[0]
            scale = 1e6 / SIZES.get(size, 1e6) if size in SIZES else None
            ratio = note.get("rss", 0) * 2**20 / note["columnar"] if note.get("columnar") else None
            v("W7", f"{size}: <= 2 s end to end for 10^6 persons: {w7:.2f} s at {size}"
                    + (f" (linear extrapolation to 10^6: {w7 * scale:.0f} s)" if scale and scale > 1 else ""),
              (w7 * (scale or 1)) <= 2)
            if ratio:
                v("W7", f"{size}: peak memory <= 2x columnar size: {ratio:.1f}x", ratio <= 2)
        w5 = [r for r in res.rows["W5"].get(size, []) if r["role"] == "ctai"]
        if w5 and w5[0]["status"] == "n/a":
            out.append(f"| W5, W6 | {size}: {w5[0]['note']} | not measured |")
        elif w5 and w5[0]["median"] and w5[0].get("unit_count"):
            per = w5[0]["median"] / w5[0]["unit_count"]
            v("W5", f"{size}: <= 1 us per call from Python (CaseSnapshot.eligibility): {per * 1e9:.0f} ns", per <= 1e-6)
            for r in res.rows["W5"][size]:
                if r["role"] == "part" and r["tool"].startswith("ctai Store.eligibility (") and r["median"]:
                    pc = r["median"] / r["unit_count"]
                    v("W5", f"{size}: same with Store.eligibility, {r['tool'].split('calls, ')[1].rstrip(')')}: {pc * 1e9:.0f} ns per call",
                      pc <= 1e-6)
        b5 = next((r for r in res.rows["W5"].get(size, []) if r["role"] == "batch" and r["median"]), None)
        if b5 and b5.get("unit_count"):
            per = b5["median"] / b5["unit_count"]
            v("W5", f"{size}: batch call <= 20 ns per check (Python, arrays in and out): {per * 1e9:.0f} ns", per <= 20e-9)
        w6 = role_t(res, "W6", size, "ctai")
        p6 = best(res, "W6", size, "pandas read_sql")
        if w6 and p6:
            v("W6", f"{size}: >= 4x pandas read_sql: {p6 / w6:.2f}x", p6 / w6 >= 4)
    return out


def write_doc(path: Path, res: Results, sizes, mach, started, notes_file: Path, check_only: bool):
    parts = [
        "# Performance of libctai",
        "",
        "Generated by `bench/run_peers.py` (run `scripts/bench.sh`; see bench/README.md). Do not edit "
        "the tables by hand: the analysis at the end comes from `bench/analysis.md`.",
        "",
        "## Machine and run",
        "",
        f"- CPU: {mach['cpu']}, {mach['cores']} cores; memory {mach['memory']}; Linux {mach['kernel']}; "
        f"Python {mach['python']}",
        f"- load average at start {mach['load'][0]:.2f} / at the end {mach.get('load_end', os.getloadavg())[0]:.2f}; started {started}",
        "- **Noise:** this machine has 2 cores that may be shared with other jobs (the load averages "
        "above tell how busy it was); ratios measured side by side in one run are meaningful, absolute "
        "times less so. Times are medians of repeated runs; spread is min-max (C++ harness: median ± 1 "
        "standard deviation over its repetitions).",
        f"- Peers: pandas {pd.__version__}, polars {pl.__version__}, DuckDB {duckdb.__version__}, "
        f"NumPy {np.__version__}, SQLite {sqlite3.sqlite_version}; ctai Python package: "
        f"{'installed' if ctai is not None else 'not installed (Python-side workloads skipped)'}.",
        "- Data: `ctai_cohort` (seed 20231015, contract dijon-2023-2024): S = 10^4, M = 10^5, L = 10^6 persons.",
        "- Roles: **ctai** = the libctai time the ratios use; **floor** = what the hardware allows "
        "(plain int32 loops, raw SQLite C API); **peer** = the tools analysts would otherwise use; "
        "**part** = a part of a ctai workload or an extra for scale. peer / ctai > 1 means ctai is "
        "faster; ctai / floor is ctai's overhead over the floor.",
    ]
    for size, skipped in sorted(res.skipped.items()):
        parts.append(f"- Not run at {size}: {', '.join(skipped)} (`--large-only`; see the analysis).")
    parts += [
        "",
    ]
    if check_only:
        parts += ["**Check-only run: answers verified, nothing timed.**", ""]
    descriptions = {
        "W1": "W1: bulk load of the exchange folder into a new store (rows = all rows of all files)",
        "W2": "W2 warm: mean and median length of the completed journeys per action (data in memory)",
        "W2 cold": "W2 cold: the same, reading from the store file inside the call",
        "W3": "W3: the questionnaire breakdown (action x sex x under-25 x BPI at the reference date). "
              "Peers compute only the BPI cells (bpi, bpi_men, bpi_women, bpi_under_25) with the R4 rule "
              "and the legal age rule; ctai builds the whole report. Answers checked against the report.",
        "W4": "W4: five-year and two-year window membership of every person on 2025-02-28 (anchor: first "
              "permit date); the reference is the scalar legal rule per row (29 February -> 28 February)",
        "W5": "W5: point eligibility checks from Python",
        "W6": "W6: all journeys of a store to a pandas DataFrame",
        "W7": "W7: the full report of the contract, cold process",
    }
    for w in ("W1", "W2", "W2 cold", "W3", "W4", "W5", "W6", "W7"):
        parts += [f"## {descriptions[w]}", ""]
        if not res.rows[w]:
            parts += ["Not measured in this run.", ""]
            continue
        parts += [table(res, w, sizes), ""]
        for size in sizes:
            for n in res.notes.get((w, size), []):
                if "feb29" in n:
                    parts.append(f"- {size}: {n['feb29']} of {n['persons']} anchors are a 29 February.")
        parts.append("")
    parts += ["## Targets of performance.md", "", "| workload | measure | verdict |", "|---|---|---|"]
    parts += verdicts(res, sizes)
    parts.append("")
    if notes_file.exists():
        parts += [notes_file.read_text()]
    path.write_text("\n".join(parts) + "\n")
    print(f"wrote {path}")


# ------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(ROOT / "build-bench"))
    ap.add_argument("--sizes", default="S,M")
    ap.add_argument("--large", action="store_true", help="also L (10^6 persons)")
    ap.add_argument("--persons", type=int, help="one custom size (e.g. 2000 for the smoke test)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--check-only", action="store_true", help="check every answer, time nothing")
    ap.add_argument("--regen", action="store_true", help="regenerate the cohorts")
    ap.add_argument("--only", default="W1,W2,W3,W4,W5,W6,W7")
    ap.add_argument("--large-only", default="W2,W3,W4,W5,W6,W7",
                    help="the workloads run at size L (default: all but W1, whose three loads of "
                         "25 M rows take most of an hour with every peer)")
    ap.add_argument("--large-reps", type=int, default=3, help="repetitions at size L")
    ap.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--from-results", help="re-render the document from a results.json of an earlier run")
    ap.add_argument("--w7-child", help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.w7_child:
        c = Cohort(Path(a.w7_child))
        print(json.dumps(w7_pandas_from_csv(c.folder, c.contract, c.frm, c.to)))
        return 0

    build = Path(a.build)
    if a.from_results:
        saved = json.loads(Path(a.from_results).read_text())
        res = Results()
        for w, by in saved["rows"].items():
            for size, rows in by.items():
                res.rows[w][size] = rows
        for k, v in saved["notes"]:
            res.notes[tuple(k)] = v
        res.skipped = saved.get("skipped", {})
        for size in saved["sizes"]:  # re-read the C++ harness output (e.g. after a fix here)
            hj = build / "bench-data" / size / "harness.json"
            if hj.exists():
                for w in list(res.rows):
                    res.rows[w][size] = [r for r in res.rows[w].get(size, []) if not r["note"].startswith("C++ harness")]
                h = parse_harness(json.loads(hj.read_text()))
                mine = defaultdict(lambda: defaultdict(list))
                tmp = Results()
                harness_rows(tmp, size, h, Cohort(build / "bench-data" / size))
                for w, by in tmp.rows.items():
                    res.rows[w][size] = by[size] + res.rows[w].get(size, [])
        write_doc(Path(a.out), res, saved["sizes"], saved["machine"], saved["started"],
                  ROOT / "bench" / "analysis.md", saved["check_only"])
        return 0
    sizes = [s.strip().upper() for s in a.sizes.split(",") if s.strip()]
    if a.large and "L" not in sizes:
        sizes.append("L")
    plan = [(f"{a.persons}", a.persons)] if a.persons else [(s, SIZES[s]) for s in sizes]
    res = Results()
    mach = machine()
    started = time.strftime("%Y-%m-%d %H:%M")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="ctai-bench-") as tmpd:
        tmp = Path(tmpd)
        for size, persons in plan:
            only = set(a.only.split(","))
            reps = 0 if a.check_only else a.reps
            if size == "L":
                only &= set(a.large_only.split(","))
                reps = 0 if a.check_only else min(a.reps, a.large_reps)
                skipped = sorted(set(a.only.split(",")) - only)
                if skipped:
                    res.skipped[size] = skipped
            d = cohort(build, size, persons, a.regen)
            c = Cohort(d)
            print(f"== {size}: {c.persons} persons, {c.rows} rows; C++ harness", flush=True)
            h = run_harness(build, d, reps, a.check_only, only)
            harness_rows(res, size, h, c)
            print(f"== {size}: peers", flush=True)
            report = run_w7(res, size, c, max(reps, 1) if not a.check_only else 1, build) if ("W7" in only or "W3" in only) else None
            if "W1" in only:
                run_w1(res, size, c, reps, tmp)
            if "W2" in only:
                run_w2(res, size, c, reps)
            if "W3" in only:
                run_w3(res, size, c, reps, report)
            if "W4" in only:
                run_w4(res, size, c, reps)
            if "W5" in only or "W6" in only:
                run_w5_w6(res, size, c, reps)
    for w, by_size in res.rows.items():
        for size, rows in by_size.items():
            for r in rows:
                # A ctai or floor row that fails is always an error. A peer that fails makes its
                # comparison meaningless (its rules fell behind the spec's): an error in the
                # answer-checking run (bench/smoke.sh, CI), a note in a timing run.
                if r["status"] == "FAIL" and r["tool"] not in KNOWN_WRONG and \
                        (a.check_only or r["role"] in ("ctai", "floor")):
                    failures += 1
    mach["load_end"] = os.getloadavg()
    (build / "bench-data").mkdir(parents=True, exist_ok=True)
    if not a.check_only:  # re-render later with --from-results
      (build / "bench-data" / "results.json").write_text(json.dumps(dict(
        rows=res.rows, notes=[[list(k), v] for k, v in res.notes.items()], sizes=[p[0] for p in plan],
        skipped=res.skipped,
        machine=mach, started=started, check_only=a.check_only), default=str))
    if not a.no_doc:
        write_doc(Path(a.out), res, [p[0] for p in plan], mach, started, ROOT / "bench" / "analysis.md", a.check_only)
    peer_fails = [(w, s, r["tool"], r["note"]) for w, bs in res.rows.items() for s, rows in bs.items()
                  for r in rows if r["status"] in ("FAIL", "error")]
    for f in peer_fails:
        print("note:", *f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
