"""Cross-check the IFT6135-H2020 hw1 reference solution against torch.

Nothing here is copied from the handout: derivatives come from torch.autograd / torch.func,
shapes and parameter counts from ``nn.Conv2d`` / ``nn.MaxPool2d``, softmax from ``torch.softmax``.
Every comparison would fail if the corresponding reference value were wrong.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

HW1_PATH = Path(__file__).resolve().parent.parent / "solutions" / "ift6135-h20-hw1" / "hw1.py"
TRACE_KEYS = ["v-1", "v0", "v1", "v2", "v3", "v4", "v5"]


def _load_reference():
    spec = importlib.util.spec_from_file_location("ift6135_h20_hw1_reference", HW1_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hw1 = _load_reference()


def _ad_points(count: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    points = []
    while len(points) < count:
        x1, x2 = (float(v) for v in rng.uniform(-5, 5, size=2))
        if abs(x1 + x2) > 0.5:   # y has a pole on x1 + x2 = 0
            points.append((x1, x2))
    return points


AD_POINTS = [(3.0, 6.0)] + _ad_points(20, seed=2020)


# ----------------------------------------------------------------------------- Question 4


def _torch_trace(x1: torch.Tensor, x2: torch.Tensor) -> dict[str, torch.Tensor]:
    """The handout's evaluation trace, node for node."""
    v = {"v-1": x1, "v0": x2}
    v["v1"] = v["v-1"] + v["v0"]
    v["v2"] = 1 / v["v1"]
    v["v3"] = v["v0"] ** 2
    v["v4"] = torch.cos(v["v-1"])
    v["v5"] = v["v2"] + v["v3"] + v["v4"]
    return v


