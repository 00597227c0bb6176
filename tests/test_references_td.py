"""Cross-checks of solutions/td-gradients/td_gradients.py against torch.

Gradients and Jacobians (functions and formula strings) are compared with torch.autograd on
random inputs; operation counts with a matrix product written as explicit loops that counts
its own multiplications, applied to the real Jacobians of the network.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.expressions import evaluate, parse_expression

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "td-gradients" / "td_gradients.py"
SIZES = [(2, 3), (5, 3), (4, 1), (1, 4), (6, 6)]


@pytest.fixture(scope="module")
def sol():
    spec = importlib.util.spec_from_file_location("td_gradients_solution", SOLUTION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng([20240, *key])


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _formula(text: str, **values: np.ndarray) -> np.ndarray:
    return evaluate(parse_expression(text), values)


def _network(w: torch.Tensor, W: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Equation (1) of the handout with σ = v_i = tanh, written with torch ops."""
    return torch.tanh(torch.dot(w, torch.tanh(torch.nn.functional.linear(x, W))))


def _random_network(seed: int, N: int, H: int):
    rng = _rng(seed, N, H)
    return rng.normal(size=H), rng.normal(size=(H, N)), rng.normal(size=N)


# ----------------------------------------------------------------------------- Question 3


@pytest.mark.parametrize("m, n", SIZES)
def test_gradient_f1_matches_autograd(sol, m, n):
    rng = _rng(1, m, n)
    A, b, x = rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=n)
    xt = _t(x, grad=True)
    (0.5 * torch.sum((_t(A) @ xt - _t(b)) ** 2)).backward()
    expected = xt.grad.numpy()
    np.testing.assert_allclose(sol.gradient_f1(A, b, x), expected, rtol=1e-10, atol=1e-12)
    column = _formula(sol.Q3_GRAD_F1, A=A, b=b[:, None], x=x[:, None])
    assert column.shape == (n, 1)
    np.testing.assert_allclose(column[:, 0], expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("p, n", SIZES)
def test_jacobian_f2_matches_autograd(sol, p, n):
    rng = _rng(2, p, n)
    B, c, x = rng.normal(size=(p, n)), rng.normal(size=p), rng.normal(size=n)
    expected = torch.autograd.functional.jacobian(lambda v: _t(B) @ v + _t(c), _t(x)).numpy()
    np.testing.assert_allclose(sol.jacobienne_f2(B, c, x), expected, rtol=1e-12)
    np.testing.assert_allclose(_formula(sol.Q3_JACOBIENNE_F2, B=B, c=c[:, None], x=x[:, None]), expected, rtol=1e-12)


@pytest.mark.parametrize("m, n, k", [(2, 3, 4), (5, 4, 3), (1, 3, 2), (4, 1, 1), (3, 3, 3)])
def test_gradient_f3_matches_autograd(sol, m, n, k):
    rng = _rng(3, m, n, k)
    M, P, Q = rng.normal(size=(m, n)), rng.normal(size=(m, k)), rng.normal(size=(k, n))
    Pt, Qt = _t(P, grad=True), _t(Q, grad=True)
    (0.5 * torch.sum((_t(M) - Pt @ Qt) ** 2)).backward()
    got = sol.gradient_f3(M, P, Q)
    np.testing.assert_allclose(got["P"], Pt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got["Q"], Qt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_formula(sol.Q3_GRAD_F3_P, M=M, P=P, Q=Q), Pt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_formula(sol.Q3_GRAD_F3_Q, M=M, P=P, Q=Q), Qt.grad.numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- Question 5


@pytest.mark.parametrize("N, H", SIZES)
def test_layers_compose_to_the_network(sol, N, H):
    w, W, x = _random_network(5, N, H)
    pre = torch.nn.functional.linear(_t(x), _t(W))
    np.testing.assert_allclose(sol.couche_L(W, x), pre.numpy(), rtol=1e-12)
    np.testing.assert_allclose(sol.couche_V(pre.numpy()), torch.tanh(pre).numpy(), rtol=1e-12)
    y = _rng(4, N, H).normal(size=H)
    assert sol.couche_M(w, y) == pytest.approx(float(torch.dot(_t(w), _t(y))), rel=1e-12)
    assert sol.reseau_f(w, W, x) == pytest.approx(float(_network(_t(w), _t(W), _t(x))), rel=1e-12)


@pytest.mark.parametrize("N, H", SIZES)
def test_dimensions_are_those_of_the_torch_layers(sol, N, H):
    w, W, x = _random_network(6, N, H)
    linear = torch.nn.Linear(N, H, bias=False)
    with torch.no_grad():
        hidden = torch.tanh(linear(_t(x).float()))
    expected = {
        "L": [linear.weight.numel() + N, torch.nn.functional.linear(_t(x), _t(W)).numel()],
        "V": [hidden.numel(), hidden.numel()],
        "M": [_t(w).numel() + hidden.numel(), torch.dot(_t(w), hidden.double()).numel()],
    }
    assert sol.dimensions_LVM(N, H) == expected


# ----------------------------------------------------------------------------- Question 6


@pytest.mark.parametrize("N, H", SIZES)
def test_jacobians_match_autograd(sol, N, H):
    w, W, x = _random_network(7, N, H)
    y = 2.0 * _rng(8, N, H).normal(size=H)  # large enough for tanh to saturate somewhere
    jac = torch.autograd.functional.jacobian
    dW, dx = jac(lambda Wf, xv: Wf.reshape(H, N) @ xv, (_t(W.ravel()), _t(x)))
    np.testing.assert_allclose(sol.jacobienne_L(W, x), torch.cat([dW, dx], dim=1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(sol.jacobienne_V(y), jac(torch.tanh, _t(y)).numpy(), rtol=1e-10, atol=1e-14)
    dw, dy = jac(torch.dot, (_t(w), _t(y)))
    np.testing.assert_allclose(sol.jacobienne_M(w, y), torch.cat([dw, dy])[None, :].numpy(), rtol=1e-12)


# ----------------------------------------------------------------------------- Question 7


@pytest.mark.parametrize("N, H", SIZES)
def test_gradient_f_matches_autograd(sol, N, H):
    w, W, x = _random_network(9, N, H)
    wt, Wt = _t(w, grad=True), _t(W, grad=True)
    _network(wt, Wt, _t(x)).backward()
    got = sol.gradient_f(w, W, x)
    np.testing.assert_allclose(got["w"], wt.grad.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(got["W"], Wt.grad.numpy(), rtol=1e-10, atol=1e-13)


# ----------------------------------------------------------------------------- Questions 8 and 9


class CountingMatmul:
    """(n x m) @ (m x p) as three explicit loops, counting its scalar multiplications."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        n, m = A.shape
        m2, p = B.shape
        assert m == m2
        C = np.zeros((n, p))
        for i in range(n):
            for j in range(p):
                for l in range(m):
                    C[i, j] += A[i, l] * B[l, j]
                    self.count += 1
        return C


def _from_input(matrices: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """A_1 ... A_k accumulated from the input side: A_{k-1} A_k first."""
    matmul = CountingMatmul()
    acc = matrices[-1]
    for A in reversed(matrices[:-1]):
        acc = matmul(A, acc)
    return acc, matmul.count


def _from_output(matrices: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """A_1 ... A_k accumulated from the output side: A_1 A_2 first."""
    matmul = CountingMatmul()
    acc = matrices[0]
    for A in matrices[1:]:
        acc = matmul(acc, A)
    return acc, matmul.count


def _chain(dims: list[int], rng: np.random.Generator) -> list[np.ndarray]:
    return [rng.normal(size=(a, b)) for a, b in zip(dims, dims[1:])]


@pytest.mark.parametrize("seed", range(12))
def test_chain_counts_match_loop_counting(sol, seed):
    rng = _rng(10, seed)
    dims = [int(d) for d in rng.integers(1, 7, size=int(rng.integers(2, 7)))]
    matrices = _chain(dims, rng)
    forward, forward_count = _from_input(matrices)
    backward, backward_count = _from_output(matrices)
    np.testing.assert_allclose(forward, backward, rtol=1e-9, atol=1e-12)
    assert sol.multiplications_depuis_entree(dims) == forward_count
    assert sol.multiplications_depuis_sortie(dims) == backward_count


def _network_jacobians(sol, w, W, x) -> list[np.ndarray]:
    """σ' (1x1) · ∇_y M^T (1xH) · J_V (HxH) · J_L on the w_ij (H x NH), built with torch.autograd."""
    H, N = W.shape
    jac = torch.autograd.functional.jacobian
    pre = _t(W) @ _t(x)
    hidden = torch.tanh(pre)
    sigma_prime = jac(torch.tanh, torch.dot(_t(w), hidden)).reshape(1, 1)
    d_hidden = jac(lambda h: torch.dot(_t(w), h), hidden).reshape(1, H)
    J_V = jac(torch.tanh, pre)
    J_L = jac(lambda Wf: Wf.reshape(H, N) @ _t(x), _t(W.ravel()))
    return [m.numpy() for m in (sigma_prime, d_hidden, J_V, J_L)]


@pytest.mark.parametrize("N, H", [(1, 1), (2, 3), (3, 2), (4, 4), (1, 5)])
def test_network_counts_match_loop_counting(sol, N, H):
    w, W, x = _random_network(11, N, H)
    matrices = _network_jacobians(sol, w, W, x)
    assert [m.shape for m in matrices] == [(1, 1), (1, H), (H, H), (H, N * H)]
    forward, forward_count = _from_input(matrices)
    backward, backward_count = _from_output(matrices)
    Wt = _t(W, grad=True)
    _network(_t(w), Wt, _t(x)).backward()
    # both orders give the gradient: only their cost differs
    np.testing.assert_allclose(forward[0], Wt.grad.numpy().ravel(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(backward[0], Wt.grad.numpy().ravel(), rtol=1e-10, atol=1e-13)
    assert sol.operations_avant(N, H) == forward_count
    assert sol.operations_arriere(N, H) == backward_count


def test_backward_prefix_costs_h_squared_not_h_squared_n(sol):
    """The handout says σ' ∇M^T J_V costs O(H²N) from the output; the loops count H + H²."""
    N, H = 3, 4
    matrices = _network_jacobians(sol, *_random_network(12, N, H))
    _, prefix = _from_output(matrices[:3])
    assert prefix == H + H**2
    assert sol.multiplications_depuis_sortie([1, 1, H, H]) == prefix


@pytest.mark.parametrize("name, count", [("Q8_ORDRE", "operations_avant"), ("Q9_ORDRE", "operations_arriere")])
def test_orders_are_the_dominant_monomials(sol, name, count):
    order = getattr(sol, name)
    ops = getattr(sol, count)
    for N, H in [(10**6, 10**6), (10**4, 10**7), (10**7, 10**4)]:
        assert ops(N, H) / (N ** order["N"] * H ** order["H"]) == pytest.approx(1.0, abs=2e-3)


def test_forward_is_one_power_of_h_more_expensive(sol):
    assert sol.Q8_ORDRE == {"N": sol.Q9_ORDRE["N"], "H": sol.Q9_ORDRE["H"] + 1}
    assert all(sol.operations_avant(N, H) > sol.operations_arriere(N, H) for N in range(1, 6) for H in range(2, 6))
