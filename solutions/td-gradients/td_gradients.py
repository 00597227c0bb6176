"""TD Gradients (règle de dérivation en chaîne, jacobiennes, rétropropagation): solution de référence.

Every value here is computed; tests/test_references_td.py checks the gradients against
torch.autograd and the operation counts against an explicit loop implementation of the
matrix products that counts its multiplications.

Handout answers found wrong (the handout holds one student's answers):
- Q6: the student's J_L has N rows ending in w_{N:}; it has H rows (one per neuron), the last
  being [0 ... 0 x^T | w_{H:}]. Computed by `jacobienne_L`.
- Q7: the student's product sigma' ∇M^T [I_N ; J_V J_L [I_{NxH} ; 0]] does not fit (the blocks
  have H, not N, rows); only the final column [y^T ; w_i v'_i x] is right, y being V(L(W, x)).
- Q8: "le coût de J_L I_{NxM} est O(1)" only holds because that product just selects the
  columns of W; the order O(H^3 N) is right (see `operations_avant`: H^3 N + H^2 N + N H).
- Q9: "σ' ∇M_w^T J_V coûte O(H^2 N)" is wrong: a 1xH row times an HxH matrix costs H^2
  multiplications (plus H for σ'); the total H^2 N + H^2 + H is still O(H^2 N).
"""

from __future__ import annotations

import numpy as np

# ============================================================================ Question 3

Q3_GRAD_F1 = "A.T @ (A @ x - b)"
Q3_JACOBIENNE_F2 = "B"
Q3_GRAD_F3_P = "-(M - P @ Q) @ Q.T"
Q3_GRAD_F3_Q = "-P.T @ (M - P @ Q)"


def gradient_f1(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    # f1(x + h) = f1(x) + (A^T (Ax - b))^T h + ½‖Ah‖²
    A, b, x = (np.asarray(v, dtype=float) for v in (A, b, x))
    return A.T @ (A @ x - b)


def jacobienne_f2(B: np.ndarray, c: np.ndarray, x: np.ndarray) -> np.ndarray:
    # f2(x + h) = f2(x) + B h: the Jacobian does not depend on x or c
    return np.array(B, dtype=float)


def gradient_f3(M: np.ndarray, P: np.ndarray, Q: np.ndarray) -> dict[str, np.ndarray]:
    M, P, Q = (np.asarray(v, dtype=float) for v in (M, P, Q))
    residual = M - P @ Q
    return {"P": -residual @ Q.T, "Q": -P.T @ residual}


# ============================================================================ Question 5
# σ = v_i = tanh, the handout's "choix classique".


def dimensions_LVM(N: int, H: int) -> dict[str, list[int]]:
    # L: R^{HxN} x R^N -> R^H ; V: R^H -> R^H ; M: R^H x R^H -> R
    return {"L": [H * N + N, H], "V": [H, H], "M": [2 * H, 1]}


def couche_L(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.asarray(W, dtype=float) @ np.asarray(x, dtype=float)


def couche_V(y: np.ndarray) -> np.ndarray:
    return np.tanh(np.asarray(y, dtype=float))


def couche_M(w: np.ndarray, y: np.ndarray) -> float:
    return float(np.asarray(w, dtype=float) @ np.asarray(y, dtype=float))


def reseau_f(w: np.ndarray, W: np.ndarray, x: np.ndarray) -> float:
    return float(np.tanh(couche_M(w, couche_V(couche_L(W, x)))))


# ============================================================================ Question 6


def jacobienne_L(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    # variables ordered (W_{1,:}, ..., W_{H,:}, x): row i is [0 .. x^T (block i) .. 0 | W_{i,:}]
    W, x = np.asarray(W, dtype=float), np.asarray(x, dtype=float)
    H = W.shape[0]
    return np.hstack([np.kron(np.eye(H), x[None, :]), W])


def jacobienne_V(y: np.ndarray) -> np.ndarray:
    return np.diag(1.0 - np.tanh(np.asarray(y, dtype=float)) ** 2)


def jacobienne_M(w: np.ndarray, y: np.ndarray) -> np.ndarray:
    # M(w, y) = w·y, so ∂M/∂w = y and ∂M/∂y = w; one output: a 1 x 2H matrix
    return np.concatenate([np.asarray(y, dtype=float), np.asarray(w, dtype=float)])[None, :]


# ============================================================================ Question 7


def gradient_f(w: np.ndarray, W: np.ndarray, x: np.ndarray) -> dict[str, np.ndarray]:
    """∇f as the product of the Jacobians of Q6, accumulated from the output (cheapest order)."""
    w, W, x = (np.asarray(v, dtype=float) for v in (w, W, x))
    H, N = W.shape
    pre = couche_L(W, x)
    hidden = couche_V(pre)
    sigma_prime = 1.0 - np.tanh(couche_M(w, hidden)) ** 2
    row_M = sigma_prime * jacobienne_M(w, hidden)          # 1 x 2H: (∂/∂w, ∂/∂y)
    grad_w = row_M[0, :H]
    through_V = row_M[:, H:] @ jacobienne_V(pre)           # 1 x H
    grad_W = (through_V @ jacobienne_L(W, x)[:, : H * N]).reshape(H, N)
    return {"w": grad_w, "W": grad_W}


# ============================================================================ Questions 8 and 9
# A chain A_1 @ A_2 @ ... @ A_k, A_i of size dims[i-1] x dims[i], A_1 on the output side.
# (n x m) @ (m x p) costs n·m·p multiplications (the handout's rule).


def multiplications_depuis_entree(dims: list[int]) -> int:
    # forward accumulation: A_{k-1} @ A_k first, the result always has dims[-1] columns
    k = len(dims) - 1
    return sum(dims[i - 1] * dims[i] * dims[k] for i in range(1, k))


def multiplications_depuis_sortie(dims: list[int]) -> int:
    # reverse accumulation: A_1 @ A_2 first, the result always has dims[0] rows
    k = len(dims) - 1
    return sum(dims[0] * dims[i - 1] * dims[i] for i in range(2, k + 1))


def _chaine_reseau(N: int, H: int) -> list[int]:
    # σ'(1x1) · ∇_y M^T (1xH) · J_V (HxH) · J_L restricted to W (H x NH)
    return [1, 1, H, H, N * H]


def operations_avant(N: int, H: int) -> int:
    return multiplications_depuis_entree(_chaine_reseau(N, H))


def operations_arriere(N: int, H: int) -> int:
    return multiplications_depuis_sortie(_chaine_reseau(N, H))


def _degre(p) -> int:
    """Degree of the integer polynomial t -> p(t), exactly, from its finite differences."""
    values = [p(t) for t in range(12)]
    degree = 0
    for order in range(1, len(values)):
        values = [b - a for a, b in zip(values, values[1:])]
        if any(values):
            degree = order
    return degree


def _ordre(count) -> dict[str, int]:
    """count(N, H) = O(N^a H^b) when N and H grow: {"N": a, "H": b}.

    The counts have positive coefficients, so a (b) is the largest exponent of N (of H), and
    one monomial N^a H^b dominates all others exactly when count(t, t) has degree a + b.
    """
    a = _degre(lambda t: count(t, 1))
    b = _degre(lambda t: count(1, t))
    if _degre(lambda t: count(t, t)) != a + b:
        raise ValueError("no single dominant monomial")
    return {"N": a, "H": b}


# the handout's O(H^3 N) and O(H^2 N), recomputed from the counts
Q8_ORDRE = _ordre(operations_avant)
Q9_ORDRE = _ordre(operations_arriere)
