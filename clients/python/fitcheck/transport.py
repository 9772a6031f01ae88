"""HTTP with the standard library: JSON requests, streamed multipart bodies, ``.npy`` parts.

A multipart body is never built in memory: each part is a header and an iterator of
byte chunks (a file read in blocks, or memoryviews of an array's own buffer), and the body's
length is known beforehand, so it goes with a ``Content-Length`` and no copy of the data.
"""
from __future__ import annotations

import http.client
import ipaddress
import json
import os
import struct
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from ._version import __version__
from .errors import ApiError, ConnectionError
from .stats import iter_pieces  # the bounded traversal the statistics use too

__all__ = ["Part", "json_part", "bytes_part", "file_part", "npy_part", "Multipart", "Transport"]

_BLOCK = 1 << 20  # bytes handed to the socket at a time
_USER_AGENT = "fitcheck-python/%s" % __version__


class Part:
    """One part of a multipart body: its name, its length and a source of its bytes."""

    def __init__(self, name: str, length: int, chunks: Callable[[], Iterable[Any]], *,
                 filename: Optional[str] = None, content_type: str = "application/octet-stream") -> None:
        self.name = name
        self.length = length
        self.chunks = chunks
        self.filename = filename
        self.content_type = content_type

    def header(self, boundary: str) -> bytes:
        disposition = 'form-data; name="%s"' % self.name.replace('"', "%22")
        if self.filename is not None:
            disposition += '; filename="%s"' % self.filename.replace('"', "%22")
        return ("--%s\r\nContent-Disposition: %s\r\nContent-Type: %s\r\n\r\n"
                % (boundary, disposition, self.content_type)).encode("utf-8")


def bytes_part(name: str, data: bytes, *, filename: Optional[str] = None,
               content_type: str = "application/octet-stream") -> Part:
    """A part holding ``data``."""
    return Part(name, len(data), lambda: (data,), filename=filename, content_type=content_type)


def json_part(name: str, value: Any) -> Part:
    """A part holding ``value`` as JSON (the ``request`` part)."""
    data = json.dumps(value, allow_nan=False, separators=(",", ":")).encode("utf-8")
    return bytes_part(name, data, content_type="application/json")


def file_part(name: str, path: str) -> Part:
    """A part streaming the file at ``path`` in blocks."""
    def chunks() -> Iterator[bytes]:
        with open(path, "rb") as f:
            while True:
                block = f.read(_BLOCK)
                if not block:
                    return
                yield block
    return Part(name, os.path.getsize(path), chunks, filename=os.path.basename(path))


def _npy_header(arr: Any, np: Any, fortran: bool) -> bytes:
    """The ``.npy`` preamble and header of ``arr`` (format 1.0, or 2.0 for a very long header)."""
    text = "{'descr': %r, 'fortran_order': %s, 'shape': %r, }" % (
        np.lib.format.dtype_to_descr(arr.dtype), fortran, tuple(int(d) for d in arr.shape))
    for major, fmt in ((1, "<H"), (2, "<I")):
        prefix = 6 + 2 + struct.calcsize(fmt)
        padded = text + " " * ((-(prefix + len(text) + 1)) % 64) + "\n"
        if major == 1 and len(padded) > 0xFFFF:
            continue
        return b"\x93NUMPY" + bytes((major, 0)) + struct.pack(fmt, len(padded)) + padded.encode("latin1")
    raise ValueError("array header too long")  # pragma: no cover - format 2.0 takes 4 GiB


def npy_part(name: str, arr: Any, np: Any) -> Part:
    """A part holding ``arr`` as a ``.npy`` file, streamed from the array's memory.

    A C- or Fortran-contiguous array is sent from its own buffer (no copy); any other array one
    bounded contiguous piece at a time.
    """
    if arr.dtype.kind == "O" or arr.dtype.fields is not None:
        raise ValueError("an array of dtype %s cannot be sent as .npy" % arr.dtype)
    fortran = bool(arr.flags.f_contiguous and not arr.flags.c_contiguous and arr.ndim > 1)
    source = arr.T if fortran else arr
    header = _npy_header(arr, np, fortran)

    def chunks() -> Iterator[Any]:
        yield header
        if source.flags.c_contiguous:
            view = memoryview(source.reshape(-1).view(np.uint8))
            for start in range(0, len(view), _BLOCK):
                yield view[start:start + _BLOCK]
            return
        for piece in iter_pieces(source, np):
            yield memoryview(piece.view(np.uint8))
    return Part(name, len(header) + int(arr.nbytes), chunks, filename=name + ".npy")


