"""The worked cases of domain.md (R1-R6) through the Python surface."""

from __future__ import annotations

import json

import pytest

import ctai
from conftest import d


def third_country_card(nationality="MA", motive="family", valid_from="2020-03-15"):
    return ctai.PersonCase(
        ctai.Person("P0001", nationalities=[nationality]),
        permits=[ctai.Permit("card", motive, d(valid_from))],
    )


def bpi_case(decision="2023-03-10", department="21"):
    return ctai.PersonCase(
        ctai.Person("P0002", nationalities=["AF"], department=department),
        protections=[ctai.Protection("refugee", "ofpra", d(decision))],
    )


def bpt_case():
    return ctai.PersonCase(
        ctai.Person("P0003", nationalities=["UA"], department="21"),
        permits=[ctai.Permit("aps", "temporary_protection", d("2022-03-10"))],
        protections=[
            ctai.Protection("temporary", "prefecture", d("2022-03-10"), displaced_on=d("2022-02-25"))
        ],
    )


# --- R1 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["DE", "NO", "CH"])
def test_eu_eea_and_swiss_nationals_are_never_primo_arrivants(code):
    case = third_country_card(nationality=code)
    e = ctai.evaluate(case, d("2022-01-01"))
    assert e.nationality_class is ctai.NationalityClass.eu_eea_ch
    assert not e.primo_arrivant and e.public is None


def test_a_french_national_is_french_whatever_else():
    assert ctai.nationality_class(["DZ", "FR"], d("2024-01-01")) is ctai.NationalityClass.french


def test_british_nationals_are_eu_until_the_end_of_the_brexit_transition():
    assert ctai.nationality_class(["GB"], d("2020-12-31")) == "eu_eea_ch"
    assert ctai.nationality_class(["UK"], d("2021-01-01")) == "third_country"
    assert ctai.normalize_nationality("gbr") == "GB" and ctai.normalize_nationality("EL") == "GR"
    with pytest.raises(ctai.ValidationError):
        ctai.normalize_nationality("XX")


# --- R2/R3 ------------------------------------------------------------------------------


def test_five_year_window_from_the_first_card():
    case = third_country_card()
    assert ctai.evaluate(case, d("2025-03-14")).primo_arrivant
    assert not ctai.evaluate(case, d("2025-03-15")).primo_arrivant
    inclusive = ctai.Policy(boundary="inclusive")
    assert ctai.evaluate(case, d("2025-03-14"), policy=inclusive).primo_arrivant
    assert ctai.evaluate(case, d("2025-03-15"), policy=inclusive).primo_arrivant
    e = ctai.evaluate(case, d("2025-03-14"))
    assert e.primo_anchor == d("2020-03-15") and e.primo_window_end == d("2025-03-15")
    assert e.public is ctai.PublicCategory.primo_arrivant and e.ctai_public


def test_a_student_permit_does_not_anchor_the_window():
    case = third_country_card(motive="student", valid_from="2023-09-01")
    assert not ctai.is_primo_arrivant(case, d("2024-01-01"))
    assert ctai.primo_anchor(case) is None
    # The excluded motives are a policy option.
    anything_goes = ctai.Policy(excluded_motives=[])
    assert ctai.is_primo_arrivant(case, d("2024-01-01"), policy=anything_goes)


def test_a_receipt_never_qualifies_the_card_does():
    case = ctai.PersonCase(
        ctai.Person("P0004", nationalities=["SN"]),
        permits=[
            ctai.Permit("receipt", "family", d("2024-01-10")),
            ctai.Permit("card", "family", d("2024-04-01")),
        ],
    )
    assert not ctai.evaluate(case, d("2024-03-01")).primo_arrivant
    assert ctai.evaluate(case, d("2024-04-01")).primo_arrivant


def test_an_asylum_seeker_situation_excludes_the_primo_public():
    case = third_country_card()
    case.situations.append(ctai.Situation("irregular", d("2021-01-01"), d("2021-06-01")))
    assert not ctai.is_primo_arrivant(case, d("2021-03-01"))
    assert ctai.is_primo_arrivant(case, d("2021-06-01"))


# --- R4/R5/R6 ---------------------------------------------------------------------------


def test_protection_march_2023_is_agir_eligible_end_of_2024_under_both_recency_rules():
    case = bpi_case("2023-03-10")
    for recency in ctai.AgirRecency:
        assert ctai.is_agir_eligible(case, d("2024-12-31"), policy=ctai.Policy(agir_recency=recency))


def test_protection_january_2023_in_january_2025_depends_on_the_recency_rule():
    case = bpi_case("2023-01-15")
    assert ctai.is_agir_eligible(case, d("2025-01-05"))
    assert not ctai.is_agir_eligible(case, d("2025-01-05"),
                                     policy=ctai.Policy(agir_recency="calendar_n_minus_1"))
    assert ctai.agir_window_end(d("2023-01-15")) == d("2025-01-15")