def _torch_adjoints(x1: float, x2: float) -> dict[str, float]:
    """vbar_i = dy/dv_i, read off the autograd graph with every intermediate retaining its grad."""
    a = torch.tensor(x1, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(x2, dtype=torch.float64, requires_grad=True)
    v = _torch_trace(a, b)
    for name in TRACE_KEYS[2:]:
        v[name].retain_grad()
    v["v5"].backward()
    return {name: float(v[name].grad) for name in TRACE_KEYS}


def _torch_tangents(x1: float, x2: float, dx1: float, dx2: float) -> dict[str, float]:
    """dv_i = (dv_i/dx1) dx1 + (dv_i/dx2) dx2, each Jacobian row from torch.autograd.grad.

    (Forward-mode AD in torch -- torch.func.jvp, autograd.forward_ad -- first scripts its
    decompositions with torch.jit, which costs seconds under pytest; the chain rule through
    reverse mode gives the same directional derivative.)
    """
    a = torch.tensor(x1, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(x2, dtype=torch.float64, requires_grad=True)
    v = _torch_trace(a, b)
    out = {}
    for name in TRACE_KEYS:
        da, db = torch.autograd.grad(v[name], (a, b), retain_graph=True, allow_unused=True,
                                     materialize_grads=True)
        out[name] = float(da) * dx1 + float(db) * dx2
    return out


def _assert_trace_close(actual: dict, expected: dict, rtol: float = 1e-12, atol: float = 1e-12):
    assert list(actual) == TRACE_KEYS or set(actual) == set(TRACE_KEYS)
    for name in TRACE_KEYS:
        assert type(actual[name]) is float or isinstance(actual[name], (int, np.floating)), name
        assert math.isclose(actual[name], expected[name], rel_tol=rtol, abs_tol=atol), \
            (name, actual[name], expected[name])


@pytest.mark.parametrize("x1, x2", AD_POINTS)
def test_forward_trace_matches_torch(x1, x2):
    v = _torch_trace(torch.tensor(x1, dtype=torch.float64), torch.tensor(x2, dtype=torch.float64))
    got = hw1.forward_trace(x1, x2)
    _assert_trace_close(got, {k: float(t) for k, t in v.items()})
    # and the trace computes the handout's y = 1/(x1 + x2) + x2**2 + cos(x1)
    assert math.isclose(got["v5"], 1 / (x1 + x2) + x2 ** 2 + math.cos(x1), rel_tol=1e-12, abs_tol=1e-12)


AD_RANDOM_SEEDS = [tuple(float(s) for s in pair) for pair in np.random.default_rng(4).normal(size=(len(AD_POINTS), 2))]


@pytest.mark.parametrize("x1, x2, random_seed", [(x1, x2, r) for (x1, x2), r in zip(AD_POINTS, AD_RANDOM_SEEDS)])
def test_forward_tangent_matches_autograd(x1, x2, random_seed):
    for dx1, dx2 in [(1.0, 0.0), (0.0, 1.0), random_seed]:
        _assert_trace_close(hw1.forward_tangent(x1, x2, dx1, dx2), _torch_tangents(x1, x2, dx1, dx2))


def test_forward_tangent_seeds_give_the_gradient():
    # the seed (1, 0) at the handout's point gives dy/dx1; (0, 1) gives dy/dx2
    for x1, x2 in AD_POINTS:
        grads = _torch_adjoints(x1, x2)
        assert math.isclose(hw1.forward_tangent(x1, x2, 1.0, 0.0)["v5"], grads["v-1"], rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(hw1.forward_tangent(x1, x2, 0.0, 1.0)["v5"], grads["v0"], rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("x1, x2", AD_POINTS)
def test_reverse_adjoints_match_autograd(x1, x2):
    expected = _torch_adjoints(x1, x2)
    assert expected["v5"] == 1.0 and expected["v2"] == 1.0 and expected["v3"] == 1.0 and expected["v4"] == 1.0
    _assert_trace_close(hw1.reverse_adjoints(x1, x2), expected)


def test_reverse_adjoints_at_the_handouts_point():
    # (3, 6): dy/dx1 = -1/81 - sin 3, dy/dx2 = -1/81 + 12, checked against torch.autograd.grad
    a = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(6.0, dtype=torch.float64, requires_grad=True)
    ga, gb = torch.autograd.grad(1 / (a + b) + b ** 2 + torch.cos(a), (a, b))
    adj = hw1.reverse_adjoints(3, 6)
    assert math.isclose(adj["v-1"], float(ga), rel_tol=1e-12)
    assert math.isclose(adj["v0"], float(gb), rel_tol=1e-12)
    assert math.isclose(adj["v1"], -1 / 81, rel_tol=1e-12)


# ----------------------------------------------------------------------------- Question 5


def _torch_conv(x: np.ndarray, w: np.ndarray, padding: int) -> np.ndarray:
    """True convolution through torch's cross-correlation: flip the kernel."""
    xt = torch.tensor(x, dtype=torch.float64).view(1, 1, -1)
    wt = torch.tensor(w, dtype=torch.float64).flip(0).view(1, 1, -1)
    return F.conv1d(xt, wt, padding=padding).view(-1).numpy()


def _conv_cases(count: int, seed: int, odd_only: bool = False):
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        n = int(rng.integers(1, 12))
        k = int(rng.integers(1, n + 1))
        if odd_only and k % 2 == 0:
            continue
        cases.append((rng.normal(size=n).round(3), rng.normal(size=k).round(3)))
    return cases


def test_conv1d_handout_example():
    x, w = [1, 2, 3, 4], [1, 0, 2]
    assert np.allclose(hw1.conv1d(x, w, "full"), _torch_conv(np.array(x, float), np.array(w, float), 2))
    assert np.allclose(hw1.conv1d(x, w, "full"), [1, 2, 5, 8, 6, 8])
    assert np.allclose(hw1.conv1d(x, w, "valid"), [5, 8])
    assert np.allclose(hw1.conv1d(x, w, "same"), [2, 5, 8, 6])


@pytest.mark.parametrize("x, w", _conv_cases(25, seed=1))
def test_conv1d_full_and_valid_match_torch_with_flipped_kernel(x, w):
    k = w.size
    full, valid = hw1.conv1d(x, w, "full"), hw1.conv1d(x, w, "valid")
    assert np.asarray(full).shape == (x.size + k - 1,)
    assert np.allclose(full, _torch_conv(x, w, padding=k - 1), rtol=1e-12, atol=1e-12)
    assert np.asarray(valid).shape == (x.size - k + 1,)
    assert np.allclose(valid, _torch_conv(x, w, padding=0), rtol=1e-12, atol=1e-12)
    assert np.allclose(full, np.convolve(x, w, "full"), rtol=1e-12, atol=1e-12)
    assert np.allclose(valid, np.convolve(x, w, "valid"), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x, w", _conv_cases(25, seed=2, odd_only=True))
def test_conv1d_same_matches_torch_and_numpy_for_odd_kernels(x, w):
    same = hw1.conv1d(x, w, "same")
    assert np.asarray(same).shape == x.shape
    assert np.allclose(same, _torch_conv(x, w, padding=(w.size - 1) // 2), rtol=1e-12, atol=1e-12)
    assert np.allclose(same, np.convolve(x, w, "same"), rtol=1e-12, atol=1e-12)


def test_conv1d_really_flips_the_kernel():
    # the comparisons above can tell a convolution from a cross-correlation
    x, w = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 2.0])
    xt, wt = torch.tensor(x).view(1, 1, -1), torch.tensor(w).view(1, 1, -1)
    correlation = F.conv1d(xt, wt, padding=2).view(-1).numpy()
    assert not np.allclose(correlation, _torch_conv(x, w, 2))
    assert not np.allclose(hw1.conv1d(x, w, "full"), correlation)
    with pytest.raises(ValueError):
        hw1.conv1d(x, w, "circular")


# ----------------------------------------------------------------------------- Question 6


def _conv_configs(count: int, seed: int, pooling: bool = False):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        i, k, s, p, d = (int(rng.integers(lo, hi)) for lo, hi in ((1, 70), (1, 9), (1, 5), (0, 5), (1, 4)))
        if pooling and p > k // 2:          # nn.MaxPool2d's own limit on padding
            continue
        if i + 2 * p < d * (k - 1) + 1:     # the window does not fit: no output
            continue
        out.append((i, k, s, p, d))
    return out


@pytest.mark.parametrize("i, k, s, p, d", _conv_configs(40, seed=6))
def test_conv_output_size_matches_conv2d(i, k, s, p, d):
    with torch.no_grad():
        out = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)(torch.zeros(1, 1, i, i))
    assert out.shape[-1] == out.shape[-2]
    got = hw1.conv_output_size(i, k, s, p, d)
    assert type(got) is int
    assert got == out.shape[-1]


@pytest.mark.parametrize("i, k, s, p, d", _conv_configs(30, seed=7, pooling=True))
def test_conv_output_size_matches_maxpool2d(i, k, s, p, d):
    with torch.no_grad():
        out = nn.MaxPool2d(k, stride=s, padding=p, dilation=d)(torch.zeros(1, 1, i, i))
    assert hw1.conv_output_size(i, k, s, p, d) == out.shape[-1]


def test_conv_output_size_defaults_are_no_stride_padding_or_dilation():
    for i, k in ((32, 3), (17, 5), (8, 8)):
        with torch.no_grad():
            out = nn.Conv2d(1, 1, k)(torch.zeros(1, 1, i, i))
        assert hw1.conv_output_size(i, k) == out.shape[-1]
    with torch.no_grad():   # non-overlapping pooling: stride = kernel, torch's default
        assert hw1.conv_output_size(125, 5, s=5) == nn.MaxPool2d(5)(torch.zeros(1, 1, 125, 125)).shape[-1]


def _param_configs(count: int, seed: int):
    rng = np.random.default_rng(seed)
    return [tuple(int(v) for v in (rng.integers(1, 130), rng.integers(1, 130), rng.integers(1, 12)))
            for _ in range(count)]


@pytest.mark.parametrize("c_in, c_out, k", _param_configs(15, seed=62))
@pytest.mark.parametrize("bias", [False, True])
def test_conv_param_count_matches_conv2d(c_in, c_out, k, bias):
    layer = nn.Conv2d(c_in, c_out, k, bias=bias, device="meta")   # shapes only, no allocation
    assert hw1.conv_param_count(c_in, c_out, k, bias=bias) == sum(p.numel() for p in layer.parameters())


def test_conv_param_count_default_is_without_bias():
    layer = nn.Conv2d(64, 128, 4, bias=False, device="meta")
    assert hw1.conv_param_count(64, 128, 4) == sum(p.numel() for p in layer.parameters())


def _handout_q6_network() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 64, 8, stride=2),          # 64 kernels 8x8, stride 2, no padding
        nn.MaxPool2d(5),                        # 5x5 non-overlapping max pooling
        nn.Conv2d(64, 128, 4, padding=1),       # 128 kernels 4x4, stride 1, zero-padding 1
    )


def test_q6_values_match_the_handouts_network():
    net = _handout_q6_network()
    with torch.no_grad():
        out = net(torch.zeros(1, 3, 256, 256))
    assert type(hw1.Q6_1_OUTPUT_DIM) is int
    assert hw1.Q6_1_OUTPUT_DIM == out[0].numel()
    assert type(hw1.Q6_2_LAST_LAYER_PARAMS) is int
    assert hw1.Q6_2_LAST_LAYER_PARAMS == net[2].weight.numel()
    assert hw1.Q6_2_LAST_LAYER_PARAMS == sum(p.numel() for p in net[2].parameters()) - net[2].bias.numel()


# ----------------------------------------------------------------------------- Question 7


def _config(name: str, keys: tuple[str, ...]) -> dict:
    config = getattr(hw1, name)
    assert isinstance(config, dict) and set(config) == set(keys), name
    assert all(type(v) is int for v in config.values()), name
    assert config["k"] >= 1 and config["s"] >= 1
    assert config.get("p", 0) >= 0 and config.get("d", 1) >= 1
    return config


def _conv_shape(config: dict, c_in: int, c_out: int, size: int) -> tuple[int, ...]:
    layer = nn.Conv2d(c_in, c_out, config["k"], stride=config["s"], padding=config["p"], dilation=config["d"],
                      bias=False)
    with torch.no_grad():
        return tuple(layer(torch.zeros(1, c_in, size, size)).shape[1:])


def _pool_shape(k: int, s: int, channels: int, size: int) -> tuple[int, ...]:
    with torch.no_grad():
        return tuple(nn.MaxPool2d(k, stride=s)(torch.zeros(1, channels, size, size)).shape[1:])


@pytest.mark.parametrize("name, constraint", [
    ("Q7_1A", {"k": 8, "d": 1}),
    ("Q7_1B", {"d": 7, "s": 2}),
])
def test_q7_1_first_layer_gives_64x32x32(name, constraint):
    config = _config(name, ("k", "s", "p", "d"))
    assert {key: config[key] for key in constraint} == constraint
    assert _conv_shape(config, 3, 64, 64) == (64, 32, 32)
    assert hw1.conv_output_size(64, **config) == 32


def test_q7_2a_non_overlapping_pooling_gives_64x8x8():
    config = _config("Q7_2A", ("k", "s"))
    assert config["k"] == config["s"]               # non-overlapping window
    assert _pool_shape(config["k"], config["s"], 64, 32) == (64, 8, 8)


def test_q7_2b_output_shape_matches_maxpool2d():
    shape = hw1.Q7_2B_OUTPUT_SHAPE
    assert isinstance(shape, list) and all(type(n) is int for n in shape)
    assert tuple(shape) == _pool_shape(8, 4, 64, 32)


@pytest.mark.parametrize("name, constraint", [
    ("Q7_3A", {"p": 0, "d": 1}),
    ("Q7_3B", {"d": 2, "p": 2}),
    ("Q7_3C", {"p": 1, "d": 1}),
])
def test_q7_3_last_layer_gives_128x4x4(name, constraint):
    config = _config(name, ("k", "s", "p", "d"))
    assert {key: config[key] for key in constraint} == constraint
    assert _conv_shape(config, 64, 128, 8) == (128, 4, 4)
    assert hw1.conv_output_size(8, **config) == 4


def test_q7_network_end_to_end():
    first, pool, last = hw1.Q7_1A, hw1.Q7_2A, hw1.Q7_3A
    net = nn.Sequential(
        nn.Conv2d(3, 64, first["k"], stride=first["s"], padding=first["p"], dilation=first["d"]),
        nn.MaxPool2d(pool["k"], stride=pool["s"]),
        nn.Conv2d(64, 128, last["k"], stride=last["s"], padding=last["p"], dilation=last["d"]),
    )
    with torch.no_grad():
        assert tuple(net(torch.zeros(1, 3, 64, 64)).shape) == (1, 128, 4, 4)


# ----------------------------------------------------------------------------- Question 3


def _random_network(rng):
    d, m, k = (int(rng.integers(1, n)) for n in (7, 9, 6))
    return rng.normal(size=(m, d)), rng.normal(size=m), rng.normal(size=(k, m)), rng.normal(size=k)


def _two_layer(W1, b1, W2, b2, activation) -> nn.Module:
    first, second = nn.Linear(W1.shape[1], W1.shape[0]).double(), nn.Linear(W2.shape[1], W2.shape[0]).double()
    with torch.no_grad():
        for layer, W, b in ((first, W1, b1), (second, W2, b2)):
            layer.weight.copy_(torch.as_tensor(np.asarray(W, dtype=float)))
            layer.bias.copy_(torch.as_tensor(np.asarray(b, dtype=float)))
    return nn.Sequential(first, activation, second)


@pytest.mark.parametrize("seed", range(8))
def test_sigmoid_to_tanh_params_give_the_same_network(seed):
    rng = np.random.default_rng(300 + seed)
    W1, b1, W2, b2 = _random_network(rng)
    params = hw1.sigmoid_to_tanh_params(W1, b1, W2, b2)
    assert set(params) == {"W1", "b1", "W2", "b2"}
    for name, original in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        assert np.shape(params[name]) == original.shape, name
    sigmoid_net = _two_layer(W1, b1, W2, b2, nn.Sigmoid())
    tanh_net = _two_layer(params["W1"], params["b1"], params["W2"], params["b2"], nn.Tanh())
    x = torch.as_tensor(rng.normal(scale=3.0, size=(64, W1.shape[1])))
    with torch.no_grad():
        want, got = sigmoid_net(x), tanh_net(x)
        assert torch.allclose(got, want, rtol=1e-10, atol=1e-12)
        # the check is not vacuous: the same parameters with tanh are another network
        assert not torch.allclose(_two_layer(W1, b1, W2, b2, nn.Tanh())(x), want, atol=1e-3)


# ----------------------------------------------------------------------------- Question 2


def _vectors(count: int, seed: int):
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=4.0, size=int(rng.integers(1, 10))) for _ in range(count)]


