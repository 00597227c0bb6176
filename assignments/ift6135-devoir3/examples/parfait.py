"""Exemple de remise : note maximale, avec d'autres réponses justes que celles de la solution
(indicatrices x >= 0 / x <= 0, autres formules, convention ½ de la MSE, perte one-hot, torch pour
la propagation avant, boucles pour les gradients, np.convolve). Attendu : 47.5/47.5."""

from __future__ import annotations

import math

import numpy as np
import torch

# ============================================================================ Question 1

SIGNE_INDICATRICES = {"x >= 0": 1, "x <= 0": -1}  # en 0 : 1 - 1 = 0

RELU_AVEC_H = ["H(x)*x", "(x + x*(2*H(x) - 1))/2"]  # x(2H(x) - 1) = |x| hors de 0

SIGMA_PRIME = "sigma(x) - sigma(x)^2"


def jacobienne_logistique(x):
    x = np.asarray(x, dtype=float)
    n = x.size
    s = 1 / (1 + np.exp(-x))
    J = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            J[i, j] = (i == j) * s[i] * (1 - s[i])  # δ_{i=j} σ(x_i)(1 - σ(x_i))
    return J


SOFTPLUS_PRIME = "1 - sigma(-x)"


def softmax_limite_grand_c(x):
    x = np.asarray(x, dtype=float)
    gagnants = np.flatnonzero(x == np.max(x))
    out = np.zeros_like(x)
    out[gagnants] = 1 / len(gagnants)
    return out.tolist()


def softmax_limite_petit_c(x):
    return [1 / len(x)] * len(x)


JACOBIENNE_SOFTMAX = "diag(S) - outer(S, S)"

GRAD_CE_SOFTMAX = "exp(x)/sum(exp(x)) - c"

# ============================================================================ Question 2


def dimensions_parametres(d, d_h, m):
    return {"W1": (d_h, d), "b1": d_h, "W2": (m, d_h), "b2": (m,)}


def propagation_avant(W1, b1, W2, b2, x):
    W1, b1, W2, b2, x = (torch.as_tensor(a, dtype=torch.float64) for a in (W1, b1, W2, b2, x))
    h_a = W1 @ x + b1
    h_s = torch.nn.functional.softplus(h_a)
    o_a = W2 @ h_s + b2
    return {"h_a": h_a, "h_s": h_s, "o_a": o_a, "o_s": torch.softmax(o_a, dim=0)}


Q2E_MSE = {"perte": "0.5*(sigma(o) - y)**2", "derivee": "(sigma(o) - y)*sigma(o)*(1 - sigma(o))"}
Q2F_CE = {"perte": "y*softplus(-o) + (1 - y)*softplus(o)", "derivee": "y*(sigma(o) - 1) + (1 - y)*sigma(o)"}

Q2H_PERTE = "-log(sum(c*exp(o))/sum(exp(o)))"  # juste pour c one-hot


def n_theta(d, d_h, m):
    return d_h * (d + 1) + m * (d_h + 1)


Q2J_MISE_A_JOUR = "theta - g*eta"
Q2K_MISE_A_JOUR_REG = "theta - eta*(g + 2*lam*theta)"


def _avant(W1, b1, W2, b2, x):
    f = propagation_avant(W1, b1, W2, b2, x)
    return {k: v.numpy() for k, v in f.items()}


def grad_oa(W1, b1, W2, b2, x, y):
    o_s = _avant(W1, b1, W2, b2, x)["o_s"]
    return o_s - np.eye(o_s.size)[y]


def grad_risque_oa(W1, b1, W2, b2, X, Y):
    return np.array([grad_oa(W1, b1, W2, b2, x, y) for x, y in zip(X, Y)]) / len(X)


def dL_dW2_kj(W1, b1, W2, b2, x, y, k, j):
    return grad_oa(W1, b1, W2, b2, x, y)[k] * _avant(W1, b1, W2, b2, x)["h_s"][j]


def dL_db2_k(W1, b1, W2, b2, x, y, k):
    return grad_oa(W1, b1, W2, b2, x, y)[k]


def grad_W2(W1, b1, W2, b2, x, y):
    m, d_h = np.shape(W2)
    return np.array([[dL_dW2_kj(W1, b1, W2, b2, x, y, k, j) for j in range(d_h)] for k in range(m)])


def grad_b2(W1, b1, W2, b2, x, y):
    return grad_oa(W1, b1, W2, b2, x, y).tolist()


def dL_dhs_j(W1, b1, W2, b2, x, y, j):
    delta = grad_oa(W1, b1, W2, b2, x, y)
    return sum(delta[k] * W2[k][j] for k in range(len(delta)))


def grad_hs(W1, b1, W2, b2, x, y):
    return np.array([dL_dhs_j(W1, b1, W2, b2, x, y, j) for j in range(np.shape(W2)[1])])


PHI_PRIME = "exp(z)/(1 + exp(z))"


def dL_dha_j(W1, b1, W2, b2, x, y, j):
    h_a = _avant(W1, b1, W2, b2, x)["h_a"][j]
    return dL_dhs_j(W1, b1, W2, b2, x, y, j) / (1 + math.exp(-h_a))


def grad_ha(W1, b1, W2, b2, x, y):
    h_a = _avant(W1, b1, W2, b2, x)["h_a"]
    return np.diag(1 / (1 + np.exp(-h_a))) @ grad_hs(W1, b1, W2, b2, x, y)


# ============================================================================ Question 3


def conv_output_size(i, k, s=1, p=0, d=1):
    return math.floor((i + 2 * p - d * (k - 1) - 1) / s) + 1


Q3A_DIM_SORTIE = 64 * conv_output_size(conv_output_size(conv_output_size(128, 8, 2, 3), 2, 2), 3, 1, 1) ** 2


def conv_param_count(c_in, c_out, k, biais=False):
    return (c_in * k * k + int(biais)) * c_out


Q3B_NB_PARAMETRES = conv_param_count(32, 64, 3)


def conv1d(x, w, mode):
    return np.convolve(np.asarray(x, dtype=float), np.asarray(w, dtype=float), mode)


# Q3 (c) : les trois résultats
Q3C_COMPLETE = [0.25, 0.5, 1.5, 2.5, 3.25, 3.25, 2.5, 1.5, 0.5, 0.25]
Q3C_VALIDE = [2.5, 3.25, 3.25, 2.5]
Q3C_SIMILAIRE = [0.5, 1.5, 2.5, 3.25, 3.25, 2.5, 1.5]
