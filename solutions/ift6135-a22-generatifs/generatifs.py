"""IFT6135-A2022, modèles génératifs et apprentissage auto-supervisé : solution de référence.

Chaque valeur est calculée ici, jamais recopiée de la copie d'étudiant du document (plusieurs
de ses réponses sont fausses, voir les commentaires « Copie : »). tests/test_references_a22.py
vérifie ces fonctions avec torch : torch.distributions.kl_divergence et Monte-Carlo (Q1),
autograd (Q2.2, Q4), torch.autograd.functional.jacobian (Q4) et torch.linalg.eigvals (Q4).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product
from typing import Callable

import numpy as np


def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))  # never overflows, for x of either sign
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# ============================================================================ Question 1
# p = N(mu1, sigma1^2), q = N(mu2, sigma2^2). With E_q[(x - mu1)^2] = sigma2^2 + (mu2 - mu1)^2 and
# E_q[(x - mu2)^2] = sigma2^2:
#   KL[q || p] = log(sigma1/sigma2) + (sigma2^2 + (mu2 - mu1)^2) / (2 sigma1^2) - 1/2.
# Copie : la forme finale est juste (une ligne intermédiaire divise par sigma2^2 au lieu de
# sigma1^2, corrigé ensuite).

KL_Q_P = "log(sigma1/sigma2) + (sigma2**2 + (mu2 - mu1)**2)/(2*sigma1**2) - 1/2"


def kl_gauss(mu1: float, s1: float, mu2: float, s2: float) -> float:
    """KL[q || p] with p = N(mu1, s1^2) and q = N(mu2, s2^2) (s1, s2 are standard deviations)."""
    return float(np.log(s1 / s2) + (s2**2 + (mu2 - mu1) ** 2) / (2 * s1**2) - 0.5)


def kl_symetrique(mu1: float, s1: float, mu2: float, s2: float) -> bool:
    """Whether KL[q || p] = KL[p || q] for these two Gaussians.

    KL[q||p] - KL[p||q] = 1/2 (2 log a + 1/a - a) + (mu1 - mu2)^2 (1/s1^2 - 1/s2^2) / 2 with
    a = s1^2/s2^2: both terms have the sign of 1 - a, so equality holds iff s1 = s2.
    """
    forward, backward = kl_gauss(mu1, s1, mu2, s2), kl_gauss(mu2, s2, mu1, s1)
    return bool(np.isclose(forward, backward, rtol=1e-9, atol=1e-12))


# ============================================================================ Question 2
# ---------------------------------------------------------------- 2.1  g(z) = a max(0, bz + c)


def contre_exemple_relu(a: float, b: float, c: float) -> list[float]:
    """Two distinct z, z' with g(z) = g(z')."""
    if a == 0 or b == 0:  # g is constant
        return [0.0, 1.0]
    # bz + c = -1 and bz + c = -2: both on the flat part of the ReLU, where g = 0
    return [(-1.0 - c) / b, (-2.0 - c) / b]


# ---------------------------------------------------------------- 2.2  g = sigma^-1(sum w_i sigma(a_i z + b_i))
# g'(z) = S'(z) / (S (1 - S)) with S = sum w_i sigma(u_i), u_i = a_i z + b_i, S' = sum w_i a_i sigma'(u_i),
# since (sigma^-1)'(S) = 1 / (S (1 - S)). Every factor is positive, so g' > 0.
# Copie : ses deux termes sont FAUX un à un (elle écrit sigma(u) = 1/(1 + e^u) aux dénominateurs :
# d/dz log S = S'/(1 - S) au lieu de S'/S, et d/dz log(1 - S) = -S'/S au lieu de -S'/(1 - S)),
# mais les deux erreurs s'échangent et leur somme, donc son g'(z), est juste.


def derivee_g_melange(z: float, w: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """dg/dz at z, derived by hand."""
    u = np.asarray(a, dtype=float) * z + np.asarray(b, dtype=float)
    w = np.asarray(w, dtype=float)
    s = _sigmoid(u)
    big_s = np.sum(w * s)
    one_minus_s = np.sum(w * _sigmoid(-u))  # = 1 - S since sum w_i = 1, without cancellation
    return float(np.sum(w * np.asarray(a, dtype=float) * s * _sigmoid(-u)) / (big_s * one_minus_s))


# ---------------------------------------------------------------- 2.4  radial flow
# y = z0 + r z~ (1 + beta/(alpha + r)), with ||z~|| = 1. Taking norms, rho = ||y - z0||:
#   rho = r (alpha + beta + r)/(alpha + r)  <=>  r^2 + (alpha + beta - rho) r - alpha rho = 0.
# The product of the roots is -alpha rho <= 0: exactly one root is >= 0 (and for beta >= -alpha
# the map r -> r(1 + beta/(alpha + r)) is increasing, so it is the only r).
# Copie (i) : FAUX. Elle cherche un discriminant nul (une racine double) dans une équation
# vectorielle qui contient encore z~ ; il fallait passer aux normes. (ii) est juste.


def _racine_positive(p: float, q: float) -> float:
    """The root >= 0 of r^2 + p r + q = 0 with q <= 0, written to avoid cancellation."""
    disc = np.sqrt(p * p - 4 * q)
    return float((-p + disc) / 2 if p <= 0 else -2 * q / (p + disc))


def rayon_depuis_y(y: np.ndarray, z0: np.ndarray, alpha: float, beta: float) -> float:
    """(i) The unique r = ||z - z0|| such that g(z) = y."""
    rho = float(np.linalg.norm(np.asarray(y, dtype=float) - np.asarray(z0, dtype=float)))
    return _racine_positive(alpha + beta - rho, -alpha * rho)


def z_tilde_depuis_r(y: np.ndarray, z0: np.ndarray, r: float, alpha: float, beta: float) -> np.ndarray:
    """(ii) The unique z~ of y = z0 + r z~ + beta r z~/(alpha + r)."""
    return (np.asarray(y, dtype=float) - np.asarray(z0, dtype=float)) / (r * (1 + beta / (alpha + r)))


def inverser_flux_radial(y: np.ndarray, z0: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """z = g^-1(y) = z0 + r z~."""
    r = rayon_depuis_y(y, z0, alpha, beta)
    return np.asarray(z0, dtype=float) + r * z_tilde_depuis_r(y, z0, r, alpha, beta)


# ============================================================================ Question 3
# Dérivations seulement (corrigées à la main). Pour les correcteurs, copie : (a) et (b) justes ;
# (c) et (d) FAUSSES : elle factorise q(x_{1:T}, z | c, x0) = q(z | x_{1:T}) prod_t q(x_t | x_{t-1}, c, x0),
# alors que l'énoncé demande l'encodeur d'abord puis la diffusion conditionnée à z :
# q_psi(z | c, x0) prod_t q(x_t | x_{t-1}, z) ; (e) sans réponse.

# ============================================================================ Question 4
# C(x) = psi0 x + psi1, p_D = delta_0, p_theta = delta_theta, so
#   L = log sigma(psi1) + log sigma(-(psi0 theta + psi1)).
# With s = sigma(psi0 theta + psi1):
#   dL/dpsi0 = -theta s,  dL/dpsi1 = sigma(-psi1) - s,  dL/dtheta = -psi0 s,
# and v = (dL/dpsi0, dL/dpsi1, -dL/dtheta). R1 = E_{p_D} (dC/dx)^2 = psi0^2, so the penalty adds
# -(gamma/2) d(psi0^2)/dpsi0 = -gamma psi0 to the first component only.
# Copie : champ, point stationnaire, J*, valeurs propres de 4.3 et 4.4-4.5 justes. En 4.6, pour
# gamma >= 1 elle écrit lambda = -gamma/2 +- sqrt(1 - gamma^2)/2 : FAUX (sqrt(gamma^2 - 1)), la
# racine d'un nombre négatif pour gamma > 1. Sa conclusion (stable pour tout gamma > 0) est juste.
# En 4.3, « pas de stabilité locale » va trop loin : des valeurs propres +-i/2 de partie réelle
# nulle font seulement tomber la condition suffisante (discussion corrigée à la main).


def champ_vitesse(psi0: float, psi1: float, theta: float) -> np.ndarray:
    """4.1 v(psi0, psi1, theta), derived by hand."""
    s = float(_sigmoid(psi0 * theta + psi1))
    return np.array([-theta * s, float(_sigmoid(-psi1)) - s, psi0 * s])


def jacobienne_champ(psi0: float, psi1: float, theta: float) -> np.ndarray:
    """4.2 The 3x3 Jacobian of v at (psi0, psi1, theta), rows v1..v3, columns psi0, psi1, theta."""
    s = float(_sigmoid(psi0 * theta + psi1))
    ds = s * (1 - s)  # sigma' at psi0 theta + psi1
    d1 = float(_sigmoid(psi1) * _sigmoid(-psi1))  # sigma' at psi1
    return np.array([
        [-theta**2 * ds, -theta * ds, -s - psi0 * theta * ds],
        [-theta * ds, -d1 - ds, -psi0 * ds],
        [s + psi0 * theta * ds, psi0 * ds, psi0**2 * ds],
    ])


def champ_vitesse_r1(psi0: float, psi1: float, theta: float, gamma: float) -> np.ndarray:
    """4.4 The regularised field v-bar."""
    return champ_vitesse(psi0, psi1, theta) - np.array([gamma * psi0, 0.0, 0.0])


def jacobienne_champ_r1(psi0: float, psi1: float, theta: float, gamma: float) -> np.ndarray:
    """4.5 The 3x3 Jacobian of v-bar."""
    return jacobienne_champ(psi0, psi1, theta) - np.diag([gamma, 0.0, 0.0])


def _zeros_par_newton(field: Callable[[np.ndarray], np.ndarray],
                      jac: Callable[[np.ndarray], np.ndarray]) -> list[list[float]]:
    """Zeros of a field found by Newton's method from a grid of starts, duplicates merged.

    The derivation (sigma > 0 forces theta = 0 and psi0 = 0, then sigma(-psi1) = sigma(psi1)
    forces psi1 = 0) shows the zero is unique; the search confirms it numerically.
    """
    found: list[np.ndarray] = []
    for start in product((-0.6, 0.7), repeat=3):
        p = np.array(start, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):  # a start may diverge: it is dropped
            p = _newton(field, jac, p)
            converged = bool(np.all(np.isfinite(p)) and np.linalg.norm(field(p)) < 1e-12)
        if converged:
            p = np.where(np.abs(p) < 1e-12, 0.0, p)
            if not any(np.allclose(p, q, atol=1e-8) for q in found):
                found.append(p)
    return [[float(x) for x in p] for p in found]


def _newton(field: Callable[[np.ndarray], np.ndarray], jac: Callable[[np.ndarray], np.ndarray],
            p: np.ndarray) -> np.ndarray:
    """Newton's iteration p <- p - J(p)^-1 v(p), stopped at a zero or when it runs away."""
    for _ in range(60):
        v = field(p)
        if np.linalg.norm(v) < 1e-14:
            break
        try:
            p = p - np.linalg.solve(jac(p), v)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(p)) or np.linalg.norm(p) > 1e3:
            break
    return p


