"""Erreurs typiques de la question 3 : gradient de f1 écrit comme un vecteur ligne
(A x − b)^T A (−2), jacobienne de f2 transposée dans la formule (−1) et dans la fonction (−1),
gradient de f3 obtenu avec torch.autograd alors qu'il faut le dériver à la main (−2).
Le reste est juste. Attendu : 22/28."""

from __future__ import annotations

import numpy as np
import torch

# ============================================================================ Question 3

Q3_GRAD_F1 = "(A @ x - b).T @ A"
Q3_JACOBIENNE_F2 = "B.T"
Q3_GRAD_F3_P = "-(M - P @ Q) @ Q.T"
Q3_GRAD_F3_Q = "-P.T @ (M - P @ Q)"


def gradient_f1(A, b, x):
    A, b, x = (np.asarray(v, dtype=float) for v in (A, b, x))
    return A.T @ (A @ x - b)


def jacobienne_f2(B, c, x):
    return np.asarray(B, dtype=float).T


def gradient_f3(M, P, Q):
    M, P, Q = (torch.as_tensor(v, dtype=torch.float64) for v in (M, P, Q))
    P.requires_grad_(True)
    Q.requires_grad_(True)
    f = 0.5 * ((M - P @ Q) ** 2).sum()
    f.backward()
    return {"P": P.grad, "Q": Q.grad}


# ============================================================================ Question 5


def dimensions_LVM(N, H):
    return {"L": [H * N + N, H], "V": [H, H], "M": [2 * H, 1]}


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
    return np.hstack([np.kron(np.eye(W.shape[0]), x[None, :]), W])


def jacobienne_V(y):
    return np.diag(1.0 - np.tanh(np.asarray(y, dtype=float)) ** 2)


def jacobienne_M(w, y):
    return np.concatenate([np.asarray(y, dtype=float), np.asarray(w, dtype=float)])[None, :]


# ============================================================================ Question 7


def gradient_f(w, W, x):
    w, W, x = (np.asarray(v, dtype=float) for v in (w, W, x))
    h = np.tanh(W @ x)
    s = 1 - np.tanh(w @ h) ** 2
    return {"w": s * h, "W": np.outer(s * w * (1 - h**2), x)}


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
