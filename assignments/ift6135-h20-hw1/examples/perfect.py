"""Example submission: full marks, with other valid answers than the solution's (Q1.2, Q2.3, Q3 sign flip, Q7)."""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------- Question 1

Q1_2_RELU_FROM_H = ["H(x) * x", "x - x*H(-x)"]


# ----------------------------------------------------------------------------- Question 2


def softmax(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max())  # translation invariance: S(x - max x) = S(x), and nothing overflows
    return e / e.sum()


def softmax_limit_c_zero(x):
    x = np.asarray(x, dtype=float)
    return np.full(x.shape, 1.0 / x.size)


def softmax_limit_c_infinity(x):
    x = np.asarray(x, dtype=float)
    top = (x == x.max()).astype(float)
    return top / top.sum()


Q2_3_Z = "-(x2 - x1)"


def softmax_reparameterize(x):
    x = np.asarray(x, dtype=float)
    return x[1:] - x[0]


# ----------------------------------------------------------------------------- Question 3


def sigmoid_to_tanh_params(W1, b1, W2, b2):
    # sigma(a) = (tanh(a / 2) + 1) / 2
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2))
    # tanh is odd: flipping the sign of every hidden unit gives another right answer
    return {"W1": -W1 / 2, "b1": -b1 / 2, "W2": -W2 / 2, "b2": b2 + W2.sum(axis=1) / 2}


# ----------------------------------------------------------------------------- Question 4


def forward_trace(x1, x2):
    v = {"v-1": float(x1), "v0": float(x2)}
    v["v1"] = v["v-1"] + v["v0"]
    v["v2"] = 1.0 / v["v1"]
    v["v3"] = v["v0"] ** 2
    v["v4"] = float(np.cos(v["v-1"]))
    v["v5"] = v["v2"] + v["v3"] + v["v4"]
    return v


def forward_tangent(x1, x2, dx1, dx2):
    v = forward_trace(x1, x2)
    d = {"v-1": float(dx1), "v0": float(dx2)}
    d["v1"] = d["v-1"] + d["v0"]
    d["v2"] = -d["v1"] / v["v1"] ** 2
    d["v3"] = 2 * v["v0"] * d["v0"]
    d["v4"] = -float(np.sin(v["v-1"])) * d["v-1"]
    d["v5"] = d["v2"] + d["v3"] + d["v4"]
    return d


def reverse_adjoints(x1, x2):
    v = forward_trace(x1, x2)
    a = {"v5": 1.0}
    a["v4"] = a["v5"]
    a["v3"] = a["v5"]
    a["v2"] = a["v5"]
    a["v1"] = a["v2"] * (-1.0 / v["v1"] ** 2)
    a["v0"] = a["v3"] * 2 * v["v0"] + a["v1"]
    a["v-1"] = a["v4"] * (-float(np.sin(v["v-1"]))) + a["v1"]
    return a


# ----------------------------------------------------------------------------- Question 5


def conv1d(x, w, mode):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n, k = x.size, w.size
    full = np.zeros(n + k - 1)
    for i in range(n):
        full[i : i + k] += x[i] * w  # the kernel is flipped by construction: y[t] = sum_j x[t-j] w[j]
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1 : n]
    if mode == "same":
        start = (k - 1) // 2
        return full[start : start + n]
    raise ValueError(f"unknown mode {mode!r}")


# ----------------------------------------------------------------------------- Question 6


def conv_output_size(i, k, s=1, p=0, d=1):
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


def conv_param_count(c_in, c_out, k, bias=False):
    return c_out * c_in * k * k + (c_out if bias else 0)


_after_conv1 = conv_output_size(256, 8, s=2, p=0)
_after_pool = conv_output_size(_after_conv1, 5, s=5)
_after_conv3 = conv_output_size(_after_pool, 4, s=1, p=1)
Q6_1_OUTPUT_DIM = 128 * _after_conv3 * _after_conv3
Q6_2_LAST_LAYER_PARAMS = conv_param_count(64, 128, 4)

# ----------------------------------------------------------------------------- Question 7

Q7_1A = {"k": 8, "s": 2, "p": 3, "d": 1}
Q7_1B = {"k": 2, "s": 2, "p": 3, "d": 7}
Q7_2A = {"k": 4, "s": 4}
Q7_2B_OUTPUT_SHAPE = [64, conv_output_size(32, 8, s=4), conv_output_size(32, 8, s=4)]
Q7_3A = {"k": 2, "s": 2, "p": 0, "d": 1}
Q7_3B = {"k": 5, "s": 1, "p": 2, "d": 2}
Q7_3C = {"k": 7, "s": 1, "p": 1, "d": 1}
