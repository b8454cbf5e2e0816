"""`ctai referrals` and the report's orientation block (R6) on the demo cohort, against a
computation written from scratch here over the exchange folder (pandas, and lifelines for
the Kaplan-Meier delays); then the command's options, formats and errors."""

import csv
import datetime as dt
import json
import math

import pytest

pd = pytest.importorskip("pandas")
lifelines = pytest.importorskip("lifelines")

CONTRACT = "dijon-2023-2024"
START, END = dt.date(2023, 10, 15), dt.date(2024, 10, 15)


@pytest.fixture(scope="module")
def demo_big(run, tmp_path_factory):
    """A demo with enough orientations for the delays (the shared demo has a handful)."""
    out = tmp_path_factory.mktemp("demo-referrals")
    run("demo", out, "--persons", 900, check=0)
    return out


def read(folder, name):
    return pd.read_csv(folder / "exchange" / name, dtype=str, keep_default_na=False)


def day(text):
    return dt.date.fromisoformat(text) if text else None


def state_on(r, on):
    """The referral as known on `on` (R0.5), written from the lifecycle of R6."""
    proposed, decided, closed = day(r["proposed_on"]), day(r["decided_on"]), day(r["completed_on"])
    if proposed > on:
        return None
    status, known_decided, known_closed = "proposed", None, None
    if decided and decided <= on:
        known_decided = decided
        if r["status"] == "declined":
            status = "declined"
        elif closed and closed <= on:
            status, known_closed = r["status"], closed
        else:
            status = "accepted"
    waiting = {"proposed": "decision", "accepted": "entry"}.get(status)
    since = proposed if waiting == "decision" else known_decided
    return {
        "referral_id": r["referral_id"], "person_id": r["person_id"],
        "direction": "agir_to_action" if r["from"] == "agir" else
                     "action_to_agir" if r["to"] == "agir" else "action_to_action",
        "from": r["from"], "to": r["to"], "need": r["need"], "status": status,
        "proposed_on": proposed.isoformat(),
        "decided_on": known_decided.isoformat() if known_decided else None,
        "completed_on": known_closed.isoformat() if known_closed else None,
        "age_days": (on - proposed).days, "waiting_on": waiting,
        "waiting_days": (on - since).days if waiting else None,
    }


def km(observed, censored):
    """Kaplan-Meier median and 90th percentile of delays (lifelines), None when not reached."""
    durations = list(observed) + list(censored)
    events = [1] * len(observed) + [0] * len(censored)
    if not durations:
        return None, None
    kmf = lifelines.KaplanMeierFitter().fit(durations, events)
    out = []
    for q in (0.5, 0.1):  # survival level: median, then 90th percentile of the delays
        t = lifelines.utils.qth_survival_times(q, kmf.survival_function_)
        t = float(t.iloc[0]) if hasattr(t, "iloc") else float(t)
        out.append(None if math.isinf(t) else t)
    return tuple(out)


