"""Issue #21, the command line: output that cannot destroy (-o never replaces a store or an
existing file without --overwrite, writes through a temporary file), checked writes
(standard output included), a guarded `retention --apply`, range-checked arguments,
unknown ids refused, no empty file turned into a store, Markdown that escapes HTML."""
import datetime
import json
import os
import shutil
import stat
import subprocess

import pytest

CONTRACT = "dijon-2023-2024"


def sha(path):
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def store(run, demo, tmp_path):
    """A private copy of the demo store (tests here may change or try to destroy it)."""
    out, _ = demo
    db = tmp_path / "cases.db"
    run("init", db, check=0)
    run("import", db, out / "exchange", check=0)
    return db


# ---- -o: never destroys ------------------------------------------------------------------

def test_report_o_refuses_to_replace_the_store_even_with_overwrite(run, store):
    before = sha(store)  # refused before the store is even opened: not a byte changes
    for extra in ([], ["--overwrite"]):
        proc = run("report", store, "--contract", CONTRACT, "-o", store, *extra)
        assert proc.returncode == 1, proc.stderr
        assert "store" in proc.stderr
        assert sha(store) == before
    # The store still opens and answers.
    run("check", store, "--on", "2024-06-01", check=0)


def test_report_o_refuses_any_sqlite_file_and_its_companions(run, store, tmp_path):
    wal = tmp_path / "other.db-wal"
    wal.write_bytes(bytes.fromhex("377f0682") + b"\0" * 60)
    journal = tmp_path / "other.db-journal"
    journal.write_bytes(bytes.fromhex("d9d505f920a163d7") + b"\0" * 60)
    for f in (wal, journal):
        before = sha(f)
        for extra in ([], ["--overwrite"]):
            assert run("report", store, "--contract", CONTRACT, "-o", f, *extra).returncode == 1
            assert sha(f) == before


def test_report_o_replaces_an_existing_file_only_with_overwrite(run, store, tmp_path):
    target = tmp_path / "report.md"
    target.write_text("my notes\n")
    proc = run("report", store, "--contract", CONTRACT, "-o", target)
    assert proc.returncode == 1 and "--overwrite" in proc.stderr
    assert target.read_text() == "my notes\n"
    run("report", store, "--contract", CONTRACT, "-o", target, "--overwrite", check=0)
    assert "Réalisé" in target.read_text()
    # A new file needs no flag; no temporary file is left beside it.
    fresh = tmp_path / "fresh.json"
    run("report", store, "--contract", CONTRACT, "--format", "json", "-o", fresh, check=0)
    assert json.loads(fresh.read_text())["contract"] == CONTRACT
    assert sorted(p.name for p in tmp_path.iterdir() if "report" in p.name or "fresh" in p.name) == [
        "fresh.json", "report.md"]


def test_report_o_failing_write_leaves_no_file(run, store, tmp_path):
    missing = tmp_path / "no-such-folder" / "r.md"
    proc = run("report", store, "--contract", CONTRACT, "-o", missing)
    assert proc.returncode == 3 and "cannot write" in proc.stderr
    assert not missing.parent.exists()
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    ro = tmp_path / "read-only"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        proc = run("report", store, "--contract", CONTRACT, "-o", ro / "r.md")
        assert proc.returncode == 3
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)


# ---- checked writes ----------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [
    ["report", "{db}", "--contract", CONTRACT],
    ["check", "{db}", "--on", "2024-06-01", "--format", "json"],
    ["contracts"],
    ["--help"],
])
def test_a_full_standard_output_is_an_error(ctai_bin, store, args):
    argv = [str(ctai_bin), *[a.format(db=store) for a in args]]
    with open("/dev/full", "w") as full:
        proc = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True, timeout=600)
    assert proc.returncode == 3, proc.stderr
    assert "standard output" in proc.stderr


# ---- init and empty files ----------------------------------------------------------------

