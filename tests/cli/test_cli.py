"""The `ctai` command as an operator uses it: subcommands, exit codes, error messages,
JSON shapes (interfaces.md section 2)."""
import hashlib
import json
import os
import shutil
import stat

CHECK_KEYS = {
    "person_id", "nationality_class", "public", "primo_arrivant", "bpi", "bpt", "agir",
    "ctai_public", "primo_window_end", "agir_window_end", "reasons",
}
PUBLIC_KEYS = {
    "total", "men", "women", "under_25", "bpi", "bpi_men", "bpi_women", "bpi_under_25",
    "primo_arrivants", "bpt", "not_eligible",
}
# docs/rules.md "Reason codes": the stable spellings, by dimension.
REASON_CODES = {
    "R1": {"R1.undetermined"},
    "R3": {"R3.primo_arrivant", "R3.not_third_country", "R3.no_anchor", "R3.window_ended",
           "R3.asylum_seeker", "R3.unaccompanied_minor", "R3.irregular", "R3.no_regular_stay",
           "R3.no_cir"},
    "R4": {"R4.bpi", "R4.no_protection", "R4.not_foreigner", "R4.window_ended",
           "R4.protection_ended"},
    "R5": {"R5.bpt", "R5.no_temporary_protection", "R5.displaced_before", "R5.not_foreigner",
           "R5.outside_period"},
    "R6": {"R6.own_right", "R6.family", "R6.not_bpi", "R6.bpt", "R6.not_deployed",
           "R6.stateless_excluded", "R6.recency_ended", "R6.family_not_eligible"},
}
WINDOW_KINDS = {"primo_window", "agir_window", "agir_support", "permit", "receipt", "aps"}
JOURNEY_KEYS = {"count", "completed", "open", "mean_days", "median_days", "km_median_days", "positive_exits"}


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_help_and_usage_errors(run):
    assert run("--help", check=0).stdout.startswith("ctai")
    assert "--on" in run("check", "--help", check=0).stdout
    assert "Example" in run("windows", "--help", check=0).stdout
    run(check=1)  # no subcommand
    run("frobnicate", check=1)
    assert "0.1" in run("--version", check=0).stdout


def test_init_creates_a_private_store_once(run, tmp_path):
    db = tmp_path / "cases.db"
    assert "created" in run("init", db, check=0).stdout
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert "already" in run("init", db, check=0).stdout


def test_init_refuses_a_file_that_is_not_a_store(run, tmp_path):
    other = tmp_path / "notes.db"
    other.write_bytes(b"not a database at all" * 100)
    proc = run("init", other)
    assert proc.returncode == 3
    assert "error" in proc.stderr and "Traceback" not in proc.stderr


def test_contracts_lists_the_built_ins(run):
    out = json.loads(run("contracts", "--format", "json", check=0).stdout)
    ids = {c["id"] for c in out}
    assert {"dijon-2022", "dijon-2023-2024"} <= ids
    table = run("contracts", check=0).stdout
    assert "dijon-2023-2024" in table and "2023-10-15" in table


def test_bad_dates_are_usage_errors(run, demo):
    out, _ = demo
    proc = run("check", out / "demo.db", "--on", "2023-02-30")
    assert proc.returncode == 1 and "--on" in proc.stderr
    assert run("check", out / "demo.db", "--on", "2024-06-01", "--boundary", "loose").returncode == 1


def test_missing_store_is_a_storage_error(run, tmp_path):
    proc = run("check", tmp_path / "nope.db", "--on", "2024-06-01")
    assert proc.returncode == 3
    assert "ctai init" in proc.stderr
    assert not (tmp_path / "nope.db").exists()


def test_demo_writes_a_folder_a_store_and_reports(demo):
    out, proc = demo
    assert (out / "demo.db").exists()
    assert (out / "exchange" / "persons.csv").exists()
    assert (out / "report.html").read_text().lstrip().lower().startswith("<!doctype html")
    assert "HTML report:" in proc.stdout
    assert "Nombre total d'étrangers éligibles bénéficiaires de l'action" in proc.stdout


