"""Validation helpers of the pure-Python classes (validate once, at construction)."""

from __future__ import annotations

import datetime as _dt
import operator
from typing import Any, Optional, Type, TypeVar

from . import _core
from ._enums import CtaiEnum

E = TypeVar("E", bound=CtaiEnum)


def validation_error(message: str, field: Optional[str] = None) -> _core.ValidationError:
    """A ctai.ValidationError carrying `field`, as the C++ ones do."""
    error = _core.ValidationError(message)
    error.field = field
    return error


def type_name(value: Any) -> str:
    return type(value).__name__


def enum_value(cls: Type[E], value: Any, where: str) -> E:
    """A member of `cls` from a member or its spelling."""
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise validation_error(
                f"{where}: invalid {cls.__name__} {value!r} (expected one of: {allowed})",
                where.rsplit(".", 1)[-1],
            ) from None
    raise TypeError(f"{where}: expected a ctai.{cls.__name__} or its spelling, got {type_name(value)}")


def date_value(value: Any, where: str) -> _dt.date:
    """A datetime.date; datetime.datetime (a subclass) is refused: no time of day."""
    if isinstance(value, _dt.datetime):
        raise TypeError(
            f"{where}: expected a datetime.date, got a datetime.datetime "
            "(ctai dates are calendar days without time of day: use .date())"
        )
    if not isinstance(value, _dt.date):
        raise TypeError(f"{where}: expected a datetime.date, got {type_name(value)}")
    return value


_ACCEPTED_DATES = ("a datetime.date, a midnight pandas.Timestamp, a numpy.datetime64 or an "
                   "ISO 'YYYY-MM-DD' string")


def as_date(value: Any, where: str) -> _dt.date:
    """A date argument of the analyst's API as a datetime.date: a ``datetime.date``, a
    pandas ``Timestamp`` at midnight without time zone, a ``numpy.datetime64`` on a day
    boundary, or an ISO ``YYYY-MM-DD`` string. TypeError (naming ``where``, the type
    received and what is accepted) for anything else; ValidationError for an invalid or
    missing (NaT) date, or a moment that is not midnight."""
    if isinstance(value, _dt.datetime):
        if type(value).__module__.startswith("pandas"):
            if value.tzinfo is not None or (value.hour, value.minute, value.second,
                                            value.microsecond, getattr(value, "nanosecond", 0)) != (0, 0, 0, 0, 0):
                raise validation_error(
                    f"{where}: a pandas.Timestamp with a time of day or a time zone is not a "
                    "date (ctai dates are calendar days: use .normalize() or .date())",
                    where.rsplit(" ", 1)[-1])
            return _dt.date(value.year, value.month, value.day)
        raise TypeError(
            f"{where}: expected {_ACCEPTED_DATES}, got a datetime.datetime (ctai dates are "
            "calendar days without time of day: use .date())")
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        return _core.parse_date(value)
    module = type(value).__module__
    if module == "numpy" and type(value).__name__ == "datetime64":
        import numpy as np

        if np.isnat(value):
            raise validation_error(f"{where}: a missing date (NaT) is not a date", "date")
        day = value.astype("datetime64[D]")
        if day != value:
            raise validation_error(f"{where}: a numpy.datetime64 with a time of day is not a "
                                   "date", "date")
        return day.astype(object)
    raise TypeError(f"{where}: expected {_ACCEPTED_DATES}, got {type_name(value)}")


def as_optional_date(value: Any, where: str) -> Optional[_dt.date]:
    return None if value is None else as_date(value, where)


def optional_date(value: Any, where: str) -> Optional[_dt.date]:
    return None if value is None else date_value(value, where)


def text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{where}: expected str, got {type_name(value)}")
    return value


def optional_text(value: Any, where: str) -> Optional[str]:
    return None if value is None else text(value, where)


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{where}: expected bool, got {type_name(value)}")
    return value


def integer(value: Any, where: str) -> int:
    if not isinstance(value, bool):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise TypeError(f"{where}: expected int, got {type_name(value)}")
