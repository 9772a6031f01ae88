"""Preflighting a ``model.fit`` call: building the request, sending it, reading the report."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .describe import NO_ELEMENT, ArgumentJson, describe_argument, describe_stream, is_stream
from .errors import ApiError, FitcheckError
from .model import ModelSource, jsonable, resolve_model, serialize_loss
from .report import Report
from .stats import numpy_or_none
from .transport import Multipart, Part, Transport, bytes_part, file_part, json_part, npy_part

__all__ = ["DEFAULT_URL", "Client", "check"]

DEFAULT_URL = "http://127.0.0.1:8080"
"""Where fitcheckd listens by default (``scripts/serve``)."""

def _setting(value: Optional[str], variable: str) -> Optional[str]:
    if value is not None:
        return value
    return os.environ.get(variable) or None


def _drop_class_counts(described: Any) -> None:
    """Removes ``stats.class_counts`` from a described argument (a tensor, or a list or map of them)."""
    if isinstance(described, list):
        for item in described:
            _drop_class_counts(item)
    elif isinstance(described, dict):
        if isinstance(described.get("stats"), dict):
            described["stats"].pop("class_counts", None)
        elif "shape" not in described:
            for item in described.values():
                _drop_class_counts(item)


class _Data:
    """The ``data`` member of a request, and the ``.npy`` parts that carry some of it."""

    def __init__(self, upload: bool) -> None:
        self.np = numpy_or_none() if upload else None
        self.data: Dict[str, Any] = {}
        self.validation: Dict[str, Any] = {}
        self.parts: List[Part] = []

    def _as_parts(self, name: str, value: Any) -> bool:
        """Sends ``value`` as ``.npy`` parts named ``name`` (or ``name.<key>``) when it is NumPy data."""
        np = self.np
        if np is None:
            return False
        uploadable = (lambda a: isinstance(a, np.ndarray) and a.dtype.kind != "O" and a.dtype.fields is None)
        if uploadable(value):
            self.parts.append(npy_part(name, value, np))
            return True
        if isinstance(value, Mapping) and value and all(uploadable(v) for v in value.values()):
            self.parts.extend(npy_part("%s.%s" % (name, k), v, np) for k, v in value.items())
            return True
        return False

    def add(self, where: Dict[str, Any], part_name: str, arg: str, value: Any, expected: Optional[int]) -> None:
        if value is None or self._as_parts(part_name, value):
            return
        described = describe_argument(value, expected)
        if described is not None:
            if arg == "x":
                _drop_class_counts(described)  # the server reads them for targets only
            where[arg] = described

    def add_header(self, where: Dict[str, Any], arg: str, described: Optional[ArgumentJson]) -> None:
        if described is not None:
            where[arg] = described

    def to_json(self) -> Optional[Dict[str, Any]]:
        data = dict(self.data)
        if self.validation:
            data["validation"] = self.validation
        return data or None


def _build_data(source: ModelSource, x: Any, y: Any, validation_data: Any, upload: bool,
                x_element: Any, validation_element: Any) -> _Data:
    n_inputs, n_outputs = source.io_counts()
    out = _Data(upload)
    if x is not None and is_stream(x):
        sx, sy = describe_stream(x, x_element)
        out.add_header(out.data, "x", sx)
        if y is not None:  # beside a stream, y is an error the server explains (STREAM_WITH_Y)
            out.add(out.data, "y", "y", y, n_outputs)
        else:
            out.add_header(out.data, "y", sy)
    else:
        out.add(out.data, "x", "x", x, n_inputs)
        out.add(out.data, "y", "y", y, n_outputs)
    if validation_data is not None:
        if is_stream(validation_data):
            vx, vy = describe_stream(validation_data, validation_element)
            out.add_header(out.validation, "x", vx)
            out.add_header(out.validation, "y", vy)
        elif isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
            out.add(out.validation, "validation.x", "x", validation_data[0], n_inputs)
            out.add(out.validation, "validation.y", "y", validation_data[1], n_outputs)
        else:
            raise TypeError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, weights), "
                            "a tf.data.Dataset or a Sequence; got a %s" % type(validation_data).__name__)
    return out


class Client:
    """A fitcheck server, its key and a timeout.

    ``url`` defaults to ``$FITCHECK_URL``, then ``http://127.0.0.1:8080``; ``key`` to
    ``$FITCHECK_KEY`` (needed when the server runs with ``--auth keys``).
    """

    def __init__(self, url: Optional[str] = None, key: Optional[str] = None, *, timeout: float = 60.0) -> None:
        self.url: str = (_setting(url, "FITCHECK_URL") or DEFAULT_URL).rstrip("/")
        self.key: Optional[str] = _setting(key, "FITCHECK_KEY")
        self._transport = Transport(self.url, self.key, timeout)

    def __repr__(self) -> str:
        return "fitcheck.Client(%r%s)" % (self.url, ", key=..." if self.key else "")

    # -- requests -----------------------------------------------------------------------------
    def health(self) -> Dict[str, Any]:
        """``GET /healthz``: the server's status, version and database schema."""
        return self._transport.request("GET", "/healthz")[2]

    def report(self, report_id: str) -> Report:
        """``GET /v1/reports/{id}``: a stored report."""
        return Report(self._transport.request("GET", "/v1/reports/" + report_id)[2], self.url)

    def build_request(self, model: Any, x: Any = None, y: Any = None, *, loss: Any = None, metrics: Any = None,
                      optimizer: Any = None,
                      batch_size: Optional[int] = None, epochs: Optional[int] = None,
                      validation_split: Optional[float] = None, validation_data: Any = None,
                      steps_per_epoch: Optional[int] = None, validation_steps: Optional[int] = None,
                      framework: Optional[str] = None, framework_version: Optional[str] = None,
                      project: Optional[str] = None, run: Optional[str] = None, upload: bool = False,
                      _x_element: Any = NO_ELEMENT, _validation_element: Any = NO_ELEMENT
                      ) -> Tuple[Dict[str, Any], List[Part], ModelSource, bool]:
        """The preflight request JSON, its ``.npy`` parts, the model source, and whether the
        ``framework_version`` in it was detected (rather than given)."""
        source = resolve_model(model)
        body: Dict[str, Any] = {}
        if not source.is_archive:
            body["model"] = source.descriptor
        effective = framework or source.framework
        if effective:
            body["framework"] = effective
        version = framework_version
        if version is None and source.framework_version and effective == source.framework:
            version = source.framework_version
        if version:
            body["framework_version"] = version
        data = _build_data(source, x, y, validation_data, upload, _x_element, _validation_element)
        data_json = data.to_json()
        if data_json:
            body["data"] = data_json
        compile_config: Dict[str, Any] = {}
        the_loss = serialize_loss(loss) if loss is not None else source.loss
        if the_loss is not None:
            compile_config["loss"] = the_loss
        the_metrics = jsonable(metrics) if metrics is not None else source.metrics
        if the_metrics is not None:
            compile_config["metrics"] = the_metrics
        the_optimizer = jsonable(optimizer) if optimizer is not None else source.optimizer
        if the_optimizer is not None:
            compile_config["optimizer"] = the_optimizer
        if compile_config:
            body["compile"] = compile_config
        fit = {k: v for k, v in (("batch_size", batch_size), ("epochs", epochs),
                                 ("validation_split", validation_split), ("steps_per_epoch", steps_per_epoch),
                                 ("validation_steps", validation_steps)) if v is not None}
        if fit:
            body["fit"] = fit
        labels = {k: v for k, v in (("project", project), ("run", run)) if v}
        if labels:
            body["labels"] = labels
        return body, data.parts, source, framework_version is None and bool(version)

    def send(self, body: Dict[str, Any], parts: List[Part], source: ModelSource) -> Report:
        """``POST /v1/preflight`` with ``body`` as JSON, or as the ``request`` part of a multipart body
        beside the model archive and the ``.npy`` parts."""
        if parts or source.is_archive:
            all_parts = [json_part("request", body)]
            if source.keras_path is not None:
                all_parts.append(file_part("model", source.keras_path))
            elif source.keras_bytes is not None:
                all_parts.append(bytes_part("model", source.keras_bytes, filename="model.keras"))
            multipart = Multipart(all_parts + parts)
            answer = self._transport.request("POST", "/v1/preflight", body=multipart,
                                             content_type=multipart.content_type, length=multipart.length)
        else:
            raw = json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8")
            answer = self._transport.request("POST", "/v1/preflight", body=raw,
                                             content_type="application/json", length=len(raw))
        value = answer[2]
        if not isinstance(value, dict) or "verdict" not in value:
            raise FitcheckError("fitcheck answered %d without a report: %r" % (answer[0], value))
        return Report(value, self.url)

    def check(self, model: Any, x: Any = None, y: Any = None, **options: Any) -> Report:
        """Preflights ``model.fit(x, y, ...)``; see :func:`fitcheck.check` for the arguments."""
        body, parts, source, detected_version = self.build_request(model, x, y, **options)
        try:
            return self.send(body, parts, source)
        except ApiError as exc:
            if not (detected_version and exc.status == 400 and exc.pointer == "/framework_version"):
                raise
            # The installed release is one this server does not know (newer than it): let the
            # server judge by the descriptor instead of refusing the whole check.
            body.pop("framework_version", None)
            return self.send(body, parts, source)


