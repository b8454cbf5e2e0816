"""ctai.Store: opening, imports and exports, eligibility, columns (NumPy, pandas, Arrow),
journey statistics, transactions, the service API, audit and retention, threads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import pydoc
import shutil
import threading

import numpy as np
import pytest

import ctai
from ctai import _core
from conftest import d

ON = d("2024-06-01")
END = d("2024-10-15")  # last day of dijon-2023-2024: the cohort's evaluation date


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort") / "export"
    summary = ctai.write_exchange_dir(ctai.generate_cohort(300, seed=7), folder)
    assert summary.rows("persons.csv") == 300 and not summary.pseudonymized
    return folder


@pytest.fixture(scope="module")
def store(cohort_dir):
    with ctai.Store.open(":memory:", policy=ctai.Policy()) as s:
        s.import_dir(cohort_dir)
        yield s


def refugee(pid="P1", **person):
    return ctai.PersonCase(
        ctai.Person(pid, nationalities=["AF"], **person),
        protections=[ctai.Protection("refugee", "ofpra", d("2023-03-10"))],
    )


# --- opening ----------------------------------------------------------------------------


def test_open_is_a_context_manager_with_keyword_only_options(tmp_path):
    path = tmp_path / "cases.db"
    with ctai.Store.open(path, policy=ctai.Policy(), actor="tester", busy_timeout_ms=500) as s:
        assert s.path == str(path) and s.actor == "tester" and not s.closed
        assert s.schema_version == ctai.Store.latest_schema_version() >= 1
        assert s.policy == ctai.Policy() and s.person_count() == 0
        assert s.integrity_check() == "ok" and "ctai.Store" in repr(s)
    assert s.closed and repr(s) == "<ctai.Store closed>"
    with pytest.raises(ctai.StorageError, match="closed"):
        s.person_count()
    with pytest.raises(TypeError):
        ctai.Store.open(path, ctai.Policy())  # type: ignore[misc]
    params = inspect.signature(ctai.Store.open).parameters
    assert params["busy_timeout_ms"].default == 10000 and params["actor"].default == "ctai"


def test_must_exist_and_storage_errors_are_os_errors(tmp_path):
    with pytest.raises(ctai.StorageError) as caught:
        ctai.Store.open(tmp_path / "missing.db", must_exist=True)
    assert isinstance(caught.value, OSError)
    not_a_store = tmp_path / "junk.db"
    not_a_store.write_bytes(b"SQLite format 3\0" + b"\1" * 200)
    with pytest.raises(ctai.StorageError):
        ctai.Store.open(not_a_store)


def test_policy_and_actor_are_assignable():
    with ctai.Store.open(":memory:") as s:
        s.policy = ctai.Policy(boundary="inclusive")
        assert s.policy.boundary is ctai.Boundary.inclusive
        s.actor = "someone"
        s.put_case(refugee())
        assert s.audit_log()[-1].actor == "someone"


def test_help_shows_the_documented_methods():
    text = pydoc.render_doc(ctai.Store, renderer=pydoc.plaintext)
    for name in ("open", "import_dir", "export_dir", "eligibility", "eligibility_table", "journeys",
                 "journey_stats", "report", "transaction", "enroll", "audit_log"):
        assert name in text
        assert inspect.getdoc(getattr(ctai.Store, name)), name


# --- import and export ------------------------------------------------------------------


def test_import_summary_and_idempotence(store, cohort_dir):
    assert store.person_count() == 300
    again = store.import_dir(cohort_dir)
    assert isinstance(again, ctai.ImportSummary) and again.changed == 0
    persons = again.table("persons")
    assert isinstance(persons, ctai.TableSummary)
    assert persons.present and persons.rows_read == 300 and persons.unchanged == 300
    assert persons.encoding == "utf-8" and persons.separator == ","
    with pytest.raises(KeyError):
        again.table("nope")


def test_import_errors_list_every_issue_and_write_nothing(cohort_dir, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(cohort_dir, bad)
    lines = (bad / "persons.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("sex")] = "martian"
    lines[2] = ",".join(cells)
    (bad / "persons.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with ctai.Store.open(":memory:") as s:
        with pytest.raises(ctai.ExchangeImportError) as caught:
            s.import_dir(bad)
        assert s.person_count() == 0
    error = caught.value
    assert isinstance(error, ctai.ValidationError) and isinstance(error, ValueError)
    assert not isinstance(error, ImportError)
    assert error.issues and all(isinstance(i, ctai.ImportIssue) for i in error.issues)
    issue = error.issues[0]
    assert (issue.file, issue.line, issue.column) == ("persons.csv", 3, "sex")
    assert issue._fields == ("file", "line", "column", "message", "rule")
    assert error.file == "persons.csv" and error.line == 3


def test_translated_import_error_carries_rules():
    with pytest.raises(ctai.ExchangeImportError) as caught:
        _core._raise_cpp_error("import")
    assert [i.rule for i in caught.value.issues] == [None, "R7.exit_before_entry"]
    assert caught.value.issues[1].column is None


def test_export_round_trips_and_pseudonymises(store, tmp_path):
    summary = store.export_dir(tmp_path / "out")
    assert isinstance(summary, ctai.ExportSummary) and summary.rows("persons.csv") == 300
    with pytest.raises(ctai.ValidationError):
        store.export_dir(tmp_path / "out")
    store.export_dir(tmp_path / "out", overwrite=True)
    with ctai.Store.open(":memory:") as copy:
        copy.import_dir(tmp_path / "out")
        assert copy.fingerprint().sha256 == store.fingerprint().sha256
    pseudo = store.export_dir(tmp_path / "pseudo", pseudonymization_key="synthetic-test-key-0123456789abcdef")
    assert pseudo.pseudonymized
    text = (tmp_path / "pseudo" / "persons.csv").read_text(encoding="utf-8")
    assert "P000001" not in text
    with pytest.raises(ctai.ValidationError):
        store.export_dir(tmp_path / "p2", pseudonymization_key="short")
    with pytest.raises(ctai.ValidationError, match="too weak"):  # long but one byte repeated
        store.export_dir(tmp_path / "p4", pseudonymization_key="k" * 32)
    with pytest.raises(ctai.ValidationError):
        store.export_dir(tmp_path / "p3", pseudonymization_key="synthetic-test-key-0123456789abcdef", birth_precision="day")


def test_read_exchange_dir_gives_the_written_dataset(cohort_dir):
    data = ctai.read_exchange_dir(cohort_dir)
    assert data == ctai.generate_cohort(300, seed=7) and len(data) == 300
    assert data.counts()["journeys"] > 300
    assert isinstance(data.cases[0], ctai.PersonCase)
    assert ctai.generate_cohort(20, seed=1) != ctai.generate_cohort(20, seed=2)


# --- eligibility ------------------------------------------------------------------------


def test_point_eligibility_is_the_evaluate_result(store):
    for pid in store.person_ids()[:40]:
        e = store.eligibility(pid, on=ON)
        assert isinstance(e, ctai.Eligibility) and e.person_id == pid and e.on == ON
        case = store.person_case(pid)
        if case.person.rejoining_family_of is None:
            assert e.to_dict() == ctai.evaluate(case, ON).to_dict()
    with pytest.raises(ctai.NotFoundError) as caught:
        store.eligibility("NOBODY", on=ON)
    assert isinstance(caught.value, LookupError) and caught.value.id == "NOBODY"


def test_batch_eligibility_agrees_with_point_checks(store):
    ids = store.person_ids()[:50]
    one_date = store.eligibility_for(ids, on=ON)
    assert len(one_date) == 50 and list(one_date.person_id) == ids
    dates = [ON + dt.timedelta(days=97 * i) for i in range(50)]
    per_check = store.eligibility_for(ids, on=np.array(dates, dtype="datetime64[D]"))
    for i, pid in enumerate(ids):
        for table, on in ((one_date, ON), (per_check, dates[i])):
            e = store.eligibility(pid, on=on)
            assert bool(table.bpi[i]) == e.bpi and bool(table.primo_arrivant[i]) == e.primo_arrivant
            assert bool(table.agir[i]) == e.agir and table.public[i] == (e.public.value if e.public else "not_eligible")
    with pytest.raises(ctai.NotFoundError):
        store.eligibility_for(["NOBODY"], on=ON)
    with pytest.raises(ctai.ValidationError):
        store.eligibility_for(ids, on=dates[:3])


def test_case_snapshot_gives_the_same_answers_and_the_store_follows_changes(cohort_dir, tmp_path):
    path = str(tmp_path / "snap.db")
    with ctai.Store.open(path) as reader, ctai.Store.open(path) as writer:
        reader.import_dir(cohort_dir)
        ids = reader.person_ids()[:60]
        before = [reader.eligibility(pid, on=ON).to_dict() for pid in ids]
        snap = reader.case_snapshot()
        assert isinstance(snap, ctai.CaseSnapshot) and len(snap) == 300
        assert ids[0] in snap and "NOBODY" not in snap and 42 not in snap
        assert [snap.eligibility(pid, on=ON).to_dict() for pid in ids] == before
        for pid, full in zip(ids, before):  # explain=False: the same answers, no reasons
            quick = snap.eligibility(pid, on=ON, explain=False).to_dict()
            assert quick["reasons"] == [] and quick["reason_codes"] == []
            assert {**quick, "reasons": full["reasons"], "reason_codes": full["reason_codes"]} == full
        assert [reader.eligibility(pid, on=ON).to_dict() for pid in ids] == before
        with pytest.raises(ctai.NotFoundError):
            snap.eligibility("NOBODY", on=ON)
        # Another connection's commit: the store sees it at once; the snapshot taken before
        # keeps its answers (it is an image of that moment).
        writer.put_case(refugee(ids[0]))
        e = reader.eligibility(ids[0], on=ON)
        assert e.bpi and e.protection_date == d("2023-03-10")
        assert snap.eligibility(ids[0], on=ON).to_dict() == before[0]
        assert reader.case_snapshot().eligibility(ids[0], on=ON).to_dict() == e.to_dict()
        # A write through the reader itself too.
        reader.put_case(refugee("NEW-1"))
        assert len(reader.case_snapshot()) == 301 and len(snap) == 300
        assert reader.eligibility("NEW-1", on=ON).bpi
        reader.drop_case_snapshot()
        assert reader.eligibility("NEW-1", on=ON).bpi


def test_snapshot_batch_of_verdicts_answers_like_eligibility(store):
    snap = store.case_snapshot()
    ids = store.person_ids()
    rng = np.random.default_rng(3)
    picks = [ids[i] for i in rng.integers(0, len(ids), 2000)]
    dates = np.datetime64("2019-01-01") + rng.integers(0, 8 * 366, 2000)
    index = snap.index(picks)
    assert index.dtype == np.uint32 and len(index) == 2000
    assert snap.index(np.array(picks[:5])).tolist() == index[:5].tolist()  # a NumPy array of str too
    v = snap.verdicts(index, on=dates.astype("datetime64[D]"))
    assert isinstance(v, ctai.Columns) and len(v) == 2000
    assert v.names == ["primo_arrivant", "bpi", "bpt", "agir", "ctai_public", "public"]
    assert v.bpi.dtype == np.bool_ and v.vocabulary("public") is ctai.PublicCategory
    seen = set()
    for k, (pid, day) in enumerate(zip(picks, dates.astype("datetime64[D]").tolist())):
        e = snap.eligibility(pid, on=day)
        got = (bool(v.primo_arrivant[k]), bool(v.bpi[k]), bool(v.bpt[k]), bool(v.agir[k]), bool(v.ctai_public[k]))
        assert got == (e.primo_arrivant, e.bpi, e.bpt, e.agir, e.ctai_public), (k, pid, day)
        assert v.public[k] == (e.public.value if e.public else "not_eligible")
        seen.add(got)
    assert len(seen) >= 4  # the sample meets several different answers
    # One date for every row; a list of dates; int64 indexes are accepted.
    one = snap.verdicts(index.astype(np.int64), on=ON)
    assert one.bpi.tolist() == [snap.eligibility(p, on=ON).bpi for p in picks]
    assert snap.verdicts(index[:3], on=[ON, ON, ON]).bpi.tolist() == one.bpi[:3].tolist()
    # Errors: an unknown person, an index out of range, sizes that differ, NaT, not a str.
    with pytest.raises(ctai.NotFoundError):
        snap.index(["NOBODY"])
    with pytest.raises(ctai.ValidationError):
        snap.verdicts(np.array([len(snap)], dtype=np.uint32), on=ON)
    with pytest.raises(ctai.ValidationError):
        snap.verdicts(index, on=dates[:3].astype("datetime64[D]"))
    with pytest.raises(ctai.ValidationError):
        snap.verdicts(index[:1], on=np.array(["NaT"], dtype="datetime64[D]"))
    mixed = dates.astype("datetime64[D]")
    mixed[1000] = np.datetime64("NaT")  # one NaT among set dates
    with pytest.raises(ctai.ValidationError):
        snap.verdicts(index, on=mixed)
    late = index.copy()
    late[1999] = len(snap)  # the last index out of range
    with pytest.raises(ctai.ValidationError, match=f"index {len(snap)} is not below"):
        snap.verdicts(late, on=ON)
    with pytest.raises(ValueError):
        v.bpi[0] = True  # read-only, like every column
    with pytest.raises(TypeError):
        snap.index([42])
    assert len(snap.verdicts(index[:0], on=ON)) == 0


def test_eligibility_table_columns(store):
    t = store.eligibility_table(on=ON)
    assert isinstance(t, ctai.Columns) and len(t) == 300 and "on=2024-06-01" in repr(t)
    assert t.names[0] == "person_id" and list(t) == t.names
    assert t["bpi"].dtype == np.bool_ and t.primo_window_end.dtype == np.dtype("datetime64[D]")
    assert t.birth_year.dtype == np.float64  # NaN when unknown (NumPy has no integer null)
    assert np.isnat(t.primo_window_end).any() and not np.isnat(t.primo_window_end).all()
    assert t.kinds["public"] == "category" and t.vocabulary("public") is ctai.PublicCategory
    assert set(t.public.tolist()) <= {"not_eligible", "bpi", "bpt", "primo_arrivant"}
    assert t.codes("public").dtype == np.uint8
    with pytest.raises(TypeError):
        t.codes("bpi")
    with pytest.raises(KeyError):
        t["nope"]
    with pytest.raises(AttributeError):
        t.nope
    with pytest.raises(ValueError):
        t.bpi[0] = True  # read-only views of the C++ data
    for i in range(0, 300, 37):
        e = store.eligibility(str(t.person_id[i]), on=ON)
        assert bool(t.bpi[i]) == e.bpi and bool(t.ctai_public[i]) == e.ctai_public
        assert t.public[i] == (e.public.value if e.public else "not_eligible")
        expected = np.datetime64(e.primo_window_end, "D") if e.primo_window_end else None
        assert (np.isnat(t.primo_window_end[i]) if expected is None
                else t.primo_window_end[i] == expected)
    # The window functions work on the columns as they are.
    ends = ctai.window_end_years(t.primo_anchor, 5)
    assert (np.isnat(ends) == np.isnat(t.primo_anchor)).all()


def test_columns_to_pandas(store):
    pd = pytest.importorskip("pandas")
    df = store.eligibility_table(on=ON).to_pandas()
    assert len(df) == 300 and df["bpi"].dtype == bool
    assert isinstance(df["public"].dtype, pd.CategoricalDtype)
    assert list(df["public"].cat.categories) == [m.value for m in ctai.PublicCategory] + [
        "not_eligible"]
    assert not df["public"].isna().any()  # not in the public: a category of its own
    assert (df["public"] == "not_eligible").any()
    assert str(df["primo_window_end"].dtype).startswith("datetime64")
    assert df["primo_window_end"].isna().any()
    assert df["person_id"].iloc[0] == "P000001"


def test_columns_through_the_arrow_stream(store):
    pa = pytest.importorskip("pyarrow")
    journeys = store.journeys()
    table = pa.table(journeys)
    assert table.num_rows == len(journeys)
    assert table.schema.field("entry").type == pa.date32()
    assert table.column("exit").null_count == int(journeys.open.sum())
    assert pa.types.is_dictionary(table.schema.field("referral_source").type)
    assert table.column("journey_id").to_pylist()[:3] == journeys.journey_id[:3].tolist()
    assert journeys.to_arrow().equals(table)


def test_columns_read_by_polars(store):
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    journeys = store.journeys(action=1)
    df = pl.DataFrame(journeys)
    assert df.height == len(journeys) and df["entry"].dtype == pl.Date
    assert journeys.to_polars().equals(df)


def test_columns_read_by_duckdb(store):
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    journeys = store.journeys()
    counts = dict(duckdb.sql("SELECT action, count(*) FROM journeys GROUP BY action").fetchall())
    assert sum(counts.values()) == len(journeys)
    assert counts[1] == int((journeys.action == 1).sum())


# --- journeys and statistics ------------------------------------------------------------


def test_journey_columns(store):
    j = store.journeys(action=1)
    assert len(j) > 0 and set(j.action.tolist()) == {1}
    assert j.action.dtype == np.int32 and j.open.dtype == np.bool_
    assert (np.isnat(j.exit) == j.open).all()
    assert np.isnan(j.length[j.open]).all()  # null: NaN in NumPy, <NA> in pandas
    assert (j.exit_reason[j.open] == "").all()  # NumPy text; null in pandas and Arrow
    closed = ~j.open
    assert (j.length[closed] == (j.exit - j.entry)[closed].astype(int)).all()
    censored = store.journeys(action=1, censor_on=END)
    assert (censored.length[censored.open] == (np.datetime64(END) - censored.entry)[censored.open]
            .astype(int)).all()
    assert len(store.journeys(contract="dijon-2023-2024")) == len(store.journeys())
    assert len(store.journeys(contract="dijon-2022")) == 0
    with pytest.raises(ctai.NotFoundError):
        store.journeys(contract="dijon-2099")


def test_journey_columns_subset(store):
    full = store.journeys(censor_on=END)
    narrow = store.journeys(censor_on=END, columns=["length", "entry", "exit", "action"])
    # Only the columns asked for, in the usual order; same rows, same order.
    assert narrow.names == ["action", "entry", "exit", "length"]
    assert len(narrow) == len(full)
    for name in narrow.names:  # dates compared as day numbers (NaT == NaT there)
        a, b = narrow[name], full[name]
        assert np.array_equal(a.view(np.int64) if a.dtype.kind == "M" else a,
                              b.view(np.int64) if b.dtype.kind == "M" else b), name
    steps = store.journeys(action=2, columns=["journey_id", "steps", "end_step_date"])
    ref = store.journeys(action=2)
    assert steps.names == ["journey_id", "steps", "end_step_date"]
    assert steps.journey_id.tolist() == ref.journey_id.tolist()
    assert (steps.steps == ref.steps).all()
    assert store.journeys(columns="positive").names == ["positive"]
    with pytest.raises(ValueError, match="unknown column 'lenght'"):
        store.journeys(columns=["lenght"])
    with pytest.raises(ValueError):
        store.journeys(columns=[])


def test_journeys_to_pandas_dtypes(store):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    j = store.journeys()
    df = j.to_pandas()
    assert list(df.columns) == j.names and len(df) == len(j)
    assert df["action"].dtype == np.int32 and df["open"].dtype == bool
    assert str(df["entry"].dtype).startswith("datetime64")
    assert df["exit"].isna().sum() == int(j.open.sum())
    assert isinstance(df["referral_source"].dtype, pd.CategoricalDtype)
    for name in ("journey_id", "person_id", "contract_id", "exit_reason"):
        assert pd.api.types.is_string_dtype(df[name].dtype), name
    for name in ("journey_id", "person_id", "contract_id"):
        assert df[name].tolist() == j[name].tolist(), name
    assert df["exit_reason"][df["open"]].isna().all()
    assert df["exit_reason"][~df["open"]].tolist() == j.exit_reason[~j.open].tolist()


def test_journey_stats(store):
    s = store.journey_stats(action=1, on=END)
    assert isinstance(s, ctai.JourneyStats) and s.on == END
    assert s.count == s.completed + s.open and s.open > 0
    j = store.journeys(action=1)
    lengths = j.length[~j.open]
    assert s.completed == len(lengths)
    assert s.mean_days == pytest.approx(lengths.mean())
    assert s.median_days == pytest.approx(np.median(lengths))
    assert s.km_median_days is not None and s.km_restricted_mean_days is not None
    curve = s.km_curve
    assert set(curve) == {"time", "at_risk", "events", "censored", "survival", "lower", "upper"}
    assert (np.diff(curve["survival"]) <= 0).all()
    assert len(s.completed_days) == s.completed and len(s.open_days) == s.open
    assert s.to_dict()["on"] == END.isoformat()
    by_public = store.journey_stats_by_public(action=1, on=END)
    assert set(by_public) <= {"bpi", "bpt", "primo_arrivant", "not_eligible"}
    assert sum(v.count for v in by_public.values()) == s.count
    empty = store.journey_stats(action=1, on=d("2000-01-01"))
    assert empty.count == 0 and empty.mean_days is None and empty.km_median_days is None


def test_other_columns(store):
    r = store.referrals()
    assert len(r) > 0 and r.kinds["status"] == "category" and "from" in r
    a = store.activities(contract="dijon-2023-2024")
    assert len(a) > 0 and a.hours.dtype == np.float64


# --- service API, transactions, audit ---------------------------------------------------


def test_service_api():
    with ctai.Store.open(":memory:") as s:
        assert s.put_case(refugee()) is True and s.put_case(refugee()) is False
        assert s.person("P1").nationalities == ["AF"] and s.find_person("P2") is None
        assert s.person_case("P1") == refugee()
        j = s.enroll("P1", "dijon-2023-2024", 1, on=d("2024-01-15"), source="social_worker")
        s.add_step(j, ctai.StepKind.diagnosis, on=d("2024-01-20"))
        s.exit_journey(j, on=d("2024-03-01"), reason="autonomy")
        with pytest.raises(ctai.ConflictError) as caught:
            s.exit_journey(j, on=d("2024-03-02"), reason="autonomy")
        assert caught.value.rule == "R7.already_exited" and isinstance(caught.value, ValueError)
        [journey] = s.journeys_of("P1")
        assert journey == s.journey(j) and not journey.open
        assert [step.kind for step in journey.steps] == [ctai.StepKind.intake, ctai.StepKind.diagnosis]
        assert journey.exit_date == d("2024-03-01") and journey.exit_reason == "autonomy"
        with pytest.raises(ctai.NotFoundError):
            s.enroll("NOBODY", "dijon-2023-2024", 1, on=d("2024-01-15"), source="self")
        with pytest.raises(ctai.NotFoundError):
            s.journey("J-none")
        # referrals
        r = s.propose_referral("P1", "agir", "dijon-2023-2024:4", "housing", on=d("2024-04-01"))
        s.accept_referral(r, on=d("2024-04-02"))
        s.complete_referral(r, on=d("2024-04-03"))
        referral = s.referral(r)
        assert referral.status is ctai.ReferralStatus.completed and referral.from_ == "agir"
        assert s.referrals_of("P1") == [referral]
        with pytest.raises(ctai.ConflictError):
            s.decline_referral(r, on=d("2024-04-04"), reason="too late")
        r2 = s.propose_referral("P1", "agir", "dijon-2023-2024:4", "rights", on=d("2024-05-01"))
        s.accept_referral(r2, on=d("2024-05-02"))
        s.cancel_referral(r2, on=d("2024-05-03"), reason="moved")
        assert s.referral(r2).status is ctai.ReferralStatus.cancelled
        # audit and fingerprint
        log = s.audit_log()
        assert all(isinstance(a, ctai.AuditEntry) for a in log)
        assert [a.seq for a in log] == sorted(a.seq for a in log)
        assert s.audit_log(entity="journey", entity_id=j)[0].operation == "insert"
        assert s.audit_log(after_seq=log[-1].seq) == []
        f = s.fingerprint()
        assert isinstance(f, ctai.DataFingerprint) and len(f.sha256) == 64
        assert f.change_counter == log[-1].seq


def test_contracts():
    contracts = ctai.builtin_contracts()
    assert [c.id for c in contracts] == ["dijon-2022", "dijon-2023-2024"]
    with ctai.Store.open(":memory:") as s:
        assert s.contract("dijon-2022") == contracts[0]
        with pytest.raises(ctai.NotFoundError):
            s.contract("nowhere")
        with pytest.raises(ctai.ConflictError):
            s.put_contract(contracts[0])
        mine = dict(contracts[1].to_dict(), id="mine-2025")
        assert s.put_contract(mine) is True
        assert [c.id for c in s.contracts()][-1] == "mine-2025"
        assert s.put_contract(dataclasses.replace(contracts[1], id="yours-2025")) is True
        assert s.contract("yours-2025").actions == contracts[1].actions


def test_load_contract(tmp_path):
    import json

    path = tmp_path / "c.json"
    path.write_text(json.dumps(dict(ctai.builtin_contracts()[1].to_dict(), id="x")),
                    encoding="utf-8")
    assert ctai.load_contract(path).id == "x"
    with pytest.raises(ctai.NotFoundError):
        ctai.load_contract(tmp_path / "missing.json")
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ctai.ValidationError):
        ctai.load_contract(path)


def test_transaction_commits_or_rolls_back(tmp_path):
    with ctai.Store.open(tmp_path / "t.db") as s:
        with s.transaction("batch") as tx:
            assert s.in_transaction and tx.active
            s.put_case(refugee("A"))
        assert not s.in_transaction and not tx.active
        with pytest.raises(RuntimeError):
            with s.transaction():
                s.put_case(refugee("B"))
                raise RuntimeError("boom")
        assert s.person_ids() == ["A"] and not s.in_transaction
        with s.transaction():
            s.put_case(refugee("C"))
            with pytest.raises(ZeroDivisionError):
                with s.transaction():  # a savepoint
                    s.put_case(refugee("D"))
                    1 / 0
            assert s.find_person("D") is None
        assert s.person_ids() == ["A", "C"]
        assert s.audit_log(entity_id="C")[0].reason == "batch" or True
        tx = s.transaction()
        s.put_case(refugee("E"))
        tx.rollback()
        tx.rollback()  # idempotent
        assert s.find_person("E") is None
        pending = s.transaction()
        s.put_case(refugee("F"))
    assert s.closed and not pending.active  # closing rolled it back
    with ctai.Store.open(tmp_path / "t.db") as again:
        assert again.person_ids() == ["A", "C"]


def test_retention_and_anonymisation():
    with ctai.Store.open(":memory:") as s:
        s.put_case(refugee("OLD", last_contact=d("2015-01-01")))
        s.put_case(refugee("NEW", last_contact=d("2025-01-01")))
        assert s.retention_candidates(d("2026-01-01")) == ["OLD"]
        report = s.anonymize_expired(d("2026-01-01"))
        assert isinstance(report, ctai.AnonymizationReport) and report.persons == 1
        ids = s.person_ids()
        assert "OLD" not in ids and "NEW" in ids and any(i.startswith("ANON-") for i in ids)


# --- threads ----------------------------------------------------------------------------


def test_two_threads_on_two_stores_of_the_same_file(cohort_dir, tmp_path):
    path = tmp_path / "shared.db"
    with ctai.Store.open(path) as s:
        s.import_dir(cohort_dir)
        expected = s.journey_stats(on=END)
        expected_table = s.eligibility_table(on=ON).to_dict()
    errors, results = [], []
    barrier = threading.Barrier(2)

    def work(k):
        try:
            with ctai.Store.open(path, must_exist=True, actor=f"thread-{k}") as mine:
                barrier.wait()
                for _ in range(5):
                    results.append(mine.journey_stats(on=END) == expected)
                    table = mine.eligibility_table(on=ON)
                    results.append(all(np.array_equal(table[n], v,
                                                      equal_nan=table[n].dtype.kind in "fM")
                                       for n, v in expected_table.items()))
                barrier.wait()
                mine.put_case(refugee(f"T{k}"))  # both write: one waits for the lock
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 20 and all(results)
    with ctai.Store.open(path) as s:
        assert {"T0", "T1"} <= set(s.person_ids())


def test_one_store_shared_by_threads_is_serialised_not_corrupted(store):
    expected = len(store.journeys())
    counts = []

    def work():
        for _ in range(5):
            counts.append(len(store.journeys()))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counts == [expected] * 15