def test_check_json_matches_the_documented_shape(run, demo):
    out, _ = demo
    rows = json.loads(run("check", out / "demo.db", "--on", "2024-06-01", "--format", "json", check=0).stdout)
    assert len(rows) == 120
    for r in rows:
        # The contract's keys, in their order, then the added reason_codes.
        assert list(r) == [*CHECK_KEY_ORDER, "reason_codes"]
        assert r["public"] in (None, "bpi", "bpt", "primo_arrivant")
        assert r["ctai_public"] == (r["primo_arrivant"] or r["bpi"] or r["bpt"])
        assert isinstance(r["reasons"], list) and r["reasons"]
        check_reason_codes(r)
    one = json.loads(run("check", out / "demo.db", "--on", "2024-06-01", "--person", rows[0]["person_id"],
                         "--format", "json", check=0).stdout)
    assert one == [rows[0]]
    unknown = run("check", out / "demo.db", "--on", "2024-06-01", "--person", "NO-SUCH-ID")
    assert unknown.returncode == 2


CHECK_KEY_ORDER = ["person_id", "nationality_class", "public", "primo_arrivant", "bpi", "bpt", "agir",
                   "ctai_public", "primo_window_end", "agir_window_end", "reasons"]
assert set(CHECK_KEY_ORDER) == CHECK_KEYS


def check_reason_codes(r):
    """One code per dimension R3, R4, R5, R6 (in that order, after R1.undetermined when the
    nationality is undetermined), each agreeing with the answer it explains."""
    codes = [c["code"] for c in r["reason_codes"]]
    for c in r["reason_codes"]:
        assert set(c) == {"code", "date"}
        assert c["date"] is None or len(c["date"]) == 10
    rules = [c.split(".")[0] for c in codes]
    assert rules == (["R1"] if r["nationality_class"] == "undetermined" else []) + ["R3", "R4", "R5", "R6"]
    for c in codes:
        assert c in REASON_CODES[c.split(".")[0]], c
    by_rule = dict(zip(rules, r["reason_codes"]))
    assert (by_rule["R3"]["code"] == "R3.primo_arrivant") == r["primo_arrivant"]
    assert (by_rule["R4"]["code"] == "R4.bpi") == r["bpi"]
    assert (by_rule["R5"]["code"] == "R5.bpt") == r["bpt"]
    assert (by_rule["R6"]["code"] in ("R6.own_right", "R6.family")) == r["agir"]
    if by_rule["R3"]["code"] == "R3.window_ended":
        assert by_rule["R3"]["date"] == r["primo_window_end"]
    if by_rule["R6"]["code"] == "R6.recency_ended":
        assert by_rule["R6"]["date"] == r["agir_window_end"]


def test_check_csv_adds_the_reason_codes_column(run, demo):
    out, _ = demo
    db = out / "demo.db"
    lines = run("check", db, "--on", "2024-06-01", "--format", "csv", check=0).stdout.splitlines()
    assert lines[0].endswith(",reasons,reason_codes")
    rows = json.loads(run("check", db, "--on", "2024-06-01", "--format", "json", check=0).stdout)
    import csv as _csv
    parsed = list(_csv.DictReader(lines))
    assert len(parsed) == len(rows)
    for got, want in zip(parsed, rows):
        text = "; ".join(c["code"] + (":" + c["date"] if c["date"] else "") for c in want["reason_codes"])
        assert got["reason_codes"] == text
    # The table of one person lists the codes after the sentences.
    one = run("check", db, "--on", "2024-06-01", "--person", rows[0]["person_id"], check=0).stdout
    assert "Reason codes: " + parsed[0]["reason_codes"] in one


def test_check_reason_codes_count_why_people_are_out(run, demo):
    """The count by code adds up: every person not BPI has exactly one R4 code saying why."""
    out, _ = demo
    rows = json.loads(run("check", out / "demo.db", "--on", "2024-06-01", "--format", "json", check=0).stdout)
    from collections import Counter
    r4 = Counter(c["code"] for r in rows for c in r["reason_codes"] if c["code"].startswith("R4."))
    assert sum(r4.values()) == len(rows)
    assert r4["R4.bpi"] == sum(r["bpi"] for r in rows)
    assert r4["R4.no_protection"] > 0


def test_policy_flags_and_policy_file_change_the_answer(run, demo, tmp_path):
    out, _ = demo
    db = out / "demo.db"
    strict = json.loads(run("check", db, "--on", "2025-06-01", "--format", "json", check=0).stdout)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"agir_recency": "calendar_n_minus_1", "boundary": "inclusive"}))
    via_file = json.loads(run("check", db, "--on", "2025-06-01", "--format", "json", "--policy", policy, check=0).stdout)
    via_flags = json.loads(run("check", db, "--on", "2025-06-01", "--format", "json",
                               "--agir-recency", "calendar_n_minus_1", "--boundary", "inclusive", check=0).stdout)
    assert via_file == via_flags
    assert len(strict) == len(via_file)
    bad = tmp_path / "bad.json"
    bad.write_text('{"boundery": "inclusive"}')
    proc = run("check", db, "--on", "2025-06-01", "--policy", bad)
    assert proc.returncode == 2 and "boundery" in proc.stderr


