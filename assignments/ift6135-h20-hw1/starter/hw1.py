"""IFT6135-H2020, Assignment 1 (theory) -- auto-graded part.

Fill in every function and value below, keeping the names. Check your answers against the
public checks, from the unzipped bundle's folder, with

    python -m autograder check hw1.py

Proofs (Q1.1, Q1.3, and the "show that" parts of Q2.1 and Q2.2) are graded by hand from your
PDF. Functions receive numpy arrays (or Python numbers) and may return numpy arrays, torch
tensors, lists or numbers. Formulas are strings such as "x*(1 - H(x))".
"""

from __future__ import annotations

import numpy as np

# ============================================================================ Question 1
# H(x) = 1 if x > 0, 1/2 if x = 0, 0 if x < 0;  g(x) = max{0, x}.

Q1_2_RELU_FROM_H: list[str] = ["", ""]
"""Q1.2 Give two alternative definitions of g(x) using H(x).

Two formula strings in the variable x and the function H, e.g. "x + H(x)" (not an answer).
Allowed: x, H, numbers, + - * / ** and parentheses. The two must be different formulas.
"""

# ============================================================================ Question 2
# Softmax: S(x)_i = exp(x_i) / sum_j exp(x_j).


def softmax(x: np.ndarray) -> np.ndarray:
    """Q2.1 Softmax is translation-invariant: S(x + c) = S(x) for a scalar c.

    Implement S(x) for a 1-D vector x, using that invariance so that large inputs such as
    [1000, 1001, 1002] do not overflow.
    """
    raise NotImplementedError


def softmax_limit_c_zero(x: np.ndarray) -> np.ndarray:
    """Q2.2 Let S_c(x) = S(cx) with c >= 0. What is S_c(x) when c = 0?"""
    raise NotImplementedError


def softmax_limit_c_infinity(x: np.ndarray) -> np.ndarray:
    """Q2.2 What does S_c(x) = S(cx) tend to when c is taken arbitrarily large?

    Return the limit vector for the given x (think about x having several equal maxima).
    """
    raise NotImplementedError


Q2_3_Z: str = ""
"""Q2.3 Let x = [x1, x2]. S(x) can be reparameterized as [sigma(z), 1 - sigma(z)].

Give z as a formula string in x1 and x2.
"""


def softmax_reparameterize(x: np.ndarray) -> np.ndarray:
    """Q2.4 Let x be K-dimensional (K >= 2). S(x) can be represented with K-1 parameters:
    S(x) = S([0, y_1, ..., y_{K-1}]). Return y = [y_1, ..., y_{K-1}] for the given x.
    """
    raise NotImplementedError


# ============================================================================ Question 3


def sigmoid_to_tanh_params(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> dict:
    """Q3 The 2-layer network y(x, Theta, sigma)_k = sum_j w2_kj sigma(sum_i w1_ji x_i + w1_j0) + w2_k0
    with logistic sigmoid sigma has parameters W1 (M x D), b1 (M,), W2 (K x M), b2 (K,).

    Show there is an equivalent network of the same form with tanh activations, and express
    Theta' as a function of Theta: return {"W1": ..., "b1": ..., "W2": ..., "b2": ...} such
    that y(x, Theta', tanh) = y(x, Theta, sigma) for all x.
    """
    raise NotImplementedError


# ============================================================================ Question 4
# y = f(x1, x2) = 1/(x1 + x2) + x2**2 + cos(x1), with the trace
#   v-1 = x1, v0 = x2, v1 = v-1 + v0, v2 = 1/v1, v3 = v0**2, v4 = cos(v-1), v5 = v2 + v3 + v4.
# Return dicts keyed "v-1", "v0", "v1", ..., "v5". Derive by hand: automatic differentiation
# (torch.autograd, .backward(), torch.func, jax) is not allowed in these three functions.


def forward_trace(x1: float, x2: float) -> dict[str, float]:
    """Q4 Forward evaluation trace: the values v-1 ... v5 at (x1, x2) (the handout uses (3, 6))."""
    raise NotImplementedError


def forward_tangent(x1: float, x2: float, dx1: float, dx2: float) -> dict[str, float]:
    """Q4.1 Forward derivative trace: the tangents dv-1 ... dv5 at (x1, x2) for the seed
    (dx1, dx2). The handout sets dx1 = 1, dx2 = 0 to compute dy/dx1 at (3, 6).
    """
    raise NotImplementedError


def reverse_adjoints(x1: float, x2: float) -> dict[str, float]:
    """Q4.2 Reverse adjoint trace with ybar = 1: the final adjoints vbar-1 ... vbar5 at (x1, x2),
    so that vbar-1 = dy/dx1 and vbar0 = dy/dx2.
    """
    raise NotImplementedError


# ============================================================================ Question 5


def conv1d(x: np.ndarray, w: np.ndarray, mode: str) -> np.ndarray:
    """Q5 Compute the full, valid, and same convolution (with kernel flipping) of 1-D x and w,
    e.g. [1, 2, 3, 4] * [1, 0, 2]. mode is "full", "valid" or "same"; "same" keeps len(x)
    outputs centred on the full result (for odd kernel lengths). Do not call np.convolve.
    """
    raise NotImplementedError


# ============================================================================ Question 6
# Input: a 256x256 RGB image. Layer 1: 64 kernels 8x8, stride 2, no padding. Layer 2: 5x5
# non-overlapping max pooling. Layer 3: 128 kernels 4x4, stride 1, zero-padding 1.


def conv_output_size(i: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Q6 Output width of a convolution or pooling layer on an input of width i, with kernel k,
    stride s, padding p (on each border) and dilation d (d = 1 for no dilation).
    """
    raise NotImplementedError


Q6_1_OUTPUT_DIM: int = 0
"""Q6.1 What is the dimensionality (scalar) of the output of the last layer?"""


def conv_param_count(c_in: int, c_out: int, k: int, bias: bool = False) -> int:
    """Q6.2 Number of parameters of a convolution with c_out square k x k kernels over c_in channels."""
    raise NotImplementedError


Q6_2_LAST_LAYER_PARAMS: int = 0
"""Q6.2 Not including the biases, how many parameters are needed for the last layer?"""

# ============================================================================ Question 7
# Data of size 3 x 64 x 64. Give a layer configuration as {"k": ..., "s": ..., "p": ..., "d": ...}
# (kernel window, stride, padding, dilation; d = 1 for no dilation; square windows only).

Q7_1A: dict = {}
"""Q7.1(a) Output shape (64, 32, 32). Assume k = 8 without dilation."""

Q7_1B: dict = {}
"""Q7.1(b) Output shape (64, 32, 32). Assume d = 7 and s = 2."""

Q7_2A: dict = {}
"""Q7.2(a) Second layer output (64, 8, 8), p = 0, d = 1: k and s for pooling with a
non-overlapping window, as {"k": ..., "s": ...}."""

Q7_2B_OUTPUT_SHAPE: list[int] = []
"""Q7.2(b) What is the output shape if k = 8 and s = 4 instead? As [channels, height, width]."""

Q7_3A: dict = {}
"""Q7.3(a) Last layer output (128, 4, 4) from (64, 8, 8). Assume no padding and no dilation."""

Q7_3B: dict = {}
"""Q7.3(b) Last layer output (128, 4, 4). Assume d = 2, p = 2."""

Q7_3C: dict = {}
"""Q7.3(c) Last layer output (128, 4, 4). Assume p = 1, d = 1."""
