"""Erreurs typiques sur le réseau (questions 5 à 7) : nombre de variables de L sans les x
(−1), J_L réduite au bloc des w_ij, sans les colonnes de x (−2), dérivée de tanh écrite
1 − y² en oubliant d'appliquer tanh (−1), et facteur w_i oublié dans ∂f/∂w_ij (−2).
Attendu : 22/28."""

from __future__ import annotations

import numpy as np

# ============================================================================ Question 3

Q3_GRAD_F1 = "A.T @ (A @ x - b)"
Q3_JACOBIENNE_F2 = "B"
Q3_GRAD_F3_P = "-(M - P @ Q) @ Q.T"
Q3_GRAD_F3_Q = "-P.T @ (M - P @ Q)"


def gradient_f1(A, b, x):
    A, b, x = (np.asarray(v, dtype=float) for v in (A, b, x))
    return A.T @ (A @ x - b)


def jacobienne_f2(B, c, x):
    return np.asarray(B, dtype=float)


def gradient_f3(M, P, Q):
    M, P, Q = (np.asarray(v, dtype=float) for v in (M, P, Q))
    R = M - P @ Q
    return {"P": -R @ Q.T, "Q": -P.T @ R}


# ============================================================================ Question 5


def dimensions_LVM(N, H):
    return {"L": [H * N, H], "V": [H, H], "M": [2 * H, 1]}


def couche_L(W, x):
    return np.asarray(W, dtype=float) @ np.asarray(x, dtype=float)


def couche_V(y):
    return np.tanh(np.asarray(y, dtype=float))


def couche_M(w, y):
    return float(np.asarray(w, dtype=float) @ np.asarray(y, dtype=float))


def reseau_f(w, W, x):
    return float(np.tanh(couche_M(w, couche_V(couche_L(W, x)))))


# ============================================================================ Question 6


def jacobienne_L(W, x):
    W, x = np.asarray(W, dtype=float), np.asarray(x, dtype=float)
    return np.kron(np.eye(W.shape[0]), x[None, :])


def jacobienne_V(y):
    y = np.asarray(y, dtype=float)
    return np.diag(1.0 - y**2)


def jacobienne_M(w, y):
    return np.concatenate([np.asarray(y, dtype=float), np.asarray(w, dtype=float)])[None, :]


# ============================================================================ Question 7


def gradient_f(w, W, x):
    w, W, x = (np.asarray(v, dtype=float) for v in (w, W, x))
    h = np.tanh(W @ x)
    s = 1 - np.tanh(w @ h) ** 2
    return {"w": s * h, "W": np.outer(s * (1 - h**2), x)}


# ============================================================================ Questions 8 et 9


def multiplications_depuis_entree(dims):
    k = len(dims) - 1
    return sum(dims[i - 1] * dims[i] * dims[k] for i in range(1, k))


def operations_avant(N, H):
    return H**3 * N + H**2 * N + H * N


Q8_ORDRE = {"N": 1, "H": 3}


def multiplications_depuis_sortie(dims):
    k = len(dims) - 1
    return sum(dims[0] * dims[i - 1] * dims[i] for i in range(2, k + 1))


def operations_arriere(N, H):
    return H**2 * N + H**2 + H


Q9_ORDRE = {"N": 1, "H": 2}
