"""Reading the model argument of :func:`fitcheck.check`: a Keras model, a file, or JSON.

A Keras model object gives its descriptor (``model.to_json()``), its loss and metrics when it
is compiled, and the framework it runs on (from the module its class comes from, and that
package's ``__version__``). Keras and TensorFlow are never imported here: a model object can
only exist once its package is, so the version is read from ``sys.modules``.
"""
from __future__ import annotations

import inspect
import io
import json
import math
import os
import re
import sys
import zipfile
from typing import Any, Dict, Optional, Tuple

from .errors import FitcheckError

__all__ = ["ModelSource", "resolve_model", "jsonable", "serialize_loss", "detect_framework"]

_VERSION = re.compile(r"^\s*(\d+\.\d+(?:\.\d+)?)(-tf)?")


class ModelSource:
    """What the request says about the model.

    Exactly one of :attr:`descriptor` (JSON text or a parsed dict, sent as the request's
    ``model``), :attr:`keras_path` or :attr:`keras_bytes` (a Keras 3 ``.keras`` archive, sent
    as the multipart ``model`` part) is set.
    """

    def __init__(self, *, descriptor: Any = None, keras_path: Optional[str] = None,
                 keras_bytes: Optional[bytes] = None, loss: Any = None, metrics: Any = None,
                 optimizer: Any = None, framework: Optional[str] = None,
                 framework_version: Optional[str] = None) -> None:
        self.descriptor = descriptor
        self.keras_path = keras_path
        self.keras_bytes = keras_bytes
        self.loss = loss
        self.metrics = metrics
        self.optimizer = optimizer
        self.framework = framework
        self.framework_version = framework_version
        self._parsed: Optional[Dict[str, Any]] = None
        self._parsed_done = False

    @property
    def is_archive(self) -> bool:
        """Whether the model goes as a ``.keras`` archive (multipart) rather than in the JSON."""
        return self.keras_path is not None or self.keras_bytes is not None

    def archive_bytes(self) -> bytes:
        """The ``.keras`` archive's bytes (read from the file, for an archive given by path)."""
        if self.keras_bytes is not None:
            return self.keras_bytes
        with open(self.keras_path or "", "rb") as f:
            return f.read()

    def parsed(self) -> Optional[Dict[str, Any]]:
        """The descriptor as a dict (a ``.keras`` file's ``config.json``), or ``None`` if unreadable."""
        if not self._parsed_done:
            self._parsed_done = True
            try:
                if self.is_archive:
                    self._parsed = _archive_member(self, "config.json")
                elif isinstance(self.descriptor, dict):
                    self._parsed = self.descriptor
                else:
                    value = json.loads(self.descriptor)
                    self._parsed = value if isinstance(value, dict) else None
            except (OSError, ValueError, zipfile.BadZipFile, KeyError):
                self._parsed = None
        return self._parsed

    def io_counts(self) -> Tuple[Optional[int], Optional[int]]:
        """How many inputs and outputs the model has, when the descriptor says."""
        parsed = self.parsed()
        return _io_counts(parsed) if parsed is not None else (None, None)


# ----------------------------------------------------------------------- descriptor shapes
def _topology(descriptor: Dict[str, Any]) -> Dict[str, Any]:
    """The Keras model config inside a TF.js ``model.json`` (or the descriptor itself)."""
    top = descriptor.get("modelTopology", descriptor)
    if isinstance(top, dict) and isinstance(top.get("model_config"), dict):
        top = top["model_config"]
    return top if isinstance(top, dict) else {}


def _node_count(nodes: Any) -> Optional[int]:
    if isinstance(nodes, dict):
        return len(nodes)
    if isinstance(nodes, list) and nodes:
        return 1 if isinstance(nodes[0], str) else len(nodes)  # Keras 3 writes one input flat
    return None


def _io_counts(descriptor: Dict[str, Any]) -> Tuple[Optional[int], Optional[int]]:
    top = _topology(descriptor)
    if top.get("class_name") == "Sequential":
        return 1, 1
    config = top.get("config")
    if not isinstance(config, dict):
        return None, None
    return _node_count(config.get("input_layers")), _node_count(config.get("output_layers"))


def _archive_member(source: ModelSource, name: str) -> Dict[str, Any]:
    data = source.keras_bytes
    with zipfile.ZipFile(io.BytesIO(data) if data is not None else (source.keras_path or "")) as archive:
        value = json.loads(archive.read(name).decode("utf-8"))
    if not isinstance(value, dict):
        raise ValueError("%s is not a JSON object" % name)
    return value


