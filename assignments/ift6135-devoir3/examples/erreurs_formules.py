"""Exemple de remise : des erreurs typiques dans les formules et le risque empirique. Attendu : 40.5/47.5.

- Q1 (a) : 1_{x>=0} - 1_{x<0} donne sign(0) = 1 (-1).
- Q1 (e) : σ' écrite avec exp, alors que seul σ est permis (-1).
- Q1 (k) : Sᵀ S (un nombre) au lieu de S Sᵀ (-1).
- Q2 (h) : le signe oublié, c'est log o^s_y et non -log o^s_y (-2).
- Q2 (k) : le facteur 2 de ∇λ‖θ‖² oublié (-1).
- Q2 (l) : gradient du risque sans le 1/n de la moyenne (-1).
"""

from __future__ import annotations

import numpy as np

# ============================================================================ Question 1

SIGNE_INDICATRICES = {"x>=0": 1, "x<0": -1}
RELU_AVEC_H = ["x*H(x)", "x*(1 - H(-x))"]
SIGMA_PRIME = "exp(-x)/(1 + exp(-x))^2"


def _sigma(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def jacobienne_logistique(x):
    s = _sigma(x)
    return np.diag(s * (1 - s))


SOFTPLUS_PRIME = "sigmoid(x)"


def softmax_limite_grand_c(x):
    x = np.asarray(x, dtype=float)
    top = np.isclose(x, x.max()).astype(float)
    return top / top.sum()


def softmax_limite_petit_c(x):
    return np.full(len(x), 1 / len(x))


JACOBIENNE_SOFTMAX = "diag(S) - S.T @ S"
GRAD_CE_SOFTMAX = "softmax(x) - c"

# ============================================================================ Question 2


def dimensions_parametres(d, d_h, m):
    return {"W1": [d_h, d], "b1": [d_h], "W2": [m, d_h], "b2": [m]}


def propagation_avant(W1, b1, W2, b2, x):
    h_a = W1 @ x + b1
    h_s = np.log1p(np.exp(h_a))
    o_a = W2 @ h_s + b2
    e = np.exp(o_a - o_a.max())
    return {"h_a": h_a, "h_s": h_s, "o_a": o_a, "o_s": e / e.sum()}


Q2E_MSE = {"perte": "(sigma(o) - y)**2", "derivee": "2*(sigma(o) - y)*sigma(o)*(1 - sigma(o))"}
Q2F_CE = {"perte": "-(y*log(sigma(o)) + (1 - y)*log(1 - sigma(o)))", "derivee": "sigma(o) - y"}
Q2H_PERTE = "sum(c*o) - log(sum(exp(o)))"


def n_theta(d, d_h, m):
    return d_h * (d + 1) + m * (d_h + 1)


Q2J_MISE_A_JOUR = "theta - eta*g"
Q2K_MISE_A_JOUR_REG = "theta - eta*g - eta*lam*theta"


def grad_oa(W1, b1, W2, b2, x, y):
    o_s = propagation_avant(W1, b1, W2, b2, x)["o_s"]
    return o_s - np.eye(len(o_s))[y]


def grad_risque_oa(W1, b1, W2, b2, X, Y):
    return np.stack([grad_oa(W1, b1, W2, b2, x, y) for x, y in zip(X, Y)])  # sans le 1/n


def dL_dW2_kj(W1, b1, W2, b2, x, y, k, j):
    return grad_oa(W1, b1, W2, b2, x, y)[k] * propagation_avant(W1, b1, W2, b2, x)["h_s"][j]


def dL_db2_k(W1, b1, W2, b2, x, y, k):
    return grad_oa(W1, b1, W2, b2, x, y)[k]


def grad_W2(W1, b1, W2, b2, x, y):
    return grad_oa(W1, b1, W2, b2, x, y)[:, None] * propagation_avant(W1, b1, W2, b2, x)["h_s"][None, :]


def grad_b2(W1, b1, W2, b2, x, y):
    return grad_oa(W1, b1, W2, b2, x, y)


def dL_dhs_j(W1, b1, W2, b2, x, y, j):
    return grad_oa(W1, b1, W2, b2, x, y) @ W2[:, j]


def grad_hs(W1, b1, W2, b2, x, y):
    return W2.T @ grad_oa(W1, b1, W2, b2, x, y)


PHI_PRIME = "sigma(z)"


def dL_dha_j(W1, b1, W2, b2, x, y, j):
    h_a = propagation_avant(W1, b1, W2, b2, x)["h_a"]
    return dL_dhs_j(W1, b1, W2, b2, x, y, j) * _sigma(h_a[j])


def grad_ha(W1, b1, W2, b2, x, y):
    h_a = propagation_avant(W1, b1, W2, b2, x)["h_a"]
    return _sigma(h_a) * grad_hs(W1, b1, W2, b2, x, y)


# ============================================================================ Question 3


def conv_output_size(i, k, s=1, p=0, d=1):
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


Q3A_DIM_SORTIE = 64 * 32 ** 2


def conv_param_count(c_in, c_out, k, biais=False):
    return c_out * c_in * k ** 2 + biais * c_out


Q3B_NB_PARAMETRES = conv_param_count(32, 64, 3)


def conv1d(x, w, mode):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n, k = len(x), len(w)
    full = np.array([sum(x[t - j] * w[j] for j in range(k) if 0 <= t - j < n) for t in range(n + k - 1)])
    return {"full": full, "valid": full[k - 1:n], "same": full[(k - 1) // 2:(k - 1) // 2 + n]}[mode]


# Q3 (c) : les trois résultats
Q3C_COMPLETE = [0.25, 0.5, 1.5, 2.5, 3.25, 3.25, 2.5, 1.5, 0.5, 0.25]
Q3C_VALIDE = [2.5, 3.25, 3.25, 2.5]
Q3C_SIMILAIRE = [0.5, 1.5, 2.5, 3.25, 3.25, 2.5, 1.5]
