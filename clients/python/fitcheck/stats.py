"""Value statistics of an array (the ``TensorStats`` of openapi.yaml), in one streaming pass.

The statistics are those the server computes from ``values`` and from ``.npy`` uploads:

* ``min`` and ``max`` over the finite values (left out when there are none);
* ``nan_count`` and ``inf_count``;
* ``distinct``: the sorted distinct finite values when there are at most 256 of them, with
  ``distinct_count``; past 256 ``distinct`` is left out and ``distinct_count`` is ``null``;
* ``mean`` and ``mean_square`` over the finite values;
* ``row_sum_min`` and ``row_sum_max``: the smallest and largest sum over the last axis
  (arrays of rank 2 and more; rows holding a NaN or an Inf are left out), which tells
  one-hot targets from multi-hot and all-zero ones;
* ``integers``: whether every finite value is a whole number (what ``distinct`` cannot say
  past 256 values: fractional labels for a sparse loss);
* ``class_counts``: how many elements hold each value, when there are at most 256 of them, all
  are whole numbers and the array holds one value per sample (rank 1, or a last axis of 1), as
  the server counts ``values``; the client sends it for targets only (class imbalance).

Complex arrays get only the counts; string arrays get their distinct strings; other object
arrays get nothing.

With NumPy, an array is read in pieces of :data:`CHUNK_ELEMENTS` elements: a C-contiguous
array through slices of its flat view (no copy), any other array through contiguous copies of
one piece at a time, so memory stays bounded whatever the array's size. Without NumPy, nested
Python lists are walked in pure Python (:func:`summarize_nested`).
"""
from __future__ import annotations

import math
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

__all__ = ["MAX_DISTINCT", "CHUNK_ELEMENTS", "Accumulator", "RaggedError", "numpy_or_none",
           "dtype_name", "iter_pieces", "kind_of", "stats_json", "summarize_array", "summarize_nested", "nested_shape"]

MAX_DISTINCT = 256
"""The most distinct values listed (the server's limit)."""

CHUNK_ELEMENTS = 1 << 18
"""Elements read at a time: bounds the temporary float64 copies to 2 MiB."""

_INT64_MAX = (1 << 63) - 1


