"""The shape of the Python surface: enums, Policy, records, errors, stubs, version."""

from __future__ import annotations

import ast
import copy
import datetime as dt
import enum
import inspect
import pickle
import re

import pytest

import ctai
from ctai import _core
from conftest import PACKAGE, REPO, d

# --- enums ------------------------------------------------------------------------------


def test_every_vocabulary_is_a_real_enum_valued_by_its_cpp_spellings():
    spellings = _core.enum_spellings()
    assert len(spellings) >= 25
    for name, values in spellings.items():
        cls = getattr(ctai, name)
        assert issubclass(cls, enum.Enum) and issubclass(cls, ctai.CtaiEnum)
        assert [m.value for m in cls] == values
        assert [m.name for m in cls] == values
        assert cls.__module__ == "ctai" and name in ctai.__all__
        for member in cls:
            assert member == member.value and str(member) == member.value
            assert f"{member}" == member.value
            assert cls(member.value) is member
            assert pickle.loads(pickle.dumps(member)) is member


def test_functions_accept_members_or_spellings_and_return_members():
    assert ctai.add_years(d("2020-02-29"), 1, feb29=ctai.Feb29.march_first) == d("2021-03-01")
    assert ctai.add_years(d("2020-02-29"), 1, feb29="march_first") == d("2021-03-01")
    result = ctai.nationality_class(["MA"], d("2024-01-01"))
    assert result is ctai.NationalityClass.third_country


def test_an_unknown_spelling_is_a_validation_error_naming_the_vocabulary():
    with pytest.raises(ctai.ValidationError, match="feb29") as caught:
        ctai.add_years(d("2020-02-29"), 1, feb29="march_1st")
    assert isinstance(caught.value, ValueError) and caught.value.field == "feb29"
    with pytest.raises(ctai.ValidationError):
        ctai.Permit("card", "tourism", d("2020-01-01"))
    with pytest.raises(TypeError):
        ctai.add_years(d("2020-02-29"), 1, feb29=1)


def test_a_member_of_another_vocabulary_is_refused():
    with pytest.raises(ctai.ValidationError):
        ctai.add_years(d("2020-02-29"), 1, feb29=ctai.Boundary.strict)


# --- Policy -----------------------------------------------------------------------------


def test_policy_defaults_come_from_cpp():
    p = ctai.Policy()
    fields = _core._policy_fields()
    assert [name for name, _, _ in fields] == list(inspect.signature(ctai.Policy).parameters)
    for name, _, default in fields:
        value = getattr(p, name)
        if isinstance(value, frozenset):
            assert value == frozenset(default)
        elif isinstance(value, tuple):
            assert list(value) == list(default)
        else:
            assert value == default
    assert p.feb29 is ctai.Feb29.last_day_of_february and p.boundary is ctai.Boundary.strict
    assert p.bpi_includes_stateless is True and p.suppression_k == 11
    assert ctai.Motive.student in p.excluded_motives
    assert p.agir_start == {"21": d("2024-01-01")}
    assert repr(p) == "ctai.Policy()"
    assert inspect.signature(ctai.Policy).parameters["suppression_k"].default == 11


POLICIES = [
    ctai.Policy(),
    ctai.Policy(boundary="inclusive"),
    ctai.Policy(boundary="inclusive", feb29="march_first", agir_recency="calendar_n_minus_1"),
    ctai.Policy(excluded_motives=[]),
    ctai.Policy(excluded_motives={"student", ctai.Motive.visitor}),
    ctai.Policy(bpt_end_dates=[d("2023-03-04")], agir_start={"21": d("2024-01-01"), "75": d("2025-06-01")}),
    ctai.Policy(require_cir=True, accept_cir_proposed=False, bpi_includes_stateless=False,
                intermediated_rental_is_lasting=True, pension_de_famille_is_lasting=True,
                age_reference="december_31", suppression_k=5, retention_years=3,
                primo_anchor="cir_signature", agir_start={}),
]


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
def test_policy_repr_evaluates_back_to_an_equal_policy(policy, eval_namespace):
    again = eval(repr(policy), eval_namespace)
    assert again == policy and hash(again) == hash(policy)
    assert ctai.Policy.from_dict(policy.to_dict()) == policy
    assert pickle.loads(pickle.dumps(policy)) == policy
    assert copy.deepcopy(policy) == policy
    assert policy._native.to_dict() == _core._native_policy(policy._native.to_dict()).to_dict()


