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
        assert set(r) == CHECK_KEYS
        assert r["public"] in (None, "bpi", "bpt", "primo_arrivant")
        assert r["ctai_public"] == (r["primo_arrivant"] or r["bpi"] or r["bpt"])
        assert isinstance(r["reasons"], list) and r["reasons"]
    one = json.loads(run("check", out / "demo.db", "--on", "2024-06-01", "--person", rows[0]["person_id"],
                         "--format", "json", check=0).stdout)
    assert one == [rows[0]]
    unknown = run("check", out / "demo.db", "--on", "2024-06-01", "--person", "NO-SUCH-ID")
    assert unknown.returncode == 2


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


def test_windows_lists_windows_ending_within_the_horizon(run, demo):
    out, _ = demo
    rows = json.loads(run("windows", out / "demo.db", "--on", "2024-06-01", "--within", 3650,
                          "--format", "json", check=0).stdout)
    assert rows, "a ten-year horizon catches every open window"
    for r in rows:
        assert set(r) == {"person_id", "window", "window_end", "days_left"}
        assert r["window"] in ("primo_arrivant", "agir")
        assert 0 < r["days_left"] <= 3650
    assert [r["window_end"] for r in rows] == sorted(r["window_end"] for r in rows)
    none = json.loads(run("windows", out / "demo.db", "--on", "2024-06-01", "--within", 0, "--format", "json",
                          check=0).stdout)
    assert none == []


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
