"""The audit of files: extraction, identification, expectations, accuracy; the findings and the exit status."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import numpy as np
import sympy

from ..errors import InputError, UsageError
from . import _adapter as A
from . import ir
from .accuracy import LOSS_ULP, measure
from .extract import FileModel, Record, extract
from .identify import Binding, Context, Finding, Map, _X, agrees, deviation, gamma_like, screen_points
from .source import SourceFile, read_source

__all__ = ["Expectation", "AuditReport", "audit", "parse_expect", "parse_bind", "EXIT_OK", "EXIT_FAIL",
           "EXIT_USAGE", "EXIT_UNKNOWN"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3
_NAME = re.compile(r"^[A-Za-z_][\w.\[\]]*$")


@dataclass(frozen=True)
class Expectation:
    """``--expect NAME=FORMULA_ID``: NAME (or FUNCTION.NAME) must compute the formula."""

    name: str
    formula: str


def parse_expect(text) -> Expectation:
    if not isinstance(text, str) or text.count("=") != 1:
        raise UsageError(f"--expect {str(text)[:60]!r} is malformed; write NAME=FORMULA_ID, e.g. "
                         f"--expect alpha=code.renoise_alpha (NAME may be FUNCTION.NAME).")
    name, fid = (p.strip() for p in text.split("="))
    if not name or not fid or not _NAME.match(name) or not re.match(r"^[A-Za-z_][\w.]*$", fid):
        raise UsageError(f"--expect {text[:60]!r} is malformed; write NAME=FORMULA_ID with a Python name and a "
                         f"formula id, e.g. --expect generate_one_unit.beta=code.renoise_beta.")
    A.candidate_for(fid)  # an unknown formula id is a usage error, before any file is read
    return Expectation(name, fid)


def parse_bind(text) -> Binding:
    roles = sorted(set(A.LEVEL_ROLES) | set(A.GAMMA_ROLES))
    if not isinstance(text, str) or "=" not in text:
        raise UsageError(f"--bind {str(text)[:60]!r} is malformed; write NAME=ROLE with ROLE one of {', '.join(roles)}, "
                         f"e.g. --bind self.config.gamma=gamma_c.")
    name, role = (p.strip() for p in text.rsplit("=", 1))
    if role not in roles or not name:
        raise UsageError(f"--bind {text[:60]!r}: the role must be one of {', '.join(roles)}; e.g. "
                         f"--bind gamma=gamma_c (gamma holds the code's positive gamma_c).")
    return Binding(name, role)


@dataclass
class AuditReport:
    files: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        verdicts = [f.verdict for f in self.findings]
        if any(v in ("refuted", "missing") for v in verdicts):
            return EXIT_FAIL
        if any(v == "unknown" for v in verdicts):
            return EXIT_UNKNOWN
        return EXIT_OK

    @property
    def ok(self) -> bool:
        return self.exit_status == EXIT_OK

    def to_json(self) -> dict:
        return {"ok": self.ok, "files": list(self.files), "findings": [f.to_json() for f in self.findings]}


# ------------------------------------------------------------------------------ evidence
def _last_name(text: str) -> str:
    base = re.split(r"[\[(]", text)[0]
    return base.rsplit(".", 1)[-1]


def _scoped_evidence(model: FileModel, sym: str, origin: str | None, function: str):
    """The nearest literal that feeds the symbol: its function's own default, then its class's."""
    scoped = model.scoped_defaults
    if origin is None and sym in scoped.get(function, {}):
        return [scoped[function][sym]]
    text = origin or sym
    if "." in function and text.startswith(("self.", "cls.")):
        cls = function.rsplit(".", 1)[0]
        name = _last_name(text)
        for where in (f"{cls}.__init__", cls):
            if name in scoped.get(where, {}):
                return [scoped[where][name]]
    return None


def gamma_evidence(model: FileModel, sym: str, origin: str | None, function: str = "<module>"):
    """What the file says about a gamma symbol's sign: ("gamma_c" | "gamma", reason) or None."""
    vals = _scoped_evidence(model, sym, origin, function)
    if vals is None:
        names = {_last_name(sym)}
        if origin:
            names.add(_last_name(origin))
        vals = []
        for n in names:
            vals.extend(model.defaults.get(n, []))
    if not vals:
        return None
    signs = {(v > 0) - (v < 0) for v, _, _ in vals}
    if signs == {1}:
        v, line, text = vals[0]
        return "gamma_c", f"{sym} holds the code's positive gamma_c: {text}"
    if signs == {-1}:
        v, line, text = vals[0]
        return "gamma", f"{sym} holds the paper's negative gamma: {text}"
    return None


