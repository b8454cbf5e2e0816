"""The package surface of issue 16: contracts as a typed class, no import-time cycle
between the compiled core and the package, one name across C++ and Python
(``build_report``, ``referrals``, ``activities``) and the deprecated aliases that warn."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys

import pytest

import ctai
from ctai import _core
from conftest import d


# --- contracts as a typed class ---------------------------------------------------------

def test_contracts_are_typed_values():
    c = ctai.builtin_contracts()[1]
    assert isinstance(c, ctai.Contract)
    assert c.id == "dijon-2023-2024"
    assert c.period == (dt.date(2023, 10, 15), dt.date(2024, 10, 15))
    assert c.start == c.period[0] and c.end == c.period[1]
    assert isinstance(c.title, str) and c.title
    assert [a.number for a in c.actions] == [1, 2, 3, 4]
    a = c.action(1)
    assert isinstance(a, ctai.Action) and a.title
    assert isinstance(a.agir_policy, ctai.AgirPolicy)
    assert all(isinstance(i, ctai.Indicator) for i in a.public_table)
    assert all(isinstance(n, ctai.Need) for a in c.actions for n in a.agir_needs)
    for a in c.actions:
        if a.prerequisite is not None:
            assert isinstance(a.prerequisite, ctai.Prerequisite)
            assert all(isinstance(s, ctai.StepKind) for s in a.prerequisite.steps)
    assert all(isinstance(r, ctai.ExitReason) for r in c.exit_reasons)
    assert c.exit_reason("lasting_housing").positive
    with pytest.raises(KeyError):
        c.action(99)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.id = "x"  # type: ignore[misc]
    assert "dijon-2023-2024" in repr(c)


@pytest.mark.parametrize("index", [0, 1])
def test_contract_to_dict_is_the_json_of_the_cpp_contract(index):
    c = ctai.builtin_contracts()[index]
    assert c.to_dict() == _core._contract_json(c)
    assert json.dumps(c.to_dict()) == json.dumps(_core._contract_json(c))  # same key order
    assert ctai.Contract.from_dict(c.to_dict()) == c


def test_contract_from_dict_validates_and_keeps_own_exit_reasons():
    base = ctai.builtin_contracts()[1].to_dict()
    mine = dict(base, id="mine", exit_reasons=[
        {"code": "moved_abroad", "label_fr": "Départ à l'étranger", "positive": False}])
    c = ctai.Contract.from_dict(mine)
    assert c.exit_reason("moved_abroad").label_fr == "Départ à l'étranger"
    assert c.exit_reason("lasting_housing").positive  # the defaults are kept
    assert c.to_dict()["exit_reasons"] == mine["exit_reasons"]
    with pytest.raises(ctai.ValidationError):
        ctai.Contract.from_dict(dict(base, actions=[dict(base["actions"][0], agir_policy="x")]))


def test_stored_contracts_are_typed_and_reports_take_a_contract():
    with ctai.Store.open(":memory:") as s:
        c = s.contract("dijon-2022")
        assert isinstance(c, ctai.Contract) and c == ctai.builtin_contracts()[0]
        assert all(isinstance(x, ctai.Contract) for x in s.contracts())
        by_id = ctai.build_report(s, "dijon-2022")
        by_value = ctai.build_report(s, c)
        assert by_id.to_dict() == by_value.to_dict() == s.report("dijon-2022").to_dict()
        assert isinstance(by_id, ctai.Report)


# --- no import-time cycle ---------------------------------------------------------------

_LOAD_CORE_ALONE = r"""
import importlib.machinery, importlib.util, sys
spec = importlib.util.find_spec("ctai")
folder = spec.submodule_search_locations[0]
import glob, os
path = [p for p in glob.glob(os.path.join(folder, "_core*")) if not p.endswith(".pyi")][0]
loader = importlib.machinery.ExtensionFileLoader("ctai._core", path)
core_spec = importlib.util.spec_from_file_location("ctai._core", path, loader=loader)
core = importlib.util.module_from_spec(core_spec)
loader.exec_module(core)
import datetime
assert core.parse_date("2024-02-29") == datetime.date(2024, 2, 29)
assert core.enum_spellings()["Sex"]
assert core._registered() == []
# Not registered: the core answers spellings and refuses to build package classes.
try:
    core.builtin_contracts()
except ImportError as e:
    assert "not registered" in str(e), e