def test_windows_lists_what_ends_within_the_horizon(run, demo):
    out, _ = demo
    db = out / "demo.db"
    rows = json.loads(run("windows", db, "--on", "2024-06-01", "--within", 3650,
                          "--format", "json", check=0).stdout)
    assert rows, "a ten-year horizon catches every open window"
    for r in rows:
        assert list(r) == ["person_id", "kind", "end", "days_left", "public", "stays", "stays_as"]
        assert r["kind"] in WINDOW_KINDS
        assert 0 < r["days_left"] <= 3650
        assert r["stays"] == (r["stays_as"] is not None)
    assert {r["kind"] for r in rows} >= {"primo_window", "agir_window", "permit", "aps"}
    assert [r["end"] for r in rows] == sorted(r["end"] for r in rows)
    # A BPI's primo window ends: the person stays, as BPI; a primo-arrivant's: leaves.
    primo = [r for r in rows if r["kind"] == "primo_window"]
    assert any(r["public"] == "bpi" for r in primo)
    for r in primo:
        assert r["stays"] == (r["public"] in ("bpi", "bpt")), r
        if r["public"] == "bpi":
            assert r["stays_as"] == "bpi"
    # The windows of the rules agree with `ctai check` at the date.
    check = {r["person_id"]: r for r in json.loads(
        run("check", db, "--on", "2024-06-01", "--format", "json", check=0).stdout)}
    for r in rows:
        if r["kind"] == "primo_window":
            assert check[r["person_id"]]["primo_arrivant"] and check[r["person_id"]]["primo_window_end"] == r["end"]
        if r["kind"] == "agir_window":
            assert check[r["person_id"]]["agir"] and check[r["person_id"]]["agir_window_end"] == r["end"]
        assert r["public"] == check[r["person_id"]]["public"]
    none = json.loads(run("windows", db, "--on", "2024-06-01", "--within", 0, "--format", "json",
                          check=0).stdout)
    assert none == []


def test_windows_documents_and_agir_supports_match_a_computation_from_the_exchange_files(run, demo):
    """Permits, receipts, APS and AGIR supports ending, recomputed from the CSV files: a
    document in force on D expires (the day after valid_to) within the horizon and no other
    document started by D covers that day; an AGIR support entered by D without an exit by D
    reaches 24 months."""
    import csv as _csv
    import datetime as dt
    out, _ = demo
    on, within = dt.date(2024, 6, 1), 1000
    until = on + dt.timedelta(days=within)
    kind_of = {"card": "permit", "vls_ts": "permit", "receipt": "receipt", "aps": "aps"}
    permits = list(_csv.DictReader(open(out / "exchange" / "permits.csv", encoding="utf-8")))
    day = dt.date.fromisoformat
    want = set()
    for p in permits:
        if p["kind"] not in kind_of or not p["valid_to"]:
            continue
        start, last = day(p["valid_from"]), day(p["valid_to"])
        end = last + dt.timedelta(days=1)
        if not (start <= on <= last and end <= until):
            continue
        covered = any(q is not p and q["kind"] != "asylum_certificate" and q["person_id"] == p["person_id"]
                      and day(q["valid_from"]) <= on and day(q["valid_from"]) <= end
                      and (not q["valid_to"] or end <= day(q["valid_to"])) for q in permits)
        if not covered:
            want.add((p["person_id"], kind_of[p["kind"]], end.isoformat()))
    for s in _csv.DictReader(open(out / "exchange" / "agir.csv", encoding="utf-8")):
        if not s["entry_date"] or day(s["entry_date"]) > on or (s["exit_date"] and day(s["exit_date"]) <= on):
            continue
        e = day(s["entry_date"])
        y, m = e.year + (e.month + 23) // 12, (e.month + 23) % 12 + 1
        end = dt.date(y, m, min(e.day, [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]))
        if on < end <= until:
            want.add((s["person_id"], "agir_support", end.isoformat()))
    rows = json.loads(run("windows", out / "demo.db", "--on", on.isoformat(), "--within", within,
                          "--kind", "permit,receipt", "--kind", "aps", "--kind", "agir_support",
                          "--format", "json", check=0).stdout)
    assert want, "the demo has documents and supports ending"
    assert {(r["person_id"], r["kind"], r["end"]) for r in rows} == want
    assert {r["kind"] for r in rows} == {"permit", "receipt", "aps", "agir_support"}


