"""Summaries computed on this side: statistics, dtypes, containers (no server needed)."""
from __future__ import annotations

import ast
import math
import os
import subprocess
import sys
import tracemalloc
import unittest
from typing import Any, Dict
from unittest import mock

import support  # noqa: F401 - puts the package on sys.path

import numpy as np

import fitcheck
from fitcheck import describe
from fitcheck.describe import describe_argument, describe_stream

try:
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None


def reference_stats(arr: np.ndarray) -> Dict[str, Any]:
    """TensorStats by the definition, the slow way (a float64 copy of everything)."""
    flat = arr.astype(np.float64).reshape(-1)
    finite = flat[np.isfinite(flat)]
    out: Dict[str, Any] = {"nan_count": int(np.isnan(flat).sum()), "inf_count": int(np.isinf(flat).sum())}
    if finite.size:
        out["min"], out["max"] = float(finite.min()), float(finite.max())
        out["mean"], out["mean_square"] = float(finite.mean()), float((finite * finite).mean())
    distinct = sorted(set((finite + 0.0).tolist()))
    if arr.dtype.kind in "iub" and arr.size:  # exactly, as Python ints (int64 does not fit a float)
        ints = arr.astype(object).reshape(-1) if arr.dtype.kind != "b" else arr.reshape(-1).astype(int)
        out["min"], out["max"] = int(ints.min()), int(ints.max())
        distinct = sorted(set(int(v) for v in ints.tolist()))
    if len(distinct) <= 256:
        out["distinct"], out["distinct_count"] = distinct, len(distinct)
    else:
        out["distinct_count"] = None
    if arr.ndim >= 2 and arr.shape[-1]:
        sums = arr.astype(np.float64).reshape(-1, arr.shape[-1]).sum(axis=1)
        sums = sums[np.isfinite(sums)]
        if sums.size:
            out["row_sum_min"], out["row_sum_max"] = float(sums.min()), float(sums.max())
    return out


class StatsTest(unittest.TestCase):
    def assertStats(self, arr: np.ndarray) -> Dict[str, Any]:
        got = describe(arr)
        self.assertEqual(got["shape"], list(arr.shape))
        stats = got["stats"]
        want = reference_stats(arr)
        for key in ("nan_count", "inf_count", "min", "max", "distinct", "distinct_count",
                    "row_sum_min", "row_sum_max"):
            self.assertEqual(stats.get(key, "absent"), want.get(key, "absent"), key)
        for key in ("mean", "mean_square"):
            if key in want:
                self.assertTrue(math.isclose(stats[key], want[key], rel_tol=1e-9, abs_tol=1e-12),
                                (key, stats[key], want[key]))
            else:
                self.assertNotIn(key, stats)
        return got

    def test_float_with_nan_inf_and_negative_zero(self) -> None:
        arr = np.array([[np.nan, 1.5, -0.0], [np.inf, 0.0, 2.0], [3.0, -np.inf, 1.0]], dtype=np.float32)
        got = self.assertStats(arr)
        self.assertEqual(got["dtype"], "float32")
        self.assertEqual(got["stats"]["distinct"], [0.0, 1.0, 1.5, 2.0, 3.0])
        self.assertEqual(math.copysign(1, got["stats"]["distinct"][0]), 1.0)  # -0 as +0

    def test_all_nan(self) -> None:
        got = describe(np.full((4,), np.nan))
        self.assertEqual(got["stats"], {"nan_count": 4, "inf_count": 0, "distinct": [], "distinct_count": 0})

    def test_integers_and_extremes(self) -> None:
        for dtype in (np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint32):
            info = np.iinfo(dtype)
            arr = np.array([info.min, info.max, 0, 1, info.max], dtype=dtype)
            got = self.assertStats(arr)
            self.assertEqual(got["dtype"], np.dtype(dtype).name)
            self.assertIsInstance(got["stats"]["min"], int)
        big = np.array([0, 2 ** 64 - 1], dtype=np.uint64)
        stats = describe(big)["stats"]
        self.assertEqual(stats["max"], float(2 ** 64 - 1))  # past int64: sent as a JSON real

    def test_labels_one_hot_and_multi_hot(self) -> None:
        one_hot = np.eye(10, dtype=np.float32)[np.arange(100) % 10]
        self.assertEqual(self.assertStats(one_hot)["stats"]["row_sum_max"], 1.0)
        multi = one_hot.copy()
        multi[0, 3] = 1.0
        stats = self.assertStats(multi)["stats"]
        self.assertEqual((stats["row_sum_min"], stats["row_sum_max"]), (1.0, 2.0))

    def test_bool(self) -> None:
        got = self.assertStats(np.array([[True, False], [True, True]]))
        self.assertEqual(got["dtype"], "bool")
        self.assertEqual(got["stats"]["distinct"], [0, 1])

    def test_many_distinct_values(self) -> None:
        rng = np.random.default_rng(1)
        self.assertStats(rng.random((3000, 7)))
        self.assertStats(rng.integers(0, 300, 5000))           # ints over a small range, > 256 of them
        self.assertStats(rng.integers(0, 256, 5000).astype(np.int64) * 10 ** 9)  # 256 values, wide range

    def test_non_contiguous_views(self) -> None:
        rng = np.random.default_rng(2)
        base = rng.integers(0, 50, (300, 40, 9)).astype(np.float32)
        for view in (base[:, ::3, :], base.transpose(2, 0, 1), base[::-2], np.asfortranarray(base), base[:, :, 4]):
            self.assertFalse(view.flags.c_contiguous and view is not base)
            self.assertStats(view)

    def test_rows_longer_than_a_chunk(self) -> None:
        with mock.patch("fitcheck.stats.CHUNK_ELEMENTS", 1000):
            arr = np.arange(3 * 2500, dtype=np.float64).reshape(3, 2500)
            self.assertStats(arr)
            self.assertStats(np.asfortranarray(arr))
            self.assertStats(np.arange(7 * 333 * 5, dtype=np.int32).reshape(7, 333, 5)[:, ::2])

    def test_strings(self) -> None:
        got = describe(np.array(["dog", "cat", "dog"]))
        self.assertEqual(got["dtype"], "str")
        self.assertEqual(got["stats"], {"distinct": ["cat", "dog"], "distinct_count": 2})
        got = describe(np.array(["b", None, "a"], dtype=object))
        self.assertEqual(got["dtype"], "object")
        self.assertEqual(got["stats"], {"distinct": ["a", "b"], "distinct_count": 2, "nan_count": 1})
        self.assertNotIn("stats", describe(np.array([1, "a", 2.5], dtype=object)))
        many = describe(np.array(["w%d" % i for i in range(300)]))
        self.assertEqual(many["stats"], {"distinct_count": None})

    def test_complex(self) -> None:
        got = describe(np.array([1 + 2j, complex(np.nan, 0), complex(np.inf, 1)]))
        self.assertEqual(got["stats"], {"nan_count": 1, "inf_count": 1})

    def test_large_array_is_not_copied(self) -> None:
        arr = np.ones(20_000_000, dtype=np.float32)
        arr[123] = np.nan
        arr[-1] = 7.0
        tracemalloc.start()
        try:
            got = describe(arr)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertLess(peak, arr.nbytes / 10, "peak %d bytes while summarising %d" % (peak, arr.nbytes))
        stats = got["stats"]
        self.assertEqual((stats["nan_count"], stats["min"], stats["max"]), (1, 1.0, 7.0))
        self.assertEqual(stats["distinct"], [1.0, 7.0])
        self.assertAlmostEqual(stats["mean"], (len(arr) - 2 + 7.0) / (len(arr) - 1), places=9)


