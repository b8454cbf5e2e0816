"""The settings of a store from Python (#18, domain R10): Store.settings / settings_history /
put_settings with ctai.StoreSettings; Store.open without policy= uses the settings in force,
with policy= that one, and the report then lists the options that differ."""
from __future__ import annotations

import datetime as dt

import pytest

import ctai

def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()  # the library dates settings in UTC


def test_a_store_without_settings_uses_the_default_policy():
    with ctai.Store.open(":memory:") as s:
        assert s.settings() is None
        assert s.settings_history() == []
        assert s.policy == ctai.Policy()


def test_put_settings_is_dated_kept_and_followed(tmp_path):
    path = tmp_path / "s.db"
    inclusive = ctai.Policy(boundary="inclusive")
    with ctai.Store.open(path) as s:
        assert s.put_settings(ctai.StoreSettings(dt.date(2024, 1, 1), "21", ctai.Policy()))
        assert s.put_settings(ctai.StoreSettings(dt.date(2025, 1, 1), "21", inclusive))
        assert not s.put_settings(ctai.StoreSettings(dt.date(2025, 1, 1), "21", inclusive))
        assert [x.effective for x in s.settings_history()] == [dt.date(2024, 1, 1), dt.date(2025, 1, 1)]
        assert s.settings(on=dt.date(2024, 6, 1)).policy == ctai.Policy()
        assert s.settings() == ctai.StoreSettings(dt.date(2025, 1, 1), "21", inclusive)
        assert eval(repr(s.settings()), {"ctai": ctai, "datetime": dt}) == s.settings()
        assert s.policy == inclusive
        assert len(s.audit_log(entity="settings")) == 2
        with pytest.raises(ctai.ValidationError):
            s.put_settings(ctai.StoreSettings(today(), "20"))
    with ctai.Store.open(path) as s:
        assert s.policy == inclusive
    with ctai.Store.open(path, policy=ctai.Policy()) as s:
        assert s.policy == ctai.Policy()
        report = s.report("dijon-2023-2024").to_dict()
        assert report["policy_overrides"] == {"boundary": {"store": "inclusive", "used": "strict"}}
    with ctai.Store.open(path) as s:
        assert "policy_overrides" not in s.report("dijon-2023-2024").to_dict()


def test_export_then_import_carries_the_settings(tmp_path):
    with ctai.Store.open(":memory:") as s:
        s.put_settings(ctai.StoreSettings(today(), "2A", ctai.Policy(retention_years=3)))
        s.export_dir(tmp_path / "out")
        with ctai.Store.open(":memory:") as t:
            summary = t.import_dir(tmp_path / "out")
            assert summary.settings_changed is True
            assert t.settings() == s.settings()
            assert t.policy == ctai.Policy(retention_years=3)