# ------------------------------------------------------------------------------ maps
def _maps(cand, syms, roles_fixed, gamma_named):
    """Every injective map of the file symbols onto the candidate's variables, with admissibility."""
    n = len(syms)
    if n != len(cand.vars):
        return
    for perm in itertools.permutations(range(n)):
        ok = True
        for pos, vi in enumerate(perm):
            v = cand.vars[vi]
            fixed = roles_fixed.get(syms[pos])
            if v.kind == "level" and (fixed in A.GAMMA_ROLES or (fixed is None and gamma_named[pos])):
                ok = False
            if v.kind == "gamma" and (fixed in A.LEVEL_ROLES or fixed == "noise level"):
                ok = False
        if not ok:
            continue
        for flips in itertools.product((False, True), repeat=n):
            m = Map(tuple(syms), tuple(zip(perm, flips)))
            roles = m.roles(cand)
            admissible = all(_fits(roles_fixed.get(s), roles[s]) for s in syms)
            yield m, admissible


def _fits(fixed, role) -> bool:
    if fixed is None:
        return True
    if fixed == "noise level":
        return role in ("sigma_end", "sigma_start")
    return fixed == role


def noise_named(name: str) -> bool:
    """A level named sigma (sigmas, start_sigma, sigma_end, σ) is a noise level: sigma = 1 - t."""
    base = re.split(r"[\[(]", name)[0].rsplit(".", 1)[-1]
    tokens = {t.lower() for t in re.split(r"[^0-9A-Za-zσ]+", base) if t}
    return bool(tokens & {"sigma", "sigmas", "σ"})


def _lhs(record: Record, syms):
    return ir.to_sympy(record.node, {s: _X[i] for i, s in enumerate(syms)})


def _named(text: str, syms) -> str:
    for i, s in enumerate(syms):
        text = re.sub(rf"\bx{i}\b", s, text)
    return text


def _expression_text(record: Record) -> str:
    syms = sorted(ir.free_symbols(record.node))
    e = ir.to_sympy(record.node, {s: sympy.Symbol(s) for s in syms})
    if isinstance(e, sympy.MatrixBase):
        return str(e.tolist())
    return str(e)


def _counterexample(res, syms) -> dict | None:
    ce = getattr(res, "counterexample", None)
    if not ce:
        return None
    point = {}
    for k, v in (ce.get("point") or {}).items():
        m = re.fullmatch(r"x(\d+)", k)
        point[syms[int(m.group(1))] if m else k] = v
    out = {"point": point}
    for key, new in (("lhs", "file"), ("rhs", "formula"), ("difference", "difference"), ("entry", "entry")):
        if ce.get(key) is not None:
            out[new] = ce[key]
    return out


def _convention(roles: dict[str, str]) -> str:
    sides = {"code" if r in ("sigma_end", "sigma_start", "gamma_c") else "paper" for r in roles.values()}
    return sides.pop() if len(sides) == 1 else "mixed"


