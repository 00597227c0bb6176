"""IFT6135-H2023, devoir 1 (théorie) : solution de référence.

Toutes les valeurs sont calculées ici, jamais recopiées de l'énoncé (dont les réponses sont
celles d'un étudiant, parfois fausses). tests/test_references_h23.py les confronte à torch
(autograd, nn.Conv2d, nn.MaxPool2d, torch.distributions, un MLP-Mixer simulé).

Réponses de l'énoncé reconnues fausses (valeur calculée ici en regard) :
- Q2(d), éq. (28) : la dérivée fonctionnelle de -f log f est -log f - 1, pas log f - 1 ; d'où
  lambda_0 = log sqrt(2 pi sigma^2) - 1 (et non + 1). La densité finale (gaussienne) est juste.
  Voir _multiplicateurs_lagrange.
- Q4(c) : les P valides ne sont pas « les P symétriques (P^2 = I) » : ce sont les 3! = 6
  permutations de blocs de 3 lignes (ordre conservé dans chaque bloc). Voir mixer_row_permutations.
- Q5(a), éq. (39) : pour x < -1, f'(x) = 3/2 (1 + x) - 2 (pas de carré). Et avec eta = 1 depuis
  x0 > 1, la descente NE converge PAS : elle oscille et tend vers le 2-cycle {-1, 1}, où
  f'(±1) = ±2 ≠ 0. Voir Q5A_COMPORTEMENT et Q5A_POINTS_LIMITES.
- Q5(b), éq. (49) : F(w^(K)) = F_* est faux en général ; il faut F(w^(K)) >= F_* (noté pour la
  correction à la main).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

# scipy is not importable in the grader's sandbox (its import needs sysconfig), so the two
# numerical searches below are written with numpy only.

# ============================================================================ Question 1

Q1A_DERIVEE_SIGMA = "sigma(x)*(1 - sigma(x))"
Q1B_DERIVEE_TANH = "1 - tanh(x)**2"


def _sigma(x):
    return 1.0 / (1.0 + np.exp(-x))


def _sup(func, lo: float = -20.0, hi: float = 20.0) -> float:
    """Maximum of a unimodal function: a fine grid, then golden-section search around its best point."""
    grid = np.linspace(lo, hi, 40001)
    best = int(np.argmax(func(grid)))
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    ratio = (math.sqrt(5) - 1) / 2
    while b - a > 1e-12:
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if func(c) >= func(d):
            b = d
        else:
            a = c
    return float(func((a + b) / 2))


# The smallest constants: sup of sigma'(x) = sigma(1 - sigma) and of tanh'(x) = 1 - tanh^2.
Q1C_BORNE_SIGMA = _sup(lambda x: _sigma(x) * (1.0 - _sigma(x)))
Q1D_BORNE_TANH = _sup(lambda x: 1.0 - np.tanh(x) ** 2)

# ============================================================================ Question 2

Q2A_NLL = "-x*log(p) - (1 - x)*log(1 - p)"
Q2B_KL = "x*log(x/p) + (1 - x)*log((1 - x)/(1 - p))"


def max_entropy_distribution(n: int) -> np.ndarray:
    # Jensen: H(X) <= log n, with equality iff 1/p_i is constant, i.e. p_i = 1/n.
    return np.full(int(n), 1.0 / int(n))


Q2C_BORNE_ENTROPIE = "log(n)"
Q2D_DENSITE = "exp(-(x - mu)**2/(2*sigma2))/sqrt(2*pi*sigma2)"


def _multiplicateurs_lagrange(sigma2: float) -> tuple[float, float]:
    """lambda_0, lambda_1 of the Lagrangian (27) of the handout at its stationary point.

    d/df [-f log f] = -log f - 1, so f = exp(-1 - lambda_0 - lambda_1 (x - mu)^2); the
    normalisation and the variance constraint then give these values (the handout has + 1).
    """
    lambda1 = 1.0 / (2.0 * sigma2)
    lambda0 = math.log(math.sqrt(math.pi / lambda1)) - 1.0
    return lambda0, lambda1


# ============================================================================ Question 3


def conv_output_size(i: int, k: int, s: int = 1, p: int = 0) -> int:
    # floor: a window that does not fit entirely is dropped (PyTorch's default, ceil_mode=False)
    return (int(i) + 2 * int(p) - int(k)) // int(s) + 1


def conv_param_count(c_in: int, c_out: int, k: int, bias: bool = False) -> int:
    return int(c_out) * int(c_in) * int(k) * int(k) + (int(c_out) if bias else 0)


_IMAGE, _CANAUX_RGB = 128, 3
_C1, _K1, _S1, _P1 = 64, 8, 2, 4
_POOL = 2  # non-overlapping: window = stride
_C3, _K3, _S3, _P3 = 128, 4, 2, 2

_h1 = conv_output_size(_IMAGE, _K1, _S1, _P1)
_h2 = conv_output_size(_h1, _POOL, _POOL)
_h3 = conv_output_size(_h2, _K3, _S3, _P3)
Q3A_FORME_SORTIE = [_C3, _h3, _h3]
Q3B_NB_PARAMETRES = conv_param_count(_C1, _C3, _K3)

# ============================================================================ Question 4


def mixer_dimensions(image_size: int, output_shape: list[int]) -> dict[str, int]:
    s, c = (int(v) for v in output_shape)
    patches_per_side = math.isqrt(s)  # S = (I / P)^2 for a square image
    return {"P": int(image_size) // patches_per_side, "S": s, "C": c}


Q4A_DIMENSIONS = mixer_dimensions(64, [16, 128])


def mixer_row_permutations(n: int, p: int) -> list[np.ndarray]:
    """All row permutations P (A' = P A) after which U' is a row permutation of U.

    A patch of PA must equal a patch of A for every image: its p rows must be a whole block of
    p consecutive rows of A, in order. So P moves blocks of p rows as wholes: (n/p)! matrices.
    """
    n, p = int(n), int(p)
    blocks = n // p
    out = []
    for order in itertools.permutations(range(blocks)):
        pi = [p * order[b] + r for b in range(blocks) for r in range(p)]
        out.append(np.eye(n)[pi])  # row i of P is e_{pi(i)}: (PA)_i = A_{pi(i)}
    return out


_MIXER_IMAGE, _MIXER_PATCH = 9, 3
Q4C_MATRICES_P = mixer_row_permutations(_MIXER_IMAGE, _MIXER_PATCH)


def p_reverse(P: np.ndarray, patch_size: int) -> np.ndarray:
    """P_reverse with P_reverse U' = U, where U' comes from the image PA (patches in raster order)."""
    P = np.asarray(P, dtype=float)
    p = int(patch_size)
    blocks = P.shape[0] // p
    pi = P.argmax(axis=1)
    order = [int(pi[p * b]) // p for b in range(blocks)]  # block b of PA is block order[b] of A
    # patch (bi, bj) of PA is patch (order[bi], bj) of A: U' = M U with this permutation M
    M = np.zeros((blocks * blocks, blocks * blocks))
    for bi in range(blocks):
        for bj in range(blocks):
            M[bi * blocks + bj, order[bi] * blocks + bj] = 1.0
    return M.T  # M is a permutation matrix: M^-1 = M^T


def _choix_non_symetrique() -> np.ndarray:
    # a 3-cycle of blocks: P_reverse is then not P itself, unlike what the handout suggests
    return next(P for P in Q4C_MATRICES_P if not np.array_equal(P, P.T))


_P_CHOISI = _choix_non_symetrique()
Q4D_CHOIX = {"P": _P_CHOISI, "P_reverse": p_reverse(_P_CHOISI, _MIXER_PATCH)}

# ============================================================================ Question 5


def f(x: float) -> float:
    x = float(x)
    if x > 1:
        return 0.75 * (1 - x) ** 2 - 2 * (1 - x)
    if x < -1:
        return 0.75 * (1 + x) ** 2 - 2 * (1 + x)
    return x * x - 1


def grad_f(x: float) -> float:
    x = float(x)
    if x > 1:
        return -1.5 * (1 - x) + 2
    if x < -1:
        return 1.5 * (1 + x) - 2  # the handout's (39) squares (1 + x): a typo
    return 2 * x


def gd_iterates(x0: float, eta: float, n: int) -> list[float]:
    xs = [float(x0)]
    for _ in range(int(n)):
        xs.append(xs[-1] - float(eta) * grad_f(xs[-1]))
    return xs


def _racine_croissante(func, lo: float, hi: float, tol: float = 1e-14) -> float:
    """Root of an increasing function by bisection (func(lo) < 0 < func(hi))."""
    while hi - lo > tol:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if func(mid) < 0 else (lo, mid)
    return (lo + hi) / 2


# f is convex with a continuous increasing gradient: its unique minimiser is the root of f'.
Q5A_MINIMISEUR = _racine_croissante(grad_f, -10.0, 10.0)


def _points_limites(x0: float, eta: float = 1.0, steps: int = 100) -> list[float]:
    """Accumulation points of the iterates: the distinct values of the last two.

    The distance to the 2-cycle halves at each step: from any x0 up to 100, 40 steps already
    reach it to 1e-9 (tests/test_references_h23.py checks 100 steps against 1000)."""
    tail = gd_iterates(x0, eta, steps)[-2:]
    return sorted({round(v, 9) for v in tail})


def _limites_depuis_x0_sup_1() -> list[float]:
    found = {tuple(_points_limites(x0)) for x0 in (1.001, 1.5, 2.0, 7.0, 100.0)}
    assert len(found) == 1, f"the limit points depend on x0: {found}"
    return list(found.pop())


def _comportement(points: list[float]) -> str:
    if len(points) == 1 and abs(grad_f(points[0])) < 1e-9:
        return "converge"
    if any(abs(v) > 1e6 for v in points):
        return "diverge"
    return "oscille"


Q5A_POINTS_LIMITES = _limites_depuis_x0_sup_1()
Q5A_COMPORTEMENT = _comportement(Q5A_POINTS_LIMITES)
