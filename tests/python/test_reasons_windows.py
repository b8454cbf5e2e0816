"""Reason codes (docs/rules.md "Reason codes") and what ends soon (Store.windows), from
Python: the codes of Eligibility and of eligibility_table(explain=True) agree, "why are they
out" is a value_counts(), and windows come out as typed columns."""
import datetime as dt

import pytest

import ctai
from ctai._enums import ReasonCode

pd = pytest.importorskip("pandas")

ON = dt.date(2024, 6, 1)
DIMENSIONS = {"R3": "primo_reason", "R4": "bpi_reason", "R5": "bpt_reason", "R6": "agir_reason"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort") / "x"
    ctai.write_exchange_dir(ctai.generate_cohort(300, seed=17), folder)
    with ctai.Store.open(":memory:") as s:
        s.import_dir(folder)
        yield s


def test_reason_code_vocabulary_is_the_documented_list():
    assert ctai._core.reason_code_spellings()[:3] == ["R1.undetermined", "R3.primo_arrivant",
                                                      "R3.not_third_country"]
    assert ReasonCode["R3.window_ended"].value == "R3.window_ended"
    assert len(ReasonCode) == 29


def test_eligibility_reason_codes_one_per_dimension_with_dates(store):
    e = store.eligibility(store.person_ids()[0], on=ON)
    codes = e.reason_codes
    assert [c["code"].split(".")[0] for c in codes if c["code"] != "R1.undetermined"] == ["R3", "R4", "R5", "R6"]
    for c in codes:
        assert set(c) == {"code", "date"}
        assert c["date"] is None or isinstance(c["date"], dt.date)
    assert e.to_dict()["reason_codes"] == [
        {"code": c["code"], "date": c["date"].isoformat() if c["date"] else None} for c in codes]


def test_eligibility_table_explain_adds_the_codes_of_each_person(store):
    plain = store.eligibility_table(on=ON)
    table = store.eligibility_table(on=ON, explain=True)
    assert not set(DIMENSIONS.values()) & set(plain.names)   # nothing without explain
    assert table.names[:len(plain.names)] == plain.names
    df = table.to_pandas()
    pd.testing.assert_frame_equal(df[plain.names], plain.to_pandas())   # the same answers
    assert isinstance(df.bpi_reason.dtype, pd.CategoricalDtype)
    for i in range(0, len(df), 7):                            # row by row, as Eligibility says
        row = df.iloc[i]
        e = store.eligibility(row.person_id, on=ON)
        for c in e.reason_codes:
            rule = c["code"].split(".")[0]
            if rule == "R1":
                continue
            assert row[DIMENSIONS[rule]] == c["code"], (row.person_id, rule)
            got = row[DIMENSIONS[rule] + "_date"]
            assert (pd.isna(got) and c["date"] is None) or got.date() == c["date"]


def test_why_are_they_out_is_a_value_counts(store):
    df = store.eligibility_table(on=ON, explain=True).to_pandas()
    counts = df.bpi_reason.value_counts()
    assert counts.sum() == len(df)                           # every person has an R4 code
    assert counts["R4.bpi"] == df.bpi.sum()
    out = df[~df.ctai_public].primo_reason.value_counts()
    assert out.get("R3.primo_arrivant", 0) == 0
    assert out.sum() == (~df.ctai_public).sum()
    ended = df[df.primo_reason == "R3.window_ended"]
    assert (ended.primo_reason_date == ended.primo_window_end).all()


def test_windows_as_columns(store):
    w = store.windows(on=ON, within=365)
    assert w.names == ["person_id", "kind", "end", "days_left", "public", "stays", "stays_as"]
    assert w.kinds["kind"] == "category" and w.kinds["end"] == "date" and w.kinds["stays"] == "bool"
    df = w.to_pandas()
    assert len(df) > 0
    assert set(df.kind.astype(str)) <= {k.value for k in ctai.WindowKind}
    assert (df.end.diff().dropna() >= pd.Timedelta(0)).all()
    assert ((df.end - pd.Timestamp(ON)).dt.days == df.days_left).all()
    assert ((df.stays_as != "not_eligible") == df.stays).all()
    table = store.eligibility_table(on=ON).to_pandas().set_index("person_id")
    primo = df[df.kind == "primo_window"]
    assert (table.loc[primo.person_id, "primo_window_end"].values == primo.end.values).all()
    # The kind filter: one kind, a list, an enum member; the horizon is checked.
    only = store.windows(on=ON, within=365, kind="aps").to_pandas()
    assert only.reset_index(drop=True).equals(df[df.kind == "aps"].reset_index(drop=True))
    two = store.windows(on="2024-06-01", within=365, kind=[ctai.WindowKind.permit, "receipt"])
    assert set(two.to_pandas().kind.astype(str)) <= {"permit", "receipt"}
    assert len(store.windows(on=ON, within=0)) == 0
    with pytest.raises(ValueError):
        store.windows(on=ON, within=36501)
    with pytest.raises(ValueError):
        store.windows(on=ON, within=30, kind="visa")
    with pytest.raises(TypeError):
        store.windows(on=ON, within="30")
