"""Shared test helpers: a real fitcheckd on a free port, small model descriptors, fake Keras objects."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import types
import urllib.request
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_ROOT = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(CLIENT_ROOT))
FITCHECKD = os.environ.get("FITCHECKD") or os.path.join(REPO_ROOT, "build", "fitcheckd")
SEED_KERAS = os.path.join(REPO_ROOT, "tests", "fixtures", "mnist-seed.keras")
MNIST_JSON = os.path.join(REPO_ROOT, "bench", "http", "mnist_model.json")
CORPUS = os.path.join(os.path.dirname(REPO_ROOT), "shared", "corpus", "keras-models")

if CLIENT_ROOT not in sys.path:
    sys.path.insert(0, CLIENT_ROOT)


class Server:
    """A fitcheckd started on port 0 with a database of its own; stopped with SIGTERM."""

    def __init__(self, *args: str) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="fitcheck-py-")
        self.db = os.path.join(self.dir.name, "f.db")
        self.args = list(args)
        self.log = open(os.path.join(self.dir.name, "fitcheckd.log"), "wb")
        self.proc: Optional[subprocess.Popen] = None
        self.url = ""

    def start(self) -> "Server":
        if not os.access(FITCHECKD, os.X_OK):
            raise RuntimeError("no fitcheckd at %s (build it, or set FITCHECKD)" % FITCHECKD)
        self.proc = subprocess.Popen([FITCHECKD, "--port", "0", "--db", self.db] + self.args,
                                     stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode().strip()  # type: ignore[union-attr]
        if not line.isdigit():
            self.stop()
            raise RuntimeError("fitcheckd printed %r instead of its port" % line)
        self.url = "http://127.0.0.1:%s" % line
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def create_key(self, team: str) -> str:
        out = subprocess.run([FITCHECKD, "keys", "create", "--db", self.db, "--team", team],
                             check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return out.stdout.decode().strip()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()
        self.dir.cleanup()


# ------------------------------------------------------------------------------ descriptors
def _layer(class_name: str, **config: Any) -> Dict[str, Any]:
    return {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None}


def sequential(features: int, *layers: Dict[str, Any], name: str = "model") -> Dict[str, Any]:
    """A Keras 3 Sequential descriptor taking (None, features)."""
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": name, "trainable": True, "dtype": "float32",
                       "layers": [_layer("InputLayer", batch_shape=[None, features], dtype="float32",
                                         sparse=False, name="features")] + list(layers)}}


def dense(units: int, activation: str = "linear", name: str = "dense") -> Dict[str, Any]:
    return _layer("Dense", name=name, trainable=True, dtype="float32", units=units,
                  activation=activation, use_bias=True)


def classifier(features: int = 8, classes: int = 10) -> Dict[str, Any]:
    return sequential(features, dense(16, "relu", "hidden"), dense(classes, "softmax", "probs"), name="clf")


def binary(features: int = 8) -> Dict[str, Any]:
    return sequential(features, dense(1, "sigmoid", "prob"), name="binary")


def regressor(features: int = 8) -> Dict[str, Any]:
    return sequential(features, dense(16, "relu", "hidden"), dense(1, "linear", "out"), name="reg")


def two_inputs() -> Dict[str, Any]:
    """A Keras 3 Functional model with inputs "a" (None, 4) and "b" (None, 3), one softmax output."""
    def tensor(layer: str, shape: List[Optional[int]]) -> Dict[str, Any]:
        return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32",
                                                               "keras_history": [layer, 0, 0]}}

    def node(class_name: str, name: str, config: Dict[str, Any], args: List[Any]) -> Dict[str, Any]:
        layer = _layer(class_name, name=name, **config)
        layer["name"] = name
        layer["inbound_nodes"] = [{"args": args, "kwargs": {}}] if args else []
        return layer

    layers = [
        node("InputLayer", "a", {"batch_shape": [None, 4], "dtype": "float32", "sparse": False}, []),
        node("InputLayer", "b", {"batch_shape": [None, 3], "dtype": "float32", "sparse": False}, []),
        node("Concatenate", "concat", {"axis": -1, "trainable": True, "dtype": "float32"},
             [[tensor("a", [None, 4]), tensor("b", [None, 3])]]),
        node("Dense", "probs", {"units": 5, "activation": "softmax", "use_bias": True, "trainable": True,
                                "dtype": "float32"}, [tensor("concat", [None, 7])]),
    ]
    return {"module": "keras", "class_name": "Functional", "registered_name": "Functional",
            "config": {"name": "two", "trainable": True, "layers": layers,
                       "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["probs", 0, 0]]}}


# ------------------------------------------------------------------------------ fake Keras
def install_fake_keras(version: str = "3.6.0") -> types.ModuleType:
    """Puts a module named ``keras`` with ``__version__`` in sys.modules (the real one is not installed)."""
    module = types.ModuleType("keras")
    module.__version__ = version  # type: ignore[attr-defined]
    sys.modules["keras"] = module
    return module


class FakeModel:
    """Behaves like a compiled Keras 3 model: to_json(), loss, optimizer, get_compile_config(), fit()."""

    def __init__(self, descriptor: Dict[str, Any], loss: Any = None, optimizer: Any = None,
                 metrics: Any = None) -> None:
        self.descriptor = descriptor
        self.loss = loss
        self.optimizer = optimizer
        self._metrics = metrics
        self.fit_calls: List[Any] = []

    def to_json(self) -> str:
        return json.dumps(self.descriptor)

    def get_compile_config(self) -> Optional[Dict[str, Any]]:
        if self.loss is None:
            return None
        return {"optimizer": self.optimizer or "rmsprop", "loss": self.loss, "metrics": self._metrics}

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, **kwargs):  # noqa: ANN001 - Keras's signature
        self.fit_calls.append({"x": x, "y": y, "batch_size": batch_size, "epochs": epochs,
                               "validation_split": validation_split, "validation_data": validation_data,
                               "kwargs": kwargs})
        return "history"


FakeModel.__module__ = "keras.src.models.sequential"  # where Keras 3's Sequential lives


class SparseCategoricalCrossentropy:
    """A Loss object as Keras 3 has them: get_config() and a name."""

    __module__ = "keras.src.losses.losses"

    def __init__(self, from_logits: bool = False) -> None:
        self.name = "sparse_categorical_crossentropy"
        self.from_logits = from_logits

    def get_config(self) -> Dict[str, Any]:
        return {"name": self.name, "reduction": "sum_over_batch_size", "from_logits": self.from_logits,
                "ignore_class": None}

    def __call__(self, y_true: Any, y_pred: Any) -> float:  # pragma: no cover
        return 0.0


class FakeDType:
    def __init__(self, name: str) -> None:
        self.name = name


class FakeTensorShape:
    def __init__(self, dims: Optional[List[Optional[int]]]) -> None:
        self.dims = dims

    def as_list(self) -> List[Optional[int]]:
        if self.dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self.dims)


class FakeTensor:
    """An eager tf.Tensor: numpy(), shape, dtype.name."""

    def __init__(self, array: Any) -> None:
        self._array = array
        self.shape = FakeTensorShape(list(array.shape))
        self.dtype = FakeDType(str(array.dtype))

    def numpy(self) -> Any:
        return self._array


class TensorSpec:
    def __init__(self, shape: List[Optional[int]], dtype: str) -> None:
        self.shape = FakeTensorShape(shape)
        self.dtype = FakeDType(dtype)


class _TensorSliceDataset:
    """The source of a tf.data pipeline (from_tensor_slices)."""

    def __init__(self, element_spec: Any, cardinality: int) -> None:
        self.element_spec = element_spec
        self._cardinality = cardinality

    def cardinality(self) -> int:
        return self._cardinality


class _BatchDataset:
    """dataset.batch(n): element shapes get a leading None, cardinality divides."""

    def __init__(self, parent: Any, batch_size: int) -> None:
        self._input_dataset = parent
        self._batch_size = batch_size

        def batched(spec: Any) -> Any:
            if isinstance(spec, tuple):
                return tuple(batched(s) for s in spec)
            if isinstance(spec, dict):
                return {k: batched(v) for k, v in spec.items()}
            return TensorSpec([None] + spec.shape.as_list(), spec.dtype.name)
        self.element_spec = batched(parent.element_spec)

    def cardinality(self) -> int:
        n = self._input_dataset.cardinality()
        return -(-n // self._batch_size) if n >= 0 else n


class _PrefetchDataset:
    def __init__(self, parent: Any) -> None:
        self._input_dataset = parent
        self.element_spec = parent.element_spec

    def cardinality(self) -> int:
        return self._input_dataset.cardinality()


class PyDataset:
    """A keras.utils.PyDataset: batches by index, a length."""

    __module__ = "keras.src.trainers.data_adapters.py_dataset_adapter"

    def __init__(self, x: Any, y: Any, batch_size: int) -> None:
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index: int) -> Any:
        s = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[s], self.y[s]