def check(model: Any, x: Any = None, y: Any = None, *, loss: Any = None, batch_size: Optional[int] = None,
          epochs: Optional[int] = None, validation_split: Optional[float] = None, validation_data: Any = None,
          framework: Optional[str] = None, url: Optional[str] = None, key: Optional[str] = None,
          project: Optional[str] = None, run: Optional[str] = None, metrics: Any = None,
          optimizer: Any = None, steps_per_epoch: Optional[int] = None, validation_steps: Optional[int] = None,
          framework_version: Optional[str] = None, upload: bool = False, timeout: float = 60.0) -> Report:
    """Preflights ``model.fit(x, y, ...)`` against a fitcheck server and returns its :class:`Report`.

    ``model`` is a Keras model (its ``to_json()``; its loss and metrics when compiled; the
    framework from the Keras it comes from), the path of a ``.keras`` archive or a model JSON file
    (``to_json()``, ``config.json``, TF.js ``model.json``), or the JSON text itself.

    ``x``, ``y`` and ``validation_data`` are what ``fit`` gets: NumPy arrays, pandas objects,
    Python lists, tf.Tensors, tf.data Datasets, Sequences, or a list or dict of arrays for a
    model with several inputs or outputs. Arrays are summarised here (shape, dtype, min and max,
    NaN and Inf counts, up to 256 distinct values) in one pass without copying them;
    ``upload=True`` sends NumPy arrays themselves as ``.npy`` parts instead, and the server
    summarises them as they stream in. A Python generator cannot be read without consuming it,
    so it is not described here (:func:`fitcheck.guard` does, and puts the element back).

    ``loss``, ``metrics`` and ``optimizer`` (a name such as ``"sgd"``, or a serialised optimizer)
    override the compiled model's; ``batch_size``, ``epochs``,
    ``validation_split``, ``steps_per_epoch`` and ``validation_steps`` are fit's.
    ``framework`` (``keras3``, ``tf.keras2``, ``tfjs``) and ``framework_version`` name the
    target when it cannot be detected. ``project`` and ``run`` label the stored report.

    ``url`` defaults to ``$FITCHECK_URL`` then ``http://127.0.0.1:8080``, ``key`` to
    ``$FITCHECK_KEY``. Raises :class:`fitcheck.ApiError` when the server refuses the request and
    :class:`fitcheck.ConnectionError` when it cannot be reached; a ``fail`` verdict is returned,
    not raised (see :meth:`Report.raise_for_errors`).
    """
    return Client(url, key, timeout=timeout).check(
        model, x, y, loss=loss, metrics=metrics, optimizer=optimizer, batch_size=batch_size, epochs=epochs,
        validation_split=validation_split, validation_data=validation_data, steps_per_epoch=steps_per_epoch,
        validation_steps=validation_steps, framework=framework, framework_version=framework_version,
        project=project, run=run, upload=upload)
