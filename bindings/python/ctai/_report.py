"""R8 reports: ``ctai.build_report(store, contract, ...)`` (the C++ ``ctai::build_report``)
and Report.to_pandas(), the long form of a report (ctai::report_rows) as a DataFrame."""

import datetime as _dt
from typing import Any, Optional, Union

from . import _core
from ._columns import _require
from ._contract import Contract
from ._core import Report

__all__ = ["build_report"]


def build_report(store: Any, contract: Union[str, Contract], *,
                 start: Optional[_dt.date] = None, end: Optional[_dt.date] = None,
                 evaluated_on: Optional[_dt.date] = None, publish: bool = False,
                 k: Optional[int] = None) -> Report:
    """R8: the evaluation report of ``contract`` (its id or a stored Contract) in ``store``
    over ``start``..``end`` (both included; default the contract period), with open
    journeys censored at ``evaluated_on`` (default ``end``: never "today", so the same
    data give the same report). ``publish=True`` applies small-cell suppression with
    threshold ``k`` (default the policy's ``suppression_k``). ``report.to_dict()`` is
    ``ctai report --format json``. ``store.report(contract_id, ...)`` is the same call."""
    from ._checks import as_optional_date

    contract_id = contract.id if isinstance(contract, Contract) else contract
    start = as_optional_date(start, "build_report: start")
    end = as_optional_date(end, "build_report: end")
    evaluated_on = as_optional_date(evaluated_on, "build_report: evaluated_on")
    return _core._build_report(store, contract_id, start=start, end=end,
                               evaluated_on=evaluated_on, publish=publish, k=k)


def _to_pandas(self: Report) -> Any:
    """Every figure as a row of a ``pandas.DataFrame`` (the long form of ``to_csv()``):
    ``action``, ``block`` (``public``, ``specific``, ``journeys``, ``financial``, ``extra``;
    ``orientations`` with action 0, the contract-wide R6 block),
    ``key``, ``entry`` (a breakdown's entry, missing for a single figure), ``label`` (French),
    ``target`` and ``realised`` (floats, NaN when there is none, when the cell is suppressed
    or when the figure cannot be computed)."""
    pd = _require("pandas", "to_pandas()")
    return pd.DataFrame(self._rows())


def _repr_html_(self: Report) -> str:
    """The report as HTML in a notebook (the body of ``to_html()``)."""
    html = self.to_html()
    lower = html.lower()
    start, end = lower.find("<body"), lower.rfind("</body>")
    if start >= 0 and end > start:
        html = html[html.index(">", start) + 1:end]
    return html


Report.to_pandas = _to_pandas
Report._repr_html_ = _repr_html_


def _orientations(self: Report) -> Any:
    """R6: the orientations block of the report (``to_dict()["orientations"]``): counts by
    direction, status, need and action, acceptance, and the proposal -> decision and
    acceptance -> entry delays with the open ones censored (docs/reports.md)."""
    return self.to_dict()["orientations"]


Report.orientations = property(_orientations)
