import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def ctai_bin():
    """The `ctai` binary built by CMake (CTAI_CLI overrides the default build/cli/ctai)."""
    path = pathlib.Path(os.environ.get("CTAI_CLI", ROOT / "build" / "cli" / "ctai"))
    if not path.exists():
        pytest.fail(f"the ctai binary is not built at {path} (build with CMake first)")
    return path


@pytest.fixture(scope="session")
def run(ctai_bin):
    def _run(*args, check=None):
        proc = subprocess.run([str(ctai_bin), *map(str, args)], capture_output=True, text=True, timeout=600)
        if check is not None:
            assert proc.returncode == check, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
        return proc

    return _run


@pytest.fixture(scope="session")
def demo(run, tmp_path_factory):
    """A demo run: its exchange folder, store and reports, shared by the tests."""
    out = tmp_path_factory.mktemp("demo")
    proc = run("demo", out, "--persons", 120, check=0)
    return out, proc