class _Run:
    def __init__(self, ctx: Context, expects, check_accuracy: bool = True):
        self.ctx = ctx
        self.expects = expects
        self.cands = A.candidates()
        self.check_accuracy = check_accuracy
        self._record_vals: dict = {}

    # -- one record ------------------------------------------------------------------------
    def setup(self, model: FileModel, record: Record):
        syms = sorted(ir.free_symbols(record.node))
        roles_fixed, reasons = {}, []
        gamma_named = []
        for s in syms:
            origin = record.origins.get(s, (None, None))[1]
            bound = self.ctx.bound_role(s, origin)
            if bound is not None:
                roles_fixed[s] = bound
                reasons.append(f"{s} bound to {bound} (--bind)")
                gamma_named.append(bound in A.GAMMA_ROLES)
                continue
            named = gamma_like(s) or (origin is not None and gamma_like(origin))
            gamma_named.append(named)
            if named:
                ev = gamma_evidence(model, s, origin, record.function)
                if ev is not None:
                    roles_fixed[s] = ev[0]
                    reasons.append(ev[1])
            elif noise_named(s) or (origin is not None and noise_named(origin)):
                roles_fixed[s] = "noise level"
                reasons.append(f"{s} is a noise level (sigma = 1 - t) by its name")
        return syms, roles_fixed, gamma_named, reasons

    def record_values(self, record, syms, intervals):
        key = (id(record), tuple(intervals))
        if key not in self._record_vals:
            pts = screen_points(intervals)
            vals = ir.evaluate(record.node, {s: pts[:, j] for j, s in enumerate(syms)}, np.complex128)
            if record.node.shape is None:
                vals = np.broadcast_to(vals, (len(pts),))
            self._record_vals[key] = (pts, vals)
        return self._record_vals[key]

    def eligible(self, record: Record, syms, gamma_named) -> tuple[bool, bool]:
        """(worth identifying, worth a near-miss report)."""
        node = record.node
        if not syms or len(syms) > 2:
            return False, False
        if node.shape is not None:
            ok = node.shape == (4, 4) or node.shape[0] == node.shape[1]
            return ok, ok and any(gamma_named)
        specific = ir.has_radical(node) or ir.is_rational_nonpolynomial(node)
        if any(gamma_named):
            return True, specific
        return specific, False

    def screen(self, record, syms, cands, roles_fixed, gamma_named):
        """[(deviation, admissible, candidate, map)] for every map, best first."""
        out = []
        for cand in cands:
            if (cand.shape is None) != (record.node.shape is None):
                continue
            if cand.shape is not None and cand.shape != record.node.shape:
                continue
            for m, admissible in _maps(cand, syms, roles_fixed, gamma_named):
                pts, vals = self.record_values(record, syms, m.intervals(cand))
                fv = self.ctx.formula_values(cand, m, pts)
                if agrees(vals, fv):
                    dev = 0.0
                else:
                    dev = deviation(vals, fv)
                out.append((dev, admissible, cand, m))
        out.sort(key=lambda t: (t[0], not t[1], t[3].flips, _rank(t[2])))
        return out

    def analyse(self, model: FileModel, record: Record) -> Finding | None:
        syms, roles_fixed, gamma_named, reasons = self.setup(model, record)
        ident, near = self.eligible(record, syms, gamma_named)
        if not ident:
            return None
        scored = self.screen(record, syms, self.cands, roles_fixed, gamma_named)
        if not scored:
            return None
        matches = [t for t in scored if t[0] == 0.0]
        adm = [t for t in matches if t[1]]
        if adm:
            _, _, cand, m = adm[0]
            return self.decide(record, syms, cand, m, "identified", reasons, [t for t in adm[1:3]])
        if matches and (any(gamma_named) or any(self.ctx.bound_role(s, record.origins.get(s, (0, None))[1])
                                                for s in syms)):
            # equal to a formula only under a convention the file (or --bind) rules out
            _, _, cand, m0 = matches[0]
            options = [t for t in scored if t[1] and t[2].id == cand.id]
            if options:
                _, _, _, m = options[0]
                wrong = m0.roles(cand)
                why = ", ".join(f"{s} as {wrong[s]}" for s in syms if wrong[s] != m.roles(cand)[s])
                note = f"equals {cand.id} only when {why}; " + "; ".join(reasons)
                return self.decide(record, syms, cand, m, "convention", reasons, [], note=note)
        if not near:
            return None
        admissible = [t for t in scored if t[1]]
        if not admissible:
            return None
        dev, _, cand, m = admissible[0]
        f = self.decide(record, syms, cand, m, "unidentified", reasons, [],
                        note=f"matches no formula; nearest is {cand.id} (mean relative deviation {dev:.3g} "
                             f"at 7 sample points)")
        return f

    def decide(self, record, syms, cand, m: Map, kind, reasons, others, note="") -> Finding:
        lhs = _lhs(record, syms)
        res = self.ctx.proof(lhs, cand, m)
        roles = m.roles(cand)
        cert = list(getattr(res, "certificate", []) or [])
        cert += [f"side condition: {c}" for c in getattr(res, "side_conditions", []) or []]
        if kind == "identified" and others:
            cert.append("also equal to " + ", ".join(f"{c.id} ({', '.join(f'{s} as {r}' for s, r in mm.roles(c).items())})"
                                                     for _, _, c, mm in others))
        notes = [note] if note else []
        if kind != "convention":
            notes += reasons
        if getattr(res, "note", ""):
            notes.append(res.note)
        verdict = res.verdict
        finding = Finding(
            file=record.file, line=record.line, function=record.function, target=record.target,
            source=record.source, expression=_expression_text(record),
            bindings=roles, convention=_convention(roles), formula=cand.id, verdict=verdict,
            certificate=[_named(c, syms) for c in cert], counterexample=_counterexample(res, syms),
            max_ulp={"float32": None, "float64": None}, kind=kind, note="; ".join(n for n in notes if n),
            col=record.col, record=record, candidate=cand, map=m)
        if record.context:
            finding.note = (f"{record.context}; " + finding.note).rstrip("; ")
        if verdict == "proved" and self.check_accuracy:
            self.accuracy(finding, syms)
        return finding

    def accuracy(self, finding: Finding, syms):
        cand, m, record = finding.candidate, finding.map, finding.record
        kinds = [cand.vars[i].kind for i, _ in m.slots]
        ref_expr = self.ctx.formula_expr(cand, m)
        try:
            ulps, note = measure(record.node, syms, kinds, m.intervals(cand), (cand.id, m.signature), ref_expr,
                                 _X[: len(syms)], self.ctx.refs)
        except Exception as exc:  # noqa: BLE001 - a measurement failure must not hide the proof
            ulps, note = {"float32": None, "float64": None}, f"accuracy not measured ({type(exc).__name__})"
        finding.max_ulp = ulps
        worst = max((v for v in ulps.values() if v is not None), default=None)
        if note:
            finding.note = "; ".join(x for x in (finding.note, note) if x)
        if cand.kernel and worst is not None and worst > LOSS_ULP:
            finding.stable_kernel = cand.kernel
            finding.note = "; ".join(x for x in (finding.note, (
                f"as written it loses up to {worst:.3g} ULP; call pyramid_sym.kernels.numpy_kernels.{cand.kernel} "
                f"(or torch_kernels.{cand.kernel}) instead")) if x)

    # -- expectations ----------------------------------------------------------------------
    def expectation(self, model: FileModel, record: Record, exp: Expectation, existing: Finding | None) -> Finding:
        cand = A.candidate_for(exp.formula)
        if existing is not None and existing.formula == cand.id and existing.verdict == "proved":
            existing.kind = "expectation"
            return existing
        syms, roles_fixed, gamma_named, reasons = self.setup(model, record)
        if len(syms) < len(cand.vars) and (cand.shape is None) == (record.node.shape is None):
            syms, roles_fixed, gamma_named = _pad(cand, syms, roles_fixed, gamma_named, reasons)
        if len(syms) != len(cand.vars) or (cand.shape is None) != (record.node.shape is None) or (
                cand.shape is not None and cand.shape != record.node.shape):
            return Finding(record.file, record.line, record.function, record.target, record.source,
                           _expression_text(record), {}, None, cand.id, "unknown",
                           [], None, {"float32": None, "float64": None}, "expectation",
                           note=f"expected {cand.id}, a function of {len(cand.vars)} variable(s) "
                                f"({', '.join(str(v.symbol) for v in cand.vars)}); the line computes "
                                f"{'a matrix' if record.node.shape else 'an expression'} of {len(syms)} "
                                f"({', '.join(syms)}), so no map of its names can make them equal",
                           col=record.col, record=record)
        scored = self.screen(record, syms, [cand], roles_fixed, gamma_named)
        admissible = [t for t in scored if t[1]]
        if not admissible:
            return Finding(record.file, record.line, record.function, record.target, record.source,
                           _expression_text(record), {}, None, cand.id, "unknown", [], None,
                           {"float32": None, "float64": None}, "expectation",
                           note="no admissible map of the line's names onto the formula's variables; "
                                + "; ".join(reasons), col=record.col, record=record)
        _, _, _, m = admissible[0]
        return self.decide(record, syms, cand, m, "expectation", reasons, [])


