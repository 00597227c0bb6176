"""Cross-checks of solutions/ift6135-devoir3/devoir3.py against torch.

Derivatives and gradients against torch.autograd, shapes and parameter counts against torch.nn
layers, convolutions against F.conv1d with a flipped kernel. Formula answers (strings) are
evaluated with the grader's own formula evaluator, so what is checked is what students are
compared with.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.expressions import evaluate, parse_expression

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "ift6135-devoir3" / "devoir3.py"


# torch in float64 for this module only (the fixture restores the default after each test)
pytestmark = pytest.mark.usefixtures("torch_float64")


def _load_solution():
    spec = importlib.util.spec_from_file_location("solution_ift6135_devoir3", SOLUTION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sol = _load_solution()


def formula(text: str, **values) -> np.ndarray:
    return evaluate(parse_expression(text), {k: np.asarray(v, dtype=float) for k, v in values.items()})


def close(actual, expected, tol=1e-9):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=1e-7, atol=tol)


# ============================================================================ Question 1


def test_sign_from_indicators_matches_torch_sign():
    conditions = {"x>0": lambda x: x > 0, "x<0": lambda x: x < 0, "x>=0": lambda x: x >= 0,
                  "x<=0": lambda x: x <= 0, "x=0": lambda x: x == 0, "x!=0": lambda x: x != 0}
    for x in (-2.5, -0.1, 0.0, 0.3, 4.0):
        value = sum(coef * float(conditions[cond](x)) for cond, coef in sol.SIGNE_INDICATRICES.items())
        assert value == torch.sign(torch.tensor(x)).item()


def test_two_relu_definitions_with_h_match_torch_relu():
    xs = np.array([-3.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 2.0])
    assert len(set(sol.RELU_AVEC_H)) == 2
    for text in sol.RELU_AVEC_H:
        assert parse_expression(text, allowed={"x", "H"})
        close([formula(text, x=x) for x in xs], torch.relu(torch.tensor(xs)).numpy())


@pytest.mark.parametrize("name, variable, function", [
    ("SIGMA_PRIME", "x", torch.sigmoid),
    ("SOFTPLUS_PRIME", "x", F.softplus),
    ("PHI_PRIME", "z", F.softplus),
])
def test_scalar_derivative_formulas_match_autograd(name, variable, function):
    t = torch.linspace(-6, 6, 41, requires_grad=True)
    function(t).sum().backward()
    close([formula(getattr(sol, name), **{variable: v}) for v in t.detach().numpy()], t.grad.numpy())


def test_logistic_jacobian_matches_autograd():
    rng = np.random.default_rng(0)
    for n in (1, 3, 6):
        x = rng.normal(0, 3, size=n)
        expected = torch.autograd.functional.jacobian(torch.sigmoid, torch.tensor(x))
        close(sol.jacobienne_logistique(x), expected.numpy())


def test_softmax_limits_match_softmax_of_scaled_inputs():
    for x in ([1.0, 3.0, 2.0], [2.0, 5.0, 5.0, 1.0], [-1.0, -1.0, -1.0]):
        t = torch.tensor(x)
        close(sol.softmax_limite_grand_c(x), torch.softmax(1e4 * t, dim=0).numpy(), tol=1e-8)
        close(sol.softmax_limite_petit_c(x), torch.softmax(1e-10 * t, dim=0).numpy(), tol=1e-8)


def test_softmax_jacobian_formula_matches_autograd():
    rng = np.random.default_rng(1)
    for n in (2, 4, 7):
        x = torch.tensor(rng.normal(0, 2, size=n))
        S = torch.softmax(x, dim=0).numpy()[:, None]  # the formula's S is a column vector
        expected = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, dim=0), x)
        close(formula(sol.JACOBIENNE_SOFTMAX, S=S), expected.numpy())


def test_cross_entropy_gradient_formula_matches_autograd():
    rng = np.random.default_rng(2)
    for _ in range(5):
        K = int(rng.integers(2, 8))
        x = torch.tensor(rng.normal(0, 2, size=K), requires_grad=True)
        c = np.eye(K)[rng.integers(0, K)]
        loss = -(torch.tensor(c) * torch.log_softmax(x, dim=0)).sum()
        loss.backward()
        close(formula(sol.GRAD_CE_SOFTMAX, x=x.detach().numpy(), c=c), x.grad.numpy())


# ============================================================================ Question 2


def _network(rng, d, d_h, m):
    return (rng.normal(size=(d_h, d)), rng.normal(0, 0.5, size=d_h), rng.normal(size=(m, d_h)),
            rng.normal(0, 0.5, size=m))


NETWORKS = [(3, 4, 3), (1, 1, 2), (5, 2, 6), (4, 7, 4)]


def test_parameter_shapes_and_count_match_nn_linear():
    for d, d_h, m in NETWORKS + [(784, 100, 10)]:
        hidden, output = torch.nn.Linear(d, d_h), torch.nn.Linear(d_h, m)
        dims = sol.dimensions_parametres(d, d_h, m)
        assert dims == {"W1": list(hidden.weight.shape), "b1": list(hidden.bias.shape),
                        "W2": list(output.weight.shape), "b2": list(output.bias.shape)}
        assert sol.n_theta(d, d_h, m) == sum(p.numel() for p in (*hidden.parameters(), *output.parameters()))


def test_forward_pass_matches_torch_modules():
    rng = np.random.default_rng(3)
    for d, d_h, m in NETWORKS:
        W1, b1, W2, b2 = _network(rng, d, d_h, m)
        x = rng.normal(0, 2, size=d)
        hidden, output = torch.nn.Linear(d, d_h), torch.nn.Linear(d_h, m)
        with torch.no_grad():
            for layer, W, b in ((hidden, W1, b1), (output, W2, b2)):
                layer.weight.copy_(torch.tensor(W))
                layer.bias.copy_(torch.tensor(b))
            h_a = hidden(torch.tensor(x))
            h_s = torch.nn.Softplus()(h_a)
            o_a = output(h_s)
            o_s = torch.nn.Softmax(dim=0)(o_a)
        got = sol.propagation_avant(W1, b1, W2, b2, x)
        for key, expected in (("h_a", h_a), ("h_s", h_s), ("o_a", o_a), ("o_s", o_s)):
            close(got[key], expected.numpy())


def test_all_hand_derived_gradients_match_autograd():
    rng = np.random.default_rng(4)
    for d, d_h, m in NETWORKS:
        W1, b1, W2, b2 = _network(rng, d, d_h, m)
        x = rng.normal(0, 2, size=d)
        y = int(rng.integers(0, m))
        tW2, tb2 = torch.tensor(W2, requires_grad=True), torch.tensor(b2, requires_grad=True)
        tW1 = torch.tensor(W1, requires_grad=True)  # so that h^a is part of the graph
        h_a = tW1 @ torch.tensor(x) + torch.tensor(b1)
        h_a.retain_grad()
        h_s = F.softplus(h_a)
        h_s.retain_grad()
        o_a = tW2 @ h_s + tb2
        o_a.retain_grad()
        F.cross_entropy(o_a[None], torch.tensor([y])).backward()
        args = (W1, b1, W2, b2, x, y)
        close(sol.grad_oa(*args), o_a.grad.numpy())
        close(sol.grad_W2(*args), tW2.grad.numpy())
        close(sol.grad_b2(*args), tb2.grad.numpy())
        close(sol.grad_hs(*args), h_s.grad.numpy())
        close(sol.grad_ha(*args), h_a.grad.numpy())
        for k in range(m):
            close(sol.dL_db2_k(*args, k), tb2.grad[k].item())
            for j in range(d_h):
                close(sol.dL_dW2_kj(*args, k, j), tW2.grad[k, j].item())
        for j in range(d_h):
            close(sol.dL_dhs_j(*args, j), h_s.grad[j].item())
            close(sol.dL_dha_j(*args, j), h_a.grad[j].item())


def test_empirical_risk_gradient_wrt_output_activations_matches_autograd():
    rng = np.random.default_rng(5)
    for d, d_h, m in NETWORKS:
        W1, b1, W2, b2 = _network(rng, d, d_h, m)
        n = int(rng.integers(1, 6))
        X, Y = rng.normal(0, 2, size=(n, d)), rng.integers(0, m, size=n)
        h_s = F.softplus(torch.tensor(X) @ torch.tensor(W1).T + torch.tensor(b1))
        O_a = (h_s @ torch.tensor(W2).T + torch.tensor(b2)).detach().requires_grad_()
        F.cross_entropy(O_a, torch.tensor(Y)).backward()  # mean over the batch: R̂
        close(sol.grad_risque_oa(W1, b1, W2, b2, X, Y), O_a.grad.numpy())


def test_loss_formula_in_output_activations_matches_cross_entropy():
    rng = np.random.default_rng(6)
    for m in (2, 5, 9):
        o = rng.normal(0, 2, size=m)
        for y in range(m):
            expected = F.cross_entropy(torch.tensor(o)[None], torch.tensor([y])).item()
            close(formula(sol.Q2H_PERTE, o=o, c=np.eye(m)[y]), expected)


def test_binary_losses_and_their_derivatives_match_torch():
    o = torch.linspace(-5, 5, 21, requires_grad=True)
    for y in (0.0, 1.0):
        target = torch.full_like(o, y)
        losses = {"Q2E_MSE": (torch.sigmoid(o) - target) ** 2,
                  "Q2F_CE": F.binary_cross_entropy_with_logits(o, target, reduction="none")}
        for name, loss in losses.items():
            (grad,) = torch.autograd.grad(loss.sum(), o)
            answer = getattr(sol, name)
            values = o.detach().numpy()
            close([formula(answer["perte"], o=v, y=y) for v in values], loss.detach().numpy())
            close([formula(answer["derivee"], o=v, y=y) for v in values], grad.numpy())


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_gradient_descent_updates_match_torch_sgd(lam):
    rng = np.random.default_rng(7)
    theta0, g, eta = rng.normal(size=4), rng.normal(size=4), 0.1
    theta = torch.nn.Parameter(torch.tensor(theta0))
    # ∇λ‖θ‖² = 2λθ: torch's weight_decay wd adds wd·θ to the gradient
    optimizer = torch.optim.SGD([theta], lr=eta, weight_decay=2 * lam)
    theta.grad = torch.tensor(g)
    optimizer.step()
    text = sol.Q2K_MISE_A_JOUR_REG if lam else sol.Q2J_MISE_A_JOUR
    close(formula(text, theta=theta0, g=g, eta=eta, lam=lam), theta.detach().numpy())


# ============================================================================ Question 3


def test_conv_output_size_matches_conv1d_and_maxpool():
    rng = np.random.default_rng(8)
    checked = 0
    while checked < 40:
        i, k, s, p, d = (int(rng.integers(lo, hi)) for lo, hi in ((5, 60), (1, 8), (1, 4), (0, 3), (1, 3)))
        if i + 2 * p < d * (k - 1) + 1:
            continue
        conv = torch.nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d)
        assert sol.conv_output_size(i, k, s, p, d) == conv(torch.zeros(1, 1, i)).shape[-1]
        if p <= k // 2:
            pool = torch.nn.MaxPool1d(k, stride=s, padding=p, dilation=d)
            assert sol.conv_output_size(i, k, s, p, d) == pool(torch.zeros(1, 1, i)).shape[-1]
        checked += 1


def test_handout_cnn_output_and_last_layer_parameters_match_torch():
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 32, 8, stride=2, padding=3),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, stride=1, padding=1),
    )
    with torch.no_grad():
        out = net(torch.zeros(1, 3, 128, 128))
    assert sol.Q3A_DIM_SORTIE == out[0].numel()
    assert sol.Q3B_NB_PARAMETRES == net[2].weight.numel()


def test_conv_param_count_matches_conv2d():
    rng = np.random.default_rng(9)
    for _ in range(10):
        c_in, c_out, k = (int(rng.integers(1, n)) for n in (40, 40, 6))
        for bias in (False, True):
            layer = torch.nn.Conv2d(c_in, c_out, k, bias=bias)
            assert sol.conv_param_count(c_in, c_out, k, bias) == sum(p.numel() for p in layer.parameters())


def _torch_convolution(x, w, mode):
    # F.conv1d is a cross-correlation: flipping the kernel makes it a convolution
    k = len(w)
    full = F.conv1d(torch.tensor(x, dtype=torch.float64)[None, None],
                    torch.tensor(w[::-1].copy(), dtype=torch.float64)[None, None], padding=k - 1)[0, 0]
    if mode == "full":
        return full.numpy()
    if mode == "valid":
        return F.conv1d(torch.tensor(x)[None, None], torch.tensor(w[::-1].copy())[None, None])[0, 0].numpy()
    start = (k - 1) // 2
    return full[start:start + len(x)].numpy()


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_conv1d_matches_flipped_torch_conv1d(mode):
    rng = np.random.default_rng(10)
    cases = [(np.array([1.0, 1, 4, 4, 4, 1, 1]), np.full(4, 0.25))]
    for _ in range(10):
        n = int(rng.integers(3, 10))
        cases.append((rng.normal(size=n), rng.normal(size=int(rng.integers(1, n + 1)))))
    for x, w in cases:
        close(sol.conv1d(x, w, mode), _torch_convolution(x, w, mode))
        close(sol.conv1d(x, w, mode), np.convolve(x, w, mode))  # "same": numpy's centring convention
