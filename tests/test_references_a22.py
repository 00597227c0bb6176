"""Cross-checks of solutions/ift6135-a22-generatifs/generatifs.py against torch.

Every reference the grader compares with comes from that file; here each one is recomputed
independently: torch.distributions and Monte Carlo for the KL (Q1), the flow evaluated in
torch for the radial flow (Q2.4), autograd for g'(z) (Q2.2) and for the GAN velocity field
(Q4), torch.autograd.functional.jacobian for J, torch.linalg.eigvals for its eigenvalues.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.compare import eigenvalues
from autograder.expressions import evaluate, parse_expression

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "ift6135-a22-generatifs" / "generatifs.py"


# torch in float64 for this module only (the fixture restores the default after each test)
pytestmark = pytest.mark.usefixtures("torch_float64")


def _load():
    spec = importlib.util.spec_from_file_location("solution_a22_generatifs", SOLUTION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sol = _load()
RNG = np.random.default_rng(2022)
Normal = torch.distributions.Normal


def _gaussians(n: int) -> list[tuple[float, float, float, float]]:
    return [(float(RNG.uniform(-3, 3)), float(RNG.uniform(0.2, 3)), float(RNG.uniform(-3, 3)), float(RNG.uniform(0.2, 3)))
            for _ in range(n)]


# ----------------------------------------------------------------------------- Q1


@pytest.mark.parametrize("mu1, s1, mu2, s2", _gaussians(8))
def test_kl_matches_torch(mu1, s1, mu2, s2):
    p, q = Normal(torch.tensor(mu1), torch.tensor(s1)), Normal(torch.tensor(mu2), torch.tensor(s2))
    want = torch.distributions.kl_divergence(q, p).item()  # KL[q || p]
    assert sol.kl_gauss(mu1, s1, mu2, s2) == pytest.approx(want, rel=1e-10, abs=1e-12)
    formula = evaluate(parse_expression(sol.KL_Q_P), {"mu1": mu1, "sigma1": s1, "mu2": mu2, "sigma2": s2})
    assert float(formula) == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_kl_matches_monte_carlo():
    torch.manual_seed(0)
    mu1, s1, mu2, s2 = 0.3, 1.5, -0.7, 0.8
    p, q = Normal(torch.tensor(mu1), torch.tensor(s1)), Normal(torch.tensor(mu2), torch.tensor(s2))
    x = q.sample((400_000,))
    samples = q.log_prob(x) - p.log_prob(x)  # E_q[log q/p]
    error = 4 * samples.std().item() / np.sqrt(x.numel())
    assert abs(sol.kl_gauss(mu1, s1, mu2, s2) - samples.mean().item()) < error


@pytest.mark.parametrize("same_sigma", [True, False])
def test_kl_symmetry_matches_torch(same_sigma):
    for mu1, s1, mu2, s2 in _gaussians(6):
        s2 = s1 if same_sigma else s1 * 1.7
        p, q = Normal(torch.tensor(mu1), torch.tensor(s1)), Normal(torch.tensor(mu2), torch.tensor(s2))
        forward = torch.distributions.kl_divergence(q, p).item()
        backward = torch.distributions.kl_divergence(p, q).item()
        assert sol.kl_symetrique(mu1, s1, mu2, s2) is bool(np.isclose(forward, backward, rtol=1e-9))
        assert sol.kl_symetrique(mu1, s1, mu2, s2) is same_sigma


# ----------------------------------------------------------------------------- Q2


@pytest.mark.parametrize("a, b, c", [(0.0, 2.0, 1.0), (1.5, 0.0, -2.0), (-2.0, 3.0, 0.0), (1.0, -2.0, 0.5),
                                     (2.5, 0.7, -1.2), (-0.3, -4.0, 3.0)])
def test_relu_counter_example(a, b, c):
    z, z_prime = sol.contre_exemple_relu(a, b, c)
    g = a * torch.relu(b * torch.tensor([z, z_prime]) + c)
    assert z != z_prime
    assert g[0].item() == pytest.approx(g[1].item(), abs=1e-12)


def test_mixture_derivative_matches_autograd():
    for _ in range(8):
        n = int(RNG.integers(2, 6))
        w = RNG.uniform(0.1, 1, size=n)
        w /= w.sum()
        a, b, z = RNG.uniform(0.2, 2, size=n), RNG.normal(0, 1.5, size=n), float(RNG.uniform(-2, 2))
        zt = torch.tensor(z, requires_grad=True)
        g = torch.logit((torch.tensor(w) * torch.sigmoid(torch.tensor(a) * zt + torch.tensor(b))).sum())
        (dg,) = torch.autograd.grad(g, zt)
        assert sol.derivee_g_melange(z, w, a, b) == pytest.approx(dg.item(), rel=1e-9)
        assert dg.item() > 0


def _radial_flow(z: torch.Tensor, z0: torch.Tensor, alpha: float, beta: float) -> torch.Tensor:
    return z + beta / (alpha + torch.linalg.norm(z - z0)) * (z - z0)


def test_radial_flow_inversion():
    for _ in range(12):
        d = int(RNG.integers(1, 6))
        z0, z = torch.tensor(RNG.normal(size=d)), torch.tensor(RNG.normal(0, 2, size=d))
        alpha = float(RNG.uniform(0.1, 3))
        beta = -alpha if _ == 0 else float(RNG.uniform(-alpha, 3))  # the boundary beta = -alpha too
        y = _radial_flow(z, z0, alpha, beta)
        r = torch.linalg.norm(z - z0).item()
        assert sol.rayon_depuis_y(y.numpy(), z0.numpy(), alpha, beta) == pytest.approx(r, rel=1e-9)
        z_tilde = sol.z_tilde_depuis_r(y.numpy(), z0.numpy(), r, alpha, beta)
        np.testing.assert_allclose(z_tilde, ((z - z0) / r).numpy(), rtol=1e-9, atol=1e-12)
        back = sol.inverser_flux_radial(y.numpy(), z0.numpy(), alpha, beta)
        np.testing.assert_allclose(back, z.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(_radial_flow(torch.tensor(back), z0, alpha, beta).numpy(), y.numpy(), rtol=1e-9)


# ----------------------------------------------------------------------------- Q4


def _torch_field(gamma: float = 0.0):
    """v-bar from L and R1 by autograd: (d/dpsi of L - gamma/2 R1, -d/dtheta of L)."""

    def field(p: torch.Tensor) -> torch.Tensor:
        psi0, psi1, theta = p[0], p[1], p[2]
        critic = lambda x: psi0 * x + psi1  # noqa: E731
        loss = torch.nn.functional.logsigmoid(critic(torch.tensor(0.0))) \
            + torch.nn.functional.logsigmoid(-critic(theta))  # p_D = delta_0, p_theta = delta_theta
        x = torch.tensor(0.0, requires_grad=True)
        (dc_dx,) = torch.autograd.grad(critic(x), x, create_graph=True)
        objective = loss - gamma / 2 * dc_dx**2  # R1 = E_{p_D} ||grad_x C||^2, only in the critic's update
        (grad,) = torch.autograd.grad(objective, p, create_graph=True)
        return torch.stack([grad[0], grad[1], -grad[2]])

    return field


def _points(n: int) -> list[list[float]]:
    return RNG.uniform(-3, 3, size=(n, 3)).tolist()


def test_velocity_fields_match_autograd():
    for point in _points(8):
        gamma = float(RNG.uniform(0.05, 3))
        p = torch.tensor(point, requires_grad=True)
        np.testing.assert_allclose(sol.champ_vitesse(*point), _torch_field()(p).detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(sol.champ_vitesse_r1(*point, gamma), _torch_field(gamma)(p).detach().numpy(),
                                   rtol=1e-9, atol=1e-12)


def test_jacobians_match_autograd():
    for point in _points(8):
        gamma = float(RNG.uniform(0.05, 3))
        p = torch.tensor(point)
        np.testing.assert_allclose(sol.jacobienne_champ(*point),
                                   torch.autograd.functional.jacobian(_torch_field(), p).numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(sol.jacobienne_champ_r1(*point, gamma),
                                   torch.autograd.functional.jacobian(_torch_field(gamma), p).numpy(),
                                   rtol=1e-9, atol=1e-12)


def _torch_newton(field, q: torch.Tensor) -> torch.Tensor | None:
    """A zero of the field reached by Newton's method from q, or None if it runs away."""
    for _ in range(50):
        v = field(q.clone().requires_grad_(True)).detach()
        if torch.linalg.norm(v) < 1e-13:
            return q
        try:
            q = q - torch.linalg.solve(torch.autograd.functional.jacobian(field, q), v)
        except RuntimeError:  # a singular Jacobian on the way
            return None
        if not torch.isfinite(q).all() or torch.linalg.norm(q) > 1e3:
            return None
    return None