else:
    raise AssertionError("builtin_contracts() without the package")
loaded = sorted(m for m in sys.modules if m == "ctai" or m.startswith("ctai."))
print(loaded)
"""


def test_the_compiled_core_loads_without_the_package():
    out = subprocess.run([sys.executable, "-c", _LOAD_CORE_ALONE], capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"  # neither ctai nor ctai._store was imported


def test_the_package_registers_its_classes_once_at_the_end():
    registered = set(_core._registered())
    assert {"Contract", "Columns", "Policy", "Person", "PersonCase", "Sex"} <= registered


def test_the_core_does_not_import_the_package():
    # The compiled module's init only imports the standard library and NumPy.
    code = ("import sys, importlib.util, importlib.machinery, glob, os\n"
            "folder = importlib.util.find_spec('ctai').submodule_search_locations[0]\n"
            "path = [p for p in glob.glob(os.path.join(folder, '_core*')) if not p.endswith('.pyi')][0]\n"
            "loader = importlib.machinery.ExtensionFileLoader('ctai._core', path)\n"
            "m = importlib.util.module_from_spec(importlib.util.spec_from_file_location('ctai._core', path, loader=loader))\n"
            "loader.exec_module(m)\n"
            "print('ctai._store' in sys.modules, 'ctai' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- one name, one spelling; deprecated aliases warn ------------------------------------

def test_one_name_across_cpp_and_python():
    assert ctai.build_report in (getattr(ctai, n) for n in ctai.__all__)
    with ctai.Store.open(":memory:") as s:
        assert isinstance(s.referrals(), ctai.Columns)
        assert isinstance(s.activities(), ctai.Columns)
        assert not hasattr(s, "referral_columns") and not hasattr(s, "activity_columns")


def test_store_is_the_bound_class_and_python_adds_only_its_part():
    # ctai.Store subclasses the binding: forwarding methods are the binding's own, with
    # their documentation; _store.py defines only what Python adds.
    assert issubclass(ctai.Store, _core._Store)
    own = {n for n in vars(ctai.Store) if not n.startswith("__")}
    # Python adds: the context manager, date arguments in every form with a TypeError naming
    # the argument (issue 20), progress bars, tables() and Parquet.
    assert own == {"open", "transaction", "export_dir", "journeys", "report", "anonymise_expired",
                   "eligibility", "eligibility_table", "eligibility_for", "journey_stats",
                   "journey_stats_by_public", "tables", "export_parquet", "import_dir", "windows"}
    for name in ("put_case", "enroll", "person_ids", "referrals", "audit_log",
                 "fingerprint", "anonymize_expired"):
        assert getattr(ctai.Store, name) is getattr(_core._Store, name), name
        assert getattr(_core._Store, name).__doc__, name
    with ctai.Store.open(":memory:") as s:
        assert isinstance(s.fingerprint(), ctai.DataFingerprint)
        assert isinstance(s.journey_stats(on=d("2024-01-01")), ctai.JourneyStats)
        assert isinstance(s.audit_log(), list)
        assert s.path == ":memory:" and isinstance(s.schema_version, int)


def test_deprecated_spellings_warn():
    with pytest.warns(DeprecationWarning, match="AnonymizationReport"):
        assert ctai.AnonymisationReport is ctai.AnonymizationReport
    with ctai.Store.open(":memory:") as s:
        with pytest.warns(DeprecationWarning, match="anonymize_expired"):
            report = s.anonymise_expired(d("2026-01-01"))
        assert isinstance(report, ctai.AnonymizationReport)
    summary = ctai.ExportSummary(files=[], pseudonymized=True)
    with pytest.warns(DeprecationWarning, match="pseudonymized"):
        assert summary.pseudonymised is True
    assert "AnonymisationReport" not in ctai.__all__


def test_contract_as_a_dict_still_works_and_warns():
    c = ctai.builtin_contracts()[0]
    with pytest.warns(DeprecationWarning, match="to_dict"):
        assert c["id"] == "dijon-2022"
    with pytest.warns(DeprecationWarning):
        assert dict(c) == c.to_dict()
    with pytest.warns(DeprecationWarning):
        assert c == c.to_dict()
    with pytest.warns(DeprecationWarning):
        assert "actions" in c
    with pytest.warns(DeprecationWarning):
        assert c.get("id") == "dijon-2022"