def points_stationnaires_r1(gamma: float) -> list[list[float]]:
    """4.4 The stationary points [psi0*, psi1*, theta*] of the regularised system."""
    return [list(p) for p in _points_stationnaires_r1(float(gamma))]


@lru_cache(maxsize=256)
def _points_stationnaires_r1(gamma: float) -> tuple[tuple[float, ...], ...]:
    # The derivation of 4.1 carries over: v3 = psi0 sigma(.) = 0 forces psi0 = 0, then v1 = -theta
    # sigma(.) = 0 forces theta = 0, then sigma(-psi1) = sigma(psi1) forces psi1 = 0, whatever gamma.
    # The point is checked to be a zero here; tests/test_references_a22.py searches for others with
    # torch. (The grader asks 4.4, 4.5 and 4.6 at the same gammas: one computation each.)
    zero = (0.0, 0.0, 0.0)
    if np.linalg.norm(champ_vitesse_r1(*zero, gamma)) > 1e-12:
        raise ArithmeticError(f"(0, 0, 0) is not a stationary point for gamma = {gamma}")
    return (zero,)


def j_etoile_r1(gamma: float) -> np.ndarray:
    """4.5 J* of the regularised system at its stationary point."""
    (point,) = points_stationnaires_r1(gamma)
    return jacobienne_champ_r1(*point, gamma)


