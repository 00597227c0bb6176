"""Exemple de remise : les réponses de l'énoncé recopiées telles quelles. Attendu : 36/47.5.

Erreurs de l'énoncé qui coûtent des points :
- Q1 (c) : la seconde définition (une intégrale) ne s'écrit pas en formule ; la copie redonne
  x·H(x) réordonnée (-1).
- Q2 (e) : la jacobienne du softmax appliquée à la sigmoïde et le facteur 2 perdu (-1.5).
- Q2 (f) : perte -y log σ(o) sans le terme (1 - y), et même erreur de jacobienne (-0.5, -1.5).
- Q2 (n) : ∂o^a/∂b(2) pris comme la matrice de uns au lieu de l'identité (-1).
- Q2 (p), (r) : W(2) au lieu de W(2)ᵀ (-2, -2).
- Q3 (b) : 3 × 3 × 64 = 576, les canaux d'entrée oubliés, dans la valeur et la fonction (-1, -1).
"""

from __future__ import annotations

import numpy as np

# ============================================================================ Question 1

SIGNE_INDICATRICES = {"x>0": 1, "x<0": -1}

RELU_AVEC_H = ["x*H(x)", "H(x)*x"]

SIGMA_PRIME = "sigma(x)*(1 - sigma(x))"


def _sigma(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def jacobienne_logistique(x):
    s = _sigma(x)
    return np.diag(s * (1 - s))


SOFTPLUS_PRIME = "sigma(x)"


def softmax_limite_grand_c(x):
    x = np.asarray(x, dtype=float)
    top = (x == x.max()).astype(float)
    return top / top.sum()


def softmax_limite_petit_c(x):
    return np.ones(len(x)) / len(x)


JACOBIENNE_SOFTMAX = "diag(S) - S @ S.T"

# Σ_i -c_i ∇x_i + E_j[∇x_j] Σ_i c_i avec u = x : la réponse non simplifiée de l'énoncé
GRAD_CE_SOFTMAX = "-c + softmax(x)*sum(c)"

# ============================================================================ Question 2


def dimensions_parametres(d, d_h, m):
    return {"W1": [d_h, d], "b1": [d_h], "W2": [m, d_h], "b2": [m]}


def propagation_avant(W1, b1, W2, b2, x):
    h_a = W1 @ x + b1
    h_s = np.log(1 + np.exp(h_a))
    o_a = W2 @ h_s + b2
    e = np.exp(o_a)
    return {"h_a": h_a, "h_s": h_s, "o_a": o_a, "o_s": e / e.sum()}


# (σ - y)ᵀ(diag(σ) - σσᵀ) : pour une sortie, diag(σ) - σσᵀ = σ - σ², et le 2/m a disparu
Q2E_MSE = {"perte": "(sigma(o) - y)^2", "derivee": "(sigma(o) - y)*(sigma(o) - sigma(o)^2)"}
Q2F_CE = {"perte": "-y*log(sigma(o))", "derivee": "-y/sigma(o)*(sigma(o) - sigma(o)^2)"}

Q2H_PERTE = "log(sum(exp(o))) - c @ o"


def n_theta(d, d_h, m):
    return d_h * d + d_h + m * d_h + m


Q2J_MISE_A_JOUR = "theta - eta*g"
Q2K_MISE_A_JOUR_REG = "theta - eta*g - 2*eta*lam*theta"


def grad_oa(W1, b1, W2, b2, x, y):
    o_s = propagation_avant(W1, b1, W2, b2, x)["o_s"]
    return o_s - np.eye(len(o_s))[y]


def grad_risque_oa(W1, b1, W2, b2, X, Y):
    return np.stack([grad_oa(W1, b1, W2, b2, x, y) for x, y in zip(X, Y)]) / len(Y)


def dL_dW2_kj(W1, b1, W2, b2, x, y, k, j):
    return grad_oa(W1, b1, W2, b2, x, y)[k] * propagation_avant(W1, b1, W2, b2, x)["h_s"][j]


def dL_db2_k(W1, b1, W2, b2, x, y, k):
    return grad_oa(W1, b1, W2, b2, x, y)[k]


def grad_W2(W1, b1, W2, b2, x, y):
    return np.outer(grad_oa(W1, b1, W2, b2, x, y), propagation_avant(W1, b1, W2, b2, x)["h_s"])


def grad_b2(W1, b1, W2, b2, x, y):
    m = len(b2)
    return np.ones((m, m)) @ grad_oa(W1, b1, W2, b2, x, y)  # ∂o^a/∂b(2) pris comme la matrice de uns


def dL_dhs_j(W1, b1, W2, b2, x, y, j):
    return sum(grad_oa(W1, b1, W2, b2, x, y)[k] * W2[k, j] for k in range(len(b2)))


def grad_hs(W1, b1, W2, b2, x, y):
    return W2 @ grad_oa(W1, b1, W2, b2, x, y)  # W(2) au lieu de W(2)ᵀ


PHI_PRIME = "sigmoid(z)"


def dL_dha_j(W1, b1, W2, b2, x, y, j):
    h_a = propagation_avant(W1, b1, W2, b2, x)["h_a"]
    return dL_dhs_j(W1, b1, W2, b2, x, y, j) * _sigma(h_a[j])


def grad_ha(W1, b1, W2, b2, x, y):
    h_a = propagation_avant(W1, b1, W2, b2, x)["h_a"]
    return np.diag(_sigma(h_a)) @ W2 @ grad_oa(W1, b1, W2, b2, x, y)  # même erreur


# ============================================================================ Question 3


def conv_output_size(i, k, s=1, p=0, d=1):
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


Q3A_DIM_SORTIE = 32 * 32 * 64


def conv_param_count(c_in, c_out, k, biais=False):
    return k * k * c_out + (c_out if biais else 0)  # canaux d'entrée oubliés


Q3B_NB_PARAMETRES = 576


def conv1d(x, w, mode):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)[::-1]  # retournement du noyau
    k = len(w)
    padded = np.concatenate([np.zeros(k - 1), x, np.zeros(k - 1)])
    full = np.array([padded[t:t + k] @ w for t in range(len(x) + k - 1)])
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1:len(x)]
    start = (k - 1) // 2
    return full[start:start + len(x)]


# Q3 (c) : les résultats de l'énoncé, calculés avec un noyau de trois 1/4 au lieu de quatre
Q3C_COMPLETE = [1/4, 1/2, 3/2, 9/4, 3, 9/4, 3/2, 1/2, 1/4]
Q3C_VALIDE = [3/2, 9/4, 3, 9/4, 3/2]
Q3C_SIMILAIRE = [1/2, 3/2, 9/4, 3, 9/4, 3/2, 1/2]
