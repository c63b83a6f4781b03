"""Time ``pyramid-sym audit`` on a generated 2,000-line file (target: <= 10 s on 2 cores).

The file is written in the styles users write: scheduler classes reading
``self.config.gamma`` in loops over stages, re-noising functions in the code's and the
paper's conventions, some of them wrong (gamma's sign flipped, a square root
dropped, the ratio inverted), between ordinary tensor code that names no formula.
The benchmark prints the wall time of a cold process next to the target, the
number of findings by verdict, and the time of the extraction alone.

    python benchmarks/bench_audit.py [--lines 2000] [--repeat 3]
    python benchmarks/bench_audit.py --mutants CHECKOUT/diffusion_schedulers/scheduling_flow_matching.py \
                                               CHECKOUT/pyramid_dit/pyramid_dit_for_video_gen_pipeline.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_SECONDS = 10.0

_CLASS = '''
class StageScheduler{i}:
    def __init__(self, num_steps: int = 1000, stages: int = 3, gamma: float = 1/3):
        self.num_steps = num_steps
        self.stages = stages
        self.gamma = gamma
        self.starts = {{}}
        self.ends = {{}}

    def build(self, table):
        for k in range(self.stages):
            begin = int(k * self.num_steps / self.stages)
            end_sigma_{i} = table[begin].item()
            if k > 0:
                signal = 1 - end_sigma_{i}
                g = self.config.gamma
                fixed = signal / (math.sqrt(1 + 1 / g) * (1 - signal) + signal)
                end_sigma_{i} = 1 - fixed
            self.starts[k] = end_sigma_{i}
            width = self.num_steps // self.stages
            offset = begin + width * 2 - 1
            scale = offset / max(width, 1)
            self.ends[k] = scale * 0.5 + begin

    def renoise(self, latents, noise, k):
        e = 1 - self.starts[k]
        g = self.config.gamma
        a = 1 / (math.sqrt(1 + 1 / g) * (1 - e) + e)
        b = a * (1 - e) / math.sqrt({beta_gamma})
        return a * latents + b * noise
'''

_PAPER = '''
def jump_end_{i}(s_k, gamma=-1/3):
    num = s_k * math.sqrt(1 - gamma)
    den = (1 - s_k) * math.sqrt({paper_g}) + s_k * math.sqrt(1 - gamma)
    return num / den


def corrective_std_{i}(s_k, gamma=-1/3):
    return (1 - s_k) / (1 - gamma) ** 0.5
'''

_FILLER = '''
def layer_{i}(x, weight, bias, eps=1e-6):
    h = x @ weight + bias
    mean = h.mean(-1, keepdim=True)
    var = ((h - mean) ** 2).mean(-1, keepdim=True)
    h = (h - mean) / torch.sqrt(var + eps)
    h = torch.nn.functional.gelu(h) * 0.5 + h * 0.5
    scale = h.shape[-1] ** -0.5
    attn = (h @ h.transpose(-1, -2)) * scale
    attn = attn.softmax(-1)
    out = attn @ h
    out = out + x
    for step in range(4):
        out = out * (1 - 0.1 * step) + x * 0.1 * step
    return out
'''


def generate(lines: int) -> str:
    """Exactly ``lines`` lines: whole blocks while they fit, then module-level constants."""
    out = ["import math", "import numpy as np", "import torch", ""]
    i = 0
    while True:
        wrong = i % 4 == 3
        block = (_CLASS.format(i=i, beta_gamma="g" if not wrong else "1 + g")
                 + _PAPER.format(i=i, paper_g="-gamma" if i % 5 else "gamma") + _FILLER.format(i=i)).splitlines()
        if len(out) + len(block) > lines:
            break
        out.extend(block)
        i += 1
    k = 0
    while len(out) < lines:
        out.append(f"STEP_{k} = {k} * 0.5")
        k += 1
    return "\n".join(out) + "\n"


# --- mutants of the proved lines of real files ---------------------------------------------------------
def _mutations(stmt, invert: bool = True):
    """Single-point mutants of an assignment's right-hand side (ast in, source text out)."""
    import ast
    import copy

    swaps = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
    nodes = [n for n in ast.walk(stmt.value)]
    out = []
    for i, n in enumerate(nodes):
        def mutate(fn, i=i):
            m = copy.deepcopy(stmt)
            target = [x for x in ast.walk(m.value)][i]
            if fn(m, target):
                out.append(ast.unparse(m))

        if isinstance(n, ast.BinOp) and type(n.op) in swaps:
            mutate(lambda m, t: setattr(t, "op", swaps[type(t.op)]()) or True)
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub) and isinstance(n.left, ast.Constant):
            mutate(lambda m, t: _replace(m, t, t.right))            # 1 - x  ->  x  (level convention swapped)
        if isinstance(n, ast.Call) and getattr(n.func, "attr", getattr(n.func, "id", "")) == "sqrt" and n.args:
            mutate(lambda m, t: _replace(m, t, t.args[0]))          # square root dropped
        if isinstance(n, ast.Name) and "gamma" in n.id:
            mutate(lambda m, t: _replace(m, t, ast.UnaryOp(ast.USub(), copy.deepcopy(t))))  # gamma's sign
        if isinstance(n, ast.Constant) and n.value == 1:
            mutate(lambda m, t: setattr(t, "value", 2) or True)     # a constant changed
    if invert:
        m = copy.deepcopy(stmt)
        m.value = ast.BinOp(ast.Constant(1), ast.Div(), m.value)  # ratio inverted
        out.append(ast.unparse(m))
    return list(dict.fromkeys(out))