def median(values):
    values = sorted(values)
    if not values:
        return None
    n = len(values)
    return float(values[n // 2]) if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def test_referrals_listing_agrees_with_a_computation_from_the_exchange_folder(run, demo_big):
    referrals = read(demo_big, "referrals.csv")
    assert len(referrals) > 100
    for on in (dt.date(2024, 6, 1), END):
        want = [s for s in (state_on(r, on) for _, r in referrals.iterrows()) if s]
        want.sort(key=lambda s: (s["proposed_on"], s["referral_id"]))  # oldest first
        got = json.loads(run("referrals", demo_big / "demo.db", "--on", on, "--format", "json",
                             check=0).stdout)
        assert got == want
        assert {s["waiting_on"] for s in want} >= {"decision", "entry", None}
        # The filters keep the same rows.
        got = json.loads(run("referrals", demo_big / "demo.db", "--on", on, "--status", "accepted",
                             "--need", "housing", "--format", "json", check=0).stdout)
        assert got == [s for s in want if s["status"] == "accepted" and s["need"] == "housing"]


def test_report_orientation_block_agrees_with_a_computation_from_the_exchange_folder(run, demo_big):
    referrals = read(demo_big, "referrals.csv")
    journeys = read(demo_big, "journeys.csv")
    agir = read(demo_big, "agir.csv")
    mine = CONTRACT + ":"
    rows = []
    for _, r in referrals.iterrows():
        if not (r["to"].startswith(mine) or r["from"].startswith(mine)):
            continue
        if not START <= day(r["proposed_on"]) <= END:
            continue
        s = state_on(r, END)
        s["action"] = (r["to"] if r["to"].startswith(mine) else r["from"]).split(":")[1]
        rows.append(s)
    frame = pd.DataFrame(rows)
    assert len(frame) > 50

    # The reading of R6: completion is the entry into the target. Every completed orientation
    # of the demo has it: a journey of the person in the target action, or an AGIR entry,
    # on its completion date.
    entries = {(j["person_id"], j["contract_id"] + ":" + j["action"], j["entry_date"])
               for _, j in journeys.iterrows()}
    entries |= {(a["person_id"], "agir", a["entry_date"]) for _, a in agir.iterrows() if a["entry_date"]}
    done = frame[frame.status == "completed"]
    assert len(done) > 10
    for _, s in done.iterrows():
        assert (s["person_id"], s["to"], s["completed_on"]) in entries, s["referral_id"]

    got = json.loads(run("report", demo_big / "demo.db", "--contract", CONTRACT, "--format", "json",
                         check=0).stdout)["orientations"]
    count = lambda col, names: {n: int((frame[col] == n).sum()) for n in names}  # noqa: E731
    assert got["total"] == len(frame)
    assert got["by_direction"] == count("direction", ["agir_to_action", "action_to_agir", "action_to_action"])
    assert got["by_status"] == count("status", ["proposed", "accepted", "declined", "completed", "cancelled"])
    assert got["by_need"] == count("need", ["housing", "health", "childcare", "language", "mobility",
                                            "employment", "rights"])
    assert got["by_action"] == count("action", ["1", "2", "3", "4"])
    decided = frame[frame.decided_on.notna()]
    accepted = decided[decided.status != "declined"]
    assert got["decided"] == len(decided)
    assert got["accepted"] == len(accepted)
    assert got["acceptance_rate"] == round(len(accepted) / len(decided), 3)
    assert got["entered"] == int((frame.status == "completed").sum())
    assert got["without_entry"] == int(frame.status.isin(["declined", "cancelled"]).sum())

    def days(a, b):
        return (day(b) - day(a)).days

    # Proposal -> decision; the undecided censored at the evaluation date.
    observed = [days(s.proposed_on, s.decided_on) for s in decided.itertuples()]
    censored = [(END - day(s.proposed_on)).days for s in frame[frame.decided_on.isna()].itertuples()]
    # Acceptance -> entry; the accepted not entered censored at the evaluation date, the
    # cancelled at their cancellation.
    entered = [days(s.decided_on, s.completed_on) for s in accepted[accepted.status == "completed"].itertuples()]
    waiting = [(END - day(s.decided_on)).days for s in accepted[accepted.status == "accepted"].itertuples()]
    waiting += [days(s.decided_on, s.completed_on) for s in accepted[accepted.status == "cancelled"].itertuples()]
    assert censored and waiting  # the censoring is exercised
    for key, obs, cen in (("decision_delay", observed, censored), ("entry_delay", entered, waiting)):
        km_median, km_p90 = km(obs, cen)
        assert got[key] == {"count": len(obs) + len(cen), "observed": len(obs), "open": len(cen),
                            "median_days": median(obs), "km_median_days": km_median,
                            "km_p90_days": km_p90}, key


def test_referrals_help_formats_filters_and_errors(run, demo):
    out, _ = demo
    db = out / "demo.db"
    help_text = run("referrals", "--help", check=0).stdout
    assert "Example" in help_text and "default: today" in help_text
    table = run("referrals", db, "--on", "2024-10-15", check=0).stdout
    assert table.startswith("referral_id")
    assert "known on 2024-10-15" in table
    rows = list(csv.DictReader(run("referrals", db, "--on", "2024-10-15", "--format", "csv", check=0)
                               .stdout.splitlines()))
    as_json = json.loads(run("referrals", db, "--on", "2024-10-15", "--format", "json", check=0).stdout)
    assert [r["referral_id"] for r in rows] == [r["referral_id"] for r in as_json]
    assert all((r["waiting_days"] == "") == (j["waiting_days"] is None) for r, j in zip(rows, as_json))
    # Nothing is known before the first proposal.
    assert json.loads(run("referrals", db, "--on", "2000-01-01", "--format", "json", check=0).stdout) == []
    # Without --on: today (every referral of the demo is in the past).
    assert len(json.loads(run("referrals", db, "--format", "json", check=0).stdout)) == len(
        json.loads(run("referrals", db, "--format", "json", "--on", "2099-01-01", check=0).stdout))
    for bad in (("--on", "2024-02-30"), ("--status", "waiting"), ("--need", "food"), ("--format", "xml")):
        proc = run("referrals", db, *bad)
        assert proc.returncode == 1, bad
        assert proc.stderr.strip(), bad
    assert "--on: '2024-02-30' is not a date" in run("referrals", db, "--on", "2024-02-30").stderr
    assert run("referrals", out / "nope.db").returncode == 3
