"""``pyramid-sym schedule``: the reference scheduler's stages, in reference floats or in closed form.

Code convention: sigma is the noise level (1 = noise, 0 = data), gamma the code's positive
gamma_c, stage i the code index (i = 0 coarsest; paper stage k = K-1-i).
"""

from __future__ import annotations

import json
import sys

from ..errors import InputError, PyramidSymError

NAME = "schedule"
HELP = "print the reference scheduler's stages: sigma windows, corrected starts, timestep windows, alpha, beta"
DESCRIPTION = (
    "Model the reference scheduler (code convention: sigma = noise level, gamma > 0, code stage i = 0 "
    "coarsest, paper stage k = K-1-i) and print, per stage, the sigma window, the corrected (rolled back) "
    "start, the timestep ratio and timestep windows, the re-noising alpha and beta, and the inference grid. "
    "Without --exact the numbers reproduce the reference scheduler's float32/float64 arithmetic; with "
    "--exact they are closed forms (rationals and radicals)."
)
ORDER = 60


def add_arguments(parser) -> None:
    parser.add_argument("--stages", default="3", metavar="N", help="number of stages K (default 3)")
    parser.add_argument("--stage-range", default=None, metavar="LIST",
                        help="K+1 comma-separated non-decreasing numbers in [0, 1] (default K equal parts: 0,1/3,2/3,1)")
    parser.add_argument("--gamma", default="1/3", metavar="G",
                        help="the code's positive gamma_c in (0, 1/(n-1)] (default 1/3)")
    parser.add_argument("--shift", default="1", metavar="S", help="SD3 time shift, > 0 (default 1: none)")
    parser.add_argument("--steps", default="20", metavar="LIST",
                        help="inference steps per stage, comma-separated, one value for all stages (default 20)")
    parser.add_argument("--num-train-timesteps", default="1000", metavar="T",
                        help="length T of the global table (default 1000)")
    parser.add_argument("--block", default="4", metavar="N",
                        help="entries per up-sampling block, n (default 4: 2x2 nearest up-sampling)")
    parser.add_argument("--exact", action="store_true", help="closed forms (SymPy rationals and radicals)")
    parser.add_argument("--numpy", default=None, choices=("1", "2"),
                        help="which numpy.linspace to model for the per-stage timesteps: 1 (NumPy 1.x, float64, "
                             "as the reference repository pins) or 2 (NumPy >= 2, float32); default: the installed "
                             "NumPy's")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _int(text: str, option: str, fix: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InputError(f"{option} {text!r} is not an integer; {fix}.") from None


def _list(text: str, option: str, example: str) -> list[str]:
    items = [p.strip() for p in text.split(",")]
    if not items or any(not p for p in items):
        raise InputError(f"{option} {text!r} has an empty entry; give comma-separated values such as {example}.")
    return items


def _number(text: str, option: str) -> str:
    """Check that ``text`` is a number (the package's one reader, :func:`pyramid_sym.domain.parse_number`)."""
    from ..domain import parse_number

    try:
        parse_number(text)
    except PyramidSymError as exc:
        raise InputError(f"{option}: {exc}") from None
    return text


_MAX_CLI_STEPS = 10_000  # every step is printed; more than this is no readable schedule


def _schedule_from(args):
    from ..schedule import EXACT, MAX_STAGES, REFERENCE, PyramidSchedule

    K = _int(args.stages, "--stages", "give a whole number of stages such as 3")
    if not 1 <= K <= MAX_STAGES:
        raise InputError(f"--stages {K} is outside 1..{MAX_STAGES}; pyramids have a few stages, e.g. 3 (the reference default).")
    T = _int(args.num_train_timesteps, "--num-train-timesteps", "give a whole number such as 1000")
    block = _int(args.block, "--block", "give the entries per up-sampling block, e.g. 4 for 2x2")
    stage_range = None
    if args.stage_range is not None:
        stage_range = [_number(p, "--stage-range entry") for p in _list(args.stage_range, "--stage-range", "0,1/3,2/3,1")]
    gamma = _number(args.gamma.strip(), "--gamma")
    shift = _number(args.shift.strip(), "--shift")
    steps = [_int(p, "--steps", "give whole step counts such as 20,20,20") for p in _list(args.steps, "--steps", "20,20,20")]
    if len(steps) == 1:
        steps = steps * K
    if len(steps) != K:
        raise InputError(f"--steps has {len(steps)} values for {K} stages; give one value or {K} comma-separated values.")
    for n in steps:
        if n < 1:
            raise InputError(f"--steps value {n} is below 1; every stage needs at least one inference step, e.g. 20.")
        if n > _MAX_CLI_STEPS:
            raise InputError(f"--steps value {n} is above {_MAX_CLI_STEPS}, the most this command prints; "
                             f"give a step count such as 20.")
    sched = PyramidSchedule(num_train_timesteps=T, shift=shift, stages=K, stage_range=stage_range, gamma=gamma,
                            mode=EXACT if args.exact else REFERENCE, block=block,
                            numpy=None if args.numpy is None else int(args.numpy))
    return sched, steps


def _num(x, exact: bool):
    """A number for JSON: a float (reference), or {"exact": text, "value": float} (exact)."""
    if x is None:
        return None
    if exact:
        return {"exact": str(x), "value": float(x)}
    return float(x)


def _show(x, exact: bool) -> str:
    if x is None:
        return "-"
    if exact:
        import sympy

        x = sympy.sympify(x)
        return str(x) if x.is_Integer else f"{x} \u2248 {float(x):.12g}"
    return repr(float(x))


def _stage_records(sched, steps, exact: bool) -> list[dict]:
    out = []
    for i in range(sched.stages):
        s = sched.stage_summary(i)
        ts, sg = sched.set_timesteps(steps[i], i)
        out.append({
            "code_stage": s["code_stage"],
            "paper_stage": s["paper_stage"],
            "sigma_window": [_num(s["start_sigma"], exact), _num(s["end_sigma"], exact)],
            "ori_start_sigma": _num(s["ori_start_sigma"], exact),
            "corrected_start_sigma": _num(s["start_sigma"], exact),
            "rollback": _num(s["rollback"], exact),
            "timestep_ratio": [_num(v, exact) for v in s["timestep_ratio"]],
            "timestep_window": [_num(v, exact) for v in s["timestep_window"]],
            "alpha": _num(s["alpha"], exact),
            "beta": _num(s["beta"], exact),
            "num_inference_steps": steps[i],
            "inference_timesteps": [_num(v, exact) for v in ts],
            "inference_sigmas": [_num(v, exact) for v in sg],
        })
    return out


def _text(sched, steps, exact: bool) -> str:
    from ..schedule import block_label

    c = sched.config()
    rng = ",".join(str(v) for v in c["stage_range"])
    lines = [
        f"Pyramid-Flow schedule ({'exact closed forms' if exact else 'reference float arithmetic: float32 table, float64 elsewhere; ' + sched.numpy_behaviour})",
        f"T={c['num_train_timesteps']}  shift={c['shift']}  stages={c['stages']}  stage_range={rng}  "
        f"gamma={c['gamma']} ({block_label(sched.block)})",
        "code convention: sigma = noise level (1 noise, 0 data); code stage i, paper stage k = K-1-i; "
        "the stage-local sigmas run 1 -> 0 in every stage, global sigma = end + (start - end) sigma_local",
    ]
    for i in range(sched.stages):
        s = sched.stage_summary(i)
        ts, sg = sched.set_timesteps(steps[i], i)
        lines.append("")
        lines.append(f"stage i={i} (paper k={s['paper_stage']})")
        lines.append(f"  sigma window       {_show(s['start_sigma'], exact)}  ->  {_show(s['end_sigma'], exact)}")
        if i == 0:
            lines.append(f"  start              {_show(s['start_sigma'], exact)} (first stage: no jump, no correction)")
        else:
            lines.append(f"  original start     {_show(s['ori_start_sigma'], exact)} (= end sigma of stage {i - 1})")
            lines.append(f"  corrected start    {_show(s['start_sigma'], exact)}")
            lines.append(f"  rollback           {_show(s['rollback'], exact)} (corrected - original, towards noise)")
        lo, hi = s["timestep_ratio"]
        lines.append(f"  timestep ratio     {_show(lo, exact)}  ->  {_show(hi, exact)}")
        t0, t1 = s["timestep_window"]
        lines.append(f"  timestep window    {_show(t0, exact)}  ->  {_show(t1, exact)}")
        if i == 0:
            lines.append("  alpha, beta        - (no jump into the first stage)")
        else:
            lines.append(f"  alpha              {_show(s['alpha'], exact)}")
            lines.append(f"  beta               {_show(s['beta'], exact)}")
        n = steps[i]
        if exact:
            if n > 1:
                lines.append(f"  inference steps    n={n}: t_j = t_0 + (t_last - t_0) j/(n-1), "
                             f"sigma_local_j = 1 - (1 - {sg[-2]}) j/(n-1), j = 0..n-1, then sigma = 0")
            else:
                lines.append("  inference steps    n=1: t_0 only, sigma_local 1, then 0")
        else:
            lines.append(f"  inference steps    n={n}: timesteps " + ", ".join(f"{float(v):.6g}" for v in ts))
            lines.append("                     sigmas (stage-local) " + ", ".join(f"{float(v):.6g}" for v in sg))
    return "\n".join(lines)


def run(args) -> int:
    sched, steps = _schedule_from(args)
    exact = sched.mode == "exact"
    if args.json:
        payload = {"config": sched.config(), "convention": "code", "numpy_behaviour": sched.numpy_behaviour,
                   "sigma_max": _num(sched.sigma_max, exact), "sigma_min": _num(sched.sigma_min, exact),
                   "stages": _stage_records(sched, steps, exact)}
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_text(sched, steps, exact) + "\n")
    return 0
