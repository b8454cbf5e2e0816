"""Columnar query results: NumPy arrays built from the C++ column vectors, without a Python
object per row, with conversions to pandas, pyarrow and the Arrow PyCapsule stream
interface (``__arrow_c_stream__``) that polars and DuckDB read.

Column kinds (``Columns.kinds``):

- ``date``: ``datetime64[D]``, NaT when missing;
- ``bool``: NumPy ``bool`` (a view of the C++ bytes, no copy);
- ``int32`` / ``float64``: the C++ vectors themselves (no copy);
- ``category``: a closed vocabulary; ``columns[name]`` gives the spellings (a NumPy text
  array, ``""`` when missing), ``columns.codes(name)`` the ``uint8`` codes (index in the
  enum class, 255 when missing); pandas gets a ``Categorical``, Arrow a dictionary array;
- ``string``: ids and open vocabularies, held as Arrow buffers (offsets + UTF-8 bytes);
  ``columns[name]`` decodes them once in C++ into a NumPy ``StringDType`` array (NumPy 2;
  a fixed-width ``<U`` array on NumPy 1); pyarrow wraps the buffers without copying, and
  ``to_pandas()`` gives pandas' pyarrow-backed text dtype (``str`` on pandas >= 3,
  ``string[pyarrow]`` on pandas 1.5-2.x: no Python object per row), or ``object`` columns
  when pyarrow is not installed.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np

from . import _core
from ._enums import VOCABULARIES

__all__ = ["Columns"]

_STRING_DTYPE = getattr(getattr(np, "dtypes", None), "StringDType", None)


def _arrow_text_dtype(pd: Any) -> Any:
    """pandas' text dtype stored in pyarrow: ``str`` (``StringDtype("pyarrow", na_value=nan)``,
    the default text dtype) on pandas >= 3, ``string[pyarrow]`` before."""
    if int(pd.__version__.split(".", 1)[0]) >= 3:
        return pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.StringDtype("pyarrow")


def _require(module: str, what: str) -> Any:
    try:
        return __import__(module)
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            f"{what} needs {module}: pip install {module}"
        ) from error


class Columns:
    """A table of equal-length columns (one row per journey, person, ...), read-only.

    ``columns["entry"]`` or ``columns.entry`` is a NumPy array; ``len(columns)`` is the
    number of rows; ``columns.names`` the column names in order; ``to_pandas()``,
    ``to_arrow()``, ``to_polars()`` convert; ``__arrow_c_stream__`` lets
    ``polars.DataFrame(columns)``, ``pyarrow.table(columns)`` and DuckDB read it.
    """

    __slots__ = ("_specs", "_data", "_cache", "_length", "_meta", "_nulls")

    def __init__(self, payload: Tuple[List[Tuple[str, str, Optional[str]]], Dict[str, Any]],
                 meta: Optional[Dict[str, Any]] = None,
                 nulls: Optional[Dict[str, Any]] = None) -> None:
        specs, data = payload
        self._specs = {name: (kind, vocabulary) for name, kind, vocabulary in specs}
        self._data = data
        # name -> the stored value that means "missing" (int32: a sentinel such as -1 or 0,
        # NaN in NumPy, <NA> in pandas, null in Arrow; string: "" is null in pandas and
        # Arrow); for a category, the spelling of its missing value (``public``:
        # "not_eligible", a category of its own).
        self._nulls = {k: v for k, v in (nulls or {}).items() if k in self._specs}
        self._cache: Dict[str, np.ndarray] = {}
        self._meta = dict(meta or {})
        self._length = 0
        for name, (kind, _) in self._specs.items():
            raw = data[name]
            self._length = len(raw[0]) - 1 if kind == "string" else len(raw)
            break

    # --- mapping-like access -------------------------------------------------------------
    @property
    def names(self) -> List[str]:
        """Column names, in order."""
        return list(self._specs)

    @property
    def kinds(self) -> Dict[str, str]:
        """Column name -> kind (date, bool, int32, float64, category, string)."""
        return {name: kind for name, (kind, _) in self._specs.items()}

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def keys(self) -> List[str]:
        return self.names

    def __getitem__(self, name: str) -> np.ndarray:
        """The column as a NumPy array (see the module documentation for the dtypes)."""
        if name not in self._specs:
            raise KeyError(name)
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        kind, vocabulary = self._specs[name]
        raw = self._data[name]
        if kind == "string":
            out = _core._utf8_to_numpy(*raw)
            if _STRING_DTYPE is not None:
                out = out.astype(_STRING_DTYPE())
        elif kind == "category":
            spellings = [m.value for m in VOCABULARIES[vocabulary]]
            lookup = np.array(spellings + [self._nulls.get(name, "")] * (256 - len(spellings)))
            if _STRING_DTYPE is not None:
                lookup = lookup.astype(_STRING_DTYPE())
            out = lookup[raw]
        elif kind == "int32" and name in self._nulls:
            # NumPy has no integer null: float64 with NaN where missing.
            out = raw.astype(np.float64)
            out[raw == self._nulls[name]] = np.nan
        else:
            out = raw
        out.flags.writeable = False
        self._cache[name] = out
        return out

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__!s} has no column {name!r}") from None

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self._specs))

    def codes(self, name: str) -> np.ndarray:
        """The ``uint8`` codes of a category column (index in ``vocabulary(name)``, 255
        when missing)."""
        kind, _ = self._specs[name]
        if kind != "category":
            raise TypeError(f"column {name!r} is {kind}, not a category")
        return self._data[name]

    def null_mask(self, name: str) -> np.ndarray:
        """A NumPy ``bool`` array, True where the column's value is missing (null in Arrow,
        ``<NA>``/NaN/NaT in pandas)."""
        kind, _ = self._specs[name]
        raw = self._data[name]
        if kind == "date":
            return np.isnat(raw)
        if kind == "category":  # a missing value with a category of its own is not null
            return np.zeros(len(self), dtype=bool) if self._nulls.get(name) else raw == 255
        if kind == "float64":
            return np.isnan(raw)
        if name not in self._nulls:
            return np.zeros(len(self), dtype=bool)
        if kind == "string":
            offsets = raw[0]
            return offsets[1:] == offsets[:-1]
        return raw == self._nulls[name]

    def _categories(self, name: str, vocabulary: str) -> List[str]:
        spellings = [m.value for m in VOCABULARIES[vocabulary]]
        extra = self._nulls.get(name)
        return spellings + [extra] if extra else spellings

    def _category_codes(self, name: str, vocabulary: str) -> np.ndarray:
        """int16 codes into _categories (-1 for a missing value without a category)."""
        raw = self._data[name]
        codes = raw.astype(np.int16)
        codes[raw == 255] = len(VOCABULARIES[vocabulary]) if self._nulls.get(name) else -1
        return codes

    def vocabulary(self, name: str) -> type:
        """The enum class of a category column."""
        kind, vocabulary = self._specs[name]
        if kind != "category":
            raise TypeError(f"column {name!r} is {kind}, not a category")
        return VOCABULARIES[vocabulary]

    def to_dict(self) -> Dict[str, np.ndarray]:
        """Column name -> NumPy array."""
        return {name: self[name] for name in self._specs}

    def __repr__(self) -> str:
        meta = "".join(f" {k}={v}" for k, v in self._meta.items())
        return f"<ctai.Columns rows={len(self)}{meta} columns={self.names}>"

    def _repr_html_(self, max_rows: int = 10) -> str:
        """The first rows as an HTML table (notebooks)."""
        import html

        names = self.names
        n = min(len(self), max_rows)
        head = "".join(f"<th>{html.escape(c)}</th>" for c in names)
        body = []
        for i in range(n):
            cells = []
            for c in names:
                v = self[c][i]
                missing = bool(self.null_mask(c)[i]) if c in self._nulls or \
                    self._specs[c][0] in ("date", "category") else False
                cells.append("<td></td>" if missing else f"<td>{html.escape(str(v))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        meta = "".join(f" {html.escape(str(k))}={html.escape(str(v))}" for k, v in self._meta.items())
        more = f"<p>{len(self) - n} more rows</p>" if len(self) > n else ""
        return (f"<div><p>ctai.Columns: {len(self)} rows{meta}</p><table><thead><tr>{head}"
                f"</tr></thead><tbody>{''.join(body)}</tbody></table>{more}</div>")

    # --- conversions ------------------------------------------------------------------------
    def to_arrow(self) -> Any:
        """A ``pyarrow.Table`` (needs pyarrow): numbers, flags and strings without copying;
        dates as ``date32`` (nulls where missing); categories as dictionary arrays."""
        pa = _require("pyarrow", "to_arrow()")
        arrays, names = [], []
        for name, (kind, vocabulary) in self._specs.items():
            raw = self._data[name]
            if kind == "string":
                offsets, data = raw
                cls = pa.LargeStringArray if offsets.dtype == np.int64 else pa.StringArray
                if name in self._nulls:
                    mask = self.null_mask(name)
                    arr = cls.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data),
                                           pa.py_buffer(np.packbits(~mask, bitorder="little")),
                                           int(mask.sum()))
                else:
                    arr = cls.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data))
            elif kind == "category":
                codes = self._category_codes(name, vocabulary)
                indices = pa.array(codes.astype(np.int8), mask=codes < 0)
                arr = pa.DictionaryArray.from_arrays(
                    indices, pa.array(self._categories(name, vocabulary), pa.string()))
            elif kind == "date":
                arr = pa.array(raw, type=pa.date32())
            elif name in self._nulls:
                arr = pa.array(raw, mask=self.null_mask(name))
            else:
                arr = pa.array(raw)
            arrays.append(arr)
            names.append(name)
        return pa.Table.from_arrays(arrays, names=names)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The Arrow PyCapsule stream interface, implemented by ctai itself (pyarrow is not
        needed): polars, DuckDB, pyarrow and any other Arrow consumer read the columns
        from it, with the types of ``to_arrow()``. The buffers are shared, not copied
        (except dates, narrowed to ``date32``, and flags, packed to bits).
        ``requested_schema`` is ignored (the columns have one Arrow layout)."""
        return _core._arrow_stream(self._arrow_fields(), len(self))

    def _arrow_fields(self) -> List[Tuple[Any, ...]]:
        """Every column as Arrow buffers: (name, format, length, null_count, [buffers],
        dictionary)."""
        n = len(self)
        fields = []

        def validity(mask: np.ndarray) -> Tuple[int, Any]:
            missing = int(mask.sum())
            return missing, (np.packbits(~mask, bitorder="little") if missing else None)

        for name, (kind, vocabulary) in self._specs.items():
            raw = self._data[name]
            if kind == "string":
                offsets, data = raw
                fmt = "U" if offsets.dtype == np.int64 else "u"
                nulls, bitmap = validity(self.null_mask(name)) if name in self._nulls else (0, None)
                fields.append((name, fmt, n, nulls, [bitmap, np.ascontiguousarray(offsets),
                                                      np.ascontiguousarray(data)], None))
            elif kind == "category":
                codes = self._category_codes(name, vocabulary)
                nulls, bitmap = validity(codes < 0)
                words = [w.encode() for w in self._categories(name, vocabulary)]
                offsets = np.cumsum([0] + [len(w) for w in words]).astype(np.int32)
                values = np.frombuffer(b"".join(words) or b"\0", dtype=np.uint8)
                dictionary = ("", "u", len(words), 0, [None, offsets, values], None)
                fields.append((name, "c", n, nulls, [bitmap, codes.astype(np.int8)], dictionary))
            elif kind == "date":
                nulls, bitmap = validity(np.isnat(raw))
                days = raw.view(np.int64).astype(np.int32)
                fields.append((name, "tdD", n, nulls, [bitmap, days], None))
            elif kind == "bool":
                bits = np.packbits(np.ascontiguousarray(raw, dtype=bool), bitorder="little")
                fields.append((name, "b", n, 0, [None, bits], None))
            else:
                fmt = {"int32": "i", "float64": "g"}[kind]
                nulls, bitmap = validity(self.null_mask(name)) if name in self._nulls else (0, None)
                fields.append((name, fmt, n, nulls, [bitmap, np.ascontiguousarray(raw)], None))
        return fields

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame``: dates ``datetime64`` (NaT), flags ``bool``, categories
        ``Categorical`` (NaN when missing), strings in pandas' pyarrow-backed text dtype when
        pyarrow is installed (``str`` on pandas >= 3, ``string[pyarrow]`` on pandas 1.5-2.x;
        the Arrow buffers are wrapped, no Python object per row), else ``object`` columns."""
        pd = _require("pandas", "to_pandas()")
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            pyarrow = None
        text = _arrow_text_dtype(pd) if pyarrow is not None else None
        columns: Dict[str, Any] = {}
        for name, (kind, vocabulary) in self._specs.items():
            raw = self._data[name]
            if kind == "category":
                columns[name] = pd.Categorical.from_codes(
                    self._category_codes(name, vocabulary),
                    categories=self._categories(name, vocabulary))
            elif kind == "string":
                if pyarrow is not None:
                    offsets, data = raw
                    cls = (pyarrow.LargeStringArray if offsets.dtype == np.int64
                           else pyarrow.StringArray)
                    if name in self._nulls:
                        mask = self.null_mask(name)
                        arr = cls.from_buffers(len(offsets) - 1, pyarrow.py_buffer(offsets),
                                               pyarrow.py_buffer(data),
                                               pyarrow.py_buffer(np.packbits(~mask, bitorder="little")),
                                               int(mask.sum()))
                    else:
                        arr = cls.from_buffers(len(offsets) - 1, pyarrow.py_buffer(offsets),
                                               pyarrow.py_buffer(data))
                    columns[name] = text.__from_arrow__(arr)
                else:
                    values = self[name].astype(object)
                    if name in self._nulls:
                        values[self.null_mask(name)] = None
                    columns[name] = values
            elif kind == "int32" and name in self._nulls:
                columns[name] = pd.arrays.IntegerArray(raw.copy(), self.null_mask(name))
            elif kind == "date":
                # Seconds: the unit pandas >= 2 keeps for days (pandas 1.x: nanoseconds);
                # converting here is cheaper than pandas' own conversion.
                columns[name] = raw.astype("datetime64[s]")
            else:
                columns[name] = raw
        return pd.DataFrame(columns)

    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` (needs polars; read through the Arrow C stream, so
        pyarrow is not needed)."""
        pl = _require("polars", "to_polars()")
        return pl.DataFrame(self)
