"""Cross-checks of solutions/ift6135-h23-hw1/devoir1.py against torch, on several random inputs.

Derivatives against autograd, convolution shapes and parameter counts against nn.Conv2d and
nn.MaxPool2d, entropies and divergences against torch.distributions, and the MLP-Mixer
permutation answers against a small Mixer simulated in torch (patches from nn.Unfold).
"""

from __future__ import annotations

import importlib.util
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from torch.distributions import Bernoulli, Categorical, Laplace, Normal, Uniform, kl_divergence

from autograder.expressions import evaluate, parse_expression

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "ift6135-h23-hw1" / "devoir1.py"
SEEDS = [0, 1, 2]


@pytest.fixture(scope="module")
def sol():
    spec = importlib.util.spec_from_file_location("solution_ift6135_h23_hw1", SOLUTION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def formula(text: str, **values) -> np.ndarray:
    """Evaluate a formula string of the solution the way the grader reads it."""
    return evaluate(parse_expression(text), {k: np.asarray(v, dtype=float) for k, v in values.items()})


# ----------------------------------------------------------------------------- Q1


@pytest.mark.parametrize("seed", SEEDS)
def test_q1_derivatives_match_autograd(sol, seed):
    x = torch.empty(400, dtype=torch.float64).uniform_(-8, 8, generator=torch.Generator().manual_seed(seed))
    x.requires_grad_(True)
    (d_sigma,) = torch.autograd.grad(torch.sigmoid(x).sum(), x)
    (d_tanh,) = torch.autograd.grad(torch.tanh(x).sum(), x)
    xs = x.detach().numpy()
    np.testing.assert_allclose(formula(sol.Q1A_DERIVEE_SIGMA, x=xs), d_sigma.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(formula(sol.Q1B_DERIVEE_TANH, x=xs), d_tanh.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("activation, name", [(torch.sigmoid, "Q1C_BORNE_SIGMA"), (torch.tanh, "Q1D_BORNE_TANH")])
def test_q1_bounds_are_the_maxima_of_the_derivatives(sol, activation, name):
    x = torch.linspace(-12, 12, 240001, dtype=torch.float64, requires_grad=True)
    (d,) = torch.autograd.grad(activation(x).sum(), x)
    bound = getattr(sol, name)
    assert d.max().item() <= bound + 1e-12  # an upper bound...
    assert d.max().item() == pytest.approx(bound, abs=1e-9)  # ...and the smallest one


# ----------------------------------------------------------------------------- Q2


@pytest.mark.parametrize("seed", SEEDS)
def test_q2a_nll_is_minus_bernoulli_log_likelihood(sol, seed):
    g = torch.Generator().manual_seed(seed)
    p = torch.empty(50, dtype=torch.float64).uniform_(0.01, 0.99, generator=g)
    for x in (0.0, 1.0):
        expected = -Bernoulli(probs=p).log_prob(torch.full_like(p, x))
        np.testing.assert_allclose(formula(sol.Q2A_NLL, p=p.numpy(), x=x), expected.numpy(), rtol=1e-10)
    # and it is the cross-entropy loss of the handout (and of torch) for soft targets too
    x = torch.rand(50, dtype=torch.float64, generator=g)
    bce = nn.functional.binary_cross_entropy(p, x, reduction="none")
    np.testing.assert_allclose(formula(sol.Q2A_NLL, p=p.numpy(), x=x.numpy()), bce.numpy(), rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_q2b_kl_and_cross_entropy_decomposition(sol, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.empty(50, dtype=torch.float64).uniform_(0.01, 0.99, generator=g)
    p = torch.empty(50, dtype=torch.float64).uniform_(0.01, 0.99, generator=g)
    kl = formula(sol.Q2B_KL, x=x.numpy(), p=p.numpy())
    np.testing.assert_allclose(kl, kl_divergence(Bernoulli(probs=x), Bernoulli(probs=p)).numpy(), rtol=1e-9)
    # CE(p, x) = H(Bernoulli(x)) + KL: minimising the cross-entropy in p minimises the KL
    ce = nn.functional.binary_cross_entropy(p, x, reduction="none").numpy()
    np.testing.assert_allclose(ce - kl, Bernoulli(probs=x).entropy().numpy(), rtol=1e-9)


@pytest.mark.parametrize("n", [2, 5, 13])
def test_q2c_uniform_maximises_entropy(sol, n):
    dist = torch.as_tensor(sol.max_entropy_distribution(n), dtype=torch.float64)
    bound = float(formula(sol.Q2C_BORNE_ENTROPIE, n=n))
    assert Categorical(probs=dist).entropy().item() == pytest.approx(bound, rel=1e-12)
    others = torch.distributions.Dirichlet(torch.ones(n, dtype=torch.float64)).sample((2000,))
    assert Categorical(probs=others).entropy().max().item() <= bound
    # gradient ascent on the entropy (autograd) reaches the same distribution
    logits = torch.randn(n, dtype=torch.float64, generator=torch.Generator().manual_seed(n), requires_grad=True)
    for _ in range(300):
        (g,) = torch.autograd.grad(Categorical(logits=logits).entropy(), logits)
        logits = (logits + n * g).detach().requires_grad_(True)
    np.testing.assert_allclose(torch.softmax(logits, 0).detach().numpy(), dist.numpy(), atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_q2d_density_is_the_normal_and_beats_other_laws(sol, seed):
    g = torch.Generator().manual_seed(seed)
    mu = float(torch.empty(1).uniform_(-3, 3, generator=g))
    sigma2 = float(torch.empty(1).uniform_(0.2, 4, generator=g))
    x = torch.linspace(mu - 12 * math.sqrt(sigma2), mu + 12 * math.sqrt(sigma2), 200001, dtype=torch.float64)
    f = formula(sol.Q2D_DENSITE, x=x.numpy(), mu=mu, sigma2=sigma2)
    normal = Normal(torch.tensor(mu, dtype=torch.float64), torch.tensor(math.sqrt(sigma2), dtype=torch.float64))
    np.testing.assert_allclose(f, normal.log_prob(x).exp().numpy(), rtol=1e-10, atol=1e-300)
    dx = float(x[1] - x[0])
    h = -np.sum(f * np.log(np.where(f > 0, f, 1.0))) * dx
    assert h == pytest.approx(normal.entropy().item(), rel=1e-6)
    sd = math.sqrt(sigma2)
    same_variance = [Laplace(mu, sd / math.sqrt(2)), Uniform(mu - sd * math.sqrt(3), mu + sd * math.sqrt(3))]
    assert all(law.entropy().item() < h for law in same_variance)
    # the corrected Lagrange multipliers make the functional derivative of (27) vanish
    lambda0, lambda1 = sol._multiplicateurs_lagrange(sigma2)
    inside = np.abs(x.numpy() - mu) < 4 * sd
    stationarity = -np.log(f[inside]) - 1 - lambda0 - lambda1 * (x.numpy()[inside] - mu) ** 2
    np.testing.assert_allclose(stationarity, 0.0, atol=1e-9)


# ----------------------------------------------------------------------------- Q3


def test_q3_handout_network_matches_torch(sol):
    net = nn.Sequential(nn.Conv2d(3, 64, 8, stride=2, padding=4), nn.MaxPool2d(2),
                        nn.Conv2d(64, 128, 4, stride=2, padding=2, bias=False))
    with torch.no_grad():
        out = net(torch.zeros(1, 3, 128, 128))
    assert list(out.shape[1:]) == list(sol.Q3A_FORME_SORTIE)
    assert sum(p.numel() for p in net[2].parameters()) == sol.Q3B_NB_PARAMETRES


@pytest.mark.parametrize("seed", SEEDS)
def test_q3_conv_functions_match_torch_layers(sol, seed):
    rng = np.random.default_rng(seed)
    for _ in range(15):
        i, k, s, p = int(rng.integers(4, 70)), int(rng.integers(1, 9)), int(rng.integers(1, 5)), int(rng.integers(0, 4))
        if i + 2 * p < k:
            continue
        c_in, c_out, bias = int(rng.integers(1, 6)), int(rng.integers(1, 6)), bool(rng.integers(0, 2))
        conv = nn.Conv2d(c_in, c_out, k, stride=s, padding=p, bias=bias)
        with torch.no_grad():
            out = conv(torch.zeros(1, c_in, i, i))
        assert out.shape[-1] == sol.conv_output_size(i, k, s, p)
        assert sum(q.numel() for q in conv.parameters()) == sol.conv_param_count(c_in, c_out, k, bias)
        if k <= i:  # non-overlapping pooling: window = stride
            pooled = nn.MaxPool2d(k)(torch.zeros(1, 1, i, i))
            assert pooled.shape[-1] == sol.conv_output_size(i, k, k)


# ----------------------------------------------------------------------------- Q4


def test_q4a_dimensions_give_the_mixer_output_shape(sol):
    rng = np.random.default_rng(4)
    cases = [(64, (16, 128))] + [(int(a * b), (int(b * b), int(c)))
                                  for a, b, c in zip(rng.integers(2, 9, 6), rng.integers(1, 6, 6), rng.integers(4, 40, 6))]
    for image, (s, c) in cases:
        dims = sol.mixer_dimensions(image, [s, c])
        embed = nn.Conv2d(3, dims["C"], dims["P"], stride=dims["P"])  # the per-patch linear embedding
        with torch.no_grad():
            tokens = embed(torch.zeros(1, 3, image, image)).flatten(2).transpose(1, 2)[0]
        assert tuple(tokens.shape) == (s, c) == (dims["S"], dims["C"])


class _ChannelMixer(nn.Module):
    """Patches (raster order, each flattened row by row), a shared projection, then the channel MLP."""

    def __init__(self, p: int, channels: int = 6, hidden: int = 12) -> None:
        super().__init__()
        self.unfold = nn.Unfold(kernel_size=p, stride=p)
        self.embed = nn.Linear(p * p, channels)
        self.mlp = nn.Sequential(nn.Linear(channels, hidden), nn.GELU(), nn.Linear(hidden, channels))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.embed(self.unfold(images[:, None]).transpose(1, 2))
        return x + self.mlp(x)


def _rows_permuted(u_mod: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """For each batch item: is u_mod a row permutation of u?"""
    dist = torch.cdist(u_mod, u.expand_as(u_mod))
    best = dist.min(dim=2)
    matched = (best.values < 1e-9).all(dim=1)
    bijective = (best.indices.sort(dim=1).values == torch.arange(u.shape[1])).all(dim=1)
    return matched & bijective


def _valid_by_simulation(perms: list[tuple[int, ...]], n: int, p: int, seed: int) -> list[bool]:
    torch.manual_seed(seed)
    mixer = _ChannelMixer(p).double()
    A = torch.randn(n, n, dtype=torch.float64)
    with torch.no_grad():
        u = mixer(A[None])
        u_mod = mixer(A[torch.tensor(perms)])  # (PA)_i = A_{pi(i)}
    return _rows_permuted(u_mod, u).tolist()


def _as_perm(P) -> tuple[int, ...]:
    P = np.asarray(P)
    assert np.array_equal(P @ P.T, np.eye(len(P)))
    return tuple(P.argmax(axis=1).tolist())


@pytest.mark.parametrize("n, p", [(4, 2), (6, 3), (6, 2), (4, 1)])
def test_q4c_all_permutations_by_brute_force(sol, n, p):
    everything = list(itertools.permutations(range(n)))
    valid = {perm for perm, ok in zip(everything, _valid_by_simulation(everything, n, p, seed=n + p)) if ok}
    assert {_as_perm(P) for P in sol.mixer_row_permutations(n, p)} == valid


def test_q4c_handout_answer(sol):
    given = [_as_perm(P) for P in sol.Q4C_MATRICES_P]
    assert len(set(given)) == len(given) == math.factorial(3)
    assert all(_valid_by_simulation(given, 9, 3, seed=0))
    rng = np.random.default_rng(9)
    others = [tuple(rng.permutation(9).tolist()) for _ in range(400)]
    others = [q for q in others if q not in set(given)]
    assert not any(_valid_by_simulation(others, 9, 3, seed=1))
    # the handout's "symmetric P" answer: most involutions are not valid
    involutions = [q for q in others if all(q[q[i]] == i for i in range(9))] + [(1, 0, 2, 3, 4, 5, 6, 7, 8)]
    assert not any(_valid_by_simulation(involutions, 9, 3, seed=2))


@pytest.mark.parametrize("n, p", [(9, 3), (6, 2), (8, 2), (6, 3)])
def test_q4d_p_reverse_recovers_u(sol, n, p):
    torch.manual_seed(n * 10 + p)
    mixer = _ChannelMixer(p).double()
    A = torch.randn(n, n, dtype=torch.float64)
    with torch.no_grad():
        u = mixer(A[None])[0]
        for P in sol.mixer_row_permutations(n, p):
            R = torch.as_tensor(sol.p_reverse(P, p), dtype=torch.float64)
            u_mod = mixer((torch.as_tensor(P, dtype=torch.float64) @ A)[None])[0]
            torch.testing.assert_close(R @ u_mod, u, rtol=1e-12, atol=1e-12)


def test_q4d_handout_choice(sol):
    P, R = (torch.as_tensor(sol.Q4D_CHOIX[k], dtype=torch.float64) for k in ("P", "P_reverse"))
    assert _valid_by_simulation([_as_perm(P.numpy())], 9, 3, seed=3) == [True]
    torch.manual_seed(5)
    mixer = _ChannelMixer(3).double()
    A = torch.randn(9, 9, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(R @ mixer((P @ A)[None])[0], mixer(A[None])[0], rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- Q5


def _f_torch(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x > 1, 0.75 * (1 - x) ** 2 - 2 * (1 - x),
                       torch.where(x < -1, 0.75 * (1 + x) ** 2 - 2 * (1 + x), x * x - 1))


def _autograd_gd(x0: float, eta: float, n: int) -> list[float]:
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    xs = [x.item()]
    for _ in range(n):
        (g,) = torch.autograd.grad(_f_torch(x), x)
        x = (x - eta * g).detach().requires_grad_(True)
        xs.append(x.item())
    return xs


@pytest.mark.parametrize("seed", SEEDS)
def test_q5_gradient_matches_autograd(sol, seed):
    x = torch.empty(300, dtype=torch.float64).uniform_(-6, 6, generator=torch.Generator().manual_seed(seed))
    x.requires_grad_(True)
    (g,) = torch.autograd.grad(_f_torch(x).sum(), x)
    np.testing.assert_allclose([sol.grad_f(v) for v in x.detach().tolist()], g.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x0, eta", [(1.5, 1.0), (3.0, 1.0), (42.0, 1.0), (1.0001, 1.0), (-4.0, 0.3), (0.7, 0.9)])
def test_q5_iterates_match_autograd_descent(sol, x0, eta):
    np.testing.assert_allclose(sol.gd_iterates(x0, eta, 40), _autograd_gd(x0, eta, 40), rtol=1e-12, atol=1e-12)


def test_q5_minimiser(sol):
    x = torch.tensor(float(sol.Q5A_MINIMISEUR), dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(_f_torch(x), x)
    assert abs(g.item()) < 1e-9
    grid = torch.linspace(-5, 5, 10001, dtype=torch.float64)
    assert _f_torch(x).item() <= _f_torch(grid).min().item() + 1e-12


def test_q5_behaviour_from_x0_above_one(sol):
    """With eta = 1 from x0 > 1 the iterates alternate sides and approach the 2-cycle {-1, 1}."""
    for x0 in (1.01, 2.0, 5.0, 37.5):
        xs = _autograd_gd(x0, 1.0, 200)
        tail = sorted(xs[-2:])
        np.testing.assert_allclose(tail, sol.Q5A_POINTS_LIMITES, atol=1e-9)
        assert all(a * b < 0 for a, b in zip(xs[1:], xs[:-1]))  # never settles on one side
    x = torch.tensor(sol.Q5A_POINTS_LIMITES, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(_f_torch(x).sum(), x)
    assert len(sol.Q5A_POINTS_LIMITES) == 2 and torch.all(g.abs() > 1)  # no stationary limit
    assert sol.Q5A_COMPORTEMENT == "oscille"


def test_q5_limit_points_need_no_more_steps_than_the_solution_takes(sol):
    for x0 in (1.001, 1.5, 2.0, 7.0, 100.0):
        assert sol._points_limites(x0) == sol._points_limites(x0, steps=1000)
