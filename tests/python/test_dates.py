"""Domain R0 through Python: the date caster, calendar arithmetic against independent
references (dateutil.relativedelta and a pure-Python rule), and the vectorised windows."""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

import ctai
import reference as ref
from conftest import d

DAY = dt.timedelta(days=1)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
# 29 February is rare among random dates: draw it on purpose half of the time.
leap_days = st.sampled_from([y for y in range(1904, 2100, 4) if y != 2100]).map(
    lambda y: dt.date(y, 2, 29)
)
starts = st.one_of(dates, leap_days, dates.map(lambda x: x.replace(day=28) if x.month == 2 else x))
feb29s = st.sampled_from(["last_day_of_february", "march_first"])
boundaries = st.sampled_from(["strict", "inclusive"])


# --- worked cases of domain.md ------------------------------------------------------------


def test_worked_cases_of_the_domain_spec():
    assert ctai.add_years(d("2020-02-29"), 1) == d("2021-02-28")
    assert ctai.add_years(d("2020-02-29"), 4) == d("2024-02-29")
    assert ctai.add_months(d("2023-03-31"), 1) == d("2023-04-30")
    # A period of 5 years from 2008-06-19: last active day 2013-06-18.
    assert ctai.period_end_years(d("2008-06-19"), 5) == d("2013-06-19")
    assert ctai.within_years(d("2008-06-19"), 5, on=d("2013-06-18"))
    assert not ctai.within_years(d("2008-06-19"), 5, on=d("2013-06-19"))
    # Born 2000-03-15: under 25 on 2025-03-14, not on 2025-03-15.
    assert ctai.under_age(d("2000-03-15"), 25, d("2025-03-14")) is True
    assert ctai.under_age(d("2000-03-15"), 25, d("2025-03-15")) is False


def test_march_first_changes_only_a_29_february_landing_in_a_common_year():
    assert ctai.add_years(d("2020-02-29"), 1, feb29="march_first") == d("2021-03-01")
    assert ctai.add_years(d("2020-02-29"), 4, feb29=ctai.Feb29.march_first) == d("2024-02-29")
    assert ctai.add_months(d("2023-01-31"), 1, feb29="march_first") == d("2023-02-28")


def test_inclusive_boundary_keeps_the_anniversary_inside():
    assert ctai.period_end_years(d("2020-03-15"), 5, boundary="inclusive") == d("2025-03-16")
    assert ctai.within_years(d("2020-03-15"), 5, on=d("2025-03-15"), boundary="inclusive")
    policy = ctai.Policy(boundary="inclusive")
    assert ctai.within_years(d("2020-03-15"), 5, on=d("2025-03-15"), policy=policy)
    # An explicit option wins over the policy's.
    assert not ctai.within_years(d("2020-03-15"), 5, on=d("2025-03-15"), policy=policy,
                                 boundary="strict")


# --- laws against independent references ------------------------------------------------


@given(start=starts, n=st.integers(-2400, 2400))
def test_add_months_is_relativedelta_months(start, n):
    # relativedelta clamps to the month end: exactly the default rule of R0.1.
    assert ctai.add_months(start, n) == start + relativedelta(months=n)


@given(start=starts, n=st.integers(-200, 200))
def test_add_years_is_relativedelta_years(start, n):
    assert ctai.add_years(start, n) == start + relativedelta(years=n)


@given(start=starts, n=st.integers(-200, 200))
def test_add_years_march_first_moves_only_29_february_to_1_march(start, n):
    expected = start + relativedelta(years=n)
    if (start.month, start.day) == (2, 29) and expected.day == 28:
        expected = dt.date(expected.year, 3, 1)
    assert ctai.add_years(start, n, feb29="march_first") == expected


@given(start=starts, n=st.integers(-2400, 2400), feb29=feb29s)
def test_add_months_matches_the_pure_python_rule(start, n, feb29):
    assert ctai.add_months(start, n, feb29=feb29) == ref.add_months(start, n, feb29)


