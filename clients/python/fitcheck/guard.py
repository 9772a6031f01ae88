"""Running the preflight inside ``model.fit``, for those who want it always on."""
from __future__ import annotations

import functools
import os
import sys
import warnings
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

from .client import Client
from .describe import NO_ELEMENT, is_generator
from .errors import PreflightFailed, PreflightSkipped
from .report import Report

__all__ = ["guard", "unguard", "PreflightWarning"]

# Keras's fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, ...),
# in the order Keras 3 and tf.keras 2 take them positionally.
_FIT_PARAMETERS = ("x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split",
                   "validation_data", "shuffle", "class_weight", "sample_weight", "initial_epoch",
                   "steps_per_epoch", "validation_steps", "validation_batch_size", "validation_freq")
_ORIGINAL = "__fitcheck_original__"


class PreflightWarning(UserWarning):
    """Warning category of a guarded ``fit`` whose preflight verdict is ``warn`` (it trains)."""


def _disabled() -> bool:
    return os.environ.get("FITCHECK_DISABLE", "").strip().lower() in ("1", "true", "yes", "on")


def _peek(generator: Any) -> Tuple[Any, Iterator[Any]]:
    """(first element, a generator yielding it again and then the rest)."""
    try:
        first = next(generator)
    except StopIteration:
        return NO_ELEMENT, iter(())

    def again() -> Iterator[Any]:
        yield first
        yield from generator
    return first, again()


def _show(report: Report) -> None:
    """Displays the report in a notebook (a traceback alone shows only its text)."""
    if "IPython" not in sys.modules:
        return
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is not None:
        display(report)


def guard(model: Any, enabled: bool = True, *, url: Optional[str] = None, key: Optional[str] = None,
          project: Optional[str] = None, run: Optional[str] = None, framework: Optional[str] = None,
          upload: bool = False) -> Any:
    """Makes ``model.fit`` run the preflight first; returns ``model``.

    The guarded ``fit`` takes the same arguments (positional or keyword) and preflights its
    ``x``, ``y``, ``batch_size``, ``epochs``, ``validation_split``, ``validation_data``,
    ``steps_per_epoch`` and ``validation_steps``. On a ``fail`` verdict it raises
    :class:`fitcheck.PreflightFailed` (carrying the report, which a notebook also displays)
    and does not train; on ``warn`` it emits a :class:`PreflightWarning` and trains; on
    ``pass`` it trains. The last report is ``model.fit.last_report``.

    A preflight that cannot run (the server is unreachable, refuses the request, or the data
    cannot be described) emits a :class:`fitcheck.PreflightSkipped` warning and **trains
    anyway**: an outage of the preflight service never stops a training run.

    ``enabled=False`` removes a guard (``fit`` is the model's own again), and
    ``FITCHECK_DISABLE=1`` in the environment skips the preflight at each call. A generator
    passed as ``x`` or ``validation_data`` is read for one element, which ``fit`` still gets.
    ``url``, ``key``, ``project``, ``run``, ``framework`` and ``upload`` are those of
    :func:`fitcheck.check`.
    """
    current = model.fit
    original: Callable[..., Any] = getattr(current, _ORIGINAL, current)
    if not enabled:
        if original is not current:
            unguard(model)
        return model

    @functools.wraps(original)
    def fit(*args: Any, **kwargs: Any) -> Any:
        if _disabled():
            return original(*args, **kwargs)
        call: Dict[str, Any] = dict(zip(_FIT_PARAMETERS, args))
        call.update(kwargs)
        positional = list(args)
        elements: Dict[str, Any] = {}
        for name in ("x", "validation_data"):
            value = call.get(name)
            if value is not None and is_generator(value):
                elements[name], again = _peek(value)
                index = _FIT_PARAMETERS.index(name)
                if index < len(positional):
                    positional[index] = again
                else:
                    kwargs[name] = again
        try:
            report = Client(url, key).check(
                model, call.get("x"), call.get("y"), batch_size=call.get("batch_size"),
                epochs=call.get("epochs"), validation_split=call.get("validation_split") or None,
                validation_data=call.get("validation_data"), steps_per_epoch=call.get("steps_per_epoch"),
                validation_steps=call.get("validation_steps"), framework=framework, project=project,
                run=run, upload=upload, _x_element=elements.get("x", NO_ELEMENT),
                _validation_element=elements.get("validation_data", NO_ELEMENT))
        except Exception as exc:  # noqa: BLE001 - whatever stops the preflight must not stop training
            warnings.warn("fitcheck: the preflight did not run (%s: %s); training without it"
                          % (type(exc).__name__, exc), PreflightSkipped, stacklevel=2)
            return original(*positional, **kwargs)
        fit.last_report = report  # type: ignore[attr-defined]
        if report.verdict == "fail":
            _show(report)
            raise PreflightFailed(report)
        if report.verdict == "warn":
            warnings.warn("fitcheck: %s (%s)" % (report.summary, report.url), PreflightWarning, stacklevel=2)
        return original(*positional, **kwargs)

    setattr(fit, _ORIGINAL, original)
    fit.last_report = None  # type: ignore[attr-defined]
    model.fit = fit
    return model


def unguard(model: Any) -> Any:
    """Removes :func:`guard`'s wrapper from ``model.fit``; returns ``model``."""
    original = getattr(model.fit, _ORIGINAL, None)
    if original is not None:
        if getattr(original, "__self__", None) is model and getattr(type(model), "fit", None) is not None:
            try:
                del model.fit  # the class's own method shows through again
                return model
            except AttributeError:
                pass
        model.fit = original
    return model