def _pad(cand, syms, roles_fixed, gamma_named, reasons):
    """A line that ignores a variable of the expected formula (a gamma fixed to a number): the variable is
    added as a free symbol the line does not use, so that the prover can refute it where it matters."""
    syms, roles_fixed, gamma_named = list(syms), dict(roles_fixed), list(gamma_named)
    kinds_used = set()
    for s, named in zip(syms, gamma_named):
        kinds_used.add("gamma" if named or roles_fixed.get(s) in A.GAMMA_ROLES else "level")
    for v in cand.vars:
        if v.kind in kinds_used:
            continue
        name = v.role(False)
        while name in syms:
            name += "'"
        syms.append(name)
        roles_fixed[name] = v.role(False)
        gamma_named.append(v.kind == "gamma")
        reasons.append(f"the line does not use {name}: it is treated as free")
        kinds_used.add(v.kind)
    order = sorted(range(len(syms)), key=lambda i: syms[i])
    return [syms[i] for i in order], roles_fixed, [gamma_named[i] for i in order]


def _drop_building_blocks(findings: list[Finding]) -> list[Finding]:
    """A near miss that is a piece of a proved formula (r = sqrt(1 + 1/gamma) feeding a proved alpha) is no finding."""
    inside: set[int] = set()
    for f in findings:
        if f.verdict == "proved" and f.record is not None:
            stack = [f.record.node]
            while stack:
                n = stack.pop()
                if id(n) in inside:
                    continue
                inside.add(id(n))
                stack.extend(n.args)
    return [f for f in findings
            if not (f.kind == "unidentified" and f.record is not None and id(f.record.node) in inside)]