def test_every_day_from_1900_to_2100_adds_one_month_and_one_year_like_the_reference():
    day = dt.date(1900, 1, 1)
    while day <= dt.date(2100, 12, 31):
        assert ctai.add_months(day, 1) == ref.add_months(day, 1), day
        assert ctai.add_years(day, 1) == ref.add_years(day, 1), day
        assert ctai.add_years(day, 5, feb29="march_first") == ref.add_years(day, 5, "march_first"), day
        day += DAY


@given(birth=starts, on=dates)
def test_age_on_is_the_number_of_whole_years(birth, on):
    expected = relativedelta(on, birth).years if on >= birth else 0
    assert ctai.age_on(birth, on) == expected


# --- vectorised windows -----------------------------------------------------------------


@given(
    values=st.lists(st.one_of(starts, st.none()), max_size=60),
    years=st.integers(0, 10),
    on=dates,
    boundary=boundaries,
    feb29=feb29s,
)
def test_within_years_of_a_sequence_matches_the_reference(values, years, on, boundary, feb29):
    got = ctai.within_years(values, years, on=on, boundary=boundary, feb29=feb29)
    assert got.dtype == np.bool_ and got.shape == (len(values),)
    assert got.tolist() == [ref.within_years(s, years, on, boundary, feb29) for s in values]


@given(values=st.lists(starts, min_size=1, max_size=60), years=st.integers(0, 10),
       boundary=boundaries, feb29=feb29s)
def test_window_end_years_matches_the_reference(values, years, boundary, feb29):
    got = ctai.window_end_years(np.array(values, dtype="datetime64[D]"), years,
                                boundary=boundary, feb29=feb29)
    assert got.dtype == np.dtype("datetime64[D]")
    assert got.astype(object).tolist() == [
        ref.period_end_years(s, years, boundary, feb29) for s in values
    ]


@pytest.mark.parametrize("feb29", ["last_day_of_february", "march_first"])
@pytest.mark.parametrize("boundary", ["strict", "inclusive"])
def test_within_years_is_exact_around_every_29_february(boundary, feb29):
    # Every start of 2014-2026 against evaluation dates around the ends of February.
    all_starts = np.arange(np.datetime64("2014-01-01"), np.datetime64("2026-12-31"))
    as_dates = all_starts.astype(object).tolist()
    for year in range(2019, 2027):
        for on in (dt.date(year, 2, 27), dt.date(year, 2, 28), dt.date(year, 3, 1), dt.date(year, 3, 2)):
            got = ctai.within_years(all_starts, 5, on=on, boundary=boundary, feb29=feb29)
            expected = [ref.within_years(s, 5, on, boundary, feb29) for s in as_dates]
            assert got.tolist() == expected, on
        if year % 4 == 0:
            on = dt.date(year, 2, 29)
            got = ctai.within_years(all_starts, 5, on=on, boundary=boundary, feb29=feb29)
            assert got.tolist() == [ref.within_years(s, 5, on, boundary, feb29) for s in as_dates]


def test_datetime64_of_any_unit_and_nat_are_accepted():
    on = d("2024-06-01")
    days = np.array(["2020-02-29", "NaT", "2019-06-01", "2019-06-02"], dtype="datetime64[D]")
    expected = [True, False, False, True]
    assert ctai.within_years(days, 5, on=on).tolist() == expected
    for unit in ("s", "ms", "ns"):
        assert ctai.within_years(days.astype(f"datetime64[{unit}]"), 5, on=on).tolist() == expected
    ends = ctai.window_end_years(days, 5)
    assert np.isnat(ends[1]) and ends[0] == np.datetime64("2025-02-28")


def test_nat_and_none_are_outside_every_window():
    assert ctai.within_years([None, pd.NaT, float("nan")], 0, on=d("2024-01-01")).tolist() == [False] * 3
    assert ctai.within_years(np.array(["NaT"], dtype="M8[D]"), 5, on=d("2024-01-01"),
                             boundary="inclusive").tolist() == [False]


