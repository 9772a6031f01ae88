"""Describing what is passed to ``model.fit`` as the ``Tensor`` headers of openapi.yaml.

Arrays are summarised where they are (shape, dtype and :mod:`fitcheck.stats`); the container
that holds them is named as ``Tensor.container`` spells it. Nothing here imports TensorFlow,
Keras or pandas: their objects are recognised by what they look like.

=====================================  ======================================================
what ``fit`` gets                       how it is described
=====================================  ======================================================
NumPy array                             shape, dtype, stats
``pandas.DataFrame`` / ``Series``       shape, the dtype of ``to_numpy()``, stats (row blocks)
Python list (nested, rectangular)       ``list``: the dtype NumPy would infer, stats
Python list, ragged                     ``list``: the lengths that agree, then ``null``; object
list of NumPy arrays, one per sample    ``list-of-arrays``: the stacked shape, stats
``tf.Tensor`` (and variables)           ``tf.Tensor``: shape, dtype name, stats
``tf.data.Dataset``                     ``tf.data.Dataset``: the element's shape, batch size,
                                        cardinality (no stats: the data is not read)
``keras.utils.Sequence`` / PyDataset    ``keras.utils.Sequence``: the first batch's shape,
                                        ``len()`` as cardinality
a Python generator (peeked element)     ``generator``
=====================================  ======================================================
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .stats import (CHUNK_ELEMENTS, Accumulator, RaggedError, dtype_name, kind_of, nested_shape,
                    numpy_or_none, stats_json, summarize_array, summarize_nested)

__all__ = ["describe", "describe_argument", "describe_stream", "is_stream", "is_generator", "NO_ELEMENT",
           "TensorJson", "ArgumentJson"]

TensorJson = Dict[str, Any]
ArgumentJson = Union[TensorJson, List[TensorJson], Dict[str, TensorJson]]

_FRAME_ROWS = 1 << 14  # DataFrame rows converted at a time
_KERAS_TOPS = ("keras", "tensorflow", "tf_keras")


# ------------------------------------------------------------------------------ recognising
def _is_ndarray(obj: Any, np: Any) -> bool:
    return np is not None and isinstance(obj, np.ndarray)


def _pandas_kind(obj: Any) -> Optional[str]:
    cls = type(obj)
    if cls.__module__.split(".")[0] == "pandas" and cls.__name__ in ("DataFrame", "Series"):
        return cls.__name__
    return None


def _is_tensor(obj: Any) -> bool:
    """A TensorFlow tensor or variable (eager): ``.numpy()``, ``.shape`` and ``.dtype.name``."""
    return (callable(getattr(obj, "numpy", None)) and hasattr(obj, "shape")
            and hasattr(getattr(obj, "dtype", None), "name") and _pandas_kind(obj) is None)


def _is_dataset(obj: Any) -> bool:
    return hasattr(obj, "element_spec") and callable(getattr(obj, "cardinality", None))


def _is_sequence(obj: Any) -> bool:
    """A ``keras.utils.Sequence`` or ``PyDataset`` (indexable batches with a length)."""
    if isinstance(obj, (list, tuple, dict, str, bytes)):
        return False
    if not (hasattr(obj, "__getitem__") and hasattr(obj, "__len__")):
        return False
    return any(c.__name__ in ("Sequence", "PyDataset") and (c.__module__ or "").split(".")[0] in _KERAS_TOPS
               for c in type(obj).__mro__)


def is_generator(obj: Any) -> bool:
    """A Python generator, or an iterator without a length (what Keras reads as a generator)."""
    if inspect.isgenerator(obj):
        return True
    return (hasattr(obj, "__next__") and hasattr(obj, "__iter__") and not hasattr(obj, "__len__")
            and not _is_dataset(obj))


def is_stream(obj: Any) -> bool:
    """A tf.data.Dataset, a Sequence / PyDataset, or a generator: it yields its own targets."""
    return _is_dataset(obj) or _is_sequence(obj) or is_generator(obj)


def _is_array_like(obj: Any, np: Any) -> bool:
    return _is_ndarray(obj, np) or _is_tensor(obj) or _pandas_kind(obj) is not None


# ------------------------------------------------------------------------------- one array
def _dims(shape: Any) -> Optional[List[Optional[int]]]:
    """A shape as a list (``None`` for unknown sizes), or ``None`` when even the rank is unknown."""
    if shape is None:
        return None
    as_list = getattr(shape, "as_list", None)
    if callable(as_list):
        try:
            shape = as_list()
        except ValueError:  # a TensorShape of unknown rank
            return None
    dims: List[Optional[int]] = []
    for d in shape:
        d = getattr(d, "value", d)  # TF 1 Dimension
        dims.append(None if d is None or (isinstance(d, int) and d < 0) else int(d))
    return dims


def _with_stats(tensor: TensorJson, acc: Optional[Accumulator]) -> TensorJson:
    stats = stats_json(acc) if acc is not None else None
    if stats is not None:
        tensor["stats"] = stats
    return tensor


def _describe_ndarray(arr: Any, np: Any, container: Optional[str] = None, stats: bool = True) -> TensorJson:
    tensor: TensorJson = {"shape": [int(d) for d in arr.shape], "dtype": dtype_name(arr.dtype)}
    if container:
        tensor["container"] = container
    return _with_stats(tensor, summarize_array(arr, np) if stats else None)


def _describe_pandas(obj: Any, kind: str, np: Any, stats: bool) -> TensorJson:
    container = "pandas." + kind
    if kind == "Series":
        arr = obj.to_numpy()  # a view for NumPy-backed columns
        return _describe_ndarray(arr, np, container, stats)
    rows, cols = (int(d) for d in obj.shape)
    dtype = obj.iloc[:1].to_numpy().dtype  # the common dtype, from one row
    tensor: TensorJson = {"shape": [rows, cols], "dtype": dtype_name(dtype), "container": container}
    if not stats:
        return tensor
    acc: Optional[Accumulator] = None
    step = max(1, min(_FRAME_ROWS, CHUNK_ELEMENTS // max(cols, 1)))
    for start in range(0, rows, step):
        block = obj.iloc[start:start + step].to_numpy()  # a bounded block of rows at a time
        acc = summarize_array(block, np, acc)
    if acc is None:
        acc = summarize_array(obj.iloc[:0].to_numpy(), np)
    return _with_stats(tensor, acc)


def _describe_tensor(obj: Any, np: Any, stats: bool) -> TensorJson:
    dims = _dims(obj.shape)
    if dims is None:
        raise TypeError("cannot describe a tensor of unknown rank: %r" % (obj,))
    tensor: TensorJson = {"shape": dims, "dtype": str(obj.dtype.name), "container": "tf.Tensor"}
    if stats and np is not None and None not in dims:
        arr = np.asarray(obj.numpy())
        if arr.shape == tuple(dims):
            _with_stats(tensor, summarize_array(arr, np))
    return tensor


def _describe_list(obj: Sequence[Any], np: Any, stats: bool) -> TensorJson:
    if np is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # old NumPy only warns about ragged lists
                arr = np.asarray(obj)
        except (ValueError, TypeError, Warning):
            arr = None
        if arr is not None and not (arr.dtype.kind == "O" and None in nested_shape(obj)):
            return _describe_ndarray(arr, np, "list", stats)
    else:
        try:
            shape, dtype, st = summarize_nested(obj)
        except RaggedError:
            pass
        else:
            tensor = {"shape": shape, "dtype": dtype, "container": "list"}
            if stats and st is not None:
                tensor["stats"] = st
            return tensor
    return {"shape": nested_shape(obj), "dtype": "object", "container": "list"}


def _describe_array_list(arrays: Sequence[Any], np: Any, stats: bool) -> TensorJson:
    """A Python list holding one array per sample: described as the array they would stack into."""
    converted = [a if _is_ndarray(a, np) else np.asarray(a.numpy() if _is_tensor(a) else a) for a in arrays]
    shapes = {tuple(a.shape) for a in converted}
    ranks = {len(s) for s in shapes}
    if len(shapes) == 1:
        inner: List[Optional[int]] = [int(d) for d in shapes.pop()]
    elif len(ranks) == 1:
        inner = [None] * ranks.pop()
    else:
        inner = [None]
    dtype = np.result_type(*converted) if converted else np.dtype("float64")
    tensor: TensorJson = {"shape": [len(converted)] + inner, "dtype": dtype_name(dtype),
                          "container": "list-of-arrays"}
    if stats and converted and None not in inner:
        acc = Accumulator(kind_of(dtype), inner[-1] if inner else None)
        for a in converted:  # each array is whole rows of the stacked array
            summarize_array(a, np, acc)
        _with_stats(tensor, acc)
    return tensor


def describe(obj: Any, *, stats: bool = True) -> TensorJson:
    """The ``Tensor`` header of one array as fit would get it: shape, dtype, container, stats.

    ``obj`` is a NumPy array, a pandas DataFrame or Series, a tf.Tensor, a (nested) Python
    list, or anything ``numpy.asarray`` takes. ``stats=False`` leaves the statistics out.
    Raises :class:`TypeError` for what cannot be described (a scalar, a tensor of unknown rank).
    """
    np = numpy_or_none()
    if _is_ndarray(obj, np):
        return _describe_ndarray(obj, np, None, stats)
    kind = _pandas_kind(obj)
    if kind is not None and np is not None:
        return _describe_pandas(obj, kind, np, stats)
    if _is_tensor(obj):
        return _describe_tensor(obj, np, stats)
    if isinstance(obj, (list, tuple)):
        if np is not None and obj and all(_is_ndarray(a, np) or _is_tensor(a) for a in obj):
            return _describe_array_list(obj, np, stats)
        return _describe_list(obj, np, stats)
    if np is not None and (hasattr(obj, "__array__") or hasattr(obj, "__array_interface__")):
        return _describe_ndarray(np.asarray(obj), np, None, stats)
    raise TypeError("fitcheck cannot describe a %s as training data: pass a NumPy array, a pandas "
                    "object, a list, a tf.Tensor or a tf.data.Dataset" % type(obj).__name__)


# --------------------------------------------------------------------- arguments (x, y)
def _list_is_inputs(items: Sequence[Any], expected: Optional[int]) -> bool:
    """Whether a list of arrays is one array per model input (else one array per sample).

    ``expected`` is the number of model inputs (or outputs, for y) when it is known. A list of
    that many arrays feeds them; a longer list of equally shaped arrays is a list of samples.
    Without a count, a short list (at most 16) is taken as one array per input.
    """
    if expected is not None and len(items) == expected:
        return True
    shapes = {tuple(getattr(a, "shape", ())) for a in items}
    if expected is not None:
        return not (len(shapes) == 1 and len(items) > 8)
    return len(items) <= 16


def describe_argument(obj: Any, expected: Optional[int] = None, *, stats: bool = True) -> Optional[ArgumentJson]:
    """The ``TensorArgument`` of x (or y, or a validation array): one tensor, a list, or a dict.

    ``expected`` is the number of model inputs (outputs for y) when known: it tells a list of
    arrays that feeds several inputs from a list of per-sample arrays. ``None`` in, ``None`` out.
    """
    if obj is None:
        return None
    np = numpy_or_none()
    if isinstance(obj, Mapping) and _pandas_kind(obj) is None:
        return {str(k): describe(v, stats=stats) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and obj:
        arrays = all(_is_array_like(v, np) or isinstance(v, Mapping) for v in obj)
        if arrays and _list_is_inputs(obj, expected):
            return [describe(v, stats=stats) for v in obj]
    return describe(obj, stats=stats)


# -------------------------------------------------------------------------------- streams
_UNKNOWN = object()
NO_ELEMENT: Any = object()
"""Stands for "no element drawn" from a generator (see :func:`describe_stream`)."""


def _int_or_none(value: Any) -> Optional[int]:
    try:
        return int(value.numpy() if callable(getattr(value, "numpy", None)) else value)
    except (TypeError, ValueError, AttributeError):
        return None


def _dataset_batch_size(ds: Any) -> Any:
    """The batch size of a tf.data pipeline: an int, ``None`` when unbatched, or ``_UNKNOWN``."""
    node = ds
    for _ in range(64):
        name = type(node).__name__
        if "Unbatch" in name:
            return None
        if "Batch" in name and "Dataset" in name:
            size = _int_or_none(getattr(node, "_batch_size", None))
            return size if size and size > 0 else _UNKNOWN
        parent = getattr(node, "_input_dataset", None)
        if parent is None:
            # the source of the pipeline, reached without a batch on the way
            return None if "Dataset" in name else _UNKNOWN
        node = parent
    return _UNKNOWN


def _split_element(element: Any) -> Tuple[Any, Any]:
    """(x, y) of a stream element, as Keras unpacks it: a tuple (x,), (x, y) or (x, y, sample_weight)."""
    if isinstance(element, list):
        element = tuple(element)
    if isinstance(element, tuple) and 1 <= len(element) <= 3:
        return element[0], element[1] if len(element) >= 2 else None
    return element, None


def _element_dtype(part: Any) -> str:
    """The dtype name of an array or TensorSpec in a stream element (NumPy's, else TensorFlow's)."""
    dtype = getattr(part, "dtype", None)
    if hasattr(dtype, "kind"):  # a NumPy dtype
        return dtype_name(dtype)
    if dtype is not None:  # a tf.DType
        return str(getattr(dtype, "name", dtype))
    np = numpy_or_none()
    return dtype_name(np.asarray(part).dtype) if np is not None else "float64"


def _stream_headers(part: Any, header: Dict[str, Any], batched: bool) -> Optional[ArgumentJson]:
    """Headers for the arrays (or specs) of one side of an element: one, a list or a dict."""
    if part is None:
        return None
    if isinstance(part, Mapping):
        out = {str(k): _stream_headers(v, header, batched) for k, v in part.items()}
        return None if any(v is None for v in out.values()) else out  # type: ignore[return-value]
    if isinstance(part, (list, tuple)) and part and not isinstance(part[0], (int, float, bool)):
        items = [_stream_headers(v, header, batched) for v in part]
        return None if any(v is None for v in items) else items  # type: ignore[return-value]
    dims = _dims(getattr(part, "shape", None))
    if dims is None:
        if isinstance(part, (list, tuple)):
            dims = nested_shape(part)
        else:
            return None
    tensor: TensorJson = {"shape": dims, "dtype": _element_dtype(part)}
    tensor.update(header)
    if batched and "batch_size" not in tensor and dims and dims[0]:
        tensor["batch_size"] = dims[0]
    return tensor


def describe_stream(obj: Any, element: Any = NO_ELEMENT) -> Tuple[Optional[ArgumentJson], Optional[ArgumentJson]]:
    """(x, y) headers of a tf.data.Dataset, a Sequence / PyDataset, or a generator.

    For a generator, ``element`` is an element already drawn from it (see
    :func:`fitcheck.guard`, which puts it back); without one, a generator is not described.
    """
    if _is_dataset(obj):
        header: Dict[str, Any] = {"container": "tf.data.Dataset"}
        cardinality = _int_or_none(obj.cardinality())
        if cardinality is not None:
            header["cardinality"] = cardinality
        batch = _dataset_batch_size(obj)
        if batch is not _UNKNOWN:
            header["batch_size"] = batch
        x, y = _split_element(obj.element_spec)
        return _stream_headers(x, header, False), _stream_headers(y, header, False)
    if _is_sequence(obj):
        header = {"container": "keras.utils.Sequence", "cardinality": len(obj)}
        x, y = _split_element(obj[0]) if len(obj) else (None, None)
        return _stream_headers(x, header, True), _stream_headers(y, header, True)
    if is_generator(obj) and element is not NO_ELEMENT:
        header = {"container": "generator", "cardinality": -2}
        x, y = _split_element(element)
        return _stream_headers(x, header, True), _stream_headers(y, header, True)
    return None, None
