# %% [markdown]
# Source of ift6135-h20-hw1: `autograder assign` writes the assignment from this file.

# %% [raw]
# ASSIGNMENT
# # IFT6135-H2020, assignment 1 (theory). Handout: shared/seeds/004_bd8d39eb5a7fb1bd.txt
# # Points follow the handout: Q1 (4-4-4), Q2 (3-3-3-3), Q3 (16), Q4 (5-5), Q5 (6), Q6 (5-5),
# # Q7 (4-4-6). Where a sub-question mixes a proof with something computable, its points are
# # split between a hand-graded part (suffix "-proof") and an auto-graded part; the split is
# # written here and adds up to the handout's points.
# id: ift6135-h20-hw1
# title: IFT6135-H2020 Assignment 1 (theory)
# language: en
# starter: hw1.py
# hidden_visibility: after_due_date
# preload: [numpy, torch]
# # every function here answers in milliseconds: a call still running after 1 s is a loop that
# # will not end, and each second it is allowed costs a core-second per such submission
# limits: {wall: 60, call: 1, exec: 20, memory_mb: 1024}

# %%
"""IFT6135-H2020, Assignment 1 (theory) -- auto-graded part.

Fill in every function and value below, keeping the names. Check your answers against the
public checks, from the unzipped bundle's folder, with

    python -m autograder check hw1.py

Proofs (Q1.1, Q1.3, and the "show that" parts of Q2.1 and Q2.2) are graded by hand from your
PDF. Functions receive numpy arrays (or Python numbers) and may return numpy arrays, torch
tensors, lists or numbers. Formulas are strings such as "x*(1 - H(x))".
"""

# %%
from __future__ import annotations

# %%
import numpy as np

# %% [markdown]
# ============================================================================ Question 1
# H(x) = 1 if x > 0, 1/2 if x = 0, 0 if x < 0;  g(x) = max{0, x}.

# %% [raw]
# QUESTION
# {id: q1.1, points: 4, graded: hand, title: Derivative of ReLU equals the Heaviside step (proof)}

# %% [raw]
# QUESTION
# {id: q1.2, points: 4, title: Two alternative definitions of g(x) using H(x)}

# %%
# BEGIN SOLUTION
Q1_2_RELU_FROM_H = ["x*H(x)", "x*(1 - H(-x))"]
# END SOLUTION
# BEGIN PROMPT
# Q1_2_RELU_FROM_H: list[str] = ["", ""]
# END PROMPT
"""Q1.2 Give two alternative definitions of g(x) using H(x).

Two formula strings in the variable x and the function H, e.g. "x + H(x)" (not an answer).
Allowed: x, H, numbers, + - * / ** and parentheses. The two must be different formulas.
"""

# %% [raw]
# CHECKS public
# - id: q1.2-form
#   question: q1.2
#   points: 0
#   name: Q1.2 is a list of two formulas in x and H
#   read: Q1_2_RELU_FROM_H
#   compare: {kind: property, using: two_formulas_in_x_and_h}
#
# - id: q1.2-points
#   question: q1.2
#   points: 0
#   name: both definitions equal g(x) = max{0, x} at x = -2, -0.5, 0, 0.5 and 3
#   read: Q1_2_RELU_FROM_H
#   compare: {kind: property, using: relu_at_points}
#   hints:
#     - {when: gives_heaviside, hint: {en: "H(x) is the derivative of g, not g itself",
#                                      fr: "H(x) est la dérivée de g, pas g elle-même"}}

# %% [raw]
# CHECKS hidden
# - id: q1.2-first
#   question: q1.2
#   points: 2
#   name: first definition of g(x) with H is max(0, x)
#   read: Q1_2_RELU_FROM_H
#   compare: {kind: property, using: first_relu_formula}
#
# - id: q1.2-second
#   question: q1.2
#   points: 2
#   name: second, different definition of g(x) with H is max(0, x)
#   read: Q1_2_RELU_FROM_H
#   compare: {kind: property, using: second_relu_formula}

# %% [markdown]
# ============================================================================ Question 2
# Softmax: S(x)_i = exp(x_i) / sum_j exp(x_j).

# %% [raw]
# QUESTION
# {id: q1.3, points: 4, graded: hand, title: Sigmoid with large k approximates H (proof)}

# %% [raw]
# QUESTION
# {id: q2.1-proof, points: 1, graded: hand, title: Softmax is translation-invariant (proof)}

# %% [raw]
# QUESTION
# {id: q2.1, points: 2, title: 'Softmax, numerically stable through translation invariance'}

# %%
def softmax(x: np.ndarray) -> np.ndarray:
    """Q2.1 Softmax is translation-invariant: S(x + c) = S(x) for a scalar c.

    Implement S(x) for a 1-D vector x, using that invariance so that large inputs such as
    [1000, 1001, 1002] do not overflow.
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max())  # translation invariance: S(x - max x) = S(x), and nothing overflows
    return e / e.sum()
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q2.1-form
#   question: q2.1
#   points: 0
#   name: softmax returns a probability vector of the input's shape, even for large inputs such as [2000, 2001]
#   call: softmax
#   cases: [[[1.0, 2.0, 3.0]], [[0.5, -1.0]], [[2000.0, 2001.0]]]
#   compare: {kind: property, using: probability_vector}
#   hints:
#     - {when: not_finite, hint: {en: "exp overflowed on large inputs: use the translation invariance S(x + c) = S(x)",
#                                 fr: "exp a débordé sur de grandes entrées : utilisez l'invariance par translation S(x + c) = S(x)"}}

# %% [raw]
# CHECKS hidden
# # --- Q2
# - id: q2.1-values
#   question: q2.1
#   points: 1
#   name: softmax on random vectors
#   call: softmax
#   cases: [[[1.0, 2.0, 3.0]]]
#   generate: {using: random_vectors, count: 4}
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-12}
#
# - id: q2.1-stable
#   question: q2.1
#   points: 1
#   name: softmax is stable on large inputs (no overflow)
#   call: softmax
#   cases: [[[1000.0, 1001.0, 1002.0]], [[-1000.0, -1000.5]], [[800.0, 0.0, -800.0]]]
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-12}
#   hints:
#     - {when: not_finite, hint: {en: "exp overflowed on large inputs: use the translation invariance S(x + c) = S(x)",
#                                 fr: "exp a débordé sur de grandes entrées : utilisez l'invariance par translation S(x + c) = S(x)"}}

# %% [raw]
# QUESTION
# {id: q2.2-proof, points: 1, graded: hand, title: Softmax is not invariant under scaling (proof)}

# %% [raw]
# QUESTION
# {id: q2.2, points: 2, title: Limits of S(cx) for c = 0 and c -> infinity}

# %%
def softmax_limit_c_zero(x: np.ndarray) -> np.ndarray:
    """Q2.2 Let S_c(x) = S(cx) with c >= 0. What is S_c(x) when c = 0?"""
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.full(x.shape, 1.0 / x.size)
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q2.2-form
#   question: q2.2
#   points: 0
#   name: the limits of S(cx) are probability vectors
#   call: softmax_limit_c_infinity
#   cases: [[[1.0, 3.0, 2.0]]]
#   compare: {kind: property, using: probability_vector}
#
# - id: q2.2-zero-form
#   question: q2.2
#   points: 0
#   name: the limit of S(cx) at c = 0 is a probability vector
#   call: softmax_limit_c_zero
#   cases: [[[1.0, 3.0, 2.0]], [[0.5, -1.0]]]
#   compare: {kind: property, using: probability_vector}
#
# - id: q2.2-infinity-support
#   question: q2.2
#   points: 0
#   name: when c grows, S(cx) puts no mass on entries below the maximum
#   call: softmax_limit_c_infinity
#   cases: [[[1.0, 3.0, 2.0]], [[0.0, -2.0, 4.0, 1.0]]]
#   compare: {kind: property, using: no_mass_below_the_maximum}

# %% [raw]
# CHECKS hidden
# - id: q2.2-zero
#   question: q2.2
#   points: 1
#   name: limit of S(cx) when c = 0
#   call: softmax_limit_c_zero
#   generate: {using: random_vectors, count: 4}
#   compare: close
#
# - id: q2.2-infinity
#   question: q2.2
#   points: 1
#   name: limit of S(cx) when c grows without bound (ties included)
#   call: softmax_limit_c_infinity
#   cases: [[[1.0, 3.0, 2.0]], [[2.0, 5.0, 5.0, 1.0]]]
#   generate: {using: vectors_with_ties, count: 5}
#   compare: close
#   hints:
#     - {when: one_maximum_picked_among_ties, hint: {en: "with several equal maxima, the limit favours none of them",
#                                                    fr: "quand plusieurs maxima sont égaux, la limite n'en favorise aucun"}}

# %%
def softmax_limit_c_infinity(x: np.ndarray) -> np.ndarray:
    """Q2.2 What does S_c(x) = S(cx) tend to when c is taken arbitrarily large?

    Return the limit vector for the given x (think about x having several equal maxima).
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    top = (x == x.max()).astype(float)
    return top / top.sum()
    # END SOLUTION

