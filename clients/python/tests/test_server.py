"""The client against a real fitcheckd: summaries, uploads, errors, keys, guard, reports."""
from __future__ import annotations

import builtins
import copy
import importlib
import math
import os
import socket
import sys
import tracemalloc
import unittest
import warnings
from typing import Any, Dict, List, Optional, Tuple
from unittest import mock

import support

import numpy as np

import fitcheck
from fitcheck.stats import dtype_name

try:
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None

SERVER: Optional[support.Server] = None
SCCE = "sparse_categorical_crossentropy"
CCE = "categorical_crossentropy"


def setUpModule() -> None:
    """Uses the server run_tests.sh started ($FITCHECK_TEST_URL), else starts one."""
    global SERVER
    if not os.environ.get("FITCHECK_TEST_URL"):
        SERVER = support.Server().start()


def tearDownModule() -> None:
    if SERVER is not None:
        SERVER.stop()


def url() -> str:
    return SERVER.url if SERVER is not None else os.environ["FITCHECK_TEST_URL"]


def _values(value: Any) -> Any:
    """tolist() output with NaN as null (how JSON samples write a NaN)."""
    if isinstance(value, list):
        return [_values(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _as_values(arr: np.ndarray) -> Dict[str, Any]:
    return {"values": _values(arr.tolist()), "dtype": dtype_name(arr.dtype)}


def findings(report: fitcheck.Report) -> List[Dict[str, Any]]:
    return [f.raw for f in report.findings]


RNG = np.random.default_rng(7)
X = RNG.random((64, 8)).astype(np.float32)
EYE = np.eye(10, dtype=np.float32)
LABELS = np.arange(64) % 10
# (name, model, x, y, check() options, the codes expected, whether a .npy upload finds the same)
CASES: List[Tuple[str, Any, np.ndarray, np.ndarray, Dict[str, Any], List[str], bool]] = [
    ("label out of range", support.classifier(), X, np.arange(64) % 11, {"loss": SCCE},
     ["LABEL_OUT_OF_RANGE"], True),
    ("passes", support.classifier(), X, LABELS, {"loss": SCCE}, [], True),
    ("sparse labels for categorical", support.classifier(), X, LABELS, {"loss": CCE},
     ["LABELS_SPARSE_FOR_CATEGORICAL"], True),
    ("one-hot for sparse", support.classifier(), X, EYE[LABELS], {"loss": SCCE}, ["LABELS_ONE_HOT_FOR_SPARSE"], True),
    ("one-hot passes", support.classifier(), X, EYE[LABELS], {"loss": CCE}, [], True),
    ("multi-hot", support.classifier(), X, np.clip(EYE[LABELS] + EYE[(LABELS + 3) % 10], 0, 1), {"loss": CCE},
     ["LABELS_MULTI_HOT"], False),
    ("empty rows", support.classifier(), X, EYE[LABELS] * (np.arange(64) % 3 > 0)[:, None], {"loss": CCE},
     ["LABELS_EMPTY_ROWS"], False),
    ("unscaled pixels", support.classifier(), (X * 255).astype(np.uint8), LABELS, {"loss": SCCE},
     ["UNSCALED_INPUT", "DTYPE_CAST"], True),
    ("NaN in x", support.classifier(), np.where(X > 0.9, np.nan, X), LABELS, {"loss": SCCE},
     ["DATA_NOT_FINITE"], True),
    ("constant x", support.classifier(), np.ones((64, 8), np.float32), LABELS, {"loss": SCCE},
     ["CONSTANT_DATA"], True),
    ("binary labels out of range", support.binary(), X, np.arange(64) % 3, {"loss": "binary_crossentropy"},
     ["BINARY_LABELS_OUT_OF_RANGE"], True),
    ("fractional labels", support.classifier(), X, LABELS + 0.5, {"loss": SCCE}, ["LABELS_NOT_INTEGER"], True),
    ("SGD diverges", support.regressor(), X * 1000, RNG.random((64, 1)) * 100,
     {"loss": "mse", "optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.1}},
      "batch_size": 8, "epochs": 3}, ["SGD_DIVERGES"], False),
    ("string labels", support.classifier(), X, np.array(["cat", "dog"] * 32), {"loss": SCCE},
     ["LABELS_ARE_STRINGS"], True),
    # past 256 distinct values only the "integers" statistic tells fractional labels apart
    ("fractional labels, 400 distinct", support.classifier(), RNG.random((400, 8)).astype(np.float32),
     np.arange(400) / 400 * 9, {"loss": SCCE}, ["LABELS_NOT_INTEGER"], True),
    ("imbalanced classes", support.classifier(), X, (np.arange(64) >= 60).astype(np.int64), {"loss": SCCE},
     ["CLASS_IMBALANCE"], True),
]


class SummaryEquivalenceTest(unittest.TestCase):
    """What the client computes must be what the server computes from the same samples."""

    def test_summary_equals_server_values(self) -> None:
        client = fitcheck.Client(url())
        for name, model, x, y, options, codes, upload_same in CASES:
            with self.subTest(name):
                body, parts, source, _ = client.build_request(model, x, y, **options)
                self.assertEqual(parts, [])
                summarised = client.send(body, parts, source)
                values_body = copy.deepcopy(body)
                values_body["data"] = {"x": _as_values(x), "y": _as_values(y)}
                from_values = client.send(values_body, [], source)
                self.assertEqual(summarised.codes(), codes)
                self.assertEqual(findings(summarised), findings(from_values))
                self.assertEqual(summarised.verdict, from_values.verdict)
                self.assertEqual(summarised.resources, from_values.resources)
                uploaded = fitcheck.check(model, x, y, url=url(), upload=True, **options)
                if upload_same:
                    self.assertEqual(findings(uploaded), findings(summarised))

    def test_without_numpy(self) -> None:
        """With NumPy hidden, Python lists give the report they give with it."""
        x, y = X.tolist(), (np.arange(64) % 11).tolist()
        with_numpy = fitcheck.check(support.classifier(), x, y, loss=SCCE, url=url())
        with mock.patch.dict(sys.modules, {"numpy": None}):
            with self.assertRaises(ImportError):
                importlib.import_module("numpy")
            without = fitcheck.check(support.classifier(), x, y, loss=SCCE, url=url())
        self.assertEqual(findings(without), findings(with_numpy))
        self.assertIn("LABEL_OUT_OF_RANGE", without.codes())
        self.assertIn("LIST_NOT_ACCEPTED", without.codes())  # Keras 3 takes no Python lists

    def test_large_upload_streams(self) -> None:
        arr = np.zeros((2_500_000, 8), dtype=np.float32)  # 80 MB
        arr[::1000] = 1.0
        labels = np.arange(len(arr)) % 10
        tracemalloc.start()
        try:
            report = fitcheck.check(support.classifier(), arr, labels, loss=SCCE, url=url(), upload=True)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertLess(peak, arr.nbytes / 10)
        self.assertEqual(report.resources["dataset_bytes"], arr.nbytes + labels.nbytes)
        self.assertEqual(report.verdict, "pass")


class ModelFormsTest(unittest.TestCase):
    def test_archive_path_json_and_object(self) -> None:
        x, y = RNG.random((32, 784)).astype(np.float32), np.arange(32) % 11
        by_archive = fitcheck.check(support.SEED_KERAS, x, y, url=url())
        self.assertEqual(by_archive.codes(), ["INPUT_RANK_MISMATCH", "LABEL_OUT_OF_RANGE"])
        self.assertEqual(by_archive.framework_version, "3.6.0")  # from the archive's metadata.json
        uploaded = fitcheck.check(support.SEED_KERAS, x, y, url=url(), upload=True)
        self.assertEqual(findings(uploaded), findings(by_archive))
        fixed = fitcheck.check(support.SEED_KERAS, x.reshape(-1, 28, 28), y % 10, url=url())
        self.assertEqual(fixed.verdict, "pass")
        fixed.raise_for_errors()
        with self.assertRaises(fitcheck.PreflightFailed) as caught:
            by_archive.raise_for_errors()
        self.assertIs(caught.exception.report, by_archive)
        self.assertIn("x = x.reshape(-1, 28, 28)", str(caught.exception))

        with open(support.MNIST_JSON, encoding="utf-8") as f:
            text = f.read()
        images = RNG.random((16, 28, 28)).astype(np.float32)
        a = fitcheck.check(support.MNIST_JSON, images, np.arange(16) % 10, loss=SCCE, url=url())
        b = fitcheck.check(text, images, np.arange(16) % 10, loss=SCCE, url=url())
        self.assertEqual(findings(a), findings(b))
        self.assertEqual(a.model_id, b.model_id)

    def test_fake_keras_model(self) -> None:
        with mock.patch.dict(sys.modules):
            support.install_fake_keras("3.6.0")
            model = support.FakeModel(support.classifier(), loss=support.SparseCategoricalCrossentropy(),
                                      metrics=["accuracy"])
            report = fitcheck.check(model, X, np.arange(64) % 11, batch_size=16, epochs=2, url=url())
        self.assertEqual(report.codes(), ["LABEL_OUT_OF_RANGE"])
        self.assertEqual((report.framework, report.framework_version), ("keras3", "3.6.0"))
        self.assertEqual(report.raw["framework_source"], "request")

    def test_unknown_newer_version_falls_back(self) -> None:
        with mock.patch.dict(sys.modules):
            support.install_fake_keras("3.99.0")  # a later minor: judged as the newest the server knows
            model = support.FakeModel(support.classifier(), loss=SCCE)
            report = fitcheck.check(model, X, LABELS, url=url())
            self.assertEqual(report.framework_version, "3.99.0")
            self.assertTrue(report.raw["release"]["newer"])
            support.install_fake_keras("4.0.0")  # another major: refused by the server
            model = support.FakeModel(support.classifier(), loss=SCCE)
            report = fitcheck.check(model, X, LABELS, url=url())
        self.assertEqual(report.verdict, "pass")
        self.assertIsNone(report.framework_version)
        with self.assertRaises(fitcheck.ApiError) as caught:  # a version the user gave is not dropped
            fitcheck.check(model, X, LABELS, url=url(), framework_version="4.0.0")
        self.assertEqual(caught.exception.pointer, "/framework_version")

    @unittest.skipUnless(os.path.isdir(support.CORPUS), "no shared corpus")
    def test_corpus(self) -> None:
        reports = 0
        for name in sorted(os.listdir(support.CORPUS)):
            if not name.endswith(".json"):
                continue
            path = os.path.join(support.CORPUS, name)
            with self.subTest(name):
                try:
                    report = fitcheck.check(path, url=url(), project="corpus")
                except fitcheck.ApiError as exc:
                    self.assertEqual(exc.status, 400)
                    self.assertTrue(name.startswith(("NEGATIVE", "EDGE")), exc)
                    continue
                reports += 1
                n_inputs, _ = fitcheck.model.resolve_model(path).io_counts()
                if n_inputs is not None:
                    self.assertEqual(n_inputs, len(report.model["inputs"]))
        self.assertGreater(reports, 25)


class ContainersTest(unittest.TestCase):
    def test_multi_input(self) -> None:
        a, b, y = RNG.random((20, 4)), RNG.random((20, 3)), np.arange(20) % 5
        as_list = fitcheck.check(support.two_inputs(), [a, b], y, loss=SCCE, url=url())
        as_dict = fitcheck.check(support.two_inputs(), {"a": a, "b": b}, y, loss=SCCE, url=url())
        uploaded = fitcheck.check(support.two_inputs(), {"a": a, "b": b}, y, loss=SCCE, url=url(), upload=True)
        self.assertEqual(as_list.verdict, "pass")
        self.assertEqual(as_dict.verdict, "pass")
        self.assertEqual(uploaded.verdict, "pass")
        swapped = fitcheck.check(support.two_inputs(), [b, a], y, loss=SCCE, url=url())
        self.assertEqual(swapped.verdict, "fail")

    def test_lists_and_arrays_per_sample(self) -> None:
        samples = [RNG.random(8).astype(np.float32) for _ in range(64)]
        report = fitcheck.check(support.classifier(), samples, LABELS, loss=SCCE, url=url())
        self.assertIn("LIST_OF_SAMPLE_ARRAYS", report.codes())

    @unittest.skipIf(pd is None, "pandas is not installed")
    def test_pandas(self) -> None:
        df = pd.DataFrame(X, columns=["f%d" % i for i in range(8)])
        report = fitcheck.check(support.classifier(), df, pd.Series(np.arange(64) % 11), loss=SCCE, url=url())
        self.assertEqual(report.codes(), ["LABEL_OUT_OF_RANGE"])

    def test_streams(self) -> None:
        source = support._TensorSliceDataset((support.TensorSpec([8], "float32"), support.TensorSpec([], "int64")),
                                             640)
        ds = support._PrefetchDataset(support._BatchDataset(source, 32))
        self.assertEqual(fitcheck.check(support.classifier(), ds, loss=SCCE, url=url()).verdict, "pass")
        split = fitcheck.check(support.classifier(), ds, loss=SCCE, validation_split=0.2, url=url())
        self.assertIn("VALIDATION_SPLIT_UNSUPPORTED", split.codes())
        with_y = fitcheck.check(support.classifier(), ds, LABELS, loss=SCCE, url=url())
        self.assertIn("STREAM_WITH_Y", with_y.codes())
        seq = support.PyDataset(X, LABELS, 16)
        ran_out = fitcheck.check(support.classifier(), seq, loss=SCCE, steps_per_epoch=10, url=url())
        self.assertEqual(ran_out.codes(), ["STREAM_RAN_OUT"])  # 4 batches, 10 steps asked
        val = fitcheck.check(support.classifier(), X, LABELS, loss=SCCE, validation_data=(X[:8], np.arange(8) + 5),
                             url=url())
        self.assertEqual([f.pointer for f in val.findings], ["/data/validation/y"])


class ErrorsTest(unittest.TestCase):
    def test_malformed_model_is_an_api_error(self) -> None:
        with self.assertRaises(fitcheck.ApiError) as caught:
            fitcheck.check({"class_name": "Foo", "config": {}}, X, LABELS, url=url())
        err = caught.exception
        self.assertEqual((err.status, err.type, err.pointer), (400, "/problems/invalid-request", "/model"))
        self.assertIn("Foo", err.detail)
        with self.assertRaises(fitcheck.ApiError) as caught:
            fitcheck.check('{"class_name": "Sequential", "config": ', url=url())
        self.assertEqual(caught.exception.line, 1)

    def test_closed_port_is_a_connection_error(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        closed = "http://127.0.0.1:%d" % port
        with self.assertRaises(fitcheck.ConnectionError) as caught:
            fitcheck.check(support.classifier(), X, LABELS, url=closed)
        self.assertIn(closed, str(caught.exception))
        self.assertIsInstance(caught.exception, builtins.ConnectionError)
        self.assertIsInstance(caught.exception, fitcheck.FitcheckError)

    def test_url_from_environment(self) -> None:
        with mock.patch.dict(os.environ, {"FITCHECK_URL": url()}):
            self.assertEqual(fitcheck.Client().url, url())
            self.assertEqual(fitcheck.check(support.classifier(), X, LABELS, loss=SCCE).verdict, "pass")
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(fitcheck.Client().url, fitcheck.DEFAULT_URL)


class KeysTest(unittest.TestCase):
    server: support.Server

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = support.Server("--auth", "keys").start()
        cls.key = cls.server.create_key("vision")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.stop()

    def test_keys(self) -> None:
        u = self.server.url
        with mock.patch.dict(os.environ, {"FITCHECK_KEY": ""}):
            with self.assertRaises(fitcheck.ApiError) as caught:
                fitcheck.check(support.classifier(), X, LABELS, url=u)
            self.assertEqual((caught.exception.status, caught.exception.type), (401, "/problems/unauthorized"))
            report = fitcheck.check(support.classifier(), X, LABELS, loss=SCCE, url=u, key=self.key)
            self.assertEqual(report.verdict, "pass")
            with self.assertRaises(fitcheck.ApiError) as caught:
                fitcheck.check(support.classifier(), X, LABELS, url=u, key=self.key[:-2] + "xx")
            self.assertEqual(caught.exception.status, 401)
        with mock.patch.dict(os.environ, {"FITCHECK_KEY": self.key}):
            again = fitcheck.Client(u).report(report.id)
            self.assertEqual(again.raw, report.raw)


class ReportTest(unittest.TestCase):
    def test_html_and_text(self) -> None:
        report = fitcheck.check(support.SEED_KERAS, RNG.random((8, 784)).astype(np.float32), np.arange(8),
                                url=url(), project="html")
        page = report._repr_html_()
        self.assertIn('class="fitcheck-verdict fitcheck-verdict-fail"', page)
        for text in ("INPUT_RANK_MISMATCH", "x = x.reshape(-1, 28, 28)", "Layer (type)", "(None, 28, 28)",
                     "7,850", "/#/reports/" + report.id, url() + "/v1/findings/INPUT_RANK_MISMATCH"):
            self.assertIn(text, page)
        self.assertEqual(report.url, "%s/#/reports/%s" % (url(), report.id))
        self.assertIn("INPUT_RANK_MISMATCH", str(report))
        self.assertIn("probs (Dense)", report.summary_table())
        self.assertEqual(fitcheck.Client(url()).report(report.id).raw, report.raw)
        fine = fitcheck.check(support.classifier(), X, LABELS, loss=SCCE, url=url())
        self.assertIn("fitcheck-verdict-pass", fine._repr_html_())
        self.assertIn("No findings", fine._repr_html_())


class GuardTest(unittest.TestCase):
    def setUp(self) -> None:
        self._modules = mock.patch.dict(sys.modules)
        self._modules.start()
        support.install_fake_keras("3.6.0")

    def tearDown(self) -> None:
        self._modules.stop()

    def test_stops_a_failing_fit(self) -> None:
        model = fitcheck.guard(support.FakeModel(support.classifier(), loss=SCCE), url=url())
        with self.assertRaises(fitcheck.PreflightFailed) as caught:
            model.fit(X, np.arange(64) % 11, 16, 3)  # positional, as Keras orders them
        self.assertEqual(caught.exception.report.codes(), ["LABEL_OUT_OF_RANGE"])
        self.assertEqual(model.fit_calls, [])
        self.assertIs(model.fit.last_report, caught.exception.report)

    def test_lets_a_passing_fit_through(self) -> None:
        model = fitcheck.guard(support.FakeModel(support.classifier(), loss=SCCE), url=url())
        self.assertEqual(model.fit(X, LABELS, batch_size=16, epochs=2, validation_data=(X, LABELS)), "history")
        self.assertEqual(len(model.fit_calls), 1)
        self.assertIs(model.fit_calls[0]["x"], X)
        self.assertEqual(model.fit_calls[0]["epochs"], 2)
        self.assertEqual(model.fit.last_report.verdict, "pass")

    def test_opt_outs(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed = "http://127.0.0.1:%d" % s.getsockname()[1]
        model = fitcheck.guard(support.FakeModel(support.classifier(), loss=SCCE), url=closed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(X, np.arange(64) % 11)  # server down: warn, train anyway
        self.assertEqual([w.category for w in caught], [fitcheck.PreflightSkipped])
        self.assertIn(closed, str(caught[0].message))
        self.assertEqual(len(model.fit_calls), 1)
        with mock.patch.dict(os.environ, {"FITCHECK_DISABLE": "1"}), warnings.catch_warnings():
            warnings.simplefilter("error")
            model.fit(X, np.arange(64) % 11)
        self.assertEqual(len(model.fit_calls), 2)
        fitcheck.guard(model, enabled=False)
        self.assertFalse(hasattr(model.fit, "__fitcheck_original__"))
        model.fit(X, np.arange(64) % 11)
        self.assertEqual(len(model.fit_calls), 3)

    def test_generator_is_put_back(self) -> None:
        def batches(features: int):
            for i in range(4):
                yield RNG.random((16, features)).astype(np.float32), np.arange(16) % 10

        model = fitcheck.guard(support.FakeModel(support.classifier(), loss=SCCE), url=url())
        with self.assertRaises(fitcheck.PreflightFailed) as caught:
            model.fit(batches(7), steps_per_epoch=4)  # the model takes 8 features
        self.assertEqual(caught.exception.report.codes(), ["INPUT_SHAPE_MISMATCH"])
        self.assertEqual(model.fit_calls, [])
        model.fit(batches(8), steps_per_epoch=4)
        self.assertEqual(model.fit.last_report.verdict, "pass")
        self.assertEqual(len(list(model.fit_calls[0]["x"])), 4)  # the peeked batch is still there

if __name__ == "__main__":
    unittest.main()