def numpy_or_none() -> Any:
    """The ``numpy`` module when it can be imported, else ``None`` (looked up at each call)."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def dtype_name(dtype: Any) -> str:
    """The name NumPy gives a dtype: ``float32``, ``int64``, ``bool``, ``str`` (unicode), ``bytes``, ``object``."""
    kind = getattr(dtype, "kind", "")
    if kind == "U":
        return "str"
    if kind == "S":
        return "bytes"
    if kind == "O":
        return "object"
    return str(getattr(dtype, "name", dtype))


def _json_number(value: float, integral: bool) -> Any:
    """A JSON-safe number: an int for integral kinds (a float past int64), else a float."""
    if integral:
        as_int = int(value)
        return as_int if -_INT64_MAX - 1 <= as_int <= _INT64_MAX else float(as_int)
    return float(value) + 0.0  # -0.0 as 0.0


class RaggedError(ValueError):
    """Nested lists that are not rectangular."""


class Accumulator:
    """TensorStats accumulated over the pieces of one array, visited in C order.

    ``kind`` is ``"int"`` (integers and booleans), ``"float"``, ``"complex"``, ``"str"`` or
    ``"none"`` (no statistics). ``row_length`` is the length of the last axis for arrays of rank
    2 and more, else ``None`` (no row sums).
    """

    def __init__(self, kind: str, row_length: Optional[int] = None) -> None:
        self.kind = kind
        self.row_length = row_length if row_length else None
        self.nan_count = 0
        self.inf_count = 0
        self.low: Optional[float] = None
        self.high: Optional[float] = None
        self.total = 0.0
        self.total_sq = 0.0
        self.finite = 0
        self.distinct: Optional[set] = set()
        self.counts: Optional[Dict[Any, int]] = {}  # value -> elements, while distinct is listed
        self.fractional = False  # a finite value that is not a whole number was seen
        self.row_low: Optional[float] = None
        self.row_high: Optional[float] = None
        self._row_sum = 0.0
        self._row_fill = 0
        self._row_bad = False

    # -- updates shared by both paths -------------------------------------------------------
    def add_range(self, low: float, high: float) -> None:
        """Widens the finite range to include ``[low, high]``."""
        if self.low is None or low < self.low:
            self.low = low
        if self.high is None or high > self.high:
            self.high = high

    def add_distinct(self, values: Sequence[Any]) -> None:
        """Adds distinct values; stops listing them once there are more than :data:`MAX_DISTINCT`."""
        if self.distinct is None:
            return
        self.distinct.update(values)
        if len(self.distinct) > MAX_DISTINCT:
            self.distinct = None
            self.counts = None

    def add_counts(self, values: Sequence[Any], counts: Sequence[int]) -> None:
        """Adds element counts per value (while the distinct values are listed)."""
        if self.counts is None or self.distinct is None:
            self.counts = None
            return
        for value, n in zip(values, counts):
            self.counts[value] = self.counts.get(value, 0) + int(n)

    def add_row(self, total: float) -> None:
        """One row's sum over the last axis (non-finite sums are left out)."""
        if not math.isfinite(total):
            return
        if self.row_low is None or total < self.row_low:
            self.row_low = total
        if self.row_high is None or total > self.row_high:
            self.row_high = total

    def add_scalar(self, value: Any) -> None:
        """One element (the pure Python path): a number, a bool, or a string for ``kind == "str"``."""
        if self.kind == "str":
            self.add_distinct((value,))
            return
        number = float(value)
        if self.row_length:
            self._row_sum += number
            self._row_bad = self._row_bad or not math.isfinite(number)
            self._row_fill += 1
            if self._row_fill == self.row_length:
                if not self._row_bad:
                    self.add_row(self._row_sum)
                self._row_sum, self._row_fill, self._row_bad = 0.0, 0, False
        if math.isnan(number):
            self.nan_count += 1
            return
        if math.isinf(number):
            self.inf_count += 1
            return
        self.add_range(number, number)
        self.total += number
        self.total_sq += number * number
        self.finite += 1
        self.fractional = self.fractional or number != math.floor(number)
        if self.distinct is not None:
            key = int(value) if self.kind == "int" else number + 0.0
            self.add_distinct((key,))
            self.add_counts((key,), (1,))

    # -- the result -------------------------------------------------------------------------
    def to_json(self) -> Optional[Dict[str, Any]]:
        """The TensorStats object, or ``None`` when the kind has no statistics."""
        if self.kind == "none":
            return None
        if self.kind == "str":
            if self.distinct is None:
                return {"distinct_count": None}
            return {"distinct": sorted(self.distinct), "distinct_count": len(self.distinct)}
        stats: Dict[str, Any] = {"nan_count": self.nan_count, "inf_count": self.inf_count}
        if self.kind == "complex":
            return stats
        integral = self.kind == "int"
        if self.low is not None and self.high is not None:
            stats["min"] = _json_number(self.low, integral)
            stats["max"] = _json_number(self.high, integral)
        if self.distinct is None:
            stats["distinct_count"] = None
        else:
            stats["distinct"] = [_json_number(v, integral) for v in sorted(self.distinct)]
            stats["distinct_count"] = len(self.distinct)
        if self.finite:
            mean = self.total / self.finite
            mean_square = self.total_sq / self.finite
            if math.isfinite(mean) and math.isfinite(mean_square):
                stats["mean"] = mean
                stats["mean_square"] = max(mean_square, mean * mean)
        if self.row_low is not None and self.row_high is not None:
            stats["row_sum_min"] = self.row_low
            stats["row_sum_max"] = self.row_high
        if self.finite:
            stats["integers"] = integral or not self.fractional
            if self.distinct is not None and self.counts and not self.fractional and self.row_length in (None, 1):
                stats["class_counts"] = {str(int(v)): n for v, n in sorted(self.counts.items())}
        return stats


# ---------------------------------------------------------------------------------- NumPy
def kind_of(dtype: Any) -> str:
    """The accumulator kind of a NumPy dtype."""
    kind = dtype.kind
    if kind in "iub":
        return "int"
    if kind == "f":
        return "float"
    if kind == "c":
        return "complex"
    if kind in "UO":
        return "str"  # object arrays are strings only when every element is one (checked per piece)
    return "none"