LARGE_INPUTS = [
    np.array([1000.0, 1001.0, 1002.0]),
    np.array([-1000.0, -1001.0, -1002.0]),
    np.array([1e4, 1e4, 0.0]),
    np.array([800.0, -800.0]),
    np.array([1e300, 1e300, -1e300]),
    np.array([-750.0]),
]


@pytest.mark.parametrize("x", _vectors(15, seed=21) + LARGE_INPUTS)
def test_softmax_matches_torch(x):
    got = np.asarray(hw1.softmax(x))
    want = torch.softmax(torch.as_tensor(x, dtype=torch.float64), dim=0).numpy()
    assert got.shape == x.shape
    assert np.all(np.isfinite(got))
    assert np.allclose(got, want, rtol=1e-12, atol=1e-15)
    assert math.isclose(got.sum(), 1.0, rel_tol=1e-12)


@pytest.mark.parametrize("x", _vectors(5, seed=22))
def test_softmax_limit_c_zero_matches_torch(x):
    want = torch.softmax(torch.as_tensor(0.0 * x, dtype=torch.float64), dim=0).numpy()
    assert np.allclose(hw1.softmax_limit_c_zero(x), want, rtol=1e-12, atol=0)


def _vectors_with_ties(count: int, seed: int):
    rng = np.random.default_rng(seed)
    out = [np.array([2.0, 2.0]), np.array([1.0, 3.0, 3.0, -1.0, 3.0]), np.array([-4.0, -4.0, -9.0]),
           np.array([5.0]), np.array([0.5, 0.49, 0.5, 0.3])]
    for _ in range(count):
        x = rng.integers(-3, 4, size=int(rng.integers(2, 9))).astype(float)
        x[rng.integers(0, x.size)] = x.max()
        out.append(x)
    return out


@pytest.mark.parametrize("x", _vectors_with_ties(15, seed=23))
def test_softmax_limit_c_infinity_matches_torch_at_large_c(x):
    # every gap to the maximum is >= 0.01, so at c = 1e4 the rest weigh at most e^-100
    want = torch.softmax(1e4 * torch.as_tensor(x, dtype=torch.float64), dim=0).numpy()
    got = np.asarray(hw1.softmax_limit_c_infinity(x))
    assert got.shape == x.shape
    assert np.allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x", [v for v in _vectors(15, seed=24) if v.size >= 2] + LARGE_INPUTS[:5])
def test_softmax_reparameterize_via_torch(x):
    y = np.asarray(hw1.softmax_reparameterize(x), dtype=float)
    assert y.shape == (x.size - 1,)
    with_zero = torch.cat([torch.zeros(1, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)])
    want = torch.softmax(torch.as_tensor(x, dtype=torch.float64), dim=0)
    assert torch.allclose(torch.softmax(with_zero, dim=0), want, rtol=1e-10, atol=1e-15)