def test_init_never_turns_an_empty_file_into_a_store(run, tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    empty.chmod(0o644)
    proc = run("init", empty)
    assert proc.returncode == 3 and "not a ctai store" in proc.stderr
    assert empty.stat().st_size == 0 and stat.S_IMODE(empty.stat().st_mode) == 0o644
    # Nor does any command opening it as a store.
    proc = run("check", empty, "--on", "2024-06-01")
    assert proc.returncode == 3 and "empty file" in proc.stderr
    assert empty.stat().st_size == 0


def test_init_creates_a_private_store_whatever_the_umask(ctai_bin, tmp_path):
    db = tmp_path / "open.db"
    proc = subprocess.run(["sh", "-c", 'umask 000 && exec "$0" init "$1"', str(ctai_bin), str(db)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_init_in_a_missing_folder_leaves_nothing(run, tmp_path):
    proc = run("init", tmp_path / "nope" / "cases.db")
    assert proc.returncode == 3
    assert not (tmp_path / "nope").exists()


# ---- retention --apply is guarded --------------------------------------------------------

def test_retention_apply_refuses_a_date_after_today(run, store):
    before = sha(store)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    for on in ("2042-06-01", tomorrow):
        proc = run("retention", store, "--on", on, "--apply", "--yes")
        assert proc.returncode == 1 and "after today" in proc.stderr
    assert sha(store) == before
    # Listing a future date stays allowed (it changes nothing).
    run("retention", store, "--on", "2042-06-01", check=0)


def test_retention_apply_without_a_terminal_needs_yes(ctai_bin, run, store):
    listed = json.loads(run("retention", store, "--on", "2026-11-22", "--format", "json", check=0).stdout)
    assert listed["candidates"], "the demo cohort has case files past the retention period"
    proc = subprocess.run([str(ctai_bin), "retention", str(store), "--on", "2026-11-22", "--apply"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1 and "--yes" in proc.stderr
    # It said what it would do: a count, no ids or personal fields.
    assert f"{len(listed['candidates'])} case files" in proc.stderr
    assert not any(i in proc.stderr for i in listed["candidates"])
    again = json.loads(run("retention", store, "--on", "2026-11-22", "--format", "json", check=0).stdout)
    assert again == listed, "nothing was anonymised"
    done = json.loads(run("retention", store, "--on", "2026-11-22", "--apply", "--yes", "--format", "json",
                          check=0).stdout)
    assert done["persons"] == len(listed["candidates"])


def test_retention_apply_asks_on_a_terminal(ctai_bin, run, store):
    pty = pytest.importorskip("pty")
    listed = json.loads(run("retention", store, "--on", "2026-11-22", "--format", "json", check=0).stdout)

    def on_terminal(answer):
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(str(ctai_bin), [str(ctai_bin), "retention", str(store), "--on", "2026-11-22", "--apply"])
        import select
        import signal
        out = b""
        sent = False
        while True:
            ready, _, _ = select.select([fd], [], [], 120)
            if not ready:  # never hang the suite: a missing prompt fails the test
                os.kill(pid, signal.SIGKILL)
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if not sent and b"proceed" in out:
                os.write(fd, answer + b"\n")
                sent = True
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), out.decode(errors="replace")

    code, out = on_terminal(b"no")
    assert code == 1 and "nothing done" in out
    assert json.loads(run("retention", store, "--on", "2026-11-22", "--format", "json",
                          check=0).stdout) == listed
    code, out = on_terminal(b"yes")
    assert code == 0 and "anonymised" in out
    assert json.loads(run("retention", store, "--on", "2026-11-22", "--format", "json",
                          check=0).stdout)["candidates"] == []


# ---- arguments are range-checked; unknown ids are errors ---------------------------------

def test_windows_within_is_range_checked(run, store):
    for days in (2147483647, 36501, -1):
        proc = run("windows", store, "--on", "2024-06-01", "--within", days)
        assert proc.returncode == 1 and "--within" in proc.stderr
    assert "36500" in run("windows", "--help", check=0).stdout
    rows = json.loads(run("windows", store, "--on", "2024-06-01", "--within", 36500, "--format", "json",
                          check=0).stdout)
    assert rows


def test_publication_k_is_range_checked(run, store):
    for k in (0, 1, 1001, -3):
        proc = run("report", store, "--contract", CONTRACT, "--publish", "--k", k)
        assert proc.returncode == 1 and "--k" in proc.stderr
    run("report", store, "--contract", CONTRACT, "--publish", "--k", 2, "--format", "json", check=0)
    assert "2..1000" in run("report", "--help", check=0).stdout


def test_unknown_contract_or_action_is_not_found(run, store):
    proc = run("journeys", store, "--contract", "nope")
    assert proc.returncode == 2 and "nope" in proc.stderr
    proc = run("journeys", store, "--contract", CONTRACT, "--action", 99)
    assert proc.returncode == 2
    proc = run("journeys", store, "--action", 99)
    assert proc.returncode == 2
    assert run("journeys", store, "--action", 0).returncode == 1
    run("journeys", store, "--contract", CONTRACT, "--action", 1, check=0)
    assert run("check", store, "--on", "2024-06-01", "--person", "nope").returncode == 2


# ---- Markdown escapes HTML ---------------------------------------------------------------

def test_markdown_report_escapes_html_and_table_breakers_from_data(run, demo, tmp_path):
    out, _ = demo
    folder = tmp_path / "exchange"
    shutil.copytree(out / "exchange", folder)
    lines = (folder / "partnerships.csv").read_text().splitlines()
    header = lines[0].split(",")
    assert "theme" in header, header
    col = header.index("theme")
    evil = '<script>alert(1)</script> & a|b'
    changed = []
    for line in lines[1:]:
        cells = line.split(",")
        cells[col] = '"' + evil + '"'
        changed.append(",".join(cells))
    (folder / "partnerships.csv").write_text("\n".join([lines[0], *changed]) + "\n")
    db = tmp_path / "evil.db"
    run("init", db, check=0)
    run("import", db, folder, check=0)
    md = run("report", db, "--contract", CONTRACT, check=0).stdout
    assert "<script>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; a\\|b" in md
    html = run("report", db, "--contract", CONTRACT, "--format", "html", check=0).stdout
    assert "<script>alert" not in html and "&lt;script&gt;" in html


# ---- a full disk, simulated by a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) ----------

def run_with_file_size_limit(ctai_bin, limit, *args):
    resource = pytest.importorskip("resource")
    import signal

    def limit_writes():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([str(ctai_bin), *map(str, args)], preexec_fn=limit_writes, capture_output=True,
                          text=True, timeout=600)


def test_init_that_cannot_write_leaves_no_file(ctai_bin, tmp_path):
    db = tmp_path / "full.db"
    proc = run_with_file_size_limit(ctai_bin, 1000, "init", db)
    assert proc.returncode == 3, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_report_o_that_cannot_write_leaves_no_partial_file(ctai_bin, run, store, tmp_path):
    # Warm up: the store caches its data fingerprint on the first report (a write).
    html = run("report", store, "--contract", CONTRACT, "--format", "html", check=0).stdout
    limit = 40000  # above the store's -shm file (32 KiB), below the HTML report
    assert len(html.encode()) > limit
    out = tmp_path / "out"
    out.mkdir()
    proc = run_with_file_size_limit(ctai_bin, limit, "report", store, "--contract", CONTRACT, "--format", "html",
                                    "-o", out / "report.html")
    assert proc.returncode == 3 and "cannot write" in proc.stderr, proc.stderr
    assert list(out.iterdir()) == [], "neither a partial report nor a temporary file is left"
