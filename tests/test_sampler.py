"""The exact block-noise sampler (closed form) and renoise, NumPy and Torch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from pyramid_sym.errors import InputError
from pyramid_sym.kernels import numpy_kernels as nk
from pyramid_sym.kernels import torch_kernels as tk

N_BLOCKS = 2**20  # >= 10^6 blocks per covariance check


def _blocks(x: np.ndarray, block: tuple[int, ...]) -> np.ndarray:
    """Rows of the (number of blocks, n) matrix of the blocks over the trailing dims of x."""
    lead = x.shape[: x.ndim - len(block)]
    shape = list(lead)
    for d, b in zip(x.shape[len(lead):], block):
        shape += [d // b, b]
    xb = x.reshape(shape)
    k = len(lead)
    outer = [k + 2 * i for i in range(len(block))]
    inner = [k + 2 * i + 1 for i in range(len(block))]
    xb = xb.transpose(list(range(k)) + outer + inner)
    return xb.reshape(-1, math.prod(block))


def _target(n: int, gamma: float) -> np.ndarray:
    return (1 + gamma) * np.eye(n) - gamma * np.ones((n, n))


def _assert_covariance(blocks: np.ndarray, gamma: float):
    """Sample covariance against (1 + gamma) I - gamma J within 6 standard errors.

    For a Gaussian vector the sample covariance entry C_ij of N draws has variance
    (C_ii C_jj + C_ij^2) / N (the mean is known to be 0, so no centring term); a
    deviation of 6 standard errors has probability about 2e-9 per entry, and the seeds
    are fixed, so the test is deterministic.
    """
    blocks = blocks.astype(np.float64)
    N, n = blocks.shape
    C = _target(n, gamma)
    S = blocks.T @ blocks / N
    tol = 6 * np.sqrt((np.outer(np.diag(C), np.diag(C)) + C**2) / N)
    assert np.all(np.abs(S - C) <= tol), f"max |S - C| / tol = {np.max(np.abs(S - C) / tol):.2f}"


CASES = [((2, 2), 1 / 3), ((2, 2), 0.1), ((2, 2), 1e-3), ((2,), 1.0), ((2,), 0.4), ((2, 2, 2), 1 / 7), ((2, 2, 2), 0.05)]


def _shape_for(block: tuple[int, ...]) -> tuple[int, ...]:
    n = math.prod(block)
    per_dim = round((N_BLOCKS) ** (1 / len(block)))
    trailing = tuple(b * per_dim for b in block)
    extra = max(1, N_BLOCKS // per_dim ** len(block))
    del n
    return (extra,) + trailing


@pytest.mark.parametrize("block,gamma", CASES)
def test_torch_covariance(block, gamma):
    shape = _shape_for(block)
    g = torch.Generator().manual_seed(1234)
    x = tk.block_noise(shape, gamma, block=block, generator=g, dtype=torch.float32)
    assert x.shape == shape and x.dtype == torch.float32
    blocks = _blocks(x.numpy(), block)
    assert blocks.shape[0] >= 10**6
    _assert_covariance(blocks, gamma)


@pytest.mark.parametrize("block,gamma", CASES[:4])
def test_numpy_covariance(block, gamma):
    shape = _shape_for(block)
    x = nk.block_noise(shape, gamma, block=block, rng=np.random.default_rng(99), dtype=np.float32)
    assert x.shape == shape and x.dtype == np.float32
    _assert_covariance(_blocks(x, block), gamma)


def test_blocks_are_the_upsampling_blocks():
    """Entries of neighbouring 2x2 blocks are uncorrelated; entries of one block have covariance -gamma."""
    g = torch.Generator().manual_seed(5)
    x = tk.block_noise((64, 256, 256), 1 / 3, generator=g, dtype=torch.float64).numpy()
    N = x[..., :, 1::2][..., :, :-1].size
    across = np.mean(x[..., :, 1::2][..., :, :-1] * x[..., :, 2::2])  # right entry of a block, left of the next
    within = np.mean(x[..., :, 0::2] * x[..., :, 1::2])
    se = 6 * math.sqrt((4 / 3) ** 2 / N)  # 6 standard errors of a product mean of two unit-ish variances
    assert abs(across) <= se
    assert abs(within + 1 / 3) <= 6 * math.sqrt(((4 / 3) ** 2 + 1 / 9) / (x.size // 2))


@pytest.mark.parametrize("block", [(2,), (2, 2), (2, 2, 2)])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.bfloat16, torch.float16])
def test_torch_bound_block_sums_vanish(block, dtype):
    """At gamma = 1/(n-1) every block sum is 0 up to rounding.

    Each entry is z + k mean(z) with z ~ N(0, 1 + gamma) drawn before the correction;
    the sum of n such entries is off by at most about 2n rounding errors of the largest
    |z|, which is below 8 standard deviations except with probability ~1e-15 per entry.
    Half formats are corrected in float32 and rounded once (n roundings of half an ULP).
    """
    n = math.prod(block)
    shape = (3,) + tuple(8 * b for b in block)
    g = torch.Generator().manual_seed(7)
    x = tk.block_noise(shape, 1 / (n - 1), block=block, generator=g, dtype=dtype)
    assert x.dtype == dtype
    b = _blocks(x.double().numpy(), block)
    tol = 2 * n * torch.finfo(dtype).eps * 8 * math.sqrt(1 + 1 / (n - 1))
    assert np.all(np.abs(b.sum(axis=1)) <= tol)
    assert np.std(b) > 0.5  # not trivially zero


@pytest.mark.parametrize("block", [(2,), (2, 2), (2, 2, 2)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_numpy_bound_block_sums_vanish(block, dtype):
    n = math.prod(block)
    shape = (3,) + tuple(8 * b for b in block)
    x = nk.block_noise(shape, 1 / (n - 1), block=block, rng=3, dtype=dtype)
    assert x.dtype == dtype
    b = _blocks(x.astype(np.float64), block)
    tol = 2 * n * float(np.finfo(dtype).eps) * 8 * math.sqrt(1 + 1 / (n - 1))  # as in the torch test
    assert np.all(np.abs(b.sum(axis=1)) <= tol)


def test_reference_multivariate_normal_fails_at_the_bound_and_ours_does_not():
    """The reference approach (a multivariate normal per block) has no valid factor at gamma_c = 1/3: the covariance
    is singular, so torch either raises or returns a Cholesky factor whose last pivot is rounding noise.

    Which of the two depends on the LAPACK path torch takes on the CPU (both were seen with torch 2.13.0): the test
    asserts what holds on every CPU, the raise or a last pivot^2 within n eps ||C|| of the exact 0."""
    cov = torch.tensor(_target(4, 1 / 3), dtype=torch.float32)
    try:
        mvn = torch.distributions.MultivariateNormal(torch.zeros(4), covariance_matrix=cov)
    except (ValueError, RuntimeError):
        pass
    else:
        pivot = float(mvn.scale_tril[-1, -1])
        assert pivot ** 2 <= 4 * float(torch.finfo(torch.float32).eps) * float(torch.linalg.matrix_norm(cov, 2))
    x = tk.block_noise((1, 16, 1, 48, 80), 1 / 3)
    assert torch.isfinite(x).all()


def test_same_seed_same_noise():
    a = tk.block_noise((2, 4, 8, 8), 0.25, generator=torch.Generator().manual_seed(42))
    b = tk.block_noise((2, 4, 8, 8), 0.25, generator=torch.Generator().manual_seed(42))
    c = tk.block_noise((2, 4, 8, 8), 0.25, generator=torch.Generator().manual_seed(43))
    assert torch.equal(a, b) and not torch.equal(a, c)
    x = nk.block_noise((2, 4, 8, 8), 0.25, rng=42)
    y = nk.block_noise((2, 4, 8, 8), 0.25, rng=np.random.default_rng(42))
    z = nk.block_noise((2, 4, 8, 8), 0.25, rng=43)
    assert np.array_equal(x, y) and not np.array_equal(x, z)


def test_default_dtypes():
    assert tk.block_noise((2, 2), 0.1).dtype == torch.get_default_dtype()
    assert nk.block_noise((2, 2), 0.1).dtype == np.float64
    assert tk.block_noise((0, 4, 4), 0.1).shape == (0, 4, 4)


@pytest.mark.parametrize("mod", [nk, tk], ids=["numpy", "torch"])
def test_bad_input_one_sentence(mod):
    with pytest.raises(InputError) as exc:
        mod.block_noise((1, 16, 1, 47, 80), 1 / 3)
    msg = str(exc.value)
    assert "47" in msg and "(2, 2)" in msg and "crop or pad" in msg and "\n" not in msg
    for g in (0.0, -0.1, 0.34, float("nan"), "x"):
        with pytest.raises(InputError, match="gamma"):
            mod.block_noise((4, 4), g)
    with pytest.raises(InputError, match=r"1/7"):
        mod.block_noise((4, 4, 4), 0.2, block=(2, 2, 2))
    with pytest.raises(InputError, match="block"):
        mod.block_noise((4, 4), 0.1, block=(1,))
    with pytest.raises(InputError, match="block"):
        mod.block_noise((4,), 0.1, block=(2, 2))
    with pytest.raises(InputError, match="dtype"):
        mod.block_noise((4, 4), 0.1, dtype="int32" if mod is nk else torch.int32)
    # gamma given in single precision at the bound counts as the bound
    x = mod.block_noise((8, 8), np.float32(1 / 3))
    sums = _blocks(np.asarray(x, dtype=np.float64), (2, 2)).sum(axis=1)
    assert np.max(np.abs(sums)) < 1e-5


# ----------------------------------------------------------------------------- renoise
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.float16])
def test_torch_renoise_is_alpha_up_plus_beta_noise(dtype):
    x = torch.randn(2, 3, 5, 6, generator=torch.Generator().manual_seed(0)).to(dtype)
    sigma_end, gamma = 0.6669999957084656, 1 / 3
    out = tk.renoise(x, sigma_end, gamma, generator=torch.Generator().manual_seed(9))
    assert out.shape == (2, 3, 10, 12) and out.dtype == dtype
    up = x.double().repeat_interleave(2, -2).repeat_interleave(2, -1)
    work = torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype
    noise = tk.block_noise(out.shape, gamma, generator=torch.Generator().manual_seed(9), dtype=work).double()
    alpha, beta = float(tk.renoise_alpha(sigma_end, gamma)), float(tk.renoise_beta(sigma_end, gamma))
    expect = alpha * up + beta * noise
    # one rounding to the output format plus a few float32/float64 roundings of the terms
    tol = 4 * torch.finfo(dtype).eps * (expect.abs() + 1)
    assert ((out.double() - expect).abs() <= tol).all()


def test_torch_renoise_per_sample_sigma():
    x = torch.zeros(2, 1, 4, 4)
    sigma = torch.tensor([0.3, 0.6]).reshape(2, 1, 1, 1)
    out = tk.renoise(x, sigma, 1 / 3, generator=torch.Generator().manual_seed(1))
    assert out.shape == (2, 1, 8, 8) and out.dtype == torch.float32
    assert out[0].std() < out[1].std()  # larger sigma_end, larger beta


def test_numpy_renoise_matches_definition():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 6)).astype(np.float32)
    out = nk.renoise(x, 0.33399999141693115, 1 / 3, rng=5)
    assert out.shape == (2, 3, 8, 12) and out.dtype == np.float32
    up = np.repeat(np.repeat(x, 2, -2), 2, -1).astype(np.float64)
    noise = nk.block_noise(out.shape, 1 / 3, rng=5, dtype=np.float32).astype(np.float64)
    expect = float(nk.renoise_alpha(0.33399999141693115, 1 / 3)) * up + \
        float(nk.renoise_beta(0.33399999141693115, 1 / 3)) * noise
    np.testing.assert_allclose(out, expect, rtol=0, atol=4 * np.finfo(np.float32).eps * (np.abs(expect).max() + 1))
    assert nk.renoise(x.astype(np.float16), 0.5, 0.2, rng=1).dtype == np.float16


@pytest.mark.parametrize("mod", [nk, tk], ids=["numpy", "torch"])
def test_renoise_bad_input(mod):
    with pytest.raises(InputError, match="latents"):
        mod.renoise(np.zeros(4, dtype=np.float32), 0.5, 0.2)
    with pytest.raises(InputError, match="sigma_end"):
        mod.renoise(np.zeros((4, 4), dtype=np.float32), 1.5, 0.2)
    with pytest.raises(InputError, match="gamma"):
        mod.renoise(np.zeros((4, 4), dtype=np.float32), 0.5, 0.5)
