"""`ctai contract add|show|new` and the exchange folder's contracts/ (domain R10), driving
the binary as a coordinator would."""
import json
import shutil

AVENANT = {
    "format_version": 1, "kind": "avenant", "id": "dijon-2023-2024-avenant-1",
    "contract": "dijon-2023-2024", "effective": "2024-04-01", "end": "2024-12-31",
    "actions": [{"number": 1, "public_targets": {"total": 220, "primo_arrivants": 30, "bpi": 170, "bpt": 20}}],
}
CONVENTION = {
    "format_version": 1, "kind": "convention", "id": "convention-agir-21-2024",
    "contract": "dijon-2023-2024", "effective": "2024-03-01",
    "parties": ["Dijon Métropole", "CESAM", "opérateur AGIR de la Côte-d'Or"],
    "actions": [{"number": 1, "agir_policy": "partner", "agir_needs": ["language", "rights"]}],
}


def write(path, doc):
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_contract_commands_have_help_with_an_example(run):
    for sub in ("add", "show", "new"):
        out = run("contract", sub, "--help", check=0).stdout
        assert "Example" in out, sub
    run("contract", check=1)  # a subcommand is required


def test_add_then_show_as_amended_on_a_date(run, tmp_path):
    db = tmp_path / "s.db"
    run("init", db, check=0)
    av = write(tmp_path / "av.json", AVENANT)
    out = run("contract", "add", db, av, check=0).stdout
    assert out.startswith("loaded avenant 'dijon-2023-2024-avenant-1'")
    assert run("contract", "add", db, av, check=0).stdout.startswith("unchanged")
    run("contract", "add", db, write(tmp_path / "conv.json", CONVENTION), check=0)

    before = json.loads(run("contract", "show", db, "dijon-2023-2024", "--on", "2024-02-01",
                            "--format", "json", check=0).stdout)
    assert before["amended_by"] == [] and before["convention"] is None
    assert before["contract"]["end"] == "2024-10-15"
    assert before["contract"]["actions"][0]["public_targets"]["total"] == 200
    after = json.loads(run("contract", "show", db, "dijon-2023-2024", "--on", "2024-06-01",
                           "--format", "json", check=0).stdout)
    assert after["amended_by"] == ["dijon-2023-2024-avenant-1"]
    assert after["convention"] == "convention-agir-21-2024"
    assert after["contract"]["end"] == "2024-12-31"
    assert after["contract"]["actions"][0]["public_targets"]["total"] == 220
    assert after["contract"]["actions"][0]["agir_policy"] == "partner"
    md = run("contract", "show", db, "dijon-2023-2024", "--on", "2024-06-01", check=0).stdout
    assert "| Avenants applied | dijon-2023-2024-avenant-1 |" in md
    assert "| Continues | dijon-2022 (actions 1 -> 1, 2 -> 1, 3 -> 2) |" in md


def test_add_refuses_a_malformed_or_orphan_document_naming_the_field(run, tmp_path):
    db = tmp_path / "s.db"
    run("init", db, check=0)
    bad = dict(AVENANT, ends="2024-12-31")
    proc = run("contract", "add", db, write(tmp_path / "bad.json", bad), check=2)
    assert "bad.json: ends: unknown key 'ends'" in proc.stderr
    orphan = dict(AVENANT, contract="nowhere-2030")
    proc = run("contract", "add", db, write(tmp_path / "orphan.json", orphan), check=2)
    assert "unknown contract 'nowhere-2030'" in proc.stderr
    show = json.loads(run("contract", "show", db, "dijon-2023-2024", "--format", "json", check=0).stdout)
    assert show["history"] == []  # nothing written
    run("contract", "show", db, "nowhere", check=2)


def test_new_writes_a_draft_that_continues_and_never_overwrites(run, tmp_path):
    db = tmp_path / "s.db"
    run("init", db, check=0)
    draft = tmp_path / "dijon-2025.json"
    run("contract", "new", db, "--from", "dijon-2023-2024", "--id", "dijon-2025", "-o", draft, check=0)
    doc = json.loads(draft.read_text(encoding="utf-8"))
    assert doc["id"] == "dijon-2025"
    assert doc["start"] == "2024-10-16" and doc["end"] == "2025-10-15"
    assert doc["continues"] == {"contract": "dijon-2023-2024", "actions": {"1": 1, "2": 2, "3": 3, "4": 4}}
    before = draft.read_bytes()
    proc = run("contract", "new", db, "--from", "dijon-2023-2024", "--id", "other", "-o", draft, check=1)
    assert "exists" in proc.stderr and draft.read_bytes() == before
    run("contract", "new", db, "--from", "dijon-2023-2024", "--id", "other", "-o", draft, "--overwrite", check=0)
    assert json.loads(draft.read_text(encoding="utf-8"))["id"] == "other"
    assert run("contract", "add", db, draft, check=0).stdout == "loaded contract 'other'\n"
    proc = run("contract", "new", db, "--from", "dijon-2023-2024", "--id", "x", "-o", db, "--overwrite", check=1)


def test_an_export_with_contracts_imported_elsewhere_answers_the_same(run, demo, tmp_path):
    out, _ = demo
    db = tmp_path / "a.db"
    shutil.copy(out / "demo.db", db)
    run("contract", "add", db, write(tmp_path / "av.json", AVENANT), check=0)
    run("contract", "add", db, write(tmp_path / "conv.json", CONVENTION), check=0)
    draft = tmp_path / "dijon-2025.json"
    run("contract", "new", db, "--from", "dijon-2023-2024", "--id", "dijon-2025", "-o", draft, check=0)
    run("contract", "add", db, draft, check=0)
    ex = tmp_path / "ex"
    run("export", db, ex, check=0)
    names = sorted(p.name for p in (ex / "contracts").iterdir())
    assert names == ["convention-agir-21-2024.convention.json", "dijon-2023-2024-avenant-1.avenant.json",
                     "dijon-2025.json"]  # built-in contracts are not written
    b = tmp_path / "b.db"
    run("init", b, check=0)
    run("import", b, ex, check=0)
    for args in (("check", "{}", "--on", "2024-06-01", "--format", "json"),
                 ("report", "{}", "--contract", "dijon-2023-2024", "--format", "json"),
                 ("report", "{}", "--contract", "dijon-2023-2024"),
                 ("contract", "show", "{}", "dijon-2023-2024", "--on", "2024-06-01"),
                 ("contract", "show", "{}", "dijon-2025", "--format", "json")):
        first = run(*[db if a == "{}" else a for a in args], check=0).stdout
        second = run(*[b if a == "{}" else a for a in args], check=0).stdout
        assert first == second, args
    # Without its contracts/ folder the journeys of dijon-2025 would not validate, and a
    # folder whose documents are malformed is refused whole.
    (ex / "contracts" / "dijon-2023-2024-avenant-1.avenant.json").write_text("{", encoding="utf-8")
    c = tmp_path / "c.db"
    run("init", c, check=0)
    proc = run("import", c, ex, check=2)
    assert "contracts/dijon-2023-2024-avenant-1.avenant.json" in proc.stderr
    assert json.loads(run("contract", "show", c, "dijon-2025", "--format", "json").stdout or "null") is None