def test_policy_is_keyword_only_immutable_and_replaceable():
    with pytest.raises(TypeError):
        ctai.Policy("strict")  # type: ignore[misc]
    p = ctai.Policy()
    with pytest.raises(AttributeError):
        p.boundary = "inclusive"  # type: ignore[misc]
    q = p.replace(boundary="inclusive")
    assert q.boundary is ctai.Boundary.inclusive and p.boundary is ctai.Boundary.strict
    assert q != p and q == ctai.Policy(boundary=ctai.Boundary.inclusive)
    assert p.to_dict()["bpt_end_dates"][-1] == "2027-03-04"


def test_policy_options_are_checked():
    with pytest.raises(TypeError, match="no_such_option"):
        ctai.Policy(no_such_option=1)  # type: ignore[call-arg]
    with pytest.raises(ctai.ValidationError):
        ctai.Policy(boundary="loose")
    with pytest.raises(TypeError):
        ctai.Policy(require_cir=1)
    with pytest.raises(TypeError):
        ctai.Policy(excluded_motives="student")
    with pytest.raises(TypeError):
        ctai.Policy(bpt_end_dates=[dt.datetime(2023, 3, 4)])
    with pytest.raises(TypeError, match="policy"):
        ctai.evaluate(ctai.PersonCase(ctai.Person("P")), d("2024-01-01"), policy={"boundary": "strict"})


def test_the_policy_reaches_cpp():
    p = ctai.Policy(feb29="march_first", boundary="inclusive")
    assert ctai.window_end_years(d("2020-02-29"), 1, policy=p) == d("2021-03-02")
    assert ctai.window_end_years(d("2020-02-29"), 1) == d("2021-02-28")


# --- records ----------------------------------------------------------------------------


def test_records_normalise_their_values_and_repr_evaluates_back(eval_namespace):
    case = ctai.PersonCase(
        ctai.Person("P1", sex="female", birth_date="1990", nationalities=["mar", "el"]),
        permits=[ctai.Permit("card", "family", d("2020-03-15"))],
        protections=(ctai.Protection("refugee", "ofpra", d("2021-01-01")),),
    )
    assert case.person.sex is ctai.Sex.female and case.person.nationalities == ["MA", "GR"]
    assert case.permits[0].kind is ctai.PermitKind.card and isinstance(case.protections, list)
    assert ctai.Person("P", birth_date="1990-05-17").birth_date == d("1990-05-17")
    assert eval(repr(case), eval_namespace) == case
    assert repr(ctai.Person("P2")) == "ctai.Person(id='P2')"


def test_records_refuse_bad_values():
    with pytest.raises(TypeError, match="datetime"):
        ctai.Permit("card", "family", dt.datetime(2020, 3, 15))
    with pytest.raises(ctai.ValidationError):
        ctai.Person("P", nationalities=["XX"])
    with pytest.raises(ctai.ValidationError):
        ctai.Person("P", birth_date="1990-13")
    with pytest.raises(TypeError):
        ctai.Person("P", nationalities="MA")
    with pytest.raises(TypeError):
        ctai.PersonCase(ctai.Person("P"), permits=["card"])
    with pytest.raises(TypeError, match="PersonCase"):
        ctai.evaluate(ctai.Person("P"), d("2024-01-01"))


# --- errors -----------------------------------------------------------------------------


