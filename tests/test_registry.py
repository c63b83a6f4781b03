"""The kernel registry is the one list: a toy kernel added to a temporary registry is emitted, checked at
run time against its own interval, read back and proved, probed, fuzzed and listed in the help, with no other edit."""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from pyramid_sym.conventions import gamma, s_k
from pyramid_sym.domain import Domain, Interval
from pyramid_sym.errors import InputError, UsageError
from pyramid_sym.kernels import registry as registry_module
from pyramid_sym.kernels.emit import emit_module, read_back
from pyramid_sym.kernels.registry import REGISTRY, Arg, KernelSpec, Registry
from pyramid_sym.prover import prove_identity

from test_fuzz_harness import examples
from test_fuzz_kernels import check_scalar_policy

# A kernel with an interval no other kernel has: s in [0, 1/2], gamma in [-1/4, 0)
TOY = KernelSpec(
    "toy_weight", "paper.eq25.alpha", "paper", "alpha on the first half of the levels (a test kernel)",
    (Arg(s_k, "s", Interval.closed(0, Fraction(1, 2)), "a signal level between 0 and 1/2"),
     Arg(gamma, "gamma", Interval(Fraction(-1, 4), 0, False, True), "a gamma between -1/4 and 0")),
    "alpha in [0, 1)",
    forms={"paper": lambda s, g, ctx: (1 - s) / ctx.sqrt(1 - g)})


@pytest.fixture()
def toy(tmp_path, monkeypatch):
    """A registry with the toy kernel; its targets' modules are emitted into tmp_path and importable."""
    targets = tuple(replace(t, module=f"toy_{t.name}_kernels") for t in REGISTRY.targets)
    reg = Registry(REGISTRY.kernels + (TOY,), REGISTRY.array_kernels, targets)
    for t in reg.targets:
        (tmp_path / f"{t.module}.py").write_text(emit_module(t.name, reg))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield reg
    for t in reg.targets:
        sys.modules.pop(t.module, None)


def _modules(reg):
    out = []
    for t in reg.targets:
        if t.available():
            if t.name == "jax":
                import jax

                jax.config.update("jax_enable_x64", True)
            out.append((t, importlib.import_module(t.module)))
    return out


def test_toy_kernel_is_emitted_with_its_own_interval_check(toy):
    for t, mod in _modules(toy):
        assert "toy_weight" in mod.__all__
        assert float(mod.toy_weight(0.5, -0.25)) == pytest.approx(0.5 / 1.25 ** 0.5, rel=1e-15)
        with pytest.raises(InputError, match=r"s = 0\.75 is outside \[0, 1/2\]"):
            mod.toy_weight(0.75, -0.2)        # inside [0, 1] but outside the toy's own interval
        with pytest.raises(InputError, match=r"\[-1/4, 0\)"):
            mod.toy_weight(0.25, -0.3)
        # the package's kernels keep their own checks
        assert np.isfinite(float(mod.renoise_std(0.75, -0.3)))


def test_toy_kernel_printed_text_is_proved_equal_to_its_formula(toy):
    for t in toy.targets:
        expr = read_back(TOY, t, toy)
        (lvl, iv), rest = TOY.domain.intervals[0], TOY.domain.intervals[1:]
        assert prove_identity(expr, TOY.formula_expr, Domain([(lvl, iv), *rest])).verdict == "proved"


def test_toy_kernel_is_probed(toy):
    from pyramid_sym.probe import engine
    from pyramid_sym.probe.inputs import Grid

    grid = Grid(per_decade=0.05, end_minimum=3, n_interior=2, n_random=4, n_random_2d=8,
                gamma_fixed=(Fraction(1, 4),), x_fixed=())
    r = engine.run_probe(["toy_weight"], ["float32", "float64"], grid=grid, progress=False, registry=toy)
    emitted = [res for res in r.results if res.form.startswith("emitted ") and res.available]
    assert {res.form for res in emitted} == {f"emitted {t.name}" for t, _ in _modules(toy)}
    assert all(res.within_bound for res in emitted)
    assert {res.form for res in r.results} >= {"paper", "lambdify"}
    series = r.series[0]
    assert series.x.max() <= 0.5 and series.g.min() >= -0.25   # the toy's own domain, not [0, 1]


def test_toy_kernel_is_fuzzed(toy):
    args = tuple((a.name, None, a) for a in TOY.args)
    for t, mod in _modules(toy):
        check_scalar_policy(mod.toy_weight, args, f"toy_{t.name}.toy_weight", examples(120), t.flushes_subnormals)


def test_toy_kernel_in_help_and_emit(toy, monkeypatch, capsys):
    from pyramid_sym.cli import main

    monkeypatch.setattr(registry_module, "REGISTRY", toy)
    with pytest.raises(SystemExit):
        main(["emit", "--help"])
    assert "toy_weight" in capsys.readouterr().out
    assert main(["emit", "--target", "numpy"]) == 0
    assert "def toy_weight(s, gamma):" in capsys.readouterr().out


def test_registry_refuses_repeated_names_and_unknown_uses():
    with pytest.raises(UsageError):
        Registry(REGISTRY.kernels + (REGISTRY.kernels[0],), REGISTRY.array_kernels, REGISTRY.targets)
    bad = replace(REGISTRY.array_kernels[1], uses=("no_such_kernel",))
    with pytest.raises(UsageError):
        Registry(REGISTRY.kernels, (bad,), REGISTRY.targets)


def test_every_consumer_lists_the_registry():
    """Kernel lists elsewhere are the registry's: the kernels package, the probe, the ledger claims."""
    import pyramid_sym.kernels as kernels
    from pyramid_sym.ledger.claims_rewriting import claims
    from pyramid_sym.probe.forms import KERNEL_NAMES

    assert kernels.KERNEL_NAMES == REGISTRY.names and kernels.TARGET_NAMES == REGISTRY.target_names
    assert KERNEL_NAMES == REGISTRY.scalar_names
    ids = {c.id for c in claims()}
    assert {k.claim_id for k in REGISTRY.kernels} <= ids