def _rank(cand) -> int:
    return {"code": 0, "paper": 1, "derived": 2}.get(cand.convention, 3)


def _matches(record: Record, name: str) -> bool:
    if record.target == name:
        return True
    full = f"{record.function}.{record.target}"
    return full == name or full.endswith("." + name)


def audit(paths, *, function: str | None = None, expects=(), binds=(), accuracy: bool = True) -> AuditReport:
    """Audit the files: every finding, in file and line order."""
    if not paths:
        raise UsageError("no file given; name one or more Python files, e.g. pyramid-sym audit scheduler.py.")
    # every file is read before any proof: bad input first (SourceFile objects are taken as already read)
    models = [extract(p if isinstance(p, SourceFile) else read_source(p)) for p in paths]
    ctx = Context(list(binds))
    run = _Run(ctx, list(expects), check_accuracy=accuracy)
    report = AuditReport([m.source.path for m in models])
    for model in models:
        for record in model.records:
            if function and not (record.function == function or record.function.endswith("." + function)):
                continue
            try:
                finding = None if record.alias else run.analyse(model, record)
                for exp in run.expects:
                    if _matches(record, exp.name):
                        finding = run.expectation(model, record, exp, finding)
            except RecursionError:
                finding = Finding(record.file, record.line, record.function, record.target, record.source, None,
                                  {}, None, None, "unknown", [], None, {"float32": None, "float64": None},
                                  "unidentified", note="the expression is nested too deeply to decide",
                                  col=record.col, record=record)
            if finding is not None:
                report.findings.append(finding)
    report.findings = _drop_building_blocks(report.findings)
    for exp in run.expects:
        if not any(f.kind == "expectation" and f.record is not None and _matches(f.record, exp.name)
                   for f in report.findings):
            names = sorted({f"{fn}.{t}" if fn != "<module>" else t
                            for m in models for fn, ts in m.targets.items() for t in ts
                            if not t.startswith("\x00")})
            shown = ", ".join(names[:40]) + (f", ... ({len(names)} in all)" if len(names) > 40 else "")
            report.findings.append(Finding(
                ", ".join(report.files), None, None, exp.name, None, None, {}, None, exp.formula, "missing", [],
                None, {"float32": None, "float64": None}, "missing",
                note=f"no assignment to {exp.name} computes an expression"
                     + (f" in function {function}" if function else "") + f"; the names assigned are: {shown or 'none'}"))
    unused = [b.name for b in ctx.binds if b.name not in ctx.used_binds]
    if unused:
        raise InputError(f"--bind {unused[0]!r} names no free symbol of the audited lines; bind a name that the "
                         f"audit prints in its bindings (a local such as gamma, or a leaf such as self.config.gamma).")
    report.findings.sort(key=lambda f: (f.file, f.line if f.line is not None else 10**9))
    return report
