"""Store.report: the R8 evaluation report, its JSON contract (interfaces.md section 2) and
the other renderers."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

import ctai
from conftest import d

PUBLIC_KEYS = {"total", "men", "women", "under_25", "bpi", "bpi_men", "bpi_women", "bpi_under_25",
               "primo_arrivants", "bpt", "not_eligible"}
JOURNEY_KEYS = {"count", "completed", "open", "mean_days", "median_days", "km_median_days",
                "positive_exits"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "export"
    ctai.write_exchange_dir(ctai.generate_cohort(300, seed=11), folder)
    with ctai.Store.open(":memory:") as s:
        s.import_dir(folder)
        yield s


def test_report_to_dict_has_the_shape_of_the_json_contract(store):
    report = store.report("dijon-2023-2024", publish=False)
    assert isinstance(report, ctai.Report)
    data = report.to_dict()
    assert data == json.loads(report.to_json())
    assert data["contract"] == "dijon-2023-2024"
    assert set(data["period"]) == {"from", "to"}
    assert data["period"] == {"from": "2023-10-15", "to": "2024-10-15"}
    assert data["evaluated_on"] == "2024-10-15" and isinstance(data["policy"], dict)
    assert [a["number"] for a in data["actions"]] == [1, 2, 3, 4]
    for action in data["actions"]:
        assert {"number", "title", "public", "journeys", "financial", "extra"} <= set(action)
        assert set(action["public"]) == PUBLIC_KEYS
        for cell in action["public"].values():
            assert set(cell) >= {"target", "realised"}
        assert JOURNEY_KEYS <= set(action["journeys"])
        assert set(action["financial"]) >= {"total_cost", "subsidy_p104"}
    assert report.fingerprint == data["fingerprint"] == store.fingerprint().sha256
    assert report.contract_id == "dijon-2023-2024" and report.library_version == ctai.__version__


def test_report_attributes_and_options(store):
    report = store.report("dijon-2023-2024", start=d("2024-01-01"), end=d("2024-06-30"),
                          evaluated_on=d("2024-09-30"))
    assert (report.start, report.end, report.evaluated_on) == (d("2024-01-01"), d("2024-06-30"),
                                                               d("2024-09-30"))
    assert report.publish is False and report.k == ctai.Policy().suppression_k
    assert report.policy == ctai.Policy() and "dijon-2023-2024" in repr(report)
    data = report.to_dict()
    assert data["period"] == {"from": "2024-01-01", "to": "2024-06-30"}
    # The same data give the same report, byte for byte.
    again = store.report("dijon-2023-2024", start=d("2024-01-01"), end=d("2024-06-30"),
                         evaluated_on=d("2024-09-30"))
    assert again == report and again.to_json() == report.to_json()


def test_published_report_suppresses_small_cells(store):
    published = store.report("dijon-2023-2024", publish=True, k=50)
    assert published.publish and published.k == 50
    assert published.suppressed and all(reason in {"primary", "secondary"}
                                        for _, reason in published.suppressed)
    data = published.to_dict()
    assert data["publish"] is True
    realised = [cell["realised"] for a in data["actions"] for cell in a["public"].values()]
    assert None in realised


def test_report_renderers(store):
    report = store.report("dijon-2023-2024")
    md = report.to_markdown()
    assert "Objectif" in md and "Réalisé" in md
    csv = report.to_csv()
    assert csv.splitlines()[0].count(",") >= 4
    html = report.to_html()
    assert html.lstrip().lower().startswith("<!doctype html") and "<svg" in html


def test_report_errors(store):
    with pytest.raises(ctai.NotFoundError):
        store.report("nowhere")
    with pytest.raises(ctai.ValidationError):
        store.report("dijon-2023-2024", start=d("2024-06-01"), end=d("2024-01-01"))
    with pytest.raises(ctai.ValidationError):
        store.report("dijon-2023-2024", publish=True, k=0)
    with pytest.raises(TypeError):
        store.report("dijon-2023-2024", True)  # type: ignore[misc]


def test_report_to_pandas_is_the_long_table_of_to_csv(store):
    pd = pytest.importorskip("pandas")
    report = store.report("dijon-2023-2024")
    df = report.to_pandas()
    assert list(df.columns) == ["action", "block", "key", "entry", "label", "target", "realised"]
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(df) == len(rows) > 100
    for row, x in zip(rows, df.itertuples(index=False)):
        indicator = f"{x.block}.{x.key}" + ("" if pd.isna(x.entry) else f".{x.entry}")
        assert (row["indicator"], int(row["action"]), row["label"]) == (indicator, x.action, x.label)
        for column in ("target", "realised"):
            value = getattr(x, column)
            if row[column] == "":
                assert math.isnan(value)
            else:  # the CSV rounds to two decimals
                assert float(row[column]) == pytest.approx(value, abs=0.005)
    # The figures analysts pivot on are those of to_dict().
    data = report.to_dict()
    women = df[(df.block == "public") & (df.key == "women")].set_index("action")["realised"]
    assert {a["number"]: a["public"]["women"]["realised"] for a in data["actions"]} == women.to_dict()
    sizes = df[df.key == "entrants_by_household_size"].groupby("action")["realised"].sum()
    entrants = df[(df.block == "extra") & (df.key == "entrants")].set_index("action")["realised"]
    assert sizes.to_dict() == entrants.to_dict()
    assert df["action"].dtype == "int64" and df["realised"].dtype == "float64"


def test_report_to_pandas_leaves_suppressed_cells_empty(store):
    pytest.importorskip("pandas")
    report = store.report("dijon-2023-2024", publish=True, k=50)
    df = report.to_pandas()
    numbers = [a["number"] for a in report.to_dict()["actions"]]
    assert report.suppressed
    for path, _ in report.suppressed:
        head, rest = path.split(".", 1)
        if head == "orientations":  # the contract-wide block: action 0
            action, block = 0, head
            key, *entry = rest.split(".", 1)
        else:
            action = numbers[int(head[len("actions["):-1])]
            block, key, *entry = rest.split(".", 2)
        match = df[(df.action == action) & (df.block == block) & (df.key == key)]
        match = match[match.entry.isna()] if not entry else match[match.entry == entry[0]]
        assert len(match) == 1, path
        assert math.isnan(match["realised"].iloc[0]), path
