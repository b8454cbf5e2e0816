"""Contracts over time from Python (domain R10): avenants and conventions stored as the
dicts of their files, the contract as amended on a date, the report naming what applied."""
import datetime as dt

import pytest

import ctai

AVENANT = {
    "format_version": 1, "kind": "avenant", "id": "av-1", "contract": "dijon-2023-2024",
    "effective": "2024-04-01", "end": "2024-12-31",
    "actions": [{"number": 1, "public_targets": {"total": 220, "primo_arrivants": 30, "bpi": 170, "bpt": 20}}],
}
CONVENTION = {
    "format_version": 1, "kind": "convention", "id": "conv-1", "contract": "dijon-2023-2024",
    "effective": "2024-03-01", "parties": ["Dijon Métropole", "AGIR 21"],
    "actions": [{"number": 1, "agir_policy": "partner", "agir_needs": ["language"]}],
}


def test_the_builtin_contracts_carry_their_publics_and_succession():
    with ctai.Store.open(":memory:") as store:
        c22 = store.contract("dijon-2022")
        c23 = store.contract("dijon-2023-2024")
        assert c22.publics == ("bpi", "primo_arrivant")
        assert c23.continues == {"contract": "dijon-2022", "actions": {"1": 1, "2": 1, "3": 2}}
        assert ctai.Contract.from_dict(c23.to_dict()) == c23


def test_avenants_and_conventions_round_trip_and_amend_the_contract():
    with ctai.Store.open(":memory:") as store:
        assert store.put_avenant(AVENANT) is True
        assert store.put_avenant(AVENANT) is False
        assert store.put_convention(CONVENTION) is True
        assert store.avenant("av-1") == AVENANT
        assert [v["id"] for v in store.conventions(contract="dijon-2023-2024")] == ["conv-1"]
        assert store.avenants(contract="dijon-2022") == []
        before = store.contract_on("dijon-2023-2024", on=dt.date(2024, 2, 1))
        assert before["amended_by"] == [] and before["convention"] is None
        after = store.contract_on("dijon-2023-2024", on=dt.date(2024, 6, 1))
        assert after["amended_by"] == ["av-1"] and after["convention"] == "conv-1"
        assert after["contract"].end == dt.date(2024, 12, 31)
        assert after["contract"].action(1).public_targets["total"] == 220
        report = store.report("dijon-2023-2024")
        assert report.amended_by == ["av-1"] and report.convention == "conv-1"
        assert report.to_dict()["amended_by"] == ["av-1"]


def test_a_malformed_or_orphan_document_is_refused():
    with ctai.Store.open(":memory:") as store:
        with pytest.raises(ctai.ValidationError, match="ends"):
            store.put_avenant({**AVENANT, "ends": "2024-12-31"})
        with pytest.raises(ctai.NotFoundError):
            store.put_avenant({**AVENANT, "contract": "nowhere"})
        with pytest.raises(ctai.ValidationError, match="kind"):
            store.put_convention(AVENANT)
        assert store.avenants() == []
