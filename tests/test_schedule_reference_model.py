"""PyramidSchedule (reference mode) against an independent float model of the reference scheduler.

The model below re-states, operation by operation, what the reference scheduler
(``diffusion_schedulers/scheduling_flow_matching.py`` of the Pyramid-Flow repository:
``init_sigmas``, ``init_sigmas_for_each_stage``, ``set_timesteps``) does with torch and NumPy
scalars, written independently of ``pyramid_sym.schedule``: torch float32 tensors for the
table, Python floats for the stage windows, ``numpy.linspace`` on 0-d float32 arrays for the
per-stage timesteps (the installed NumPy) or on their float64 values (NumPy 1.x, which
returns float64 there).  Over a few hundred random configurations, including stages shorter
than one table step, shifts that put the first table entry above 1 and repeated stage
boundaries: the two sides raise on the same configurations and agree bit for bit elsewhere.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from pyramid_sym.errors import InputError
from pyramid_sym.schedule import PyramidSchedule, installed_numpy_major

pytestmark = pytest.mark.needs_torch


class ModelRaised(Exception):
    pass


def reference_model(T, shift, stages, stage_range, gamma, numpy_major, steps):
    import torch

    grid = np.linspace(1, T, T, dtype=np.float32)[::-1].copy()
    table = torch.from_numpy(grid).to(dtype=torch.float32) / T
    table = shift * table / (1 + (shift - 1) * table)
    table_ts = table * T
    starts, ends, oris, lengths = [], [], [], []
    try:
        for i in range(stages):
            lo_idx = max(int(stage_range[i] * T), 0)
            hi_idx = min(int(stage_range[i + 1] * T), T)
            ori = table[lo_idx].item()
            end = table[hi_idx].item() if hi_idx < T else 0.0
            start = ori
            if i > 0:
                signal = 1 - ori
                start = 1 - (1 / (math.sqrt(1 + (1 / gamma)) * (1 - signal) + signal)) * signal
            starts.append(start), ends.append(end), oris.append(ori)
            lengths.append(start - end)
        total = sum(lengths)
        ratios = []
        for i in range(stages):
            a = 0.0 if i == 0 else sum(lengths[:i]) / total
            b = 1.0 if i == stages - 1 else sum(lengths[:i + 1]) / total
            ratios.append((a, b))
        per_stage, grids = [], []
        for i, (a, b) in enumerate(ratios):
            t_hi = table_ts[int(a * T)]
            t_lo = table_ts[min(int(b * T), T - 1)]
            if numpy_major == 2:
                ts = np.linspace(t_hi.numpy(), t_lo.numpy(), T + 1)
            else:  # NumPy 1.x promotes the float32 0-d ends to float64 and returns float64
                ts = np.linspace(np.float64(t_hi.item()), np.float64(t_lo.item()), T + 1)
            ts = ts[:-1]
            per_stage.append(ts)
            loc = np.linspace(1, 0, T + 1)[:-1]
            n = steps
            grids.append((np.linspace(ts[0].item(), ts[-1].item(), n),
                          np.concatenate([np.linspace(loc[0].item(), loc[-1].item(), n), np.zeros(1)])))
    except (IndexError, ZeroDivisionError, ValueError) as exc:
        raise ModelRaised(type(exc).__name__) from None
    return dict(starts=starts, ends=ends, oris=oris, ratios=ratios, per_stage=per_stage, grids=grids,
                sigma_max=table[0].item(), sigma_min=table[-1].item())


def _random_config(rng: random.Random):
    T = rng.choice([rng.randint(1, 12), rng.randint(13, 200), 100, 1000, rng.randint(200, 2000)])
    K = rng.randint(1, 4)
    cuts = []
    for _ in range(K - 1):
        kind = rng.random()
        if kind < 0.2:
            cuts.append(rng.random() / T)  # shorter than one table step
        elif kind < 0.3 and cuts:
            cuts.append(cuts[-1])  # a repeated boundary
        elif kind < 0.4:
            cuts.append(rng.randint(0, T) / T)  # on a table step (float rounding of k/T * T)
        else:
            cuts.append(rng.random())
    stage_range = [0.0] + sorted(cuts) + [1.0]
    shift = rng.choice([1.0, 3.0, 1.3802, math.exp(rng.uniform(math.log(0.05), math.log(20)))])
    gamma = rng.choice([1 / 3, rng.uniform(1e-6, 1 / 3), 0.1])
    return T, shift, K, stage_range, gamma


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


@pytest.mark.parametrize("numpy_major", [1, 2])
def test_reference_mode_matches_an_independent_model_on_random_configurations(numpy_major):
    rng = random.Random(20241007 + numpy_major)
    raised_both = mismatched_raise = differing = compared = 0
    report = []
    for _ in range(320):
        T, shift, K, stage_range, gamma = _random_config(rng)
        try:
            model = reference_model(T, shift, K, stage_range, gamma, numpy_major, steps=7)
        except ModelRaised:
            model = None
        try:
            ours = PyramidSchedule(num_train_timesteps=T, shift=shift, stages=K, stage_range=stage_range,
                                   gamma=gamma, numpy=numpy_major)
        except InputError:
            ours = None
        if model is None or ours is None:
            if (model is None) != (ours is None):
                mismatched_raise += 1
                report.append(("raise", T, shift, K, stage_range, gamma, model is None))
            else:
                raised_both += 1
            continue
        pairs = [("sigma_max", ours.sigma_max, model["sigma_max"]), ("sigma_min", ours.sigma_min, model["sigma_min"])]
        for i in range(K):
            pairs += [(f"start[{i}]", ours.start_sigmas[i], model["starts"][i]),
                      (f"end[{i}]", ours.end_sigmas[i], model["ends"][i]),
                      (f"ori[{i}]", ours.ori_start_sigmas[i], model["oris"][i]),
                      (f"ratio[{i}]", ours.timestep_ratios[i], model["ratios"][i])]
            ts, sg = ours.set_timesteps(7, i)
            arrays = [(f"timesteps_per_stage[{i}]", ours.timesteps_per_stage[i], model["per_stage"][i]),
                      (f"set_timesteps[{i}].timesteps", ts, model["grids"][i][0]),
                      (f"set_timesteps[{i}].sigmas", sg, model["grids"][i][1])]
            for name, a, b in arrays:
                compared += 1
                if not _same(a, b):
                    differing += 1
                    report.append((name, T, shift, K, stage_range, gamma))
        for name, a, b in pairs:
            compared += 1
            if a != b or type(a) is not type(b) and not isinstance(a, tuple):
                differing += 1
                report.append((name, a, b, T, shift, K, stage_range, gamma))
    assert mismatched_raise == 0 and differing == 0, report[:5]
    assert compared > 2000  # many numbers were compared, not a handful


def test_the_configurations_of_the_report_are_accepted_with_the_reference_numbers():
    # a stage shorter than one table step: the reference gives start sigmas {1.0, 1.0, 0.6667}
    s = PyramidSchedule(num_train_timesteps=100, stage_range=[0, 0.005, 0.5, 1])
    assert s.start_sigmas[:2] == [1.0, 1.0] and abs(s.start_sigmas[2] - 2 / 3) < 1e-15
    m = reference_model(100, 1.0, 3, [0, 0.005, 0.5, 1], 1 / 3, installed_numpy_major(), 7)
    assert s.start_sigmas == m["starts"]
    # the float32 table can start above 1 (1 + 2^-23), and the schedule keeps that value
    # (found here by scanning shifts near 1.38 with the model: the first whose table starts above 1)
    shift = next(x for x in (1.38 + k * 1e-7 for k in range(-5000, 5000))
                 if reference_model(100, x, 2, [0, 0.005, 1], 1 / 3, 2, 2)["sigma_max"] > 1)
    m = reference_model(100, shift, 2, [0, 0.005, 1], 1 / 3, 2, 2)
    s = PyramidSchedule(num_train_timesteps=100, shift=shift, stages=2, stage_range=[0, 0.005, 1])
    assert s.sigma_max == m["sigma_max"] == 1 + 2.0**-23 and s.start_sigmas == m["starts"]
    assert s.start_sigmas[1] > 1


def test_numpy_behaviour_is_chosen_and_said():
    one, two = PyramidSchedule(numpy=1), PyramidSchedule(numpy=2)
    assert one.timesteps_per_stage[0].dtype == np.float64 and two.timesteps_per_stage[0].dtype == np.float32
    assert "NumPy 1" in one.numpy_behaviour and "NumPy 2" in two.numpy_behaviour
    # the per-stage timesteps differ (float64 linspace against float32), the stage windows do not
    assert not np.array_equal(one.timesteps_per_stage[1], two.timesteps_per_stage[1].astype(np.float64))
    assert one.start_sigmas == two.start_sigmas


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_stepper_numpy_matches_the_reference_step_on_torch(dtype):
    import torch

    s = PyramidSchedule()
    st_np, st_t = s.stepper(5, 1), s.stepper(5, 1)
    sigmas = torch.from_numpy(st_np.sigmas)  # the reference keeps these as a float64 tensor
    rng = np.random.default_rng(0)
    sample = rng.standard_normal(257).astype(dtype)
    for i in range(5):
        v = rng.standard_normal(257).astype(dtype)
        t_sample, t_v = torch.from_numpy(sample), torch.from_numpy(v)
        expected = (t_sample.to(torch.float32) + (sigmas[i + 1] - sigmas[i]) * t_v).to(t_v.dtype).numpy()
        got_np = st_np.step(v, float(st_np.timesteps[i]), sample)
        got_t = st_t.step(t_v, float(st_t.timesteps[i]), t_sample).numpy()
        assert got_np.dtype == expected.dtype and np.array_equal(got_np, expected)
        assert np.array_equal(got_t, expected)
        sample = got_np
    with pytest.raises(InputError, match="all 5 steps"):
        st_np.step(v, 1.0, sample)
    with pytest.raises(InputError, match="integer index"):
        s.stepper(5, 1).step(v, 3, sample)