class PurePythonTest(unittest.TestCase):
    """Without NumPy, nested lists are summarised in pure Python, to the same result."""

    CASES = [
        [[0, 1, 0], [1, 0, 0], [0, 0, 1]],
        [[0.5, 1.25], [3.0, -2.0]],
        [1, 2, 3, 10],
        [[[1, 2], [3, 4]], [[5, 6], [7, 80]]],
        [True, False, True],
        ["cat", "dog", "cat"],
        [float("nan"), 1.0, float("inf")],
        [[1, 2], [3]],
        list(range(400)),
    ]

    def test_same_as_numpy(self) -> None:
        with_numpy = [describe(case) for case in self.CASES]
        with mock.patch.dict(sys.modules, {"numpy": None}):
            self.assertIsNone(fitcheck.stats.numpy_or_none())
            without = [describe(case) for case in self.CASES]
        for case, a, b in zip(self.CASES, with_numpy, without):
            self.assertEqual(a["shape"], b["shape"], case)
            self.assertEqual(a["dtype"], b["dtype"], case)
            self.assertEqual(a["container"], "list")
            sa, sb = a.get("stats", {}), b.get("stats", {})
            self.assertEqual(sorted(sa), sorted(sb), case)
            for key in sa:
                if isinstance(sa[key], float):
                    self.assertTrue(math.isclose(sa[key], sb[key], rel_tol=1e-12), (case, key))
                else:
                    self.assertEqual(sa[key], sb[key], (case, key))

    def test_ragged(self) -> None:
        with mock.patch.dict(sys.modules, {"numpy": None}):
            self.assertEqual(describe([[1, 2], [3]]), {"shape": [2, None], "dtype": "object", "container": "list"})
            self.assertEqual(describe([[[1], [2]], [[3], [4, 5]]])["shape"], [2, 2, None])