# %% [raw]
# QUESTION
# {id: q2.3, points: 3, title: 'Two-class softmax as [sigma(z), 1 - sigma(z)]: z as a function of x'}

# %%
# BEGIN SOLUTION
Q2_3_Z = "x1 - x2"
# END SOLUTION
# BEGIN PROMPT
# Q2_3_Z: str = ""
# END PROMPT
"""Q2.3 Let x = [x1, x2]. S(x) can be reparameterized as [sigma(z), 1 - sigma(z)].

Give z as a formula string in x1 and x2.
"""

# %% [raw]
# CHECKS public
# - id: q2.3-form
#   question: q2.3
#   points: 0
#   name: z is a formula in x1 and x2
#   read: Q2_3_Z
#   compare: {kind: property, using: formula_in_x1_x2}
#
# - id: q2.3-two-class
#   question: q2.3
#   points: 0
#   name: "[sigma(z), 1 - sigma(z)] equals S([x1, x2]) at three points"
#   read: Q2_3_Z
#   compare: {kind: property, using: sigma_of_z_is_the_softmax}

# %% [raw]
# CHECKS hidden
# - id: q2.3-formula
#   question: q2.3
#   points: 3
#   name: z is equivalent to the reference formula
#   read: Q2_3_Z
#   compare: {kind: formula, variables: {x1: scalar, x2: scalar}, allowed: [x1, x2]}

# %% [raw]
# QUESTION
# {id: q2.4, points: 3, title: Softmax with K-1 parameters}

