"""Store settings through the command (#18, domain R10): `ctai settings` shows and records
the territory and the policy in force (dated; the history kept); every command that
evaluates rules uses them by default, policy flags win and a report lists the options that
differ (`policy_overrides`); `ctai export` writes settings.json and `ctai import` reads it."""
import json
import shutil


def store_copy(demo, tmp_path):
    out, _ = demo
    db = tmp_path / "cases.db"
    shutil.copy(out / "demo.db", db)
    return db


def settings_json(run, db, *args):
    return json.loads(run("settings", db, "--format", "json", *args, check=0).stdout)


def test_help_has_an_example(run):
    out = run("settings", "--help", check=0).stdout
    assert "Example" in out and "ctai settings cases.db --territory 21" in out


def test_a_store_without_settings_shows_the_default_policy(run, tmp_path):
    db = tmp_path / "s.db"
    run("init", db, check=0)
    assert "no settings in force" in run("settings", db, check=0).stdout
    j = settings_json(run, db)
    assert j["effective"] is None and j["territory"] is None
    assert j["policy"]["boundary"] == "strict"


def test_settings_are_recorded_dated_and_kept(run, tmp_path):
    db = tmp_path / "s.db"
    run("init", db, check=0)
    out = run("settings", db, "--territory", "21", "--boundary", "inclusive", "--on", "2025-01-01", check=0).stdout
    assert "recorded: settings in force from 2025-01-01" in out
    j = settings_json(run, db)
    assert (j["effective"], j["territory"], j["policy"]["boundary"]) == ("2025-01-01", "21", "inclusive")
    # A later entry keeps what it does not change (territory, boundary) and the history.
    run("settings", db, "--require-cir", "true", "--on", "2025-06-01", check=0)
    j = settings_json(run, db)
    assert (j["territory"], j["policy"]["boundary"], j["policy"]["require_cir"]) == ("21", "inclusive", True)
    assert settings_json(run, db, "--on", "2025-03-01")["policy"]["require_cir"] is False
    history = settings_json(run, db, "--history")
    assert [h["effective"] for h in history] == ["2025-01-01", "2025-06-01"]
    assert "unchanged" in run("settings", db, "--require-cir", "true", "--on", "2025-06-01", check=0).stdout


def test_invalid_values_are_refused_and_nothing_is_written(run, tmp_path):
    db = tmp_path / "s.db"
    run("init", db, check=0)
    bad = run("settings", db, "--territory", "20", check=1)
    assert "--territory: '20' is not a département code" in bad.stderr
    assert "policy option 'boundary'" in run("settings", db, "--boundary", "sometimes", check=1).stderr
    policy = tmp_path / "p.json"
    policy.write_text('{"boundary": "inclusive", "boundary": "strict"}')
    assert "duplicate key" in run("settings", db, "--policy", policy, check=2).stderr
    assert run("settings", db, "--history", "--format", "json", check=0).stdout.strip() == "[]"
    assert "--history only shows" in run("settings", db, "--history", "--territory", "21", check=1).stderr


def test_commands_use_the_stores_policy_and_flags_win(run, demo, tmp_path):
    db = store_copy(demo, tmp_path)
    on = "2024-12-31"
    with_flag = run("check", db, "--on", on, "--format", "json", "--bpi-window-years", "5", check=0).stdout
    default = run("check", db, "--on", on, "--format", "json", check=0).stdout
    assert with_flag != default  # the option matters in this cohort
    run("settings", db, "--territory", "21", "--bpi-window-years", "5", check=0)
    assert run("check", db, "--on", on, "--format", "json", check=0).stdout == with_flag
    assert run("check", db, "--on", on, "--format", "json", "--bpi-window-years", "none", check=0).stdout == default
    # The report: the store's policy, no override key; with a flag, the override named.
    report = json.loads(run("report", db, "--contract", "dijon-2023-2024", "--format", "json", check=0).stdout)
    assert report["policy"]["bpi_window_years"] == 5 and "policy_overrides" not in report
    report = json.loads(run("report", db, "--contract", "dijon-2023-2024", "--format", "json",
                            "--bpi-window-years", "none", check=0).stdout)
    assert report["policy_overrides"] == {"bpi_window_years": {"store": 5, "used": None}}
    md = run("report", db, "--contract", "dijon-2023-2024", "--bpi-window-years", "none", check=0).stdout
    assert "par rapport aux réglages du magasin (R10) : bpi_window_years = null (réglage du magasin : 5)" in md


def test_export_then_import_gives_the_same_settings(run, demo, tmp_path):
    db = store_copy(demo, tmp_path)
    run("settings", db, "--territory", "21", "--agir-recency", "calendar_n_minus_1", check=0)
    run("export", db, tmp_path / "out", check=0)
    assert json.loads((tmp_path / "out" / "settings.json").read_text()) == settings_json(run, db)
    fresh = tmp_path / "fresh.db"
    run("init", fresh, check=0)
    run("import", fresh, tmp_path / "out", check=0)
    assert run("settings", fresh, "--format", "json", check=0).stdout == \
        run("settings", db, "--format", "json", check=0).stdout
    assert run("report", fresh, "--contract", "dijon-2023-2024", "--format", "json", check=0).stdout == \
        run("report", db, "--contract", "dijon-2023-2024", "--format", "json", check=0).stdout


def test_a_malformed_settings_json_is_refused_with_its_location(run, demo, tmp_path):
    out, _ = demo
    folder = tmp_path / "in"
    shutil.copytree(out / "exchange", folder)
    (folder / "settings.json").write_text(
        '{\n  "format_version": 1,\n  "effective": "2025-01-01",\n  "territory": "Dijon",\n  "policy": {}\n}\n')
    db = tmp_path / "s.db"
    run("init", db, check=0)
    err = run("import", db, folder, check=2).stderr
    assert "settings.json:4: territory: 'Dijon' is not a département code" in err
    assert "nothing was written" in err
    assert settings_json(run, db)["effective"] is None
    assert "0 persons" in run("check", db, "--on", "2024-01-01", check=0).stdout