def test_a_bpi_is_bpi_with_its_protection_date():
    e = ctai.evaluate(bpi_case(), d("2024-06-01"))
    assert e.bpi and e.public is ctai.PublicCategory.bpi and e.protection_date == d("2023-03-10")
    assert e.agir and e.agir_window_end == d("2025-03-10")
    assert ctai.protection_date(bpi_case()) == d("2023-03-10")
    assert ctai.is_bpi(bpi_case(), d("2023-03-10")) and not ctai.is_bpi(bpi_case(), d("2023-03-09"))


def test_a_bpt_is_never_agir_eligible():
    case = bpt_case()
    e = ctai.evaluate(case, d("2024-05-01"))
    assert e.bpt and not e.bpi and not e.agir and e.public is ctai.PublicCategory.bpt
    assert not ctai.is_agir_eligible(case, d("2024-05-01"))


def test_temporary_protection_starts_on_4_march_2022():
    case = bpt_case()
    case.protections[0].decision_date = d("2022-03-01")
    assert not ctai.is_bpt(case, d("2022-03-03"))
    assert ctai.is_bpt(case, d("2022-03-04"))


def test_agir_support_lasts_24_months():
    assert ctai.agir_support_active(d("2023-03-15"), d("2025-03-14"))
    assert not ctai.agir_support_active(d("2023-03-15"), d("2025-03-15"))


def test_a_six_month_cdd_and_a_social_lease_are_an_agir_positive_exit():
    support = ctai.AgirSupport("P0002", d("2024-01-10"), entry_date=d("2024-02-01"),
                               exit_date=d("2025-01-31"), exit_housing="social_rental",
                               exit_activity="cdd", cdd_months=6)
    assert ctai.agir_positive_exit(support)
    support.cdd_months = 5
    assert not ctai.agir_positive_exit(support)
    assert ctai.is_lasting_housing("fjt") and not ctai.is_lasting_housing(ctai.HousingType.hotel)
    assert ctai.is_lasting_housing("pension_de_famille",
                                   policy=ctai.Policy(pension_de_famille_is_lasting=True))


def test_a_family_member_joining_a_bpi_is_agir_eligible_through_them():
    bpi = bpi_case()
    joining = ctai.PersonCase(
        ctai.Person("P0009", nationalities=["AF"], department="21", rejoining_family_of="P0002"),
        permits=[ctai.Permit("card", "family", d("2024-05-01"))],
    )
    assert not ctai.is_agir_eligible(joining, d("2024-06-01"))
    assert ctai.is_agir_eligible(joining, d("2024-06-01"), family_bpi=bpi)
    assert ctai.evaluate(joining, d("2024-06-01"), family_bpi=bpi).agir


# --- the Eligibility value --------------------------------------------------------------


def test_eligibility_reads_like_the_json_of_ctai_check():
    e = ctai.evaluate(third_country_card(), d("2025-03-14"))
    data = e.to_dict()
    assert list(data) == ["person_id", "nationality_class", "public", "primo_arrivant", "bpi",
                          "bpt", "agir", "ctai_public", "primo_window_end", "agir_window_end",
                          "reasons", "reason_codes"]
    # The stable codes (docs/rules.md "Reason codes"), after the contract's keys.
    assert data["reason_codes"][0] == {"code": "R3.primo_arrivant", "date": "2020-03-15"}
    assert e.reason_codes[0] == {"code": "R3.primo_arrivant", "date": d("2020-03-15")}
    assert json.loads(json.dumps(data)) == {
        **data, "nationality_class": "third_country", "public": "primo_arrivant"}
    assert data["primo_window_end"] == "2025-03-15" and data["agir_window_end"] is None
    assert e.reasons and all(isinstance(r, str) for r in e.reasons)
    text = repr(e)
    assert text.startswith("<ctai.Eligibility person_id='P0001' on=2025-03-14 public=primo_arrivant")
    assert type(e).__module__ == "ctai" and e.on == d("2025-03-14") and e.person_id == "P0001"
    with pytest.raises(AttributeError):
        e.bpi = True


def test_records_survive_the_trip_through_cpp():
    case = ctai.PersonCase(
        ctai.Person("P1", sex="female", birth_date="1990-05", nationalities=["mar", "FR"],
                    household_id="H1", department="21", cir_status="signed",
                    cir_date=d("2021-01-02"), rejoining_family_of="P0", last_contact=d("2024-01-01")),
        permits=[ctai.Permit("card", "family", d("2020-03-15"), d("2030-03-14"))],
        protections=[ctai.Protection("subsidiary", "cnda", d("2019-01-01"), d("2019-01-05"), None,
                                     d("2023-01-01"))],
        situations=[ctai.Situation("asylum_seeker", d("2018-01-01"), d("2019-01-01"))],
    )
    assert ctai._core._roundtrip_case(case) == case
    support = ctai.AgirSupport("P1", d("2024-01-01"), exit_housing="fjt", exit_activity="cdi")
    assert ctai._core._roundtrip_agir_support(support) == support
