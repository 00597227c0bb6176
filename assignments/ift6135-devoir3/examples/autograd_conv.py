"""Exemple de remise : torch.autograd dans un gradient « à la main » et des erreurs de Q1 (i) et
Q3. Attendu : 41/47.5.

- Q2 (p) : grad_hs obtenu par torch.autograd.grad, refusé (-2).
- Q1 (i) : aux grands c, tout sur le premier maximum, même en cas d'égalité (-0.5).
- Q3 (a) : conv_output_size ignore la dilatation (-1).
- Q3 (c) : le noyau n'est pas retourné (corrélation) ; l'exemple de l'énoncé, symétrique, passe
  mais pas les noyaux aléatoires (-1, -1, -1).
"""

from __future__ import annotations

import numpy as np
import torch

# ============================================================================ Question 1

SIGNE_INDICATRICES = {"x>0": 1.0, "x<0": -1.0}
RELU_AVEC_H = ["x*H(x)", "x - x*H(-x)"]
SIGMA_PRIME = "sigma(x)*(1 - sigma(x))"


def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def jacobienne_logistique(x):
    s = sigmoid(x)
    return np.diag(s * (1 - s))


SOFTPLUS_PRIME = "sigma(x)"


def softmax_limite_grand_c(x):
    out = np.zeros(len(x))
    out[int(np.argmax(x))] = 1.0  # les égalités sont oubliées
    return out


def softmax_limite_petit_c(x):
    return np.full(len(x), 1 / len(x))


JACOBIENNE_SOFTMAX = "diag(S) - S @ S.T"
GRAD_CE_SOFTMAX = "softmax(x) - c"

# ============================================================================ Question 2


def dimensions_parametres(d, d_h, m):
    return {"W1": [d_h, d], "b1": [d_h], "W2": [m, d_h], "b2": [m]}


def propagation_avant(W1, b1, W2, b2, x):
    h_a = W1 @ x + b1
    h_s = np.logaddexp(0, h_a)
    o_a = W2 @ h_s + b2
    e = np.exp(o_a - o_a.max())
    return {"h_a": h_a, "h_s": h_s, "o_a": o_a, "o_s": e / e.sum()}


Q2E_MSE = {"perte": "(sigma(o) - y)^2", "derivee": "2*(sigma(o) - y)*sigma(o)*(1 - sigma(o))"}
Q2F_CE = {"perte": "-y*log(sigma(o)) - (1 - y)*log(1 - sigma(o))", "derivee": "sigma(o) - y"}
Q2H_PERTE = "log(sum(exp(o))) - sum(c*o)"


def n_theta(d, d_h, m):
    return (d + 1) * d_h + (d_h + 1) * m


Q2J_MISE_A_JOUR = "theta - eta*g"
Q2K_MISE_A_JOUR_REG = "(1 - 2*eta*lam)*theta - eta*g"


def grad_oa(W1, b1, W2, b2, x, y):
    o_s = propagation_avant(W1, b1, W2, b2, x)["o_s"]
    o_s[y] -= 1
    return o_s


def grad_risque_oa(W1, b1, W2, b2, X, Y):
    return np.stack([grad_oa(W1, b1, W2, b2, x, y) for x, y in zip(X, Y)]) / len(Y)


def dL_dW2_kj(W1, b1, W2, b2, x, y, k, j):
    return grad_W2(W1, b1, W2, b2, x, y)[k, j]


def dL_db2_k(W1, b1, W2, b2, x, y, k):
    return grad_oa(W1, b1, W2, b2, x, y)[k]


def grad_W2(W1, b1, W2, b2, x, y):
    return np.outer(grad_oa(W1, b1, W2, b2, x, y), propagation_avant(W1, b1, W2, b2, x)["h_s"])


def grad_b2(W1, b1, W2, b2, x, y):
    return grad_oa(W1, b1, W2, b2, x, y)


def dL_dhs_j(W1, b1, W2, b2, x, y, j):
    return float(grad_oa(W1, b1, W2, b2, x, y) @ W2[:, j])


def grad_hs(W1, b1, W2, b2, x, y):
    # la différentiation automatique fait le travail : refusé dans une question « à la main »
    h_s = torch.tensor(propagation_avant(W1, b1, W2, b2, x)["h_s"], requires_grad=True)
    o_a = torch.tensor(W2) @ h_s + torch.tensor(b2)
    loss = torch.nn.functional.cross_entropy(o_a[None], torch.tensor([y]))
    (g,) = torch.autograd.grad(loss, h_s)
    return g.numpy()


PHI_PRIME = "sigma(z)"


def dL_dha_j(W1, b1, W2, b2, x, y, j):
    h_a = propagation_avant(W1, b1, W2, b2, x)["h_a"]
    return dL_dhs_j(W1, b1, W2, b2, x, y, j) * sigmoid(h_a[j])


def grad_ha(W1, b1, W2, b2, x, y):
    h_a = propagation_avant(W1, b1, W2, b2, x)["h_a"]
    return sigmoid(h_a) * (W2.T @ grad_oa(W1, b1, W2, b2, x, y))


# ============================================================================ Question 3


def conv_output_size(i, k, s=1, p=0, d=1):
    return (i + 2 * p - k) // s + 1  # la dilatation est ignorée


Q3A_DIM_SORTIE = 64 * 32 * 32


def conv_param_count(c_in, c_out, k, biais=False):
    return c_out * (c_in * k * k + (1 if biais else 0))


Q3B_NB_PARAMETRES = 32 * 64 * 3 * 3


def conv1d(x, w, mode):
    # corrélation : le noyau n'est pas retourné
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    k = len(w)
    padded = np.concatenate([np.zeros(k - 1), x, np.zeros(k - 1)])
    full = np.array([padded[t:t + k] @ w for t in range(len(x) + k - 1)])
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1:len(x)]
    start = (k - 1) // 2
    return full[start:start + len(x)]