def test_windows_kind_filter_formats_and_errors(run, demo):
    out, _ = demo
    db = out / "demo.db"
    every = json.loads(run("windows", db, "--on", "2024-06-01", "--within", 365, "--format", "json", check=0).stdout)
    only = json.loads(run("windows", db, "--on", "2024-06-01", "--within", 365, "--kind", "aps",
                          "--format", "json", check=0).stdout)
    assert only and only == [r for r in every if r["kind"] == "aps"]
    csv_text = run("windows", db, "--on", "2024-06-01", "--within", 365, "--format", "csv", check=0).stdout
    lines = csv_text.splitlines()
    assert lines[0] == "person_id,kind,end,days_left,public,stays,stays_as"
    assert len(lines) == len(every) + 1
    table = run("windows", db, "--on", "2024-06-01", "--within", 365, check=0).stdout
    assert f"{len(every)} ends by 2025-06-01" in table
    bad = run("windows", db, "--on", "2024-06-01", "--within", 30, "--kind", "visa")
    assert bad.returncode == 1 and "--kind" in bad.stderr and "primo_window" in bad.stderr


def test_journeys_statistics_state_open_journeys(run, demo):
    out, _ = demo
    j = json.loads(run("journeys", out / "demo.db", "--action", 1, "--on", "2024-10-15", "--format", "json",
                       check=0).stdout)
    o = j["overall"]
    assert o["count"] == o["completed"] + o["open"] > 0
    table = run("journeys", out / "demo.db", "--on", "2024-10-15", check=0).stdout
    assert "censored" in table


def test_report_json_matches_the_documented_shape_and_is_reproducible(run, demo):
    out, _ = demo
    db = out / "demo.db"
    text = run("report", db, "--contract", "dijon-2023-2024", "--format", "json", check=0).stdout
    again = run("report", db, "--contract", "dijon-2023-2024", "--format", "json", check=0).stdout
    assert text == again
    r = json.loads(text)
    assert r["contract"] == "dijon-2023-2024"
    assert r["period"] == {"from": "2023-10-15", "to": "2024-10-15"}
    assert "evaluated_on" in r and isinstance(r["policy"], dict)
    assert [a["number"] for a in r["actions"]] == [1, 2, 3, 4]
    for a in r["actions"]:
        assert set(a) >= {"number", "title", "public", "journeys", "financial", "extra"}
        assert set(a["public"]) == PUBLIC_KEYS
        for cell in a["public"].values():
            assert set(cell) == {"target", "realised"}
        assert set(a["journeys"]) >= JOURNEY_KEYS
        assert set(a["financial"]) == {"total_cost", "subsidy_p104"}
    assert r["actions"][0]["public"]["total"]["target"] == 200


def test_report_formats_and_publication(run, demo, tmp_path):
    out, _ = demo
    db = out / "demo.db"
    md = run("report", db, "--contract", "dijon-2023-2024", check=0).stdout
    assert "Réalisé" in md and "Objectif" in md
    assert run("report", db, "--contract", "dijon-2023-2024", "--format", "csv", check=0).stdout.count("\n") > 10
    html = tmp_path / "r.html"
    run("report", db, "--contract", "dijon-2023-2024", "--format", "html", "-o", html, check=0)
    assert "<svg" in html.read_text()
    pub = json.loads(run("report", db, "--contract", "dijon-2023-2024", "--format", "json", "--publish", check=0).stdout)
    cells = [c["realised"] for a in pub["actions"] for c in a["public"].values()]
    assert all(c is None or c == 0 or c >= 11 for c in cells)
    assert run("report", db, "--contract", "no-such-contract").returncode == 2
    assert run("report", db, "--contract", "dijon-2023-2024", "--k", 5).returncode == 1


def test_import_is_idempotent(run, demo, tmp_path):
    out, _ = demo
    db = tmp_path / "copy.db"
    run("init", db, check=0)
    first = run("import", db, out / "exchange", check=0).stdout
    assert "imported" in first
    second = run("import", db, out / "exchange", check=0).stdout
    assert " 0 rows inserted or changed" in second