GAMMAS = [0.0, 0.05, 0.5, 0.99, 1.0, 1.01, 2.0, 3.5]


@pytest.mark.parametrize("gamma", GAMMAS)
def test_stationary_point_and_eigenvalues(gamma):
    points = sol.POINTS_STATIONNAIRES if gamma == 0 else sol.points_stationnaires_r1(gamma)
    assert len(points) == 1
    p = torch.tensor(points[0], requires_grad=True)
    assert torch.linalg.norm(_torch_field(gamma)(p)).item() < 1e-12
    # no other zero: Newton's method in torch from random starts only ever lands on this one
    for start in RNG.uniform(-1, 1, size=(6, 3)):
        root = _torch_newton(_torch_field(gamma), torch.tensor(start))
        if root is not None:
            np.testing.assert_allclose(root.numpy(), points[0], atol=1e-8)
    j = torch.autograd.functional.jacobian(_torch_field(gamma), p.detach())
    j_star = sol.J_ETOILE if gamma == 0 else sol.j_etoile_r1(gamma)
    np.testing.assert_allclose(j_star, j.numpy(), rtol=1e-12, atol=1e-12)
    values = sol.VALEURS_PROPRES_J_ETOILE if gamma == 0 else sol.valeurs_propres_r1(gamma)
    verdict = eigenvalues(values, torch.linalg.eigvals(j).numpy(), rtol=1e-7, atol=1e-7)
    assert verdict.ok, verdict.message


def test_regularised_system_is_stable_and_plain_one_is_not():
    assert max(np.real(sol.VALEURS_PROPRES_J_ETOILE)) == pytest.approx(0.0, abs=1e-12)  # purely imaginary pair
    for gamma in GAMMAS[1:]:
        assert max(np.real(sol.valeurs_propres_r1(gamma))) < 0