class ContainerTest(unittest.TestCase):
    def test_list_of_arrays_and_multi_input(self) -> None:
        samples = [np.full((28, 28), i, dtype=np.float32) for i in range(30)]
        got = describe_argument(samples, 1)
        self.assertEqual(got["container"], "list-of-arrays")
        self.assertEqual(got["shape"], [30, 28, 28])
        self.assertEqual((got["stats"]["min"], got["stats"]["max"]), (0.0, 29.0))
        self.assertEqual(got["stats"]["row_sum_max"], 29.0 * 28)
        two = describe_argument([np.zeros((5, 4)), np.zeros((5, 3))], 2)
        self.assertEqual([t["shape"] for t in two], [[5, 4], [5, 3]])
        one = describe_argument([np.zeros((5, 4))], 1)
        self.assertEqual(one, [describe(np.zeros((5, 4)))])
        named = describe_argument({"a": np.zeros((5, 4)), "b": [[1, 2, 3]] * 5}, 2)
        self.assertEqual(named["b"]["container"], "list")

    @unittest.skipIf(pd is None, "pandas is not installed")
    def test_pandas(self) -> None:
        df = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 1.5, np.nan]})
        got = describe(df)
        self.assertEqual((got["container"], got["shape"], got["dtype"]), ("pandas.DataFrame", [3, 2], "float64"))
        self.assertEqual(got["stats"], {k: v for k, v in describe(df.to_numpy())["stats"].items()})
        mixed = describe(pd.DataFrame({"a": [1, 2], "s": ["x", "y"]}))
        self.assertEqual(mixed["dtype"], "object")
        with mock.patch("fitcheck.describe._FRAME_ROWS", 7):
            big = pd.DataFrame(np.arange(100 * 3).reshape(100, 3) % 11)
            self.assertEqual(describe(big)["stats"], describe(big.to_numpy())["stats"])
        series = describe(pd.Series(["cat", "dog", "cat"]))
        self.assertEqual((series["container"], series["dtype"]), ("pandas.Series", "object"))
        self.assertEqual(series["stats"]["distinct"], ["cat", "dog"])

    def test_tf_tensor(self) -> None:
        got = describe(support.FakeTensor(np.arange(12, dtype=np.int32).reshape(4, 3)))
        self.assertEqual((got["container"], got["shape"], got["dtype"]), ("tf.Tensor", [4, 3], "int32"))
        self.assertEqual(got["stats"]["max"], 11)

    def test_tf_data_dataset(self) -> None:
        source = support._TensorSliceDataset((support.TensorSpec([28, 28], "float32"),
                                              support.TensorSpec([], "int64")), 1000)
        x, y = describe_stream(support._PrefetchDataset(support._BatchDataset(source, 32)))
        self.assertEqual(x, {"shape": [None, 28, 28], "dtype": "float32", "container": "tf.data.Dataset",
                             "cardinality": 32, "batch_size": 32})
        self.assertEqual(y["shape"], [None])
        x, y = describe_stream(source)
        self.assertEqual((x["shape"], x["batch_size"], y["shape"]), ([28, 28], None, []))
        x, y = describe_stream(support._BatchDataset(support._TensorSliceDataset(
            ({"a": support.TensorSpec([4], "float32"), "b": support.TensorSpec([3], "float32")},
             support.TensorSpec([], "int64")), -2), 8))
        self.assertEqual(sorted(x), ["a", "b"])
        self.assertEqual(x["b"]["shape"], [None, 3])
        self.assertEqual(x["a"]["cardinality"], -2)

    def test_sequence(self) -> None:
        seq = support.PyDataset(np.zeros((100, 784), np.float32), np.zeros(100, np.int64), 32)
        x, y = describe_stream(seq)
        self.assertEqual(x, {"shape": [32, 784], "dtype": "float32", "container": "keras.utils.Sequence",
                             "cardinality": 4, "batch_size": 32})
        self.assertEqual(y["shape"], [32])

    def test_not_describable(self) -> None:
        with self.assertRaises(TypeError):
            describe(object())


class SourceTest(unittest.TestCase):
    def test_python38_syntax(self) -> None:
        """The package promises Python 3.8 (pyproject): its files must parse as 3.8 code."""
        package = os.path.dirname(fitcheck.__file__)
        for name in sorted(os.listdir(package)):
            if name.endswith(".py"):
                with open(os.path.join(package, name), encoding="utf-8") as f:
                    ast.parse(f.read(), name, feature_version=(3, 8))

    def test_import_loads_no_framework(self) -> None:
        """Importing fitcheck imports neither NumPy, pandas, Keras nor TensorFlow."""
        code = ("import sys, fitcheck; print(sorted(m for m in ('numpy', 'pandas', 'keras', 'tensorflow', "
                "'tf_keras') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code], cwd=support.CLIENT_ROOT, check=True,
                             stdout=subprocess.PIPE).stdout.decode().strip()
        self.assertEqual(out, "[]")


if __name__ == "__main__":
    unittest.main()
