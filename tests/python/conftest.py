"""Shared fixtures and settings of the Python tests (run on the installed package:
`pip install .` then `python -m pytest tests/python`)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import settings

import ctai

# CI runs a fixed, bounded number of examples; a developer can ask for more with
# HYPOTHESIS_PROFILE=thorough.
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(ctai.__file__).resolve().parent


def d(text: str) -> dt.date:
    """dt.date from ISO text (short test spelling)."""
    return dt.date.fromisoformat(text)


@pytest.fixture
def eval_namespace() -> dict:
    """What eval(repr(x)) needs: reprs name `ctai.` and `datetime.`."""
    return {"ctai": ctai, "datetime": dt}
