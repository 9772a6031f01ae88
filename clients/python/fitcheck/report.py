"""The preflight report: what the server answered, as objects, text and HTML for Jupyter."""
from __future__ import annotations

import html
import json
from typing import Any, Dict, List, Optional

from .errors import PreflightFailed

__all__ = ["Fix", "Finding", "Report", "format_shape"]

_COLORS = {"fail": "#c62828", "warn": "#b26a00", "pass": "#2e7d32",
           "error": "#c62828", "warning": "#b26a00", "info": "#1565c0"}
_MUTED = "#5b6474"
_LINE = "#dfe3ea"
_MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"


def format_shape(shape: Any) -> str:
    """A shape as Keras prints it: ``(None, 28, 28)``; several as ``(None, 10), (None, 5)``; ``?`` unknown."""
    if shape is None:
        return "?"
    if isinstance(shape, list) and shape and isinstance(shape[0], list):
        return ", ".join(format_shape(s) for s in shape)
    if isinstance(shape, list):
        dims = ["None" if d is None else str(d) for d in shape]
        return "(%s)" % (dims[0] + "," if len(dims) == 1 else ", ".join(dims))
    return str(shape)


def _count(n: Any) -> str:
    return "?" if n is None else "{:,}".format(n)


class Fix:
    """One way to fix a finding: :attr:`summary`, :attr:`code` in :attr:`language`, and for a change
    to the model the JSON Patch (:attr:`patch`) against the submitted descriptor."""

    def __init__(self, raw: Dict[str, Any]) -> None:
        self.raw = raw
        self.summary: str = raw.get("summary", "")
        self.code: str = raw.get("code", "")
        self.language: Optional[str] = raw.get("language")
        self.patch: Optional[List[Dict[str, Any]]] = raw.get("patch")

    def __repr__(self) -> str:
        return "Fix(%r, %r)" % (self.summary, self.code)


class Finding:
    """One finding of a report (the ``Finding`` schema): what is wrong, why, and how to fix it."""

    def __init__(self, raw: Dict[str, Any]) -> None:
        self.raw = raw
        self.code: str = raw.get("code", "")
        self.severity: str = raw.get("severity", "info")
        self.title: str = raw.get("title", "")
        self.message: str = raw.get("message", "")
        self.explanation: str = raw.get("explanation", "")
        self.framework_error: Optional[str] = raw.get("framework_error")
        self.location: Dict[str, Any] = raw.get("location") or {}
        self.fixes: List[Fix] = [Fix(f) for f in raw.get("fixes") or []]
        self.reference: str = raw.get("reference", "")
        self.href: str = raw.get("href", "")

    @property
    def pointer(self) -> str:
        """The JSON pointer into the request the finding is about (``/data/x``, ``/model``...)."""
        return str(self.location.get("pointer", ""))

    def __repr__(self) -> str:
        return "Finding(%s %s: %s)" % (self.severity, self.code, self.message)


