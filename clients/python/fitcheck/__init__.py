"""fitcheck: preflight a Keras ``model.fit`` call before spending GPU time on it.

    >>> import fitcheck
    >>> report = fitcheck.check(model, x_train, y_train, batch_size=128, epochs=5)
    >>> report.verdict            # 'fail', 'warn' or 'pass'
    >>> report.raise_for_errors() # PreflightFailed on 'fail'
    >>> fitcheck.guard(model)     # from now on model.fit runs the preflight first

The server is ``$FITCHECK_URL`` (default ``http://127.0.0.1:8080``), its key ``$FITCHECK_KEY``.
Only the standard library is needed; NumPy is used when it is installed; Keras and TensorFlow
are never imported.
"""
from ._version import __version__
from .client import DEFAULT_URL, Client, check
from .describe import describe
from .errors import ApiError, ConnectionError, FitcheckError, PreflightFailed, PreflightSkipped
from .guard import PreflightWarning, guard, unguard
from .report import Finding, Fix, Report

__all__ = ["__version__", "DEFAULT_URL", "Client", "check", "describe", "guard", "unguard", "Report",
           "Finding", "Fix", "FitcheckError", "ApiError", "ConnectionError", "PreflightFailed",
           "PreflightSkipped", "PreflightWarning"]
