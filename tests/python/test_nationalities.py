"""Dated nationalities and minors_follow_household from Python (#17): PersonCase carries its
dated nationalities through the store, Store.put_nationalities / nationalities,
store.tables()["nationalities"], and ctai.Policy(minors_follow_household=True)."""
from __future__ import annotations

import datetime as dt

import pytest

import ctai

d = dt.date.fromisoformat


def naturalised() -> ctai.PersonCase:
    return ctai.PersonCase(
        ctai.Person("N1", nationalities=["SY", "FR"], department="21"),
        protections=[ctai.Protection("refugee", "ofpra", d("2021-05-10"))],
        nationalities=[ctai.DatedNationality("SY"),
                       ctai.DatedNationality("FR", acquired_on=d("2024-03-01"))])


def test_a_case_keeps_its_dated_nationalities_through_the_store():
    with ctai.Store.open(":memory:", policy=ctai.Policy()) as s:
        case = naturalised()
        assert s.put_case(case)
        back = s.person_case("N1")
        assert back.nationalities == case.nationalities
        assert s.nationalities("N1") == case.nationalities
        assert s.eligibility("N1", on=d("2024-02-29")).bpi
        assert not s.eligibility("N1", on=d("2024-03-01")).bpi
        table = s.tables()["nationalities"].to_pandas()
        assert table.nationality.tolist() == ["SY", "FR"]
        assert str(table.acquired_on.iloc[1].date()) == "2024-03-01"
        # put_nationalities replaces them; the undated codes follow.
        assert s.put_nationalities("N1", [ctai.DatedNationality("SY", lost_on=d("2023-01-01")),
                                          ctai.DatedNationality("DE", acquired_on=d("2023-01-01"))])
        assert s.person("N1").nationalities == ["SY", "DE"]
        assert s.eligibility("N1", on=d("2023-06-01")).nationality_class == "eu_eea_ch"
        with pytest.raises(ctai.NotFoundError):
            s.nationalities("nobody")
        # A case whose undated codes disagree is refused.
        bad = naturalised()
        bad.person.nationalities = ["SY"]
        with pytest.raises(ctai.ValidationError):
            s.put_case(bad)


def test_minors_follow_household_policy():
    policy = ctai.Policy(minors_follow_household=True)
    assert policy.minors_follow_household and not ctai.Policy().minors_follow_household
    assert policy.replace(minors_follow_household=False) == ctai.Policy()
    adult = ctai.PersonCase(
        ctai.Person("A1", birth_date="1988-07-01", nationalities=["MA"], household_id="H2",
                    department="21"),
        permits=[ctai.Permit("card", "family", d("2022-03-15"))])
    child = ctai.PersonCase(ctai.Person("C1", birth_date="2015-02-10", nationalities=["MA"],
                                        household_id="H2", department="21"))
    for p, expected in ((ctai.Policy(), False), (policy, True)):
        with ctai.Store.open(":memory:", policy=p) as s:
            s.put_case(adult)
            s.put_case(child)
            e = s.eligibility("C1", on=d("2024-06-01"))
            assert e.primo_arrivant is expected
            if expected:
                assert e.primo_window_end == d("2027-03-15")


def test_evaluate_takes_the_household_for_minors_follow_household():
    adult = ctai.PersonCase(
        ctai.Person("A1", birth_date="1988-07-01", nationalities=["MA"], household_id="H2"),
        permits=[ctai.Permit("card", "family", d("2022-03-15"))])
    child = ctai.PersonCase(ctai.Person("C1", birth_date="2015-02-10", nationalities=["MA"],
                                        household_id="H2"))
    on = d("2024-06-01")
    policy = ctai.Policy(minors_follow_household=True)
    assert not ctai.evaluate(child, on, policy=policy).primo_arrivant
    e = ctai.evaluate(child, on, policy=policy, household=[adult, child])
    assert e.primo_arrivant and e.primo_window_end == d("2027-03-15")
    assert not ctai.evaluate(child, on, household=[adult, child]).primo_arrivant