def test_errors_belong_to_ctai_and_to_the_builtin_families():
    assert issubclass(ctai.CtaiError, Exception)
    assert issubclass(ctai.ValidationError, ctai.CtaiError) and issubclass(ctai.ValidationError, ValueError)
    assert issubclass(ctai.NotFoundError, ctai.CtaiError) and issubclass(ctai.NotFoundError, LookupError)
    assert issubclass(ctai.ConflictError, ctai.CtaiError) and issubclass(ctai.ConflictError, ValueError)
    assert issubclass(ctai.StorageError, ctai.CtaiError) and issubclass(ctai.StorageError, OSError)
    assert issubclass(ctai.SchemaVersionError, ctai.StorageError)
    for cls in (ctai.CtaiError, ctai.ValidationError, ctai.NotFoundError, ctai.ConflictError,
                ctai.StorageError, ctai.SchemaVersionError):
        assert cls.__module__ == "ctai" and cls.__doc__
    assert ctai.ValidationError("x").field is None  # raised from Python too


@pytest.mark.parametrize(
    "kind, cls, attributes",
    [
        ("validation", ctai.ValidationError, {"field": "birth_date", "file": "persons.csv", "line": 12}),
        ("not_found", ctai.NotFoundError, {"entity": "person", "id": "P0001"}),
        ("conflict", ctai.ConflictError, {"rule": "R7.one_open_journey"}),
        ("storage", ctai.StorageError, {"code": 10}),
        ("schema_version", ctai.SchemaVersionError, {"found": 9, "supported": 3, "code": 0}),
        ("error", ctai.CtaiError, {}),
    ],
)
def test_cpp_errors_are_translated_with_their_data(kind, cls, attributes):
    with pytest.raises(cls) as caught:
        _core._raise_cpp_error(kind)
    assert type(caught.value) is cls and str(caught.value)
    for name, value in attributes.items():
        assert getattr(caught.value, name) == value


# --- stubs, __all__, version ------------------------------------------------------------


def _stub_names(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names, classes = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if isinstance(node, ast.ClassDef):
            members = set()
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members.add(item.target.id)
                elif isinstance(item, ast.Assign):
                    members.update(t.id for t in item.targets if isinstance(t, ast.Name))
            classes[node.name] = members
    return names, classes


def test_core_stubs_list_exactly_the_names_of_the_module():
    names, classes = _stub_names(PACKAGE / "_core.pyi")
    stub_names = names - {"_Dates"}  # a type alias of the stub itself
    module_names = {n for n in dir(_core) if not n.startswith("__")} | {"__version__"}
    assert stub_names == module_names
    for cls_name in ("Eligibility", "_NativePolicy"):
        runtime = {n for n in vars(getattr(_core, cls_name)) if not n.startswith("_")}
        assert {n for n in classes[cls_name] if not n.startswith("_")} == runtime, cls_name
    for cls_name in ("ValidationError", "NotFoundError", "ConflictError", "StorageError",
                     "SchemaVersionError"):
        runtime = {n for n in vars(getattr(_core, cls_name)) if not n.startswith("_")}
        assert classes[cls_name] == runtime, cls_name


def test_enum_stubs_list_exactly_the_cpp_spellings():
    _, classes = _stub_names(PACKAGE / "_enums.pyi")
    spellings = _core.enum_spellings()
    assert set(classes) - {"CtaiEnum"} == set(spellings)
    for name, values in spellings.items():
        assert classes[name] == set(values), name


def test_the_package_is_typed_and_all_is_complete():
    assert (PACKAGE / "py.typed").exists()
    for name in ctai.__all__:
        assert hasattr(ctai, name), name
    public = {n for n in dir(ctai) if not n.startswith("_")} - {"annotations"}
    assert public == set(ctai.__all__) - {"__version__"}


def test_the_version_is_the_cmake_project_version():
    cmake = (REPO / "CMakeLists.txt").read_text(encoding="utf-8")
    version = re.search(r"project\(ctai\s+VERSION\s+([0-9.]+)", cmake).group(1)
    assert ctai.__version__ == version


def test_every_runnable_example_of_docs_python_md_runs(tmp_path, monkeypatch):
    text = (REPO / "docs" / "python.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert blocks, "docs/python.md has no runnable example"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/python.md", "exec"), namespace)
