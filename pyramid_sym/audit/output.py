"""The audit's three outputs: a text report, JSON, and SARIF 2.1.0 for code-scanning views."""

from __future__ import annotations

import json

__all__ = ["render_text", "render_json", "render_sarif", "SARIF_SCHEMA_URI"]

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_RULES = {
    "refuted": ("a line computes something other than the named formula it matches or is expected to compute",
                "error"),
    "unidentified": ("a line mixes gamma with a square root or a ratio and matches no formula of the paper or the "
                     "reference code", "error"),
    "convention": ("a line equals a formula only under the other sign convention of gamma or the other time "
                   "direction", "error"),
    "missing": ("an expected name is not assigned an expression", "error"),
}


def _ulp(v) -> str:
    if v is None:
        return "-"
    return f"{v:.3g}" if v >= 1000 else f"{int(v)}"


def _point(ce) -> str:
    if not ce:
        return ""
    return ", ".join(f"{k} = {v}" for k, v in ce.get("point", {}).items())


def render_text(report) -> str:
    counts = {}
    for f in report.findings:
        counts[f.verdict] = counts.get(f.verdict, 0) + 1
    summary = ", ".join(f"{counts[v]} {v}" for v in ("proved", "refuted", "unknown", "missing") if v in counts)
    lines = [f"audit: {len(report.files)} file{'s' if len(report.files) != 1 else ''}, "
             f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''}"
             + (f" ({summary})" if summary else "")]
    for f in report.findings:
        lines.append("")
        where = f"{f.file}:{f.line}" if f.line is not None else f.file
        head = f"{where}  {f.function}  {f.target}" if f.function else f"{where}  {f.target}"
        lines.append(head)
        if f.source:
            lines.append(f"    {f.source}")
        label = {"identified": "", "expectation": " (expected)", "convention": " (convention)",
                 "unidentified": " (unidentified: nearest formula)", "missing": " (expected)"}.get(f.kind, "")
        lines.append(f"    {f.verdict.upper()}  {f.formula}{label}"
                     + (f"  [{f.convention}]" if f.convention else ""))
        if f.bindings:
            lines.append("    names: " + ", ".join(f"{k} -> {v}" for k, v in f.bindings.items()))
        if f.counterexample:
            ce = f.counterexample
            lines.append(f"    counterexample: {_point(ce)}: file {ce.get('file', '?')}, formula {ce.get('formula', '?')}")
        if f.verdict == "proved":
            main = [c for c in f.certificate if not c.startswith(("radical ", "side condition"))]
            if main:
                lines.append(f"    certificate: {main[0]}")
            if any(v is not None for v in f.max_ulp.values()):
                lines.append(f"    max ULP as written: float32 {_ulp(f.max_ulp.get('float32'))}, "
                             f"float64 {_ulp(f.max_ulp.get('float64'))}")
        if f.note:
            lines.append(f"    note: {f.note}")
    return "\n".join(lines) + "\n"


def render_json(report) -> str:
    return json.dumps(report.to_json(), indent=2, default=str) + "\n"


def _rule_of(f) -> str | None:
    if f.verdict == "missing":
        return "missing"
    if f.kind == "unidentified" and f.verdict != "proved":
        return "unidentified"
    if f.kind == "convention" and f.verdict != "proved":
        return "convention"
    if f.verdict == "refuted":
        return "refuted"
    return None


def _message(f) -> str:
    parts = []
    if f.kind == "unidentified":
        parts.append(f"{f.target} matches no formula; nearest is {f.formula}")
    elif f.verdict == "missing":
        parts.append(f"expected {f.target} = {f.formula}: not found")
    else:
        parts.append(f"{f.target} is not {f.formula}")
    if f.counterexample:
        ce = f.counterexample
        parts.append(f"at {_point(ce)} the line gives {ce.get('file', '?')} and the formula {ce.get('formula', '?')}")
    if f.note:
        parts.append(f.note)
    return "; ".join(parts) + "."


def render_sarif(report, version: str = "") -> str:
    from .. import __version__

    rules = [{"id": rid, "shortDescription": {"text": text}, "defaultConfiguration": {"level": level}}
             for rid, (text, level) in _RULES.items()]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in report.findings:
        rid = _rule_of(f)
        if rid is None:
            continue
        res = {"ruleId": rid, "ruleIndex": index[rid], "level": "error", "message": {"text": _message(f)}}
        if f.line is not None:
            region = {"startLine": int(f.line), "startColumn": int(f.col or 1)}
            if f.source:
                region["snippet"] = {"text": f.source}
            res["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.file)}, "region": region}}]
        props = {"formula": f.formula, "verdict": f.verdict}
        if f.counterexample:
            props["counterexample"] = f.counterexample
        res["properties"] = props
        results.append(res)
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pyramid-sym audit", "version": version or __version__,
                                "informationUri": "https://arxiv.org/abs/2410.05954", "rules": rules}},
            "results": results,
            "artifacts": [{"location": {"uri": _uri(p)}} for p in report.files],
        }],
    }
    return json.dumps(log, indent=2, default=str) + "\n"


def _uri(path: str) -> str:
    from urllib.parse import quote

    p = path.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return quote(p, safe="/:._-~")