def _replace(root, old, new) -> bool:
    import ast

    for parent in ast.walk(root):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return True
            if isinstance(value, list) and any(v is old for v in value):
                value[[j for j, v in enumerate(value) if v is old][0]] = new
                return True
    return False


def mutants(files) -> int:
    """Mutate every proved single-line assignment of the files; each mutant must be refuted at its line."""
    import ast

    from pyramid_sym.audit import audit, parse_expect

    killed = equivalent = survived = 0
    for path in files:
        report = audit([path], accuracy=False)
        lines = open(path).read().splitlines()
        tree = ast.parse("\n".join(lines))
        stmts = {n.lineno: n for n in ast.walk(tree)
                 if isinstance(n, (ast.Assign, ast.Return)) and n.value is not None and n.lineno == n.end_lineno}
        with tempfile.TemporaryDirectory() as tmp:
            copy_path = os.path.join(tmp, os.path.basename(path))
            for f in report.findings:
                if f.verdict != "proved" or f.line not in stmts:
                    continue
                stmt = stmts[f.line]
                indent = lines[f.line - 1][: len(lines[f.line - 1]) - len(lines[f.line - 1].lstrip())]
                name = f"{f.function.rsplit('.', 1)[-1]}.{f.target}"
                for text in _mutations(stmt, invert=f.record.node.shape is None):
                    new = list(lines)
                    new[f.line - 1] = indent + text
                    with open(copy_path, "w") as fh:
                        fh.write("\n".join(new) + "\n")
                    rep = audit([copy_path], accuracy=False, expects=[parse_expect(f"{name}={f.formula}")])
                    got = [g for g in rep.findings if g.line == f.line and g.kind == "expectation"]
                    verdict = got[0].verdict if got else "missing"
                    names_ok = bool(got and got[0].counterexample and
                                    set(got[0].counterexample["point"]) <= set(f.bindings) | set(got[0].bindings))
                    if verdict == "refuted" and names_ok:
                        killed += 1
                    elif verdict == "proved":
                        equivalent += 1
                        print(f"  proved equal: {os.path.basename(path)}:{f.line}: {text.strip()} "
                              f"({', '.join(f'{k} as {v}' for k, v in got[0].bindings.items())})")
                    else:
                        survived += 1
                        print(f"  not refuted: {os.path.basename(path)}:{f.line}: {text.strip()} -> {verdict}")
    total = killed + equivalent + survived
    print(f"mutants of the proved lines: {total}; refuted with a counterexample in the file's names {killed}, "
          f"proved equal (equivalent mutants) {equivalent}, neither {survived}")
    return 0 if survived == 0 else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mutants", nargs="+", metavar="FILE", default=None,
                    help="instead of timing: mutate every proved line of these files (e.g. a checkout's "
                         "scheduler and pipeline) and audit each mutant against the formula it was proved equal to")
    args = ap.parse_args(argv)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if args.mutants:
        sys.path.insert(0, root)
        return mutants(args.mutants)
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "generated_pipeline.py")
        with open(path, "w") as fh:
            fh.write(generate(args.lines))
        n_lines = sum(1 for _ in open(path))
        times, payload = [], None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, "-m", "pyramid_sym", "audit", path, "--json"],
                               capture_output=True, text=True, env=env)
            times.append(time.perf_counter() - t0)
            payload = json.loads(p.stdout)
        sys.path.insert(0, root)
        from pyramid_sym.audit.extract import extract
        from pyramid_sym.audit.source import read_source

        t0 = time.perf_counter()
        model = extract(read_source(path))
        t_extract = time.perf_counter() - t0
    counts: dict[str, int] = {}
    for f in payload["findings"]:
        counts[f["verdict"]] = counts.get(f["verdict"], 0) + 1
    med = statistics.median(times)
    print(f"file: {n_lines} lines, {len(model.records)} computing assignments")
    print(f"findings: {len(payload['findings'])} " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    print(f"audit, cold process: median {med:.2f} s of {args.repeat} (min {min(times):.2f}, max {max(times):.2f}); "
          f"target {TARGET_SECONDS:.0f} s: {med / TARGET_SECONDS:.2f} of the target")
    print(f"extraction alone (ast + slices, in process): {t_extract:.3f} s")
    worst_bad = bad_inputs(env)
    return 0 if med <= TARGET_SECONDS and worst_bad <= BAD_INPUT_SECONDS else 1


BAD_INPUT_SECONDS = 2.0


def bad_inputs(env) -> float:
    """Each kind of bad input: exit status, lines on stderr and wall time of a cold process (target 2 s)."""
    cases = {
        "binary file": lambda p: p.write_bytes(bytes(range(256)) * 16),
        "empty file": lambda p: p.write_text(""),
        "Python 2 file": lambda p: p.write_text("import math\nprint 'gamma', math.sqrt(2)\n"),
        "10,000 nested parentheses": lambda p: p.write_text("x = " + "(" * 10000 + "1" + ")" * 10000 + "\n"),
        "100,000 unary minus signs": lambda p: p.write_text("x = " + "-" * 100000 + "1\n"),
        "a directory": lambda p: p.mkdir(),
    }
    from pathlib import Path

    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, make) in enumerate(cases.items()):
            path = Path(tmp) / f"case{i}.py"
            make(path)
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, "-m", "pyramid_sym", "audit", str(path)], capture_output=True,
                               text=True, env=env)
            dt = time.perf_counter() - t0
            worst = max(worst, dt)
            lines = len(p.stderr.strip().splitlines())
            print(f"bad input, {label}: exit {p.returncode}, {lines} line, {dt:.2f} s "
                  f"({dt / BAD_INPUT_SECONDS:.2f} of the 2 s target)")
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