def test_integer_day_numbers_are_days_since_1970():
    starts = np.array([d("2020-03-15"), d("2020-03-14")], dtype="datetime64[D]").astype(np.int32)
    assert ctai.within_years(starts, 5, on=d("2025-03-14")).tolist() == [True, False]
    assert ctai.within_years([18336], 5, on=d("2025-03-14")).tolist() == [True]  # 2020-03-15


def test_pandas_series_and_shapes_are_kept():
    series = pd.Series(pd.to_datetime(["2020-03-15", None, "2021-01-01"]))
    assert ctai.within_years(series, 5, on=d("2025-03-14")).tolist() == [True, False, True]
    grid = np.array([["2020-03-15", "2010-01-01"], ["NaT", "2024-01-01"]], dtype="M8[D]")
    got = ctai.within_years(grid, 5, on=d("2025-03-14"))
    assert got.shape == (2, 2) and got.tolist() == [[True, False], [False, True]]
    assert ctai.window_end_years(grid, 5).shape == (2, 2)
    assert ctai.within_years([], 5, on=d("2025-03-14")).shape == (0,)


def test_scalar_starts_give_scalars():
    assert ctai.within_years(d("2020-03-15"), 5, on=d("2025-03-14")) is True
    assert ctai.window_end_years(d("2020-02-29"), 1) == d("2021-02-28")


def test_datetimes_are_refused_with_type_error():
    moment = dt.datetime(2020, 2, 29, 12, 0)
    with pytest.raises(TypeError, match="datetime.datetime"):
        ctai.add_years(moment, 1)
    with pytest.raises(TypeError, match="datetime.datetime"):
        ctai.within_years([moment], 5, on=d("2024-01-01"))
    with pytest.raises(TypeError, match="datetime.datetime"):
        ctai.within_years(d("2020-01-01"), 5, on=moment)
    with pytest.raises(TypeError):
        ctai.within_years(["2020-01-01"], 5, on=d("2024-01-01"))
    with pytest.raises(TypeError):
        ctai.to_iso("2020-01-01")


def test_parse_and_format():
    assert ctai.parse_date("2024-02-29") == d("2024-02-29")
    assert ctai.parse_date_lenient("29/02/2024") == d("2024-02-29")
    assert ctai.to_iso(d("0999-01-02")) == "0999-01-02"
    with pytest.raises(ctai.ValidationError) as caught:
        ctai.parse_date("2023-02-30")
    assert isinstance(caught.value, ValueError) and caught.value.field == "date"


@given(day=st.dates())
def test_iso_round_trip(day):
    assert ctai.parse_date(ctai.to_iso(day)) == day


def test_partial_birth_dates_are_never_guessed():
    # Born some day of 2000: under 25 on 2025-06-01 depends on the day -> unknown.
    assert ctai.under_age("2000", 25, d("2025-06-01")) is None
    assert ctai.under_age("2000", 25, d("2026-01-01")) is False
    assert ctai.under_age("2000-03", 25, d("2025-02-28")) is True
    assert ctai.age_on("2000-03", d("2025-04-01")) == 25
    assert ctai.age_on("2000", d("2025-06-01")) is None
    assert ctai.age_on("2000-03-15", d("2025-03-15")) == 25
    with pytest.raises(ctai.ValidationError):
        ctai.age_on("2000-13", d("2025-01-01"))


def test_out_of_range_inputs_are_validation_errors():
    with pytest.raises(ctai.ValidationError):
        ctai.add_years(d("2020-01-01"), 100_000)
    with pytest.raises(ctai.ValidationError):
        ctai.add_months(d("2020-01-01"), 100_000_000)
    with pytest.raises(ctai.ValidationError):
        ctai.window_end_years(np.array([10**9], dtype=np.int64), 5)


def test_vectorised_calls_run_from_several_threads():
    starts = np.arange(np.datetime64("2000-01-01"), np.datetime64("2030-01-01"))
    expected = ctai.within_years(starts, 5, on=d("2024-06-01"))
    results = []

    def work():
        results.append(all(
            (ctai.within_years(starts, 5, on=d("2024-06-01")) == expected).all() for _ in range(20)
        ))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 4