# %%
def softmax_reparameterize(x: np.ndarray) -> np.ndarray:
    """Q2.4 Let x be K-dimensional (K >= 2). S(x) can be represented with K-1 parameters:
    S(x) = S([0, y_1, ..., y_{K-1}]). Return y = [y_1, ..., y_{K-1}] for the given x.
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return x[1:] - x[0]
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q2.4-form
#   question: q2.4
#   points: 0
#   name: softmax_reparameterize returns K-1 numbers
#   call: softmax_reparameterize
#   cases: [[[1.0, 2.0, 3.0, 4.0]]]
#   compare: {kind: shape, shape: [3]}
#
# - id: q2.4-same-softmax
#   question: q2.4
#   points: 0
#   name: S([0, y]) equals S(x) for x = [0.5, -1, 2]
#   call: softmax_reparameterize
#   cases: [[[0.5, -1.0, 2.0]]]
#   compare: {kind: property, using: same_softmax_with_leading_zero}

# %% [raw]
# CHECKS hidden
# - id: q2.4-property
#   question: q2.4
#   points: 3
#   name: S([0, y]) equals S(x) for random x
#   call: softmax_reparameterize
#   cases: [[[1.0, 2.0, 3.0, 4.0]]]
#   generate: {using: random_vectors, count: 4}
#   compare: {kind: property, using: same_softmax_with_leading_zero}

# %% [markdown]
# ============================================================================ Question 3

# %% [raw]
# QUESTION
# {id: q3, points: 16, title: Equivalent tanh network of a sigmoid network}

# %%
def sigmoid_to_tanh_params(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> dict:
    """Q3 The 2-layer network y(x, Theta, sigma)_k = sum_j w2_kj sigma(sum_i w1_ji x_i + w1_j0) + w2_k0
    with logistic sigmoid sigma has parameters W1 (M x D), b1 (M,), W2 (K x M), b2 (K,).

    Show there is an equivalent network of the same form with tanh activations, and express
    Theta' as a function of Theta: return {"W1": ..., "b1": ..., "W2": ..., "b2": ...} such
    that y(x, Theta', tanh) = y(x, Theta, sigma) for all x.
    """
    # BEGIN SOLUTION
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2))
    return {"W1": W1 / 2, "b1": b1 / 2, "W2": W2 / 2, "b2": b2 + W2.sum(axis=1) / 2}
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q3-form
#   question: q3
#   points: 0
#   name: sigmoid_to_tanh_params returns W1, b1, W2, b2 of the right shapes
#   call: sigmoid_to_tanh_params
#   cases: [[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [0.1, 0.2, 0.3], [[1.0, -1.0, 2.0]], [0.5]]]
#   compare: {kind: property, using: network_shapes}
#
# - id: q3-small-network
#   question: q3
#   points: 0
#   name: the tanh network computes the same function as a small sigmoid network
#   call: sigmoid_to_tanh_params
#   cases: [[[[1.0], [-2.0]], [0.0, 1.0], [[1.0, 1.0]], [0.0]]]
#   compare: {kind: property, using: tanh_network_equivalent}
#   hints:
#     - {when: output_offset_forgotten, hint: {en: "tanh is centred on 0 and sigma on 1/2: the output bias must absorb the offset",
#                                             fr: "tanh est centrée en 0 et sigma en 1/2 : le biais de sortie doit absorber ce décalage"}}

# %% [raw]
# CHECKS hidden
# # --- Q3: the tanh network must compute the same function (sign flips of hidden units are fine)
# - id: q3-equivalent
#   question: q3
#   points: 16
#   name: tanh network equals the sigmoid network on random inputs
#   call: sigmoid_to_tanh_params
#   cases: [[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [0.1, 0.2, 0.3], [[1.0, -1.0, 2.0]], [0.5]]]
#   generate: {using: random_networks, count: 5}
#   compare: {kind: property, using: tanh_network_equivalent}
#   hints:
#     - {when: output_offset_forgotten, hint: {en: "tanh is centred on 0 and sigma on 1/2: the output bias must absorb the offset",
#                                             fr: "tanh est centrée en 0 et sigma en 1/2 : le biais de sortie doit absorber ce décalage"}}

# %% [markdown]
# ============================================================================ Question 4
# y = f(x1, x2) = 1/(x1 + x2) + x2**2 + cos(x1), with the trace
#   v-1 = x1, v0 = x2, v1 = v-1 + v0, v2 = 1/v1, v3 = v0**2, v4 = cos(v-1), v5 = v2 + v3 + v4.
# Return dicts keyed "v-1", "v0", "v1", ..., "v5". Derive by hand: automatic differentiation
# (torch.autograd, .backward(), torch.func, jax) is not allowed in these three functions.

# %% [raw]
# QUESTION
# {id: q4.1, points: 5, title: Forward-mode AD trace of y = 1/(x1+x2) + x2^2 + cos(x1)}

# %%
def forward_trace(x1: float, x2: float) -> dict[str, float]:
    """Q4 Forward evaluation trace: the values v-1 ... v5 at (x1, x2) (the handout uses (3, 6))."""
    # BEGIN SOLUTION
    v = {"v-1": float(x1), "v0": float(x2)}
    v["v1"] = v["v-1"] + v["v0"]
    v["v2"] = 1.0 / v["v1"]
    v["v3"] = v["v0"] ** 2
    v["v4"] = float(np.cos(v["v-1"]))
    v["v5"] = v["v2"] + v["v3"] + v["v4"]
    return v
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q4.1-form
#   question: q4.1
#   points: 0
#   name: forward_tangent returns the tangents of v-1 ... v5
#   call: forward_tangent
#   cases: [[3.0, 6.0, 1.0, 0.0]]
#   compare: {kind: keys, keys: [v-1, v0, v1, v2, v3, v4, v5]}
#
# - id: q4.1-finite-differences
#   question: q4.1
#   points: 0
#   name: the tangent of y matches finite differences of y = 1/(x1+x2) + x2^2 + cos(x1), and each step its inputs'
#   call: forward_tangent
#   cases: [[3.0, 6.0, 1.0, 0.0], [1.0, 2.0, 0.5, -1.0]]
#   forbid_autograd: true
#   compare: {kind: property, using: tangents_match_finite_differences}

# %% [raw]
# CHECKS hidden
# # --- Q4: traces must be derived by hand (no autograd), at the handout's point and elsewhere
# - id: q4.1-primal
#   question: q4.1
#   points: 1
#   name: forward evaluation trace at (3, 6) and at random points
#   call: forward_trace
#   cases: [[3.0, 6.0]]
#   generate: {using: ad_points, count: 5}
#   forbid_autograd: true
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}
#
# - id: q4.1-tangent
#   question: q4.1
#   points: 4
#   name: forward derivative trace (dx1 = 1 at (3, 6), then random directions)
#   call: forward_tangent
#   cases: [[3.0, 6.0, 1.0, 0.0], [3.0, 6.0, 0.0, 1.0]]
#   generate: {using: ad_tangent_points, count: 5}
#   forbid_autograd: true
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}

# %%
def forward_tangent(x1: float, x2: float, dx1: float, dx2: float) -> dict[str, float]:
    """Q4.1 Forward derivative trace: the tangents dv-1 ... dv5 at (x1, x2) for the seed
    (dx1, dx2). The handout sets dx1 = 1, dx2 = 0 to compute dy/dx1 at (3, 6).
    """
    # BEGIN SOLUTION
    v = forward_trace(x1, x2)
    d = {"v-1": float(dx1), "v0": float(dx2)}
    d["v1"] = d["v-1"] + d["v0"]
    d["v2"] = -d["v1"] / v["v1"] ** 2
    d["v3"] = 2 * v["v0"] * d["v0"]
    d["v4"] = -float(np.sin(v["v-1"])) * d["v-1"]
    d["v5"] = d["v2"] + d["v3"] + d["v4"]
    return d
    # END SOLUTION

# %% [raw]
# QUESTION
# {id: q4.2, points: 5, title: Reverse-mode AD (adjoint) trace}

# %%
def reverse_adjoints(x1: float, x2: float) -> dict[str, float]:
    """Q4.2 Reverse adjoint trace with ybar = 1: the final adjoints vbar-1 ... vbar5 at (x1, x2),
    so that vbar-1 = dy/dx1 and vbar0 = dy/dx2.
    """
    # BEGIN SOLUTION
    v = forward_trace(x1, x2)
    a = {"v5": 1.0}
    a["v4"] = a["v5"]
    a["v3"] = a["v5"]
    a["v2"] = a["v5"]
    a["v1"] = a["v2"] * (-1.0 / v["v1"] ** 2)
    a["v0"] = a["v3"] * 2 * v["v0"] + a["v1"]
    a["v-1"] = a["v4"] * (-float(np.sin(v["v-1"]))) + a["v1"]
    return a
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q4.2-form
#   question: q4.2
#   points: 0
#   name: reverse_adjoints returns the adjoints of v-1 ... v5
#   call: reverse_adjoints
#   cases: [[3.0, 6.0]]
#   compare: {kind: keys, keys: [v-1, v0, v1, v2, v3, v4, v5]}
#
# - id: q4.2-finite-differences
#   question: q4.2
#   points: 0
#   name: the adjoints of x1 and x2 match finite differences of y, with ybar = 1
#   call: reverse_adjoints
#   cases: [[3.0, 6.0], [1.0, 2.0]]
#   forbid_autograd: true
#   compare: {kind: property, using: adjoints_match_finite_differences}

# %% [raw]
# CHECKS hidden
# - id: q4.2-adjoints
#   question: q4.2
#   points: 5
#   name: reverse adjoint trace at (3, 6) and at random points
#   call: reverse_adjoints
#   cases: [[3.0, 6.0]]
#   generate: {using: ad_points, count: 5}
#   forbid_autograd: true
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}

# %% [markdown]
# ============================================================================ Question 5

# %% [raw]
# QUESTION
# {id: q5, points: 6, title: 'Full, valid and same convolution with kernel flipping'}

# %%
def conv1d(x: np.ndarray, w: np.ndarray, mode: str) -> np.ndarray:
    """Q5 Compute the full, valid, and same convolution (with kernel flipping) of 1-D x and w,
    e.g. [1, 2, 3, 4] * [1, 0, 2]. mode is "full", "valid" or "same"; "same" keeps len(x)
    outputs centred on the full result (for odd kernel lengths). Do not call np.convolve.
    """
    # BEGIN SOLUTION
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
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q5-form
#   question: q5
#   points: 0
#   name: conv1d gives outputs of the full/valid/same lengths on the handout's example
#   call: conv1d
#   cases: [[[1, 2, 3, 4], [1, 0, 2], full], [[1, 2, 3, 4], [1, 0, 2], valid], [[1, 2, 3, 4], [1, 0, 2], same]]
#   compare: {kind: property, using: conv_lengths}
#
# - id: q5-impulse
#   question: q5
#   points: 0
#   name: a kernel that is a shifted unit impulse shifts x (full, valid and same)
#   call: conv1d
#   cases: [[[1, 2, 3, 4], [1, 0, 0], full], [[1, 2, 3, 4], [1, 0, 0], valid], [[1, 2, 3, 4, 5], [0, 0, 1], same]]
#   compare: {kind: property, using: impulse_response}
#   hints:
#     - {when: kernel_not_flipped, hint: {en: "this is a cross-correlation: a convolution flips the kernel",
#                                         fr: "c'est une corrélation croisée : une convolution retourne le noyau"}}

# %% [raw]
# CHECKS hidden
# # --- Q5: convolution with kernel flipping
# - id: q5-full
#   question: q5
#   points: 2
#   name: full convolution (handout example and random vectors)
#   call: conv1d
#   cases: [[[1, 2, 3, 4], [1, 0, 2], full]]
#   generate: {using: conv_full, count: 5}
#   compare: {kind: close, rtol: 1.0e-9, atol: 1.0e-9}
#   hints:
#     - {when: kernel_not_flipped, hint: {en: "this is a cross-correlation: a convolution flips the kernel",
#                                         fr: "c'est une corrélation croisée : une convolution retourne le noyau"}}
#
# - id: q5-valid
#   question: q5
#   points: 2
#   name: valid convolution (handout example and random vectors)
#   call: conv1d
#   cases: [[[1, 2, 3, 4], [1, 0, 2], valid]]
#   generate: {using: conv_valid, count: 5}
#   compare: {kind: close, rtol: 1.0e-9, atol: 1.0e-9}
#   hints:
#     - {when: kernel_not_flipped, hint: {en: "this is a cross-correlation: a convolution flips the kernel",
#                                         fr: "c'est une corrélation croisée : une convolution retourne le noyau"}}
#
# - id: q5-same
#   question: q5
#   points: 2
#   name: same convolution (handout example and random vectors)
#   call: conv1d
#   cases: [[[1, 2, 3, 4], [1, 0, 2], same]]
#   generate: {using: conv_same, count: 5}
#   compare: {kind: close, rtol: 1.0e-9, atol: 1.0e-9}
#   hints:
#     - {when: kernel_not_flipped, hint: {en: "this is a cross-correlation: a convolution flips the kernel",
#                                         fr: "c'est une corrélation croisée : une convolution retourne le noyau"}}

# %% [markdown]
# ============================================================================ Question 6
# Input: a 256x256 RGB image. Layer 1: 64 kernels 8x8, stride 2, no padding. Layer 2: 5x5
# non-overlapping max pooling. Layer 3: 128 kernels 4x4, stride 1, zero-padding 1.

# %% [raw]
# QUESTION
# {id: q6.1, points: 5, title: Dimensionality of the last layer's output}

# %%
def conv_output_size(i: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Q6 Output width of a convolution or pooling layer on an input of width i, with kernel k,
    stride s, padding p (on each border) and dilation d (d = 1 for no dilation).
    """
    # BEGIN SOLUTION
    return (i + 2 * p - d * (k - 1) - 1) // s + 1
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q6.1-form
#   question: q6.1
#   points: 0
#   name: Q6_1_OUTPUT_DIM is a whole number
#   read: Q6_1_OUTPUT_DIM
#   compare: {kind: property, using: whole_number}
#
# - id: q6.1-channels
#   question: q6.1
#   points: 0
#   name: Q6_1_OUTPUT_DIM is 128 channels times a square feature map
#   read: Q6_1_OUTPUT_DIM
#   compare: {kind: property, using: channels_times_square, given: {channels: 128}}
#   hints:
#     - {value: 24, hint: {en: "this looks like one side of the feature map; the dimensionality counts every output value",
#                          fr: "cela ressemble au côté de la carte de caractéristiques ; la dimension compte toutes les valeurs de sortie"}}
#
# - id: q6.1-same-size
#   question: q6.1
#   points: 0
#   name: conv_output_size keeps 32 with "same" padding (k=1; k=3, p=1; k=5, p=2; k=3, p=2, d=2)
#   call: conv_output_size
#   cases: [[32, 1, 1, 0, 1], [32, 3, 1, 1, 1], [32, 5, 1, 2, 1], [32, 3, 1, 2, 2]]
#   compare: integer
#   expect: {value: 32}
#   hints:
#     - {value: 34, hint: {en: "with dilation d, a kernel of size k spans d(k - 1) + 1 pixels",
#                          fr: "avec une dilatation d, un noyau de taille k couvre d(k - 1) + 1 pixels"}}

# %% [raw]
# CHECKS hidden
# # --- Q6
# - id: q6.1-value
#   question: q6.1
#   points: 3
#   name: dimensionality of the last layer's output
#   read: Q6_1_OUTPUT_DIM
#   compare: integer
#   hints:
#     - {value: 24, hint: {en: "this looks like one side of the feature map; the dimensionality counts every output value",
#                          fr: "cela ressemble au côté de la carte de caractéristiques ; la dimension compte toutes les valeurs de sortie"}}
#
# - id: q6.1-function
#   question: q6.1
#   points: 2
#   name: conv_output_size on random layers (stride, padding, dilation)
#   call: conv_output_size
#   cases: [[256, 8, 2, 0, 1], [125, 5, 5, 0, 1], [25, 4, 1, 1, 1], [256, 8], [32, 5, 2], [28, 3, 1, 1]]
#   generate: {using: conv_layers, count: 10}
#   compare: integer

# %%
# BEGIN SOLUTION
_after_conv1 = conv_output_size(256, 8, s=2, p=0)
_after_pool = conv_output_size(_after_conv1, 5, s=5)
_after_conv3 = conv_output_size(_after_pool, 4, s=1, p=1)
# END SOLUTION


# BEGIN SOLUTION
Q6_1_OUTPUT_DIM = 128 * _after_conv3 * _after_conv3
# END SOLUTION
# BEGIN PROMPT
# Q6_1_OUTPUT_DIM: int = 0
# END PROMPT
"""Q6.1 What is the dimensionality (scalar) of the output of the last layer?"""

# %% [raw]
# QUESTION
# {id: q6.2, points: 5, title: Parameters of the last layer (no biases)}

# %%
def conv_param_count(c_in: int, c_out: int, k: int, bias: bool = False) -> int:
    """Q6.2 Number of parameters of a convolution with c_out square k x k kernels over c_in channels."""
    # BEGIN SOLUTION
    return c_out * c_in * k * k + (c_out if bias else 0)
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q6.2-form
#   question: q6.2
#   points: 0
#   name: Q6_2_LAST_LAYER_PARAMS is a whole number
#   read: Q6_2_LAST_LAYER_PARAMS
#   compare: {kind: property, using: whole_number}
#
# - id: q6.2-kernels
#   question: q6.2
#   points: 0
#   name: Q6_2_LAST_LAYER_PARAMS is a multiple of 128 kernels of 4 x 4 weights
#   read: Q6_2_LAST_LAYER_PARAMS
#   compare: {kind: property, using: multiple_of, given: {factor: 2048}}
#
# - id: q6.2-one-by-one
#   question: q6.2
#   points: 0
#   name: conv_param_count of one 1 x 1 kernel over 2 input channels, no bias, is 2
#   call: conv_param_count
#   cases: [[2, 1, 1, false]]
#   compare: integer
#   expect: {value: 2}
#   hints:
#     - {value: 1, hint: {en: "each kernel spans every input channel: count them in its weights",
#                         fr: "chaque noyau couvre tous les canaux d'entrée : comptez-les dans ses poids"}}

# %% [raw]
# CHECKS hidden
# - id: q6.2-value
#   question: q6.2
#   points: 3
#   name: parameters of the last layer
#   read: Q6_2_LAST_LAYER_PARAMS
#   compare: integer
#   hints:
#     - {value: 2048, hint: {en: "each kernel spans every input channel: count them in its weights",
#                                               fr: "chaque noyau couvre tous les canaux d'entrée : comptez-les dans ses poids"}}
#
# - id: q6.2-function
#   question: q6.2
#   points: 2
#   name: conv_param_count on random layers
#   call: conv_param_count
#   cases: [[64, 128, 4, false]]
#   generate: {using: param_layers, count: 4}
#   compare: integer

# %%
# BEGIN SOLUTION
Q6_2_LAST_LAYER_PARAMS = conv_param_count(64, 128, 4)
# END SOLUTION
# BEGIN PROMPT
# Q6_2_LAST_LAYER_PARAMS: int = 0
# END PROMPT
"""Q6.2 Not including the biases, how many parameters are needed for the last layer?"""

# %% [markdown]
# ============================================================================ Question 7
# Data of size 3 x 64 x 64. Give a layer configuration as {"k": ..., "s": ..., "p": ..., "d": ...}
# (kernel window, stride, padding, dilation; d = 1 for no dilation; square windows only).

# %% [raw]
# QUESTION
# {id: q7.1, points: 4, title: 'First layer configurations: output (64, 32, 32)'}

# %%
# BEGIN SOLUTION
Q7_1A = {"k": 8, "s": 2, "p": 3, "d": 1}
# END SOLUTION
# BEGIN PROMPT
# Q7_1A: dict = {}
# END PROMPT
"""Q7.1(a) Output shape (64, 32, 32). Assume k = 8 without dilation."""

# %% [raw]
# CHECKS public
# - id: q7-form
#   question: q7.1
#   points: 0
#   name: Q7_1A is a dict of whole numbers k, s, p, d
#   read: Q7_1A
#   compare: {kind: property, using: layer_config_form}
#
# - id: q7.1a-public
#   question: q7.1
#   points: 0
#   name: "1(a): k = 8, no dilation, maps 64x64 to 32x32"
#   read: Q7_1A
#   compare: {kind: property, using: conv_config, given: {i: 64, o: 32, k: 8, d: 1}}
#
# - id: q7.1b-public
#   question: q7.1
#   points: 0
#   name: "1(b): d = 7, s = 2, maps 64x64 to 32x32"
#   read: Q7_1B
#   compare: {kind: property, using: conv_config, given: {i: 64, o: 32, d: 7, s: 2}}

# %% [raw]
# CHECKS hidden
# # --- Q7: many configurations are right; the property and the stated constraints are checked
# - id: q7.1a
#   question: q7.1
#   points: 2
#   name: "1(a): k = 8, no dilation, 64x64 -> 32x32"
#   read: Q7_1A
#   compare: {kind: property, using: conv_config, given: {i: 64, o: 32, k: 8, d: 1}}
#
# - id: q7.1b
#   question: q7.1
#   points: 2
#   name: "1(b): d = 7, s = 2, 64x64 -> 32x32"
#   read: Q7_1B
#   compare: {kind: property, using: conv_config, given: {i: 64, o: 32, d: 7, s: 2}}

# %%
# BEGIN SOLUTION
Q7_1B = {"k": 3, "s": 2, "p": 7, "d": 7}
# END SOLUTION
# BEGIN PROMPT
# Q7_1B: dict = {}
# END PROMPT
"""Q7.1(b) Output shape (64, 32, 32). Assume d = 7 and s = 2."""

# %% [raw]
# QUESTION
# {id: q7.2, points: 4, title: 'Pooling to (64, 8, 8)'}

# %%
# BEGIN SOLUTION
Q7_2A = {"k": 4, "s": 4}
# END SOLUTION
# BEGIN PROMPT
# Q7_2A: dict = {}
# END PROMPT
"""Q7.2(a) Second layer output (64, 8, 8), p = 0, d = 1: k and s for pooling with a
non-overlapping window, as {"k": ..., "s": ...}."""

# %% [raw]
# CHECKS public
# - id: q7.2a-public
#   question: q7.2
#   points: 0
#   name: "2(a): a non-overlapping pooling window maps 32x32 to 8x8"
#   read: Q7_2A
#   compare: {kind: property, using: pool_config, given: {i: 32, o: 8}}
#
# - id: q7.2b-public
#   question: q7.2
#   points: 0
#   name: "2(b): the output keeps 64 channels and is a square no larger than 8x8"
#   read: Q7_2B_OUTPUT_SHAPE
#   compare: {kind: property, using: pooled_shape, given: {channels: 64, largest: 8}}

# %% [raw]
# CHECKS hidden
# - id: q7.2a
#   question: q7.2
#   points: 2
#   name: "2(a): non-overlapping pooling 32x32 -> 8x8"
#   read: Q7_2A
#   compare: {kind: property, using: pool_config, given: {i: 32, o: 8}}
#
# - id: q7.2b
#   question: q7.2
#   points: 2
#   name: "2(b): output shape with k = 8, s = 4"
#   read: Q7_2B_OUTPUT_SHAPE
#   compare: integer

# %%
# BEGIN SOLUTION
Q7_2B_OUTPUT_SHAPE = [64, conv_output_size(32, 8, s=4), conv_output_size(32, 8, s=4)]
# END SOLUTION
# BEGIN PROMPT
# Q7_2B_OUTPUT_SHAPE: list[int] = []
# END PROMPT
"""Q7.2(b) What is the output shape if k = 8 and s = 4 instead? As [channels, height, width]."""

# %% [raw]
# QUESTION
# {id: q7.3, points: 6, title: 'Last layer configurations: output (128, 4, 4)'}

# %%
# BEGIN SOLUTION
Q7_3A = {"k": 5, "s": 1, "p": 0, "d": 1}
# END SOLUTION
# BEGIN PROMPT
# Q7_3A: dict = {}
# END PROMPT
"""Q7.3(a) Last layer output (128, 4, 4) from (64, 8, 8). Assume no padding and no dilation."""

# %% [raw]
# CHECKS public
# - id: q7.3a-public
#   question: q7.3
#   points: 0
#   name: "3(a): no padding, no dilation, maps 8x8 to 4x4"
#   read: Q7_3A
#   compare: {kind: property, using: conv_config, given: {i: 8, o: 4, p: 0, d: 1}}
#
# - id: q7.3b-public
#   question: q7.3
#   points: 0
#   name: "3(b): d = 2, p = 2, maps 8x8 to 4x4"
#   read: Q7_3B
#   compare: {kind: property, using: conv_config, given: {i: 8, o: 4, d: 2, p: 2}}
#
# - id: q7.3c-public
#   question: q7.3
#   points: 0
#   name: "3(c): p = 1, d = 1, maps 8x8 to 4x4"
#   read: Q7_3C
#   compare: {kind: property, using: conv_config, given: {i: 8, o: 4, p: 1, d: 1}}

# %% [raw]
# CHECKS hidden
# - id: q7.3a
#   question: q7.3
#   points: 2
#   name: "3(a): no padding, no dilation, 8x8 -> 4x4"
#   read: Q7_3A
#   compare: {kind: property, using: conv_config, given: {i: 8, o: 4, p: 0, d: 1}}
#
# - id: q7.3b
#   question: q7.3
#   points: 2
#   name: "3(b): d = 2, p = 2, 8x8 -> 4x4"
#   read: Q7_3B
#   compare: {kind: property, using: conv_config, given: {i: 8, o: 4, d: 2, p: 2}}
#
# - id: q7.3c
#   question: q7.3
#   points: 2
#   name: "3(c): p = 1, d = 1, 8x8 -> 4x4"
#   read: Q7_3C
#   compare: {kind: property, using: conv_config, given: {i: 8, o: 4, p: 1, d: 1}}

# %%
# BEGIN SOLUTION
Q7_3B = {"k": 5, "s": 1, "p": 2, "d": 2}
# END SOLUTION
# BEGIN PROMPT
# Q7_3B: dict = {}
# END PROMPT
"""Q7.3(b) Last layer output (128, 4, 4). Assume d = 2, p = 2."""

# %%
# BEGIN SOLUTION
Q7_3C = {"k": 3, "s": 2, "p": 1, "d": 1}
# END SOLUTION
# BEGIN PROMPT
# Q7_3C: dict = {}
# END PROMPT
"""Q7.3(c) Last layer output (128, 4, 4). Assume p = 1, d = 1."""

# %% [raw]
# EQUIVALENT
# - {question: q5, variant: "conv1d: constant 1 -1 in `start = (k - 1) // 2`", reason: "k // 2 = (k - 1) // 2 for odd kernels, the only ones the handout's 'same' is defined for (the starter says so)"}
# - {question: q5, variant: "conv1d: k - 1: term 1 dropped in `start = (k - 1) // 2`", reason: "k // 2 = (k - 1) // 2 for odd kernels, the only ones 'same' is defined for"}
# - {question: q6.2, variant: "Q6_2_LAST_LAYER_PARAMS: conv_param_count(64, 128, 4): arguments swapped", reason: "the count c_in * c_out * k * k is symmetric in c_in and c_out"}
# - {question: q7.2, variant: "Q7_2B_OUTPUT_SHAPE: constant 32 +1", reason: "floor((33 - 8) / 4) + 1 = 7 = floor((32 - 8) / 4) + 1: the same shape"}
# - {question: q7.2, variant: "Q7_2B_OUTPUT_SHAPE: constant 32 +1 #2", reason: "the same, for the width"}
# - {question: q7.2, variant: "Q7_2B_OUTPUT_SHAPE: constant 8 -1", reason: "floor((32 - 7) / 4) + 1 = 7: the same shape"}
# - {question: q7.2, variant: "Q7_2B_OUTPUT_SHAPE: constant 8 -1 #2", reason: "the same, for the width"}
# - {question: q7.3, variant: "Q7_3C: constant 3 +1", reason: "k = 4, s = 2, p = 1 also maps 8x8 to 4x4: a right configuration"}

# %%
# HELPERS
"""Generators and properties of ift6135-h20-hw1's checks. Trusted code: runs in the grader.

Generators take a seeded ``rng`` and a ``count`` and return argument lists. Properties take
the student's answer (plain data) and return True, False, a message, or a Comparison.
"""

from __future__ import annotations

import re

import numpy as np

from autograder.compare import close
from autograder.expressions import ExpressionError, Variable, equivalent, parse_expression

# ----------------------------------------------------------------------------- generators


def random_vectors(rng, count):
    return [[rng.normal(0, 3, size=int(rng.integers(2, 9))).round(6)] for _ in range(count)]


def vectors_with_ties(rng, count):
    out = []
    for _ in range(count):
        x = rng.integers(-3, 4, size=int(rng.integers(2, 8))).astype(float)
        x[rng.integers(0, x.size)] = x.max()  # at least one repeated maximum most of the time
        out.append([x])
    return out


def random_networks(rng, count):
    out = []
    for _ in range(count):
        d, m, k = (int(rng.integers(1, n)) for n in (6, 7, 5))
        out.append([rng.normal(size=(m, d)), rng.normal(size=m), rng.normal(size=(k, m)), rng.normal(size=k)])
    return out


def ad_points(rng, count):
    out = []
    while len(out) < count:
        x1, x2 = rng.uniform(-5, 5, size=2).round(4)
        if abs(x1 + x2) > 0.5:  # y has a pole at x1 + x2 = 0
            out.append([float(x1), float(x2)])
    return out


def ad_tangent_points(rng, count):
    return [p + [float(v) for v in rng.normal(size=2).round(4)] for p in ad_points(rng, count)]


def _conv_vectors(rng, count, mode):
    out = []
    for _ in range(count):
        n = int(rng.integers(3, 10))
        k = int(rng.choice([1, 3, 5])) if mode == "same" else int(rng.integers(1, n + 1))
        k = min(k, n) if mode != "same" else k
        out.append([rng.integers(-5, 6, size=n).tolist(), rng.integers(-3, 4, size=k).tolist(), mode])
    return out


def conv_full(rng, count):
    return _conv_vectors(rng, count, "full")


def conv_valid(rng, count):
    return _conv_vectors(rng, count, "valid")


def conv_same(rng, count):
    return _conv_vectors(rng, count, "same")


def conv_layers(rng, count):
    out = []
    while len(out) < count:
        i, k, s, p, d = (int(rng.integers(lo, hi)) for lo, hi in ((5, 300), (1, 12), (1, 5), (0, 4), (1, 4)))
        if i + 2 * p >= d * (k - 1) + 1:
            out.append([i, k, s, p, d])
    return out


def param_layers(rng, count):
    return [[int(rng.integers(1, 512)), int(rng.integers(1, 512)), int(rng.integers(1, 8)), bool(rng.integers(0, 2))]
            for _ in range(count)]


# ----------------------------------------------------------------------------- properties


def whole_number(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return f"expected a whole number, got {type(answer).__name__}"
    return float(answer).is_integer() or f"{answer} is not a whole number"


def probability_vector(answer, args):
    a = np.asarray(answer, dtype=float)
    x = np.asarray(args[0], dtype=float)
    if a.shape != x.shape:
        return f"shape {a.shape}, expected {x.shape} (the input's shape)"
    if not np.all(np.isfinite(a)) or np.any(a < 0) or abs(a.sum() - 1) > 1e-6:
        return "entries must be non-negative and sum to 1"
    return True


def _formula_form(answer, names):
    if not isinstance(answer, str):
        return f"expected a formula as a string, got {type(answer).__name__}"
    try:
        parse_expression(answer, allowed=names)
    except ExpressionError as e:
        return f"{answer!r}: {e}"
    return True


def two_formulas_in_x_and_h(answer):
    if not isinstance(answer, list) or len(answer) != 2:
        return "expected a list of two formula strings"
    for formula in answer:
        verdict = _formula_form(formula, {"x", "H"})
        if verdict is not True:
            return verdict
    return True


def formula_in_x1_x2(answer):
    return _formula_form(answer, {"x1", "x2"})


def _relu_formula(answer, index):
    if not isinstance(answer, list) or len(answer) != 2:
        return "expected a list of two formula strings"
    return equivalent(answer[index], "relu(x)", variables={"x": Variable("x")}, allowed={"x", "H"})


def first_relu_formula(answer):
    return _relu_formula(answer, 0)


def _tokens(formula):
    # the same names, numbers and operators in another order, or with more parentheses: the
    # same definition written again ("x*H(x)", "(x*H(x))", "H(x)*x")
    return sorted(re.findall(r"[A-Za-z_]\w*|\d+\.?\d*|\*\*|[-+*/^@]", formula))


def second_relu_formula(answer):
    verdict = _relu_formula(answer, 1)
    if verdict is not True and not getattr(verdict, "ok", False):
        return verdict
    same = _tokens(answer[0]) == _tokens(answer[1])
    return "the two definitions are the same formula (reordered or in parentheses): give another one" if same else True


def same_softmax_with_leading_zero(answer, args):
    x = np.asarray(args[0], dtype=float)
    y = np.asarray(answer, dtype=float)
    if y.shape != (x.size - 1,):
        return f"expected {x.size - 1} parameters, got shape {y.shape}"

    def s(v):
        e = np.exp(v - v.max())
        return e / e.sum()

    return close(s(np.concatenate([[0.0], y])), s(x), rtol=1e-6, atol=1e-9)


def network_shapes(answer, args):
    if not isinstance(answer, dict) or set(answer) != {"W1", "b1", "W2", "b2"}:
        return "expected a dict with keys W1, b1, W2, b2"
    for name, given in zip(("W1", "b1", "W2", "b2"), args):
        if np.shape(answer[name]) != np.shape(given):
            return f"{name} has shape {np.shape(answer[name])}, expected {np.shape(given)}"
    return True


def tanh_network_equivalent(answer, args, rng):
    form = network_shapes(answer, args)
    if form is not True:
        return form
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in args)
    T1, c1, T2, c2 = (np.asarray(answer[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    x = rng.normal(0, 2, size=(64, W1.shape[1]))
    sigmoid = 1 / (1 + np.exp(-(x @ W1.T + b1)))
    expected = sigmoid @ W2.T + b2
    actual = np.tanh(x @ T1.T + c1) @ T2.T + c2
    return close(actual, expected, rtol=1e-6, atol=1e-8)


def conv_lengths(answer, args):
    x, w, mode = args
    n, k = len(x), len(w)
    want = {"full": n + k - 1, "valid": n - k + 1, "same": n}[mode]
    got = np.shape(answer)
    return got == (want,) or f"{mode}: shape {got}, a {mode} convolution of lengths {n} and {k} has shape ({want},)"


def _whole_fields(answer, fields):
    if not isinstance(answer, dict):
        return f"expected a dict with keys {', '.join(fields)}"
    missing = [f for f in fields if f not in answer]
    if missing:
        return f"missing key(s) {', '.join(missing)}"
    for f in fields:
        v = answer[f]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v).is_integer():
            return f"{f} = {v!r} is not a whole number"
    return True


def layer_config_form(answer):
    return _whole_fields(answer, ("k", "s", "p", "d"))


def conv_config(answer, given):
    """k, s, p, d satisfy the stated constraints and produce the stated output size."""
    form = _whole_fields(answer, ("k", "s", "p", "d"))
    if form is not True:
        return form
    k, s, p, d = (int(answer[f]) for f in ("k", "s", "p", "d"))
    if k < 1 or s < 1 or p < 0 or d < 1:
        return "k, s and d must be at least 1 and p at least 0"
    for f in ("k", "s", "p", "d"):
        if f in given and int(answer[f]) != given[f]:
            return f"the question fixes {f} = {given[f]}"
    i = given["i"]
    if i + 2 * p < d * (k - 1) + 1:
        return "the (dilated) kernel is larger than the padded input"
    o = (i + 2 * p - d * (k - 1) - 1) // s + 1
    return o == given["o"] or f"this configuration gives an output of {o}, not {given['o']}"


def pool_config(answer, given):
    """Non-overlapping pooling: the window equals the stride, and the output size is right."""
    form = _whole_fields(answer, ("k", "s"))
    if form is not True:
        return form
    k, s = int(answer["k"]), int(answer["s"])
    if k < 1 or s < 1:
        return "k and s must be at least 1"
    if k > s:
        return f"with k = {k} > s = {s} the windows overlap"
    if k < s:
        # they do not overlap, but they skip pixels: a window must tile the input
        return f"with k = {k} < s = {s} the windows skip pixels between them: a pooling window must tile the input"
    o = (given["i"] - k) // s + 1
    return o == given["o"] or f"this configuration gives an output of {o}, not {given['o']}"


# ----------------------------------------------------------------------------- public properties and hints
# Public checks run on the students' machines with these helpers: none computes an answer of the
# handout; each tests a property the handout states (a definition, a worked example's point, a
# textbook identity) or recognises a known mistake.


def _y(x1, x2):
    """The function of Q4, as the handout defines it."""
    return 1.0 / (x1 + x2) + x2 ** 2 + np.cos(x1)


def _formula_values(formula, names, values):
    from autograder.expressions import evaluate

    return evaluate(parse_expression(formula, allowed=names), values)


def relu_at_points(answer):
    form = two_formulas_in_x_and_h(answer)
    if form is not True:
        return form
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    for number, formula in enumerate(answer, start=1):
        got = _formula_values(formula, {"x", "H"}, {"x": x})
        bad = ~np.isclose(np.broadcast_to(got, x.shape), np.maximum(x, 0.0), rtol=1e-9, atol=1e-12)
        if bad.any():
            at = x[bad][0]
            return f"definition {number} gives {float(np.broadcast_to(got, x.shape)[bad][0]):g} at x = {at:g}, not max(0, {at:g})"
    return True


def gives_heaviside(answer):
    x = np.array([-2.0, -0.5, 0.5, 3.0])
    return any(np.allclose(np.broadcast_to(_formula_values(f, {"x", "H"}, {"x": x}), x.shape), (x > 0).astype(float))
               for f in answer)


def not_finite(answer):
    return not np.all(np.isfinite(np.asarray(answer, dtype=float)))


def no_mass_below_the_maximum(answer, args):
    form = probability_vector(answer, args)
    if form is not True:
        return form
    x = np.asarray(args[0], dtype=float)
    return bool(np.all(np.asarray(answer, dtype=float)[x < x.max()] == 0)) or \
        "entries below the maximum of x get a weight that tends to 0"


def one_maximum_picked_among_ties(answer, args):
    x = np.asarray(args[0], dtype=float)
    a = np.asarray(answer, dtype=float)
    return bool((x == x.max()).sum() > 1 and a.shape == x.shape and np.isclose(a.max(), 1.0))


def sigma_of_z_is_the_softmax(answer):
    form = formula_in_x1_x2(answer)
    if form is not True:
        return form
    for x1, x2 in ((1.0, 2.0), (0.5, -1.0), (3.0, 3.0)):
        z = float(_formula_values(answer, {"x1", "x2"}, {"x1": x1, "x2": x2}))
        first = np.exp(x1) / (np.exp(x1) + np.exp(x2))
        if not np.isclose(1 / (1 + np.exp(-z)), first, rtol=1e-9, atol=1e-12):
            return f"at x = [{x1:g}, {x2:g}], sigma(z) = {1 / (1 + np.exp(-z)):.6g}, but S(x)_1 = {first:.6g}"
    return True


def output_offset_forgotten(answer, args):
    return isinstance(answer, dict) and "b2" in answer and np.shape(answer["b2"]) == np.shape(args[3]) and \
        bool(np.allclose(np.asarray(answer["b2"], dtype=float), np.asarray(args[3], dtype=float))) and \
        bool(np.any(np.asarray(args[2], dtype=float) != 0))


def tangents_match_finite_differences(answer, args):
    if not isinstance(answer, dict) or set(answer) != {"v-1", "v0", "v1", "v2", "v3", "v4", "v5"}:
        return "expected a dict with keys v-1, v0, v1, v2, v3, v4, v5"
    x1, x2, dx1, dx2 = args
    d = {k: float(v) for k, v in answer.items()}
    if not np.isclose(d["v-1"], dx1) or not np.isclose(d["v0"], dx2):
        return "the tangents of v-1 and v0 are the seed (dx1, dx2)"
    if not np.isclose(d["v1"], d["v-1"] + d["v0"]) or not np.isclose(d["v5"], d["v2"] + d["v3"] + d["v4"]):
        return "v1 = v-1 + v0 and v5 = v2 + v3 + v4: their tangents add up the same way"
    h = 1e-6
    slope = (_y(x1 + h * dx1, x2 + h * dx2) - _y(x1 - h * dx1, x2 - h * dx2)) / (2 * h)
    return bool(np.isclose(d["v5"], slope, rtol=1e-5, atol=1e-6)) or \
        f"the tangent of y is {d['v5']:.6g}, but finite differences of y give {slope:.6g}"


def adjoints_match_finite_differences(answer, args):
    if not isinstance(answer, dict) or set(answer) != {"v-1", "v0", "v1", "v2", "v3", "v4", "v5"}:
        return "expected a dict with keys v-1, v0, v1, v2, v3, v4, v5"
    x1, x2 = args
    a = {k: float(v) for k, v in answer.items()}
    if not np.isclose(a["v5"], 1.0):
        return "the adjoint of the output v5 is ybar = 1"
    h = 1e-6
    for key, slope in (("v-1", (_y(x1 + h, x2) - _y(x1 - h, x2)) / (2 * h)),
                       ("v0", (_y(x1, x2 + h) - _y(x1, x2 - h)) / (2 * h))):
        if not np.isclose(a[key], slope, rtol=1e-5, atol=1e-6):
            return f"the adjoint of {key} is {a[key]:.6g}, but finite differences of y give {slope:.6g}"
    return True


def _slice(full, n, k, mode):
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1:n]
    start = (k - 1) // 2
    return full[start:start + n]


def impulse_response(answer, args):
    form = conv_lengths(answer, args)
    if form is not True:
        return form
    x, w, mode = args
    n, k = len(x), len(w)
    shift = int(np.flatnonzero(np.asarray(w))[0])
    full = np.zeros(n + k - 1)
    full[shift:shift + n] = x  # x * (unit impulse at j) is x delayed by j
    want = _slice(full, n, k, mode)
    return close(answer, want, rtol=1e-9, atol=1e-9)


def kernel_not_flipped(answer, args):
    x, w, mode = args
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if np.allclose(w, w[::-1]):
        return False  # a symmetric kernel: flipping it changes nothing
    correlation = np.correlate(x, w, mode="full")
    want = _slice(correlation, x.size, w.size, mode)
    return np.shape(answer) == want.shape and bool(np.allclose(np.asarray(answer, dtype=float), want))


def channels_times_square(answer, given):
    form = whole_number(answer)
    if form is not True:
        return form
    channels = given["channels"]
    side = (int(answer) // channels) ** 0.5 if int(answer) % channels == 0 else 0.5
    return (int(answer) > 0 and float(side).is_integer()) or \
        f"{answer:g} is not {channels} channels times a square feature map (height = width)"


def multiple_of(answer, given):
    form = whole_number(answer)
    if form is not True:
        return form
    return (int(answer) > 0 and int(answer) % given["factor"] == 0) or f"{answer:g} is not a multiple of {given['factor']}"


def pooled_shape(answer, given):
    if not isinstance(answer, list) or len(answer) != 3 or not all(whole_number(v) is True for v in answer):
        return "expected [channels, height, width] as three whole numbers"
    c, h, w = (int(v) for v in answer)
    if c != given["channels"]:
        return f"pooling keeps the {given['channels']} channels"
    if h != w or not 1 <= h <= given["largest"]:
        return f"a square output from 1x1 to {given['largest']}x{given['largest']} is expected"
    return True

