"""Dated nationalities through the command (#17): the worked case of domain.md (a refugee
protected 2021-05-10, naturalised French 2024-03-01) imported from nationalities.csv,
checked on both sides of the naturalisation, exported and imported again; a located import
error that never prints the cell; the policy flag --minors-follow-household."""
import json


def write_folder(folder, persons_nationalities=""):
    folder.mkdir()
    (folder / "persons.csv").write_text(
        "person_id,sex,birth_date,nationalities,household_id,department\n"
        f"N1,F,1990-04-02,{persons_nationalities},H1,21\n"
        "A1,M,1988-07-01,MA,H2,21\n"
        "C1,F,2015-02-10,MA,H2,21\n")
    (folder / "protections.csv").write_text(
        "person_id,type,authority,decision_date\nN1,refugee,OFPRA,2021-05-10\n")
    (folder / "permits.csv").write_text(
        "person_id,kind,motive,valid_from,valid_to\nA1,card,family,2022-03-15,\n")
    (folder / "nationalities.csv").write_text(
        "person_id,nationality,acquired_on,lost_on\nN1,SY,,\nN1,FR,2024-03-01,\n")


def check(run, db, person, on, *flags):
    out = run("check", db, "--person", person, "--on", on, "--format", "json", *flags,
              check=0).stdout
    return json.loads(out)[0]


def test_the_naturalised_refugee_leaves_the_public_on_the_naturalisation(run, tmp_path):
    folder = tmp_path / "in"
    write_folder(folder)
    db = tmp_path / "cases.db"
    run("init", db, check=0)
    out = run("import", db, folder, check=0).stdout
    assert "nationalities.csv" in out
    before = check(run, db, "N1", "2024-02-29")
    after = check(run, db, "N1", "2024-03-01")
    assert before["bpi"] is True and before["nationality_class"] == "third_country"
    assert after["bpi"] is False and after["nationality_class"] == "french"
    assert after["public"] is None
    # Export -> import into a fresh store -> export: the same files.
    first, second = tmp_path / "out1", tmp_path / "out2"
    run("export", db, first, check=0)
    assert (first / "nationalities.csv").read_text() == (
        "person_id,nationality,acquired_on,lost_on\nN1,SY,,\nN1,FR,2024-03-01,\n")
    fresh = tmp_path / "fresh.db"
    run("init", fresh, check=0)
    run("import", fresh, first, check=0)
    run("export", fresh, second, check=0)
    for f in first.iterdir():
        assert (second / f.name).read_bytes() == f.read_bytes(), f.name


def test_a_disagreeing_persons_cell_is_refused_at_its_line_without_its_value(run, tmp_path):
    folder = tmp_path / "in"
    write_folder(folder, persons_nationalities="IQ")
    db = tmp_path / "cases.db"
    run("init", db, check=0)
    proc = run("import", db, folder)
    assert proc.returncode == 2
    assert "persons.csv:2: nationalities:" in proc.stderr
    assert "IQ" not in proc.stderr and "SY" not in proc.stderr
    assert run("check", db, "--on", "2024-06-01", "--format", "json", check=0).stdout.strip() == "[]"


def test_minors_follow_household_flag(run, tmp_path):
    folder = tmp_path / "in"
    write_folder(folder)
    db = tmp_path / "cases.db"
    run("init", db, check=0)
    run("import", db, folder, check=0)
    off = check(run, db, "C1", "2024-06-01")
    on = check(run, db, "C1", "2024-06-01", "--minors-follow-household", "true")
    assert off["primo_arrivant"] is False
    assert on["primo_arrivant"] is True and on["primo_window_end"] == "2027-03-15"
    assert any("household H2" in r for r in on["reasons"])
    assert not any("A1" in r or "2022-03-15" in r for r in on["reasons"])
    assert run("check", db, "--on", "2024-06-01", "--minors-follow-household", "maybe").returncode == 1
