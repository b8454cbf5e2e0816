"""Store.referrals(on=...) and the report's orientations (R6) from Python: columns with real
nulls, the report block in to_dict(), Report.orientations and to_pandas()."""

from __future__ import annotations

from pathlib import Path

import pytest

import ctai
from conftest import d

pd = pytest.importorskip("pandas")


def test_referrals_as_known_on_a_date_are_columns_with_real_nulls():
    """Store.referrals(on=...): R6 and R0.5 (the orientations as known on a date)."""
    folder = Path(__file__).resolve().parents[1] / "data" / "exchange" / "valid"
    with ctai.Store.open(":memory:") as s:
        s.import_dir(folder)
        on = s.referrals(on=d("2024-05-25"))
        # R003 is proposed on 2024-08-01: it does not exist yet.
        assert list(on["referral_id"]) == ["R001", "R002"]
        df = on.to_pandas()
        r1, r2 = df.iloc[0], df.iloc[1]
        assert (r1["status"], r1["direction"], r1["waiting_on"]) == ("accepted", "agir_to_action", "entry")
        assert (r1["age_days"], r1["waiting_days"]) == (10, 5)
        assert pd.isna(r1["completed_on"])  # completed on 2024-06-01: not known yet
        assert (r2["status"], r2["direction"]) == ("declined", "action_to_agir")
        assert pd.isna(r2["waiting_on"]) and pd.isna(r2["waiting_days"])
        stored = s.referrals().to_pandas()
        assert list(stored["status"]) == ["completed", "declined", "proposed"]
        assert stored["age_days"].isna().all()
        assert list(stored["direction"]) == ["agir_to_action", "action_to_agir", "action_to_action"]
        assert list(s.referrals(on=d("2024-12-31"), status=ctai.ReferralStatus.proposed)["referral_id"]) == ["R003"]
        assert list(s.referrals(on=d("2024-12-31"), need="housing")["referral_id"]) == ["R001"]
        report = s.report("dijon-2023-2024")
        assert report.orientations == report.to_dict()["orientations"]
        assert report.orientations["total"] == 3
        assert report.orientations["by_status"]["completed"] == 1
        rows = report.to_pandas()
        block = rows[rows.block == "orientations"]
        assert set(block.action) == {0}
        total = block[(block.key == "total")]
        assert list(total.realised) == [3]
        p90 = block[(block.key == "entry_delay") & (block.entry == "km_p90_days")]
        assert list(p90.realised) == [12]  # one acceptance, entered 12 days later
