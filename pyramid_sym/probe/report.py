"""Terminal tables and JSON for the stability probe."""

from __future__ import annotations

import json
import math

from .engine import BOUNDS, ProbeResult

__all__ = ["format_ulp", "render_table", "render_defaults", "render_covariance", "render", "to_json_text", "summary_matrix"]


def format_ulp(v) -> str:
    """A ULP count for a table: integers below 1e6, scientific above, '-' when absent."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, str):
        return v
    if math.isinf(v):
        return "inf"
    if v < 1e6:
        return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"
    return f"{v:.1e}"


def _g(v) -> str:
    return v if isinstance(v, str) else f"{v:.3g}"


def _x(v) -> str:
    """x for a table: near 1 as 1-d so that 0.9999 does not print as 1."""
    if isinstance(v, float) and 0.5 < v < 1 and 1 - v < 1e-3:
        return f"1-{1 - v:.3g}"
    return _g(v)


def _worst(w) -> str:
    if not w:
        return "-"
    return f"x={_x(w['x'])}, g={_g(w['gamma'])}"


def render_table(result: ProbeResult) -> str:
    """One row per available form x kernel x dtype: max ULP, p99, mean bits of error, non-finite count, worst input."""
    head = ("kernel", "dtype", "form", "max ULP", "p99", "bits", "non-fin", "worst input", "bound")
    rows = []
    for r in result.results:
        if not r.available:
            continue
        bound = ""
        if r.form.startswith("emitted "):
            bound = f"<= {BOUNDS[r.dtype]} " + ("ok" if r.within_bound else "FAIL")
        rows.append((r.kernel, r.dtype, r.form, format_ulp(r.max_ulp), format_ulp(r.p99_ulp),
                     "-" if r.mean_bits is None or math.isnan(r.mean_bits) else f"{r.mean_bits:.2f}",
                     str(r.nonfinite), _worst(r.worst), bound))
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    right = {3, 4, 5, 6}

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(head), line(["-" * w for w in widths])]
    last = None
    for row in rows:
        if last is not None and row[0] != last:
            out.append("")
        out.append(line(row))
        last = row[0]
    return "\n".join(out)


def summary_matrix(result: ProbeResult) -> dict:
    """{kernel: {form: {dtype: max ULP (inf if any non-finite output)}}} over the available forms."""
    m: dict = {}
    for r in result.results:
        if not r.available:
            continue
        v = math.inf if r.nonfinite else r.max_ulp
        m.setdefault(r.kernel, {}).setdefault(r.form, {})[r.dtype] = v
    return m


def render_defaults(result: ProbeResult) -> str:
    """Max ULP of each form at the default schedule's own points (sigma_end = 0.667, 0.334 and their paper images)."""
    dtypes = result.dtypes
    head = ("kernel", "form", *dtypes)
    body = []
    for kernel in result.kernels:
        for form in dict.fromkeys(r.form for r in result.results if r.kernel == kernel and r.available):
            cells = []
            for d in dtypes:
                r = next((r for r in result.results if (r.kernel, r.form, r.dtype) == (kernel, form, d)), None)
                if r is None or not r.available or not r.defaults:
                    cells.append("-")
                    continue
                us = [p["ulp"] for p in r.defaults]
                cells.append("non-finite" if any(isinstance(u, str) for u in us) else format_ulp(max(us)))
            body.append((kernel, form, *cells))
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths)).rstrip() for b in body]
    return "\n".join(lines)