def _valeurs_propres_decouplees(j: np.ndarray) -> list[complex]:
    """Eigenvalues of a J* whose psi1 row and column are decoupled (true at the stationary point).

    det(J - lambda I) = (J11 - lambda) det(B - lambda I), B the (psi0, theta) block: J11, and the
    roots of lambda^2 - tr(B) lambda + det(B) in closed form (exact even for a double root).
    """
    assert np.allclose([j[0, 1], j[1, 0], j[1, 2], j[2, 1]], 0.0)
    tr = j[0, 0] + j[2, 2]
    det = j[0, 0] * j[2, 2] - j[0, 2] * j[2, 0]
    root = np.sqrt(complex(tr * tr - 4 * det))
    return [complex(j[1, 1]), (tr + root) / 2, (tr - root) / 2]


def valeurs_propres_r1(gamma: float) -> list[complex]:
    """4.6 The eigenvalues of J*(gamma): -1/2 and (-gamma +- sqrt(gamma^2 - 1))/2."""
    return _valeurs_propres_decouplees(j_etoile_r1(gamma))


POINTS_STATIONNAIRES = _zeros_par_newton(lambda p: champ_vitesse(*p), lambda p: jacobienne_champ(*p))
J_ETOILE = jacobienne_champ(*POINTS_STATIONNAIRES[0])
VALEURS_PROPRES_J_ETOILE = _valeurs_propres_decouplees(J_ETOILE)