def test_import_of_a_folder_with_mistakes_lists_them_all_and_writes_nothing(run, demo, tmp_path):
    out, _ = demo
    folder = tmp_path / "broken"
    shutil.copytree(out / "exchange", folder)
    persons = (folder / "persons.csv").read_text().splitlines()
    header = persons[0].split(",")
    bad = persons[2].split(",")
    bad[header.index("birth_date")] = "1990-02-30"
    bad[header.index("nationalities")] = "ZZZ"
    persons[2] = ",".join(bad)
    (folder / "persons.csv").write_text("\n".join(persons) + "\n")
    db = tmp_path / "target.db"
    run("init", db, check=0)
    before = sha(db)
    proc = run("import", db, folder)
    assert proc.returncode == 2
    assert "nothing was written" in proc.stderr
    assert "persons.csv:3: birth_date:" in proc.stderr
    assert "persons.csv:3: nationalities:" in proc.stderr
    assert "1990-02-30" not in proc.stderr and "ZZZ" not in proc.stderr
    assert sha(db) == before


def test_export_and_pseudonymised_export(run, demo, tmp_path):
    out, _ = demo
    db = out / "demo.db"
    plain = tmp_path / "plain"
    run("export", db, plain, check=0)
    assert (plain / "persons.csv").read_text() == (out / "exchange" / "persons.csv").read_text()
    key = tmp_path / "secret.key"
    key.write_text("a synthetic test key, 32 bytes!!")
    pseudo = tmp_path / "pseudo"
    run("export", db, pseudo, "--pseudonymize", "--key-file", key, check=0)
    ids = [line.split(",")[0] for line in (plain / "persons.csv").read_text().splitlines()[1:]]
    text = (pseudo / "persons.csv").read_text()
    assert not any(i in text for i in ids)
    assert run("export", db, tmp_path / "x", "--pseudonymize").returncode == 1


def test_retention_lists_then_anonymises_keeping_the_totals(run, demo, tmp_path):
    out, _ = demo
    # --apply refuses a date after today: 2026-11-22 is past, and every last contact of the
    # demo cohort (2023-2024) is more than two years older.
    db = tmp_path / "old.db"
    run("init", db, check=0)
    run("import", db, out / "exchange", check=0)
    listed = json.loads(run("retention", db, "--on", "2026-11-22", "--format", "json", check=0).stdout)
    # Persons without a recorded last contact are never purged automatically.
    assert 100 < len(listed["candidates"]) <= 120
    assert json.loads(run("retention", db, "--on", "2024-01-01", "--format", "json", check=0).stdout)["candidates"] == []
    before = json.loads(run("report", db, "--contract", "dijon-2023-2024", "--format", "json", check=0).stdout)
    done = json.loads(run("retention", db, "--on", "2026-11-22", "--apply", "--yes", "--format", "json", check=0).stdout)
    assert done["persons"] == len(listed["candidates"])
    after = json.loads(run("report", db, "--contract", "dijon-2023-2024", "--format", "json", check=0).stdout)
    for a, b in zip(before["actions"], after["actions"]):
        for key in ("total", "men", "women", "bpi", "bpt", "primo_arrivants"):
            assert a["public"][key] == b["public"][key], key
        assert a["journeys"] == b["journeys"]
    ids = set(r["person_id"] for r in json.loads(
        run("check", db, "--on", "2024-06-01", "--format", "json", check=0).stdout))
    assert not ids & set(listed["candidates"])
    assert json.loads(run("retention", db, "--on", "2026-11-22", "--format", "json", check=0).stdout)["candidates"] == []


def test_import_dry_run_shows_the_changes_and_writes_nothing(run, demo, tmp_path):
    out, _ = demo
    db = tmp_path / "dry.db"
    run("init", db, check=0)
    before = run("check", db, "--on", "2024-06-01", "--format", "json", check=0).stdout
    proc = run("import", db, out / "exchange", "--dry-run", check=0)
    assert "dry run, nothing written" in proc.stdout
    assert " 0 rows inserted or changed" not in proc.stdout  # the changes it would make are shown
    assert run("check", db, "--on", "2024-06-01", "--format", "json", check=0).stdout == before
    # The same folder imported for real then changes the store.
    run("import", db, out / "exchange", check=0)
    assert run("check", db, "--on", "2024-06-01", "--format", "json", check=0).stdout != before


def test_import_of_a_folder_without_permits_keeps_them_and_says_so(run, demo, tmp_path):
    out, _ = demo
    db = tmp_path / "kept.db"
    run("init", db, check=0)
    run("import", db, out / "exchange", check=0)
    before = run("check", db, "--on", "2024-06-01", "--format", "json", check=0).stdout
    only = tmp_path / "only-persons"
    only.mkdir()
    shutil.copy(out / "exchange" / "persons.csv", only / "persons.csv")
    proc = run("import", db, only, check=0)
    assert "left as they were (file absent): " in proc.stdout and "permits" in proc.stdout
    assert run("check", db, "--on", "2024-06-01", "--format", "json", check=0).stdout == before