def iter_pieces(arr: Any, np: Any) -> Iterator[Any]:
    """C-ordered contiguous 1-D pieces of ``arr``: views when it is C-contiguous, else bounded copies."""
    if arr.size == 0:
        return
    if arr.flags.c_contiguous:
        flat = arr.reshape(-1)  # a view
        step = CHUNK_ELEMENTS
        if arr.ndim >= 2 and 0 < arr.shape[-1] <= CHUNK_ELEMENTS:
            step = max(1, CHUNK_ELEMENTS // arr.shape[-1]) * arr.shape[-1]  # whole rows
        for start in range(0, flat.size, step):
            yield flat[start:start + step]
        return
    if arr.ndim == 1:
        for start in range(0, arr.shape[0], CHUNK_ELEMENTS):
            yield np.ascontiguousarray(arr[start:start + CHUNK_ELEMENTS])
        return
    per_item = arr.size // arr.shape[0]
    if per_item <= CHUNK_ELEMENTS:
        rows = max(1, CHUNK_ELEMENTS // per_item)
        for start in range(0, arr.shape[0], rows):
            yield np.ascontiguousarray(arr[start:start + rows]).reshape(-1)
        return
    for index in range(arr.shape[0]):
        yield from iter_pieces(arr[index], np)


def _distinct_numbers(acc: Accumulator, values: Any, np: Any, integral: bool,
                      low: float, high: float) -> None:
    """Adds the distinct values of a piece of finite numbers."""
    if acc.distinct is None or values.size == 0:
        return
    if integral and high - low < (1 << 16):
        if values.dtype.kind == "u":  # values >= low: no wrap-around, even past int64
            offsets = (values - values.dtype.type(low)).astype(np.intp)
        else:
            offsets = values.astype(np.int64) - int(low)
        counts = np.bincount(offsets)
        present = np.flatnonzero(counts)
        if present.size > MAX_DISTINCT:
            acc.distinct = None
            acc.counts = None
            return
        keys = [int(low) + int(i) for i in present.tolist()]
        acc.add_distinct(keys)
        acc.add_counts(keys, counts[present].tolist())
        return
    # A sample first: a piece of noise overflows the set without sorting the whole piece.
    sample = np.unique(values[:1024])
    if sample.size > MAX_DISTINCT or len(acc.distinct.union(sample.tolist())) > MAX_DISTINCT:
        acc.distinct = None
        acc.counts = None
        return
    unique, counts = np.unique(values, return_counts=True)
    if unique.size > MAX_DISTINCT:
        acc.distinct = None
        acc.counts = None
        return
    keys = [int(v) for v in unique.tolist()] if integral else (unique + 0.0).tolist()
    acc.add_distinct(keys)
    acc.add_counts(keys, counts.tolist())


def _row_sums(acc: Accumulator, piece: Any, np: Any) -> None:
    """Row sums over the last axis for a piece that may start or end inside a row."""
    last = acc.row_length
    if not last:
        return
    n = piece.size
    pos = 0
    if acc._row_fill:
        take = min(last - acc._row_fill, n)
        acc._row_sum += float(np.add.reduce(piece[:take], dtype=np.float64))
        acc._row_fill += take
        pos = take
        if acc._row_fill == last:
            acc.add_row(acc._row_sum)
            acc._row_sum, acc._row_fill = 0.0, 0
    full = (n - pos) // last
    if full:
        sums = piece[pos:pos + full * last].reshape(full, last).sum(axis=1, dtype=np.float64)
        sums = sums[np.isfinite(sums)]
        if sums.size:
            acc.add_row(float(sums.min()))
            acc.add_row(float(sums.max()))
        pos += full * last
    if pos < n:
        acc._row_sum = float(np.add.reduce(piece[pos:], dtype=np.float64))
        acc._row_fill = n - pos


def _update_numbers(acc: Accumulator, piece: Any, np: Any) -> None:
    if piece.dtype.kind == "b":
        piece = piece.view(np.uint8)
    _row_sums(acc, piece, np)
    integral = acc.kind == "int"
    low, high = piece.min(), piece.max()
    values = piece
    if not integral and not (math.isfinite(low) and math.isfinite(high)):
        nans = int(np.count_nonzero(np.isnan(piece)))
        finite_mask = np.isfinite(piece)
        finite = int(np.count_nonzero(finite_mask))
        acc.nan_count += nans
        acc.inf_count += piece.size - nans - finite
        if finite == 0:
            return
        values = piece[finite_mask]
        low, high = values.min(), values.max()
    low_f, high_f = (int(low), int(high)) if integral else (float(low), float(high))
    acc.add_range(low_f, high_f)
    as_f64 = np.asarray(values, dtype=np.float64)  # a copy of one piece at most
    acc.total += float(as_f64.sum())
    acc.total_sq += float(np.dot(as_f64, as_f64))
    acc.finite += values.size
    if not integral and not acc.fractional:
        acc.fractional = bool(np.any(values != np.floor(values)))  # a temporary of one piece
    _distinct_numbers(acc, values, np, integral, low_f, high_f)


def _update_complex(acc: Accumulator, piece: Any, np: Any) -> None:
    nans = np.isnan(piece)
    acc.nan_count += int(np.count_nonzero(nans))
    acc.inf_count += int(np.count_nonzero(np.isinf(piece) & ~nans))


def _update_strings(acc: Accumulator, piece: Any, np: Any) -> None:
    if piece.dtype.kind == "O":
        items = piece.tolist()
        strings = []
        for item in items:
            if isinstance(item, str):
                strings.append(item)
            elif item is None or (isinstance(item, float) and math.isnan(item)):
                acc.nan_count += 1  # a missing value, as pandas writes it
            else:
                acc.kind = "none"  # not a string array: no statistics
                return
        if acc.distinct is not None:
            acc.add_distinct(set(strings))
        return
    if acc.distinct is not None:
        acc.add_distinct(np.unique(piece).tolist())


def summarize_array(arr: Any, np: Any, acc: Optional[Accumulator] = None) -> Accumulator:
    """Accumulates the statistics of one NumPy array (``acc`` continues a previous array's)."""
    if acc is None:
        acc = Accumulator(kind_of(arr.dtype), arr.shape[-1] if arr.ndim >= 2 else None)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    for piece in iter_pieces(arr, np):
        if acc.kind in ("int", "float"):
            _update_numbers(acc, piece, np)
        elif acc.kind == "complex":
            _update_complex(acc, piece, np)
        elif acc.kind == "str":
            _update_strings(acc, piece, np)
        else:
            break
    return acc


def stats_json(acc: Accumulator) -> Optional[Dict[str, Any]]:
    """The TensorStats of an accumulator; ``nan_count`` is kept for string arrays with missing values."""
    stats = acc.to_json()
    if stats is not None and acc.kind == "str" and acc.nan_count:
        stats["nan_count"] = acc.nan_count
    return stats


# ------------------------------------------------------------------------ pure Python lists
_SCALARS = (bool, int, float, str)


def nested_shape(values: Any) -> List[Optional[int]]:
    """The shape of nested lists: known lengths while every row at a depth agrees, then ``None``."""
    shape: List[Optional[int]] = []
    level = [values]
    while level and all(isinstance(v, (list, tuple)) for v in level):
        lengths = {len(v) for v in level}
        if len(lengths) != 1:
            shape.append(None)
            break
        shape.append(lengths.pop())
        level = [item for v in level for item in v]
        if level and any(isinstance(v, (list, tuple)) for v in level) and \
                not all(isinstance(v, (list, tuple)) for v in level):
            shape.append(None)
            break
    return shape


def _leaf_dtype(leaves: Sequence[Any]) -> str:
    """The dtype NumPy infers for these scalars (default integer int64)."""
    if any(v is None for v in leaves) or any(not isinstance(v, _SCALARS) for v in leaves):
        return "object"
    if any(isinstance(v, str) for v in leaves):
        return "str"
    if leaves and all(isinstance(v, bool) for v in leaves):
        return "bool"
    if any(isinstance(v, float) for v in leaves):
        return "float64"
    if any(not (-_INT64_MAX - 1 <= v <= _INT64_MAX) for v in leaves):
        return "object"
    return "int64"


def summarize_nested(values: Any) -> Tuple[List[int], str, Optional[Dict[str, Any]]]:
    """Shape, dtype and TensorStats of rectangular nested lists, in pure Python.

    Raises :class:`RaggedError` when the lists are not rectangular.
    """
    shape = nested_shape(values)
    if None in shape:
        raise RaggedError("the nested lists are ragged: shape %r" % (shape,))
    leaves: List[Any] = list(values) if isinstance(values, (list, tuple)) else [values]
    for _ in range(len(shape) - 1):
        leaves = [item for row in leaves for item in row]
    dtype = _leaf_dtype(leaves)
    dims: List[int] = [int(d) for d in shape]  # type: ignore[arg-type]
    if dtype == "object":
        return dims, dtype, None
    kind = "str" if dtype == "str" else "int" if dtype in ("int64", "bool") else "float"
    acc = Accumulator(kind, dims[-1] if len(dims) >= 2 else None)
    for leaf in leaves:
        acc.add_scalar(str(leaf) if kind == "str" else leaf)
    return dims, dtype, acc.to_json()
