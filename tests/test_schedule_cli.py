"""``pyramid-sym schedule``: the reference scheduler's stages on the command line.

Reference numbers come from the package's ``data/pyramid_flow_schedule_default.json``
(produced by running the reference scheduler; provenance in ``pyramid_sym/data/README.md``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest
import sympy

from pyramid_sym.cli import main
from pyramid_sym.schedule import PyramidSchedule

REF = json.loads(resources.files("pyramid_sym").joinpath("data/pyramid_flow_schedule_default.json").read_text())
REF = REF[0] if isinstance(REF, list) else REF


def _run(argv, capsys):
    rc = main(["schedule", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_text_shows_the_reference_numbers(capsys):
    rc, out, err = _run([], capsys)
    assert rc == 0 and not err
    for key in ("start_sigmas", "end_sigmas"):
        for v in REF[key]:
            assert repr(float(v)) in out  # full float64 repr, float32 artefacts included
    for ab in REF["renoise"].values():
        assert repr(ab["alpha"]) in out and repr(ab["beta"]) in out
    for i in range(3):
        assert f"stage i={i} (paper k={2 - i})" in out
    assert "rollback" in out and "timestep window" in out


def test_json_matches_the_reference_file(capsys):
    rc, out, _ = _run(["--json", "--steps", "10"], capsys)
    assert rc == 0
    data = json.loads(out)
    stages = data["stages"]
    assert data["convention"] == "code" and len(stages) == 3
    for i, st in enumerate(stages):
        assert st["sigma_window"] == [REF["start_sigmas"][i], REF["end_sigmas"][i]]
        assert st["ori_start_sigma"] == REF["ori_start_sigmas"][i]
        assert st["timestep_ratio"] == REF["timestep_ratios"][i]
        # reference mode is bit-identical to the reference numbers, so equality is the test
        assert st["inference_timesteps"] == REF["set_timesteps"][f"10/{i}"]["timesteps"]
        assert st["inference_sigmas"] == REF["set_timesteps"][f"10/{i}"]["sigmas"]
        if i:
            assert [st["alpha"], st["beta"]] == [REF["renoise"][str(i)]["alpha"], REF["renoise"][str(i)]["beta"]]
            assert st["rollback"] == st["corrected_start_sigma"] - st["ori_start_sigma"]
        else:
            assert st["alpha"] is None and st["beta"] is None


def test_exact_shows_closed_forms(capsys):
    argv = ["--exact", "--gamma", "1/4", "--shift", "3", "--stages", "4", "--stage-range", "0,1/5,1/2,4/5,1",
            "--steps", "5,6,7,8"]
    rc, out, _ = _run(argv, capsys)
    assert rc == 0
    e = PyramidSchedule(mode="exact", gamma="1/4", shift="3", stages=4, stage_range=["0", "1/5", "1/2", "4/5", "1"])
    for i in range(1, 4):
        assert str(e.start_sigmas[i]) in out and str(e.renoise_coefficients(i)[0]) in out
    assert "sqrt(5)" in out
    rc, out, _ = _run([*argv, "--json"], capsys)
    st = json.loads(out)["stages"]
    assert [len(s["inference_timesteps"]) for s in st] == [5, 6, 7, 8]
    for i in range(1, 4):
        assert sympy.sympify(st[i]["corrected_start_sigma"]["exact"]) == e.start_sigmas[i]
        assert st[i]["corrected_start_sigma"]["value"] == float(e.start_sigmas[i])


def test_exact_default_agrees_with_reference_to_float32_rounding(capsys):
    _, out_ref, _ = _run(["--json"], capsys)
    _, out_ex, _ = _run(["--json", "--exact"], capsys)
    ref, ex = json.loads(out_ref)["stages"], json.loads(out_ex)["stages"]
    for r, x in zip(ref, ex):
        for a, b in zip(r["sigma_window"], x["sigma_window"]):
            # r * 2^-24 * |value|: a float32 table entry, propagated through the corrected start (r = 2 here)
            assert abs(a - b["value"]) <= 2 * 2.0**-24 * abs(b["value"])


@pytest.mark.parametrize("argv,words", [
    (["--gamma", "0.5"], ["gamma 0.5 is outside (0, 1/3] for 2x2 blocks"]),
    (["--gamma", "0.2", "--block", "8"], ["(0, 1/7]", "2x2x2 blocks"]),
    (["--gamma", "abc"], ["--gamma: 'abc' is not a number"]),
    (["--gamma", "-1/3"], ["gamma -1/3 is outside", "gamma_c = -gamma", "give 1/3"]),
    (["--gamma=-1/3"], ["gamma_c = -gamma"]),
    (["--shift", "0"], ["shift 0 is not positive"]),
    (["--stage-range", "0,1/2,1"], ["need 4"]),
    (["--stage-range", "0,2/3,1/3,1"], ["decreases"]),
    (["--stage-range", "0,1/3,2/3,1.5"], ["1.5 is outside [0, 1]"]),
    (["--steps", "0"], ["below 1"]),
    (["--steps", "10,10"], ["2 values for 3 stages"]),
    (["--steps", "ten"], ["not an integer"]),
    (["--stages", "0"], ["outside 1..64"]),
    (["--stages", "99999999999999999999", "--steps", "1"], ["outside 1..64"]),
    (["--steps", "10001"], ["above 10000"]),
    (["--shift", "1e999999999"], ["exponent"]),
    (["--num-train-timesteps", "0"], ["num_train_timesteps 0"]),
])
def test_bad_values_exit_2_with_one_sentence(argv, words, capsys):
    rc, out, err = _run(argv, capsys)
    assert rc == 2 and not out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(".")
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_console_script_bad_gamma_has_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "pyramid_sym", "schedule", "--gamma", "0.5"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_short_stage_and_numpy_choice_are_accepted_and_said(capsys):
    rc, out, err = _run(["--num-train-timesteps", "100", "--stage-range", "0,0.005,0.5,1", "--numpy", "1"], capsys)
    assert rc == 0 and not err
    assert "NumPy 1 linspace" in out.splitlines()[0]
    rc, out, err = _run(["--numpy", "2", "--json"], capsys)
    data = json.loads(out)
    assert data["config"]["numpy"] == 2 and "float32" in data["numpy_behaviour"] and data["sigma_max"] == 1.0