# ------------------------------------------------------------------- model objects
def jsonable(value: Any) -> Any:
    """``value`` made JSON-safe: Keras objects by ``get_config()``, functions by name, the rest as text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    get_config = getattr(value, "get_config", None)
    if callable(get_config) and not isinstance(value, type):
        try:
            config = get_config()
        except Exception:  # noqa: BLE001 - a user's loss may fail to serialise; its name still helps
            config = None
        if isinstance(config, dict):
            return {"class_name": type(value).__name__, "config": jsonable(config)}
    name = getattr(value, "__name__", None)
    if callable(value) and isinstance(name, str):
        return name
    item = getattr(value, "item", None)  # a NumPy scalar
    if callable(item):
        try:
            return jsonable(item())
        except (TypeError, ValueError):
            pass
    return str(value)


def serialize_loss(loss: Any) -> Any:
    """A loss as ``CompileConfig.loss`` takes it: a name, ``{class_name, config}``, or one per output."""
    return jsonable(loss)


def _normal_version(version: Any) -> Optional[str]:
    match = _VERSION.match(str(version or ""))
    return match.group(1) + (match.group(2) or "") if match else None


def detect_framework(model: Any) -> Tuple[Optional[str], Optional[str]]:
    """(framework, framework_version) of a model object, from its class's package, or (None, None)."""
    for cls in type(model).__mro__:
        top = (getattr(cls, "__module__", "") or "").split(".")[0]
        if top == "keras":
            version = _normal_version(getattr(sys.modules.get("keras"), "__version__", None))
            if version is None:
                return None, None
            return ("keras3" if int(version.split(".")[0]) >= 3 else "tf.keras2"), version
        if top == "tf_keras":
            version = _normal_version(getattr(sys.modules.get("tf_keras"), "__version__", None))
            return "tf.keras2", ("tf-keras " + version) if version else None
        if top == "tensorflow":  # tf.keras inside TensorFlow (before the keras package)
            version = _normal_version(getattr(sys.modules.get("tensorflow"), "__version__", None))
            return "tf.keras2", ("tensorflow " + version) if version else None
    return None, None


def _compile_settings(model: Any) -> Tuple[Any, Any, Any]:
    """(loss, metrics, optimizer) of a compiled model, JSON-safe; ``None`` for what is not known."""
    def attribute(name: str) -> Any:
        try:
            value = getattr(model, name, None)
        except Exception:  # noqa: BLE001 - a property of an uncompiled model may raise
            return None
        if inspect.ismethod(value) and getattr(value, "__self__", None) is model:
            return None  # a method of the model, not a compile setting
        return value

    loss, optimizer, metrics = attribute("loss"), attribute("optimizer"), None
    get_compile_config = getattr(model, "get_compile_config", None)
    if callable(get_compile_config):
        try:
            config = get_compile_config()
        except Exception:  # noqa: BLE001
            config = None
        if isinstance(config, dict):  # Keras 3 and tf.keras 2.13+: what compile() was given, serialised
            metrics = config.get("metrics")
            loss = loss if loss is not None else config.get("loss")
            optimizer = config.get("optimizer", optimizer)
    return (serialize_loss(loss) if loss is not None else None,
            jsonable(metrics) if metrics is not None else None,
            jsonable(optimizer) if optimizer is not None else None)


def _from_object(model: Any) -> ModelSource:
    try:
        text = model.to_json()
    except Exception as exc:  # noqa: BLE001
        raise FitcheckError("model.to_json() failed (%s: %s): fitcheck needs the model's descriptor; a "
                            "subclassed model has none, build it with the functional API or Sequential"
                            % (type(exc).__name__, exc)) from exc
    if not isinstance(text, (str, bytes)):
        raise FitcheckError("model.to_json() returned a %s, not JSON text" % type(text).__name__)
    loss, metrics, optimizer = _compile_settings(model)
    framework, version = detect_framework(model)
    return ModelSource(descriptor=text.decode("utf-8") if isinstance(text, bytes) else text, loss=loss,
                       metrics=metrics, optimizer=optimizer, framework=framework, framework_version=version)


def _archive_metadata(source: ModelSource) -> None:
    """Framework and version from a ``.keras`` archive's ``metadata.json`` (its ``keras_version``)."""
    try:
        metadata = _archive_member(source, "metadata.json")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return
    version = _normal_version(metadata.get("keras_version"))
    if version:
        source.framework = "keras3" if int(version.split(".")[0]) >= 3 else "tf.keras2"
        source.framework_version = version


def _from_path(path: str) -> ModelSource:
    if not os.path.exists(path):
        raise FileNotFoundError("no model file at %s" % path)
    if zipfile.is_zipfile(path):
        source = ModelSource(keras_path=path)
        _archive_metadata(source)
        return source
    lower = path.lower()
    if lower.endswith((".h5", ".hdf5")):
        raise ValueError("%s is an HDF5 file: fitcheck reads model JSON and .keras files; pass the "
                         "loaded model, or model.to_json()" % path)
    with open(path, "r", encoding="utf-8") as f:
        return ModelSource(descriptor=f.read())


def resolve_model(model: Any) -> ModelSource:
    """The :class:`ModelSource` of ``model``.

    ``model`` is a Keras model (anything with ``to_json()``), the path of a ``.keras`` archive
    or of a model JSON file (``to_json()`` output, a ``.keras`` file's ``config.json``, a TF.js
    ``model.json``), the JSON text itself, a parsed descriptor (dict), or the bytes of either.
    """
    if isinstance(model, dict):
        return ModelSource(descriptor=model)
    if isinstance(model, (bytes, bytearray)):
        data = bytes(model)
        if data[:2] == b"PK":
            source = ModelSource(keras_bytes=data)
            _archive_metadata(source)
            return source
        return ModelSource(descriptor=data.decode("utf-8"))
    if isinstance(model, str) and model.lstrip()[:1] in ("{", "["):
        return ModelSource(descriptor=model)
    if isinstance(model, (str, os.PathLike)):
        return _from_path(os.fspath(model))
    if callable(getattr(model, "to_json", None)):
        return _from_object(model)
    raise TypeError("fitcheck cannot read a %s as a model: pass a Keras model, a .keras or model JSON "
                    "path, or the JSON text of model.to_json()" % type(model).__name__)
