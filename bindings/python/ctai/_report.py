"""Report.to_pandas(): the long form of a report (ctai::report_rows) as a DataFrame."""

from typing import Any

from ._columns import _require
from ._core import Report


def _to_pandas(self: Report) -> Any:
    """Every figure as a row of a ``pandas.DataFrame`` (the long form of ``to_csv()``):
    ``action``, ``block`` (``public``, ``specific``, ``journeys``, ``financial``, ``extra``),
    ``key``, ``entry`` (a breakdown's entry, missing for a single figure), ``label`` (French),
    ``target`` and ``realised`` (floats, NaN when there is none, when the cell is suppressed
    or when the figure cannot be computed)."""
    pd = _require("pandas", "to_pandas()")
    return pd.DataFrame(self._rows())


Report.to_pandas = _to_pandas
