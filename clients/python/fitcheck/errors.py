"""The exceptions fitcheck raises.

Every exception is a :class:`FitcheckError`. A server that answered with an RFC 9457
problem (``application/problem+json``) raises :class:`ApiError`; a server that could not
be reached raises :class:`ConnectionError` (also a built-in :class:`ConnectionError`, so
``except ConnectionError`` written for the standard library catches it too); a preflight
whose verdict is ``fail`` raises :class:`PreflightFailed` from
:meth:`fitcheck.Report.raise_for_errors` and from a guarded ``model.fit``.
"""
from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .report import Report

__all__ = ["FitcheckError", "ApiError", "ConnectionError", "PreflightFailed", "PreflightSkipped"]


class FitcheckError(Exception):
    """Base class of every error raised by fitcheck."""


class ApiError(FitcheckError):
    """The server refused the request with a problem document (RFC 9457).

    The members of the problem are attributes: :attr:`status`, :attr:`type`, :attr:`title`,
    :attr:`detail`, and where the server gives them :attr:`pointer` (the JSON pointer of the
    offending request member), :attr:`parameter` (a query parameter), :attr:`part` (a
    multipart part), :attr:`line` and :attr:`column` (a JSON syntax error). :attr:`body` is
    the whole problem as a dict, :attr:`retry_after` the ``Retry-After`` seconds of a 429.
    """

    def __init__(self, status: int, body: Dict[str, Any], *, url: str = "",
                 retry_after: Optional[int] = None) -> None:
        self.status: int = status
        self.body: Dict[str, Any] = body
        self.url: str = url
        self.type: str = str(body.get("type") or "about:blank")
        self.title: str = str(body.get("title") or "HTTP %d" % status)
        self.detail: str = str(body.get("detail") or "")
        self.pointer: Optional[str] = body.get("pointer")
        self.parameter: Optional[str] = body.get("parameter")
        self.part: Optional[str] = body.get("part")
        self.line: Optional[int] = body.get("line")
        self.column: Optional[int] = body.get("column")
        self.retry_after: Optional[int] = retry_after
        super().__init__(self._message())

    def _message(self) -> str:
        text = "%d %s" % (self.status, self.title)
        if self.detail:
            text += ": " + self.detail
        where = [("pointer", self.pointer), ("parameter", self.parameter), ("part", self.part)]
        extra = ", ".join("%s %s" % (name, value if value != "" else '""')
                          for name, value in where if value is not None)
        if extra:
            text += " (%s)" % extra
        if self.retry_after is not None:
            text += " - retry in %d s" % self.retry_after
        return text


class ConnectionError(FitcheckError, builtins.ConnectionError):  # noqa: A001 - deliberate shadowing
    """The fitcheck server could not be reached, or the connection broke mid-request.

    :attr:`url` is the URL that was requested.
    """

    def __init__(self, message: str, url: str) -> None:
        self.url: str = url
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "connection failed: " + self.url


class PreflightFailed(FitcheckError):
    """The preflight's verdict is ``fail``: ``model.fit`` would fail or train on nonsense.

    :attr:`report` is the :class:`fitcheck.Report`; the message lists its errors and fixes.
    """

    def __init__(self, report: "Report") -> None:
        self.report = report
        super().__init__(report.text())

    def _repr_html_(self) -> str:  # pragma: no cover - a convenience for notebooks
        return self.report._repr_html_()


class PreflightSkipped(UserWarning):
    """Warning category of a guarded ``fit`` that trains without a preflight (server unreachable)."""
