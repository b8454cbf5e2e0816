"""Slow, independent pure-Python references for the calendar rules of domain R0."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(start: dt.date, n: int, feb29: str = "last_day_of_february") -> dt.date:
    """R0.1 written from the text: same day, else the last day of the target month; under
    march_first a 29 February start landing in a common February gives 1 March."""
    total = start.year * 12 + (start.month - 1) + n
    year, month = divmod(total, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if start.day <= last:
        return dt.date(year, month, start.day)
    if feb29 == "march_first" and (start.month, start.day) == (2, 29) and month == 2:
        return dt.date(year, 3, 1)
    return dt.date(year, month, last)


def add_years(start: dt.date, n: int, feb29: str = "last_day_of_february") -> dt.date:
    return add_months(start, 12 * n, feb29)


def period_end_years(start: dt.date, years: int, boundary: str = "strict",
                     feb29: str = "last_day_of_february") -> dt.date:
    end = add_years(start, years, feb29)
    return end if boundary == "strict" else end + dt.timedelta(days=1)


def within_years(start, years: int, on: dt.date, boundary: str = "strict",
                 feb29: str = "last_day_of_february") -> bool:
    if start is None:
        return False
    return start <= on < period_end_years(start, years, boundary, feb29)