class Report:
    """A stored preflight report (the ``Report`` schema of openapi.yaml).

    The members of the JSON are attributes (:attr:`verdict` is ``fail``, ``warn`` or ``pass``;
    :attr:`findings` are :class:`Finding` objects); :attr:`raw` is the whole JSON and
    :attr:`url` the report's page on the dashboard. ``print(report)`` gives a text report and
    Jupyter shows the HTML one.
    """

    def __init__(self, raw: Dict[str, Any], base_url: str = "") -> None:
        self.raw = raw
        self.base_url = base_url.rstrip("/")
        self.id: str = raw.get("id", "")
        self.created_at: str = raw.get("created_at", "")
        self.verdict: str = raw.get("verdict", "")
        self.summary: str = raw.get("summary", "")
        self.counts: Dict[str, int] = raw.get("counts") or {}
        self.framework: str = raw.get("framework", "")
        self.framework_version: Optional[str] = raw.get("framework_version")
        self.release: Dict[str, Any] = raw.get("release") or {}
        self.findings: List[Finding] = [Finding(f) for f in raw.get("findings") or []]
        self.model: Dict[str, Any] = raw.get("model") or {}
        self.resources: Dict[str, Any] = raw.get("resources") or {}
        self.labels: Dict[str, str] = raw.get("labels") or {}
        self.model_id: Optional[str] = raw.get("model_id")
        self.request_digest: str = raw.get("request_digest", "")

    # -- questions ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The report's page on the dashboard (``{server}/#/reports/{id}``)."""
        return "%s/#/reports/%s" % (self.base_url, self.id)

    @property
    def ok(self) -> bool:
        """Whether ``fit`` should run: the verdict is not ``fail``."""
        return self.verdict != "fail"

    @property
    def errors(self) -> List[Finding]:
        """The findings of severity ``error`` (each one alone makes the verdict ``fail``)."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> List[Finding]:
        """The findings of severity ``warning``."""
        return [f for f in self.findings if f.severity == "warning"]

    def codes(self) -> List[str]:
        """The finding codes, in the report's order."""
        return [f.code for f in self.findings]

    def raise_for_errors(self) -> "Report":
        """Raises :class:`fitcheck.PreflightFailed` when the verdict is ``fail``; else returns the report."""
        if self.verdict == "fail":
            raise PreflightFailed(self)
        return self

    def to_dict(self) -> Dict[str, Any]:
        """The report's JSON, as the server sent it."""
        return self.raw

    # -- text ---------------------------------------------------------------------------------
    def summary_table(self) -> str:
        """The model summary as Keras's ``model.summary()`` prints it (layers, output shapes, params)."""
        layers = self.model.get("layers") or []
        rows = [("%s (%s)" % (l.get("name"), l.get("class")), format_shape(l.get("output_shape")),
                 _count(l.get("params"))) for l in layers]
        head = ("Layer (type)", "Output Shape", "Param #")
        widths = [max([len(head[i])] + [len(r[i]) for r in rows]) for i in range(3)]
        line = "  ".join(h.ljust(w) for h, w in zip(head, widths))
        out = ['Model: "%s"' % (self.model.get("name") or ""), line, "-" * len(line)]
        out += ["  ".join((r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]))) for r in rows]
        out.append("Total params: %s (trainable %s, non-trainable %s)" % (
            _count(self.model.get("total_params")), _count(self.model.get("trainable_params")),
            _count(self.model.get("non_trainable_params"))))
        return "\n".join(out)

    def text(self) -> str:
        """The report as plain text: verdict, each finding with its framework error and fixes, the link."""
        head = self.summary if self.summary.startswith(self.verdict) else "%s: %s" % (self.verdict, self.summary)
        out = ["fitcheck " + head]
        for f in self.findings:
            out.append("")
            out.append("[%s] %s: %s" % (f.severity, f.code, f.message))
            if f.framework_error:
                out.append("  %s would print: %s" % (self.framework or "the framework",
                                                     f.framework_error.strip().splitlines()[-1]))
            for fix in f.fixes:
                out.append("  fix: %s" % fix.summary)
                out.extend("      " + line for line in fix.code.splitlines())
        if self.id:
            out.append("")
            out.append("report: " + self.url)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return "<fitcheck.Report %s %s: %s>" % (self.verdict, self.id, self.summary)

    # -- HTML ---------------------------------------------------------------------------------
    def _badge(self) -> str:
        color = _COLORS.get(self.verdict, _MUTED)
        return ('<span class="fitcheck-verdict fitcheck-verdict-%s" style="display:inline-block;'
                'padding:2px 10px;border-radius:12px;background:%s;color:#fff;font-weight:700;'
                'font-size:0.85em;letter-spacing:0.05em">%s</span>'
                % (html.escape(self.verdict), color, html.escape(self.verdict.upper())))

    def _finding_html(self, f: Finding) -> str:
        esc = html.escape
        color = _COLORS.get(f.severity, _MUTED)
        where = [f.location.get("pointer")] + ["%s %s" % (k, f.location[k]) for k in ("layer", "input", "output")
                                               if f.location.get(k)]
        code_href = (self.base_url + f.href) if f.href.startswith("/") and self.base_url else f.href
        parts = [
            '<div class="fitcheck-finding" style="border:1px solid %s;border-left:4px solid %s;'
            'border-radius:4px;padding:8px 12px;margin:8px 0;background:#fff">' % (_LINE, color),
            '<div><span style="background:%s;color:#fff;border-radius:3px;padding:1px 6px;font-size:0.8em">'
            '%s</span> <a href="%s" style="font-family:%s;font-weight:600" target="_blank">%s</a> %s</div>'
            % (color, esc(f.severity), esc(code_href), _MONO, esc(f.code), esc(f.title)),
            '<div style="color:%s;font-size:0.85em">%s</div>' % (_MUTED, esc(" · ".join(w for w in where if w))),
            '<p style="margin:6px 0"><strong>%s</strong></p>' % esc(f.message).replace("\n", "<br>"),
            '<p style="margin:6px 0;color:#333">%s</p>' % esc(f.explanation).replace("\n", "<br>"),
        ]
        if f.framework_error:
            parts.append('<div style="color:%s;font-size:0.85em">What %s prints:</div>'
                         '<pre style="background:#fbeaea;padding:6px 8px;white-space:pre-wrap;margin:4px 0">%s</pre>'
                         % (_MUTED, esc(self.framework or "the framework"), esc(f.framework_error)))
        for fix in f.fixes:
            lang = ' <span style="color:%s">(%s)</span>' % (_MUTED, esc(fix.language)) if fix.language else ""
            parts.append('<div style="margin-top:6px"><strong>Fix:</strong> %s%s</div>'
                         '<pre class="fitcheck-fix" style="background:#eef6ee;padding:6px 8px;margin:4px 0;'
                         'white-space:pre-wrap"><code>%s</code></pre>' % (esc(fix.summary), lang, esc(fix.code)))
            if fix.patch:
                parts.append('<details><summary style="color:%s;font-size:0.85em">JSON Patch against the model'
                             '</summary><pre style="margin:4px 0">%s</pre></details>'
                             % (_MUTED, esc(json.dumps(fix.patch, indent=2))))
        parts.append("</div>")
        return "".join(parts)

    def _model_html(self) -> str:
        esc = html.escape
        layers = self.model.get("layers")
        if not layers:
            return ""
        cell = 'style="text-align:%s;padding:3px 10px;border-bottom:1px solid %s"'
        rows = "".join(
            "<tr><td %s>%s <span style=\"color:%s\">(%s)</span></td><td %s><code>%s</code></td><td %s>%s</td>"
            "<td %s>%s</td></tr>" % (
                cell % ("left", _LINE), esc(str(l.get("name"))), _MUTED, esc(str(l.get("class"))),
                cell % ("left", _LINE), esc(format_shape(l.get("output_shape"))),
                cell % ("right", _LINE), esc(_count(l.get("params"))),
                cell % ("left", _LINE), esc(", ".join(l.get("inbound") or []) or "-"))
            for l in layers)
        head = "".join("<th %s>%s</th>" % (cell % (align, _LINE), name) for name, align in
                       (("Layer (type)", "left"), ("Output Shape", "left"), ("Param #", "right"),
                        ("Connected to", "left")))
        weights = self.model.get("weight_bytes")
        size = " (%s)" % _bytes(weights) if isinstance(weights, int) else ""
        return ('<h4 style="margin:14px 0 4px">Model: %s <span style="color:%s;font-weight:400">%s</span></h4>'
                '<table class="fitcheck-summary" style="border-collapse:collapse;font-size:0.9em">'
                '<thead><tr style="background:#eef1f5">%s</tr></thead><tbody>%s</tbody></table>'
                '<div style="font-size:0.85em;margin-top:4px">Total params: <strong>%s</strong>%s · trainable %s'
                ' · non-trainable %s</div>'
                % (esc(str(self.model.get("name") or "")), _MUTED, esc(str(self.model.get("class") or "")),
                   head, rows, _count(self.model.get("total_params")), esc(size),
                   _count(self.model.get("trainable_params")), _count(self.model.get("non_trainable_params"))))

    def _repr_html_(self) -> str:
        esc = html.escape
        release = self.release.get("description") or self.framework_version or ""
        meta = " · ".join(x for x in (self.framework, release, ", ".join(
            "%s: %s" % kv for kv in sorted(self.labels.items()))) if x)
        res = self.resources
        resources = " · ".join(x for x in (
            "dataset %s" % res["dataset_size"] if res.get("dataset_size") else "",
            "training memory %s" % res["training_memory_size"] if res.get("training_memory_size") else "") if x)
        findings = "".join(self._finding_html(f) for f in self.findings) or (
            '<p style="color:%s">No findings: model.fit should run as written.</p>' % _MUTED)
        link = ('<a href="%s" target="_blank">Open this report on the dashboard</a>' % esc(self.url)
                if self.id and self.base_url else "")
        return (
            '<div class="fitcheck-report" style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;'
            'color:#1d2330;max-width:980px;line-height:1.4">'
            '<div style="display:flex;gap:10px;align-items:center;flex-wrap:wrap">%s'
            '<strong style="font-size:1.05em">fitcheck preflight: %s</strong></div>'
            '<div style="color:%s;font-size:0.85em;margin:2px 0 6px">%s</div>%s%s'
            '<div style="color:%s;font-size:0.85em;margin-top:8px">%s</div>'
            '<div style="margin-top:6px;font-size:0.9em">%s</div></div>'
            % (self._badge(), esc(self._headline()), _MUTED, esc(meta), findings, self._model_html(),
               _MUTED, esc(resources), link))

    def _headline(self) -> str:
        """``2 errors, 1 warning`` (or ``no findings``) from the counts."""
        words = []
        for key, one, many in (("error", "error", "errors"), ("warning", "warning", "warnings"),
                               ("info", "note", "notes")):
            n = int(self.counts.get(key, 0) or 0)
            if n:
                words.append("%d %s" % (n, one if n == 1 else many))
        return ", ".join(words) or "no findings"


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return ("%d %s" if unit == "B" else "%.2f %s") % (size, unit)
        size /= 1024
    return "%d B" % n
