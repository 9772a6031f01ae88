"""Reading the model argument: Keras objects (fakes), files, JSON text (no server needed)."""
from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import unittest
import zipfile
from unittest import mock

import support

from fitcheck.model import detect_framework, jsonable, resolve_model


class ModelObjectTest(unittest.TestCase):
    def setUp(self) -> None:
        self._modules = mock.patch.dict(sys.modules)
        self._modules.start()

    def tearDown(self) -> None:
        self._modules.stop()

    def test_keras3_model(self) -> None:
        support.install_fake_keras("3.6.0")
        model = support.FakeModel(support.classifier(), loss="sparse_categorical_crossentropy",
                                  metrics=["accuracy"])
        source = resolve_model(model)
        self.assertEqual(json.loads(source.descriptor), support.classifier())
        self.assertEqual((source.framework, source.framework_version), ("keras3", "3.6.0"))
        self.assertEqual(source.loss, "sparse_categorical_crossentropy")
        self.assertEqual(source.metrics, ["accuracy"])
        self.assertEqual(source.optimizer, "rmsprop")
        self.assertEqual(source.io_counts(), (1, 1))

    def test_loss_forms(self) -> None:
        support.install_fake_keras("3.6.0")

        def my_loss(y_true, y_pred):  # noqa: ANN001
            return 0

        loss_object = support.SparseCategoricalCrossentropy(from_logits=True)
        cases = [
            (my_loss, "my_loss"),
            (loss_object, {"class_name": "SparseCategoricalCrossentropy", "config": loss_object.get_config()}),
            ({"probs": "mse"}, {"probs": "mse"}),
            ([my_loss, "mae"], ["my_loss", "mae"]),
        ]
        for loss, want in cases:
            self.assertEqual(resolve_model(support.FakeModel(support.classifier(), loss=loss)).loss, want)
        self.assertIsNone(resolve_model(support.FakeModel(support.classifier())).loss)  # not compiled

    def test_framework_versions(self) -> None:
        model = support.FakeModel(support.classifier())
        support.install_fake_keras("2.15.0")
        self.assertEqual(detect_framework(model), ("tf.keras2", "2.15.0"))
        support.install_fake_keras("3.7.0.dev2024110403")
        self.assertEqual(detect_framework(model), ("keras3", "3.7.0"))
        support.install_fake_keras("2.2.4-tf")
        self.assertEqual(detect_framework(model), ("tf.keras2", "2.2.4-tf"))

        class TfModel:
            __module__ = "tensorflow.python.keras.engine.sequential"
        sys.modules["tensorflow"] = type(sys)("tensorflow")
        sys.modules["tensorflow"].__version__ = "2.3.1"  # type: ignore[attr-defined]
        self.assertEqual(detect_framework(TfModel()), ("tf.keras2", "tensorflow 2.3.1"))

        class Subclassed(support.FakeModel):  # a user's class, defined in __main__
            pass
        Subclassed.__module__ = "__main__"
        support.install_fake_keras("3.6.0")
        self.assertEqual(detect_framework(Subclassed({})), ("keras3", "3.6.0"))
        self.assertEqual(detect_framework(object()), (None, None))

    def test_to_json_failure(self) -> None:
        class Broken:
            def to_json(self) -> str:
                raise NotImplementedError("subclassed")
        from fitcheck import FitcheckError
        with self.assertRaisesRegex(FitcheckError, "to_json"):
            resolve_model(Broken())


class ModelFileTest(unittest.TestCase):
    def test_keras_archive(self) -> None:
        source = resolve_model(support.SEED_KERAS)
        self.assertTrue(source.is_archive)
        self.assertEqual((source.framework, source.framework_version), ("keras3", "3.6.0"))
        self.assertEqual(source.parsed()["class_name"], "Sequential")
        with open(support.SEED_KERAS, "rb") as f:
            in_memory = resolve_model(f.read())
        self.assertTrue(in_memory.is_archive)
        self.assertEqual(in_memory.parsed(), source.parsed())

    def test_json_path_text_and_dict(self) -> None:
        with open(support.MNIST_JSON, encoding="utf-8") as f:
            text = f.read()
        by_path = resolve_model(support.MNIST_JSON)
        self.assertEqual(by_path.descriptor, text)
        self.assertEqual(resolve_model(text).descriptor, text)
        self.assertEqual(resolve_model(json.loads(text)).parsed(), json.loads(text))
        import pathlib
        self.assertEqual(resolve_model(pathlib.Path(support.MNIST_JSON)).descriptor, text)

    def test_bad_paths(self) -> None:
        with self.assertRaises(FileNotFoundError):
            resolve_model("/nonexistent/model.keras")
        with tempfile.NamedTemporaryFile(suffix=".h5") as f:
            with self.assertRaisesRegex(ValueError, "HDF5"):
                resolve_model(f.name)
        with self.assertRaises(TypeError):
            resolve_model(42)

    def test_io_counts(self) -> None:
        self.assertEqual(resolve_model(support.two_inputs()).io_counts(), (2, 1))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("config.json", json.dumps(support.two_inputs()))
        self.assertEqual(resolve_model(buf.getvalue()).io_counts(), (2, 1))
        if os.path.isdir(support.CORPUS):
            path = os.path.join(support.CORPUS, "tfjs-conv-keras2-acgan-generator-embedding-multiply.model.json")
            if os.path.exists(path):
                self.assertEqual(resolve_model(path).io_counts()[0], 2)

    def test_jsonable(self) -> None:
        self.assertEqual(jsonable({"a": (1, float("nan")), 2: object}), {"a": [1, None], "2": "object"})


if __name__ == "__main__":
    unittest.main()