def render_covariance(rows: list[dict]) -> str:
    """The covariance probe as a table: smallest eigenvalue exact vs computed, Cholesky outcomes, last pivot."""
    head = ("dtype", "gamma_c", "jitter", "1/3-gamma", "exact lmin", "stored lmin", "numpy lmin", "torch lmin",
            "chol np", "chol torch", "MVN", "last pivot")

    def yn(v):
        return "-" if v is None else ("yes" if v else "NO")

    body = []
    for r in rows:
        body.append((r["dtype"], r["gamma"], f"{r['jitter']:.0e}" if r["jitter"] else "0",
                     f"{r['distance_to_one_third']:.2e}", f"{r['exact_lambda_min']:.3e}",
                     f"{r['exact_lambda_min_stored']:.3e}", f"{r['numpy_lambda_min']:.3e}",
                     f"{r['torch_lambda_min']:.3e}" if "torch_lambda_min" in r else "-",
                     yn(r["numpy_cholesky"]), yn(r.get("torch_cholesky")), yn(r.get("torch_multivariate_normal")),
                     f"{r['last_pivot']:.3e}"))
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    last = None
    for b in body:
        if last is not None and b[0] != last:
            lines.append("")
        lines.append("  ".join(c.ljust(w) for c, w in zip(b, widths)).rstrip())
        last = b[0]
    return "\n".join(lines)


def covariance_findings(rows: list[dict]) -> list[str]:
    """One sentence per dtype about the default gamma_c = 1/3, computed from the rows."""
    out = []
    for r in rows:
        if r["gamma"] != "1/3" or r["jitter"]:
            continue
        side = "above" if r["distance_to_one_third"] < 0 else "below"
        libs = [f"numpy {'succeeds' if r['numpy_cholesky'] else 'fails'}"]
        if "torch_cholesky" in r:
            libs.append(f"torch.linalg.cholesky_ex {'succeeds' if r['torch_cholesky'] else 'fails'}")
            libs.append(f"MultivariateNormal {'constructs' if r['torch_multivariate_normal'] else 'raises'}")
        out.append(f"{r['dtype']}: gamma_c = 1/3 is stored as {r['gamma_in_dtype']!r} ({side} 1/3), so the stored "
                   f"covariance has exact lambda_min = {r['exact_lambda_min_stored']:.3g}; Cholesky: "
                   + ", ".join(libs) + ".")
    return out


def render(result: ProbeResult) -> str:
    """The whole terminal report."""
    parts = ["Stability probe: error in ULPs of each dtype against a certified mpmath reference "
             f"({'quick' if result.quick else 'full'} grid, {sum(p['n'] for p in result.points.values())} points).",
             "bits = mean of log2(ULP + 1); non-fin = NaN/inf outputs on finite in-domain inputs; "
             "g = gamma (paper, < 0) or gamma_c (code, > 0).", "", render_table(result)]
    parts += ["", "At the default schedule's points (code: sigma_end = 0.667, 0.334 as float32, gamma_c = 1/3; "
              "paper: the same jumps in s_k, e_{k+1}, gamma = -1/3), max ULP:", "", render_defaults(result)]
    if result.covariance:
        parts += ["", "Block covariance (1 + gamma_c) I - gamma_c J near gamma_c = 1/3: exact lambda_min = 1 - 3 gamma_c.",
                  "", render_covariance(result.covariance), ""] + covariance_findings(result.covariance)
    ok = result.emitted_ok
    parts.append("")
    if ok is None:
        parts.append("Emitted kernels: not measured (module not importable).")
    else:
        parts.append(f"Emitted kernels within bounds (max ULP {BOUNDS}, no non-finite output): "
                     + ("yes" if ok else "NO"))
    for n in result.notes:
        parts.append(f"note: {n}")
    if result.plots:
        parts.append(f"plots: {', '.join(result.plots)}")
    parts.append(f"time: {result.seconds:.1f} s")
    return "\n".join(parts)


def _clean(obj):
    """JSON-safe: NaN -> null, +-inf -> "inf"/"-inf", NumPy scalars -> Python."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            obj = obj.item()
        except (TypeError, ValueError):
            pass
    if isinstance(obj, float):
        if math.isnan(obj):
            return None
        if math.isinf(obj):
            return "inf" if obj > 0 else "-inf"
    return obj


def to_json_text(result: ProbeResult) -> str:
    d = result.to_json()
    d["summary_max_ulp"] = summary_matrix(result)
    return json.dumps(_clean(d), indent=1, allow_nan=False)