class Multipart:
    """A ``multipart/form-data`` body of :class:`Part` objects, iterated as byte chunks."""

    def __init__(self, parts: List[Part]) -> None:
        self.parts = parts
        self.boundary = "fitcheck-" + uuid.uuid4().hex
        self.content_type = "multipart/form-data; boundary=" + self.boundary
        self.length = sum(len(p.header(self.boundary)) + p.length + 2 for p in parts) + len(self._end())

    def _end(self) -> bytes:
        return ("--%s--\r\n" % self.boundary).encode("ascii")

    def __iter__(self) -> Iterator[Any]:
        for part in self.parts:
            yield part.header(self.boundary)
            sent = 0
            for chunk in part.chunks():
                sent += len(chunk) if isinstance(chunk, bytes) else chunk.nbytes
                yield chunk
            if sent != part.length:
                raise ValueError("part %s changed size while it was sent" % part.name)
            yield b"\r\n"
        yield self._end()


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Transport:
    """Requests to one fitcheck server, with its key; errors become fitcheck exceptions."""

    def __init__(self, base_url: str, key: Optional[str] = None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.timeout = timeout
        parsed = urllib.parse.urlsplit(self.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("the fitcheck URL must be http(s)://HOST[:PORT], got %r" % base_url)
        handlers: List[Any] = []
        if _is_loopback(parsed.hostname or ""):
            handlers.append(urllib.request.ProxyHandler({}))  # never send a local server's traffic to a proxy
        self._opener = urllib.request.build_opener(*handlers)

    def request(self, method: str, path: str, *, body: Any = None, content_type: Optional[str] = None,
                length: Optional[int] = None, query: Optional[Dict[str, str]] = None
                ) -> Tuple[int, Dict[str, str], Any]:
        """Sends one request; returns (status, headers, parsed JSON body).

        Raises :class:`fitcheck.ApiError` for an error status, :class:`fitcheck.ConnectionError`
        when the server cannot be reached or the connection breaks.
        """
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Accept": "application/json, application/problem+json", "User-Agent": _USER_AGENT}
        if self.key:
            headers["Authorization"] = "Bearer " + self.key
        if content_type:
            headers["Content-Type"] = content_type
        if body is not None and length is not None:
            headers["Content-Length"] = str(length)
        req = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                status, resp_headers, raw = resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as exc:
            raise self._api_error(exc, url) from None
        except urllib.error.URLError as exc:
            raise ConnectionError("cannot reach fitcheck at %s: %s" % (url, exc.reason), url) from exc
        except (http.client.HTTPException, OSError) as exc:
            raise ConnectionError("the connection to fitcheck at %s failed: %s" % (
                url, exc or type(exc).__name__), url) from exc
        try:
            value = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError as exc:
            raise ConnectionError("fitcheck at %s answered %d with a body that is not JSON: %r"
                                  % (url, status, raw[:200]), url) from exc
        return status, resp_headers, value

    @staticmethod
    def _api_error(exc: urllib.error.HTTPError, url: str) -> ApiError:
        try:
            raw = exc.read(1 << 20)
        except (OSError, http.client.HTTPException):
            raw = b""
        body: Dict[str, Any]
        try:
            parsed = json.loads(raw.decode("utf-8"))
            body = parsed if isinstance(parsed, dict) else {"detail": str(parsed)}
        except ValueError:
            text = raw.decode("utf-8", "replace").strip()
            body = {"title": exc.reason or "HTTP error", "detail": text[:500]}
        retry = exc.headers.get("Retry-After") if exc.headers else None
        return ApiError(exc.code, body, url=url, retry_after=int(retry) if retry and retry.isdigit() else None)
