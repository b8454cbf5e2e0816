"""Every example of examples/python runs (each in a fresh process, in a temporary folder)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

EXAMPLES = sorted((REPO / "examples" / "python").glob("*.py"))


def test_there_are_examples():
    assert {p.name for p in EXAMPLES} >= {"average_journey_length.py", "check_windows.py"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(example, tmp_path):
    pytest.importorskip("pandas")
    result = subprocess.run([sys.executable, str(example)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
