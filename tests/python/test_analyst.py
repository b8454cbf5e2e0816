"""The analyst's surface of issue #20: journeys as known on a date (checked against a
from-scratch pandas computation over the exchange folder), real nulls, Kaplan-Meier over
any columns (checked against lifelines' KaplanMeierFitter), date arguments, NotFoundError
for unknown ids, one vocabulary for `public`."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import ctai
from conftest import d

pd = pytest.importorskip("pandas")

END = d("2024-10-15")


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analyst") / "export"
    ctai.write_exchange_dir(ctai.generate_cohort(400, seed=11), folder)
    return folder


@pytest.fixture(scope="module")
def store(cohort_dir):
    with ctai.Store.open(":memory:") as s:
        s.import_dir(cohort_dir)
        yield s


def as_known_on(csv: "pd.DataFrame", on: dt.date) -> "pd.DataFrame":
    """journeys(censor_on=on) from scratch: journeys entered after `on` left out, exits
    after `on` reopened, length = min(exit, on) - entry."""
    day = pd.Timestamp(on)
    j = csv[csv.entry_date <= day].copy()
    later = j.exit_date > day
    j.loc[later, "exit_date"] = pd.NaT
    j.loc[later, "exit_reason"] = None
    j["open"] = j.exit_date.isna()
    j["length"] = (j.exit_date.fillna(day) - j.entry_date).dt.days
    return j.sort_values("journey_id").reset_index(drop=True)


@pytest.mark.parametrize("on", ["2023-06-01", "2023-12-31", "2024-03-15", "2024-10-15",
                                "2026-01-01"])
def test_journeys_as_known_on_a_date_match_pandas(store, cohort_dir, on):
    csv = pd.read_csv(cohort_dir / "journeys.csv", dtype=str, keep_default_na=False)
    csv["entry_date"] = pd.to_datetime(csv.entry_date)
    csv["exit_date"] = pd.to_datetime(csv.exit_date.replace("", None))
    csv["exit_reason"] = csv.exit_reason.replace("", None)
    expected = as_known_on(csv, d(on))
    got = store.journeys(censor_on=d(on)).to_pandas().sort_values("journey_id") \
        .reset_index(drop=True)
    assert len(got) == len(expected) and len(got) > 0
    assert got.journey_id.tolist() == expected.journey_id.tolist()
    assert (got.length >= 0).all()
    assert got.length.astype("int64").tolist() == expected.length.astype("int64").tolist()
    assert got.open.tolist() == expected.open.tolist()
    assert got.exit.isna().tolist() == expected.exit_date.isna().tolist()
    assert got.exit_reason.isna().tolist() == expected.exit_reason.isna().tolist()
    assert not got.positive[got.open].any()
    # The statistics see the same journeys.
    stats = store.journey_stats(on=d(on))
    assert stats.count == len(expected) and stats.open == int(expected.open.sum())


def test_an_open_length_without_censoring_is_null_not_minus_one(store):
    j = store.journeys()
    df = j.to_pandas()
    assert df.length.dtype == "Int32"
    assert df.length.isna().tolist() == df.open.tolist() and df.open.any()
    assert np.isnan(j.length[j.open]).all()                # NumPy: NaN, not -1
    assert df.exit_reason[df.open].isna().all()            # null, not ""
    assert not df.exit_reason[~df.open].isna().any()
    pa = pytest.importorskip("pyarrow")
    table = pa.table(j)
    assert table.column("length").null_count == int(j.open.sum())
    assert table.column("exit_reason").null_count == int(j.open.sum())
    assert table.column("length").type == pa.int32()


def test_unknown_birth_years_are_null_and_public_has_not_eligible(store):
    t = store.eligibility_table(on=END)
    df = t.to_pandas()
    assert df.birth_year.dtype == "Int32" and not (df.birth_year == 0).any()
    assert list(df.public.cat.categories)[-1] == "not_eligible"
    assert not df.public.isna().any()
    assert (df.public == "not_eligible").tolist() == (~df.ctai_public).tolist()
    assert set(t.public.tolist()) <= {"bpi", "bpt", "primo_arrivant", "not_eligible"}
    pa = pytest.importorskip("pyarrow")
    assert pa.table(t).column("public").null_count == 0
    # The same spelling as journey_stats_by_public.
    assert "not_eligible" in store.journey_stats_by_public(on=END)


def test_eligibility_for_returns_the_on_column(store):
    ids = ["P000001", "P000002", "P000001"]
    dates = np.array(["2024-06-01", "2023-01-01", "2021-01-01"], dtype="datetime64[D]")
    c = store.eligibility_for(ids, on=dates)
    assert c.names[:2] == ["person_id", "on"] and (c.on == dates).all()
    one = store.eligibility_for(ids, on="2024-06-01")
    assert (one.on == np.datetime64("2024-06-01")).all()


DATE_FORMS = [d("2024-06-01"), pd.Timestamp("2024-06-01"), np.datetime64("2024-06-01"),
              np.datetime64("2024-06-01T00:00:00"), "2024-06-01"]


@pytest.mark.parametrize("on", DATE_FORMS, ids=lambda v: type(v).__name__)
def test_date_arguments_accept_every_form(store, on):
    assert store.eligibility("P000001", on=on).to_dict() == \
        store.eligibility("P000001", on=d("2024-06-01")).to_dict()
    assert len(store.journeys(censor_on=on)) == len(store.journeys(censor_on=d("2024-06-01")))
    assert store.journey_stats(on=on) == store.journey_stats(on=d("2024-06-01"))
    assert store.eligibility_table(on=on).public.tolist() == \
        store.eligibility_table(on=d("2024-06-01")).public.tolist()


@pytest.mark.parametrize("bad", [20240601, 2024.5, dt.datetime(2024, 6, 1, 12), object()],
                         ids=lambda v: type(v).__name__)
def test_a_wrong_date_type_names_the_argument_and_the_accepted_forms(store, bad):
    with pytest.raises(TypeError) as info:
        store.journeys(censor_on=bad)
    message = str(info.value)
    assert "censor_on" in message and type(bad).__name__ in message
    assert "ISO" in message and "incompatible function arguments" not in message
    with pytest.raises(TypeError, match="journey_stats: on"):
        store.journey_stats(on=bad)
    with pytest.raises(TypeError, match="eligibility: on"):
        store.eligibility("P000001", on=bad)


def test_invalid_dates_are_validation_errors(store):
    with pytest.raises(ctai.ValidationError):
        store.journeys(censor_on="2024-02-30")
    with pytest.raises(ctai.ValidationError):
        store.journey_stats(on=pd.Timestamp("2024-06-01 10:30"))
    with pytest.raises(ctai.ValidationError):
        store.journey_stats(on=np.datetime64("NaT"))


def test_unknown_contracts_actions_and_persons_raise_not_found(store):
    with pytest.raises(ctai.NotFoundError):
        store.journeys(contract="no-such-contract")
    with pytest.raises(ctai.NotFoundError):
        store.journey_stats(contract="no-such-contract", on=END)
    with pytest.raises(ctai.NotFoundError):
        store.journey_stats_by_public(contract="no-such-contract", on=END)
    with pytest.raises(ctai.NotFoundError):
        store.journeys(contract="dijon-2023-2024", action=99)
    with pytest.raises(ctai.NotFoundError):
        store.journeys(action=99)
    with pytest.raises(ctai.NotFoundError):
        store.eligibility("nobody", on=END)
    with pytest.raises(ctai.NotFoundError):
        store.eligibility_for(["P000001", "nobody"], on=END)
    # A known contract without journeys is an empty table, not an error.
    assert len(store.journeys(contract="dijon-2022")) == 0


# --- Kaplan-Meier over any columns --------------------------------------------------------

def random_journeys(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    entry = np.datetime64("2023-01-01") + rng.integers(0, 400, n).astype("timedelta64[D]")
    length = rng.exponential(120, n).astype(int)
    exit = entry + length.astype("timedelta64[D]")
    still_open = rng.random(n) < 0.3
    exit[still_open] = np.datetime64("NaT")
    return entry, exit


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kaplan_meier_matches_lifelines(seed):
    lifelines = pytest.importorskip("lifelines")
    from lifelines.utils import median_survival_times

    entry, exit = random_journeys(seed)
    on = d("2024-01-15")
    stats = ctai.journey_stats(entry, exit, on=on)
    assert len(stats) == 1
    row = stats.iloc[0]
    # The same journeys by hand: those entered by `on`, exits after `on` censored there.
    day = np.datetime64(on)
    started = entry <= day
    done = ~np.isnat(exit) & (exit <= day)
    durations = ((np.where(done, exit, day) - entry)[started]).astype(int)
    observed = done[started]
    kmf = lifelines.KaplanMeierFitter().fit(durations, observed)
    assert row["count"] == started.sum() and row["completed"] == observed.sum()
    assert row["km_median_days"] == pytest.approx(kmf.median_survival_time_)
    ci = median_survival_times(kmf.confidence_interval_)
    lower, upper = ci.iloc[0, 0], ci.iloc[0, 1]
    expect_lower = np.nan if np.isinf(lower) else lower
    expect_upper = np.nan if np.isinf(upper) else upper
    assert row["km_median_lower_days"] == pytest.approx(expect_lower, nan_ok=True)
    assert row["km_median_upper_days"] == pytest.approx(expect_upper, nan_ok=True)
    # The curve and its pointwise interval at several times.
    curve = ctai.journey_curves(entry, exit, on=on)
    times = [0, 10, 30, 60, 90, 120, 200, 300]
    sf = kmf.survival_function_at_times(times).to_numpy()
    one = ctai._stats._stats_by_group(entry, exit, on, None)[1][0][1]
    assert one.survival_at(times) == pytest.approx(sf)
    band = kmf.confidence_interval_
    for t in curve.time:
        assert curve.loc[curve.time == t, "survival"].item() == \
            pytest.approx(kmf.survival_function_.loc[t].item())
        assert curve.loc[curve.time == t, "lower"].item() == pytest.approx(band.loc[t].iloc[0])
        assert curve.loc[curve.time == t, "upper"].item() == pytest.approx(band.loc[t].iloc[1])


def test_journey_stats_by_any_grouping_loses_no_journey(store):
    j = store.journeys(censor_on=END).to_pandas()
    j["public"] = store.eligibility_for(j.person_id.tolist(), on=j.entry.to_numpy()) \
        .to_pandas()["public"].to_numpy()
    by = ctai.journey_stats(j, on=END, by=["action", "public"])
    assert by["count"].sum() == len(j)
    assert set(by.public) <= {"bpi", "bpt", "primo_arrivant", "not_eligible"}
    # Grouping by a Series, and by the referral source of a ctai table.
    by_source = ctai.journey_stats(j.entry, j.exit, on=END, by=j.referral_source)
    assert by_source["count"].sum() == len(j)
    # The store's own statistics are the ungrouped case.
    s = store.journey_stats(action=1, on=END)
    mine = ctai.journey_stats(j[j.action == 1], on=END).iloc[0]
    assert mine["count"] == s.count and mine["km_median_days"] == pytest.approx(
        s.km_median_days if s.km_median_days is not None else np.nan, nan_ok=True)
    assert mine["km_restricted_mean_days"] == pytest.approx(s.km_restricted_mean_days)
    # By public: the same figures as journey_stats_by_public.
    ref = store.journey_stats_by_public(on=END)
    split = ctai.journey_stats(j, on=END, by="public").set_index("public")
    for key, value in ref.items():
        assert split.loc[key, "count"] == value.count, key


def test_journey_stats_object_to_pandas_and_html(store):
    s = store.journey_stats(action=1, on=END)
    curve = s.to_pandas()
    assert list(curve.columns) == ["time", "at_risk", "events", "censored", "survival",
                                   "lower", "upper"]
    assert (curve.lower <= curve.survival + 1e-12).all() and \
        (curve.survival <= curve.upper + 1e-12).all()
    assert "<table>" in s._repr_html_()
    assert s.km_median_lower_days is None or s.km_median_lower_days <= s.km_median_days


def test_journey_stats_plot_when_matplotlib_is_installed(store):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ax = store.journey_stats(action=1, on=END).plot()
    assert ax.get_xlabel() == "days since entry"


# --- every table of the exchange format -----------------------------------------------------

def test_tables_are_every_exchange_file_typed_with_nulls(store, cohort_dir):
    tables = store.tables()
    assert list(tables) == ["persons", "permits", "protections", "situations", "journeys",
                            "steps", "agir", "referrals", "activities", "participations",
                            "volunteering", "housing", "partnerships", "costs",
                            "nationalities"]
    # No dated nationalities in the cohort: an empty table with its columns (#17).
    assert len(tables["nationalities"]) == 0
    assert tables["nationalities"].names == ["person_id", "nationality", "acquired_on", "lost_on"]
    for name, t in tables.items():
        if name == "nationalities":
            continue
        csv = pd.read_csv(cohort_dir / f"{name}.csv", dtype=str, keep_default_na=False)
        assert len(t) == len(csv), name
        assert [c for c in t.names if c not in ("birth_precision", "birth_year")] == \
            list(csv.columns), name
    persons = tables["persons"].to_pandas()
    assert persons.person_id.is_unique and len(persons) == 400
    assert set(persons.birth_precision.dropna()) <= {"day", "month", "year"}
    assert persons.birth_year.dtype == "Int32"
    j = tables["journeys"]
    assert j.kinds["entry_date"] == "date" and j.kinds["action"] == "int32"
    jp = j.to_pandas()
    assert jp.exit_reason.isna().tolist() == jp.exit_date.isna().tolist()
    pa = pytest.importorskip("pyarrow")
    assert pa.table(j).num_rows == len(j)


def test_the_under_25_counts_of_the_report_are_reproducible_from_the_tables(store):
    contract = store.contract("dijon-2023-2024")
    start, end = contract.start, contract.end
    tables = store.tables()
    journeys = tables["journeys"].to_pandas()
    persons = tables["persons"].to_pandas().set_index("person_id")
    journeys = journeys[(journeys.contract_id == contract.id)
                        & (journeys.entry_date <= pd.Timestamp(end))
                        & (journeys.exit_date.isna() | (journeys.exit_date >= pd.Timestamp(start)))]
    # Each person once per action, described at the entry of their first journey there.
    first = journeys.sort_values(["action", "person_id", "entry_date", "journey_id"]) \
        .drop_duplicates(["action", "person_id"])
    checks = store.eligibility_for(first.person_id.tolist(), on=first.entry_date.to_numpy())
    first = first.assign(public=checks.to_pandas()["public"].to_numpy())
    eligible = first[first.public != "not_eligible"]

    def under_25(row) -> bool:
        birth = persons.birth_date.get(row.person_id)
        if birth is None or pd.isna(birth):
            return False
        return ctai.under_age(str(birth), 25, row.entry_date.date()) is True

    mine = eligible[eligible.apply(under_25, axis=1)].groupby("action").size().to_dict()
    figures = store.report(contract.id).to_pandas()
    theirs = figures[(figures.block == "public") & (figures.key == "under_25")] \
        .set_index("action")["realised"].to_dict()
    assert theirs and any(v > 0 for v in theirs.values())
    for action, value in theirs.items():
        assert mine.get(action, 0) == value, action


# --- the Arrow C stream without pyarrow ----------------------------------------------------

BLOCK_PYARROW = r'''
import sys

# pyarrow hidden: `import pyarrow` raises ImportError and importlib.util.find_spec (what
# polars and DuckDB use to look for it) answers None.
sys.modules["pyarrow"] = None
'''


def test_polars_and_duckdb_read_ctai_columns_without_pyarrow(tmp_path):
    pytest.importorskip("polars")
    pytest.importorskip("duckdb")
    import subprocess
    import sys

    script = BLOCK_PYARROW + r'''
import datetime as dt
import ctai, polars, duckdb
try:
    import pyarrow
    raise SystemExit("pyarrow was importable")
except ImportError:
    pass
ctai.write_exchange_dir(ctai.generate_cohort(120, seed=5), "x")
with ctai.Store.open(":memory:") as store:
    store.import_dir("x")
    journeys = store.journeys()
    df = polars.DataFrame(journeys)
    assert df.height == len(journeys), df
    # polars.from_arrow gives any Arrow stream as a Series (of structs: one per row).
    assert polars.from_arrow(journeys).struct.unnest().equals(df)
    assert df["entry"].dtype == polars.Date
    assert df["length"].null_count() == int(journeys.open.sum())
    assert df["exit_reason"].null_count() == int(journeys.open.sum())
    assert df["referral_source"].dtype == polars.Categorical
    assert journeys.to_polars().equals(df)
    n = duckdb.sql("SELECT count(*) FROM journeys WHERE length IS NULL").fetchall()[0][0]
    assert n == int(journeys.open.sum()), n
    people = store.eligibility_table(on=dt.date(2024, 6, 1))
    publics = dict(duckdb.sql("SELECT public, count(*) FROM people GROUP BY public").fetchall())
    assert sum(publics.values()) == len(people) and None not in publics
print("ok")
'''
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_native_stream_equals_pyarrow_conversion(store):
    pa = pytest.importorskip("pyarrow")
    for columns in (store.journeys(), store.journeys(censor_on=END),
                    store.eligibility_table(on=END), store.referrals(), store.activities(),
                    store.tables()["persons"]):
        native, ref = pa.table(columns), columns.to_arrow()
        assert native.schema == ref.schema, columns
        assert native.to_pandas().equals(ref.to_pandas()), columns  # NaN equals NaN there


# --- notebook comfort --------------------------------------------------------------------

def test_progress_callbacks_of_import_and_export(cohort_dir, tmp_path, capsys):
    seen = []
    with ctai.Store.open(":memory:") as s:
        s.import_dir(cohort_dir, progress=lambda stage, done, total: seen.append((stage, done, total)))
        assert seen and any(stage.endswith("persons.csv") or "persons" in stage
                            for stage, _, _ in seen)
        assert all(0 <= done <= total for _, done, total in seen if total)
        exported = []
        s.export_dir(tmp_path / "out", progress=lambda *a: exported.append(a))
        assert exported
        s.export_dir(tmp_path / "bar", progress=True)
        assert "[" in capsys.readouterr().err

    class Stop(Exception):
        pass

    def stop(stage, done, total):
        raise Stop()

    with ctai.Store.open(":memory:") as s:
        with pytest.raises(Exception):
            s.import_dir(cohort_dir, progress=stop)
        assert s.person_count() == 0  # nothing written
        with pytest.raises(TypeError, match="progress"):
            s.import_dir(cohort_dir, progress="yes")


def test_html_reprs(store):
    assert "<table>" in store.journeys()._repr_html_()
    assert "<table" in store.report("dijon-2023-2024")._repr_html_()
    assert "<table>" in store.journey_stats(on=END)._repr_html_()


def test_export_parquet(store, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    paths = store.export_parquet(tmp_path / "pq")
    assert set(paths) == set(store.tables())
    persons = pq.read_table(paths["persons"])
    assert persons.num_rows == 400
    with pytest.raises(FileExistsError):
        store.export_parquet(tmp_path / "pq")
    store.export_parquet(tmp_path / "pq", overwrite=True)
