"""Remise parfaite, avec d'autres réponses valides que la solution : formules développées ou
écrites autrement, jacobiennes construites par boucles, comptes écrits en formule fermée,
torch au lieu de numpy. Attendu : 28/28."""

from __future__ import annotations

import numpy as np
import torch

# ============================================================================ Question 3

Q3_GRAD_F1 = "A.T @ A @ x - A.T @ b"
Q3_JACOBIENNE_F2 = "B"
Q3_GRAD_F3_P = "(P @ Q - M) @ transpose(Q)"
Q3_GRAD_F3_Q = "P.T @ P @ Q - P.T @ M"


def gradient_f1(A, b, x):
    A, b, x = (torch.as_tensor(v, dtype=torch.float64) for v in (A, b, x))
    return A.T @ A @ x - A.T @ b


def jacobienne_f2(B, c, x):
    return np.asarray(B, dtype=float).copy()


def gradient_f3(M, P, Q):
    M, P, Q = (np.asarray(v, dtype=float) for v in (M, P, Q))
    E = P @ Q - M
    return {"Q": P.T @ E, "P": E @ Q.T}


# ============================================================================ Question 5


def dimensions_LVM(N, H):
    return {"L": [H * (N + 1) + N - H, H], "V": [H, H], "M": [H + H, 1]}


def couche_L(W, x):
    W, x = np.asarray(W, dtype=float), np.asarray(x, dtype=float)
    return np.array([sum(W[i, j] * x[j] for j in range(W.shape[1])) for i in range(W.shape[0])])


def couche_V(y):
    y = np.asarray(y, dtype=float)
    return (np.exp(2 * y) - 1) / (np.exp(2 * y) + 1)


def couche_M(w, y):
    return float(np.dot(w, y))


def reseau_f(w, W, x):
    return float(np.tanh(couche_M(w, couche_V(couche_L(W, x)))))


# ============================================================================ Question 6


def jacobienne_L(W, x):
    W, x = np.asarray(W, dtype=float), np.asarray(x, dtype=float)
    H, N = W.shape
    J = np.zeros((H, H * N + N))
    for i in range(H):
        J[i, i * N:(i + 1) * N] = x
        J[i, H * N:] = W[i]
    return J


def jacobienne_V(y):
    c = np.cosh(np.asarray(y, dtype=float))
    return np.diag(1 / c**2)


def jacobienne_M(w, y):
    return np.hstack([y, w]).reshape(1, -1)


# ============================================================================ Question 7


def gradient_f(w, W, x):
    w, W, x = (np.asarray(v, dtype=float) for v in (w, W, x))
    h = np.tanh(W @ x)
    s = 1 - np.tanh(w @ h) ** 2
    return {"w": s * h, "W": np.outer(s * w * (1 - h**2), x)}


# ============================================================================ Questions 8 et 9


def multiplications_depuis_entree(dims):
    total, cols = 0, dims[-1]
    for rows, inner in zip(reversed(dims[:-2]), reversed(dims[1:-1])):
        total += rows * inner * cols
    return total


def operations_avant(N, H):
    return N * H**3 + N * H**2 + N * H


Q8_ORDRE = {"H": 3, "N": 1}


def multiplications_depuis_sortie(dims):
    total = 0
    for i in range(2, len(dims)):
        total += dims[0] * dims[i - 1] * dims[i]
    return total


def operations_arriere(N, H):
    return H * (N * H + H + 1)


Q9_ORDRE = {"N": 1.0, "H": 2.0}
