"""Exemple : toutes les réponses justes, souvent sous une autre forme que la solution (formule
de Q1 développée, contre-exemples de la copie, r par dichotomie, un seul point stationnaire
[0, 0, 0] au lieu d'une liste, valeurs propres numériques en Q4.6). Attendu : 18.5/18.5."""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------- Question 1

KL_Q_P = "0.5*(ln(sigma1**2/sigma2**2) + (sigma2**2 + (mu1 - mu2)**2)/sigma1**2 - 1)"


def kl_gauss(mu1, s1, mu2, s2):
    # E_q[log q] - E_q[log p], term by term
    e_log_q = -0.5 * np.log(2 * np.pi * s2**2) - 0.5
    e_log_p = -0.5 * np.log(2 * np.pi * s1**2) - (s2**2 + (mu2 - mu1) ** 2) / (2 * s1**2)
    return e_log_q - e_log_p


def kl_symetrique(mu1, s1, mu2, s2):
    return s1 == s2


# ----------------------------------------------------------------------------- Question 2


def contre_exemple_relu(a, b, c):
    # the handout's case analysis
    if a == 0 or b == 0:
        return [1.0, 2.0]
    if c > 0:
        return [-c / b, -2 * c / b]
    if c < 0:
        return [c / b, 2 * c / b]
    return [-1 / b, -2 / b]


def derivee_g_melange(z, w, a, b):
    w, a, b = (np.asarray(v, dtype=float) for v in (w, a, b))
    s = 1 / (1 + np.exp(-(a * z + b)))
    total = np.sum(w * s)
    return np.sum(w * a * s * (1 - s)) / (total * (1 - total))


def _norme_image(r, alpha, beta):
    return r * (1 + beta / (alpha + r))


def rayon_depuis_y(y, z0, alpha, beta):
    # r -> r (1 + beta/(alpha + r)) is increasing when beta >= -alpha: bisection
    rho = np.linalg.norm(np.asarray(y, dtype=float) - np.asarray(z0, dtype=float))
    lo, hi = 0.0, rho + abs(beta) + 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if _norme_image(mid, alpha, beta) < rho:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def z_tilde_depuis_r(y, z0, r, alpha, beta):
    d = np.asarray(y, dtype=float) - np.asarray(z0, dtype=float)
    return d * (alpha + r) / (r * (alpha + r + beta))


def inverser_flux_radial(y, z0, alpha, beta):
    r = rayon_depuis_y(y, z0, alpha, beta)
    return np.asarray(z0, dtype=float) + r * z_tilde_depuis_r(y, z0, r, alpha, beta)


# ----------------------------------------------------------------------------- Question 4


def _e(psi0, psi1, theta):
    u = psi0 * theta + psi1
    return np.exp(u) / (1 + np.exp(u))


def champ_vitesse(psi0, psi1, theta):
    s = _e(psi0, psi1, theta)
    return [-theta * s, np.exp(-psi1) / (1 + np.exp(-psi1)) - s, psi0 * s]


POINTS_STATIONNAIRES = [0.0, 0.0, 0.0]


def jacobienne_champ(psi0, psi1, theta):
    s = _e(psi0, psi1, theta)
    d = s - s**2
    d1 = np.exp(psi1) / (1 + np.exp(psi1)) ** 2
    # grad of s is s' (theta, 1, psi0); the rows scale it by -theta, -1, psi0
    m = -np.outer([theta, 1.0, -psi0], [theta, 1.0, psi0]) * d
    m[0, 2] -= s
    m[2, 0] += s
    m[1, 1] -= d1
    return m


J_ETOILE = [[0.0, 0.0, -0.5], [0.0, -0.5, 0.0], [0.5, 0.0, 0.0]]
VALEURS_PROPRES_J_ETOILE = [0.5j, -0.5, -0.5j]


def champ_vitesse_r1(psi0, psi1, theta, gamma):
    v = champ_vitesse(psi0, psi1, theta)
    return [v[0] - gamma * psi0, v[1], v[2]]


def points_stationnaires_r1(gamma):
    return [[0.0, 0.0, 0.0]]


def jacobienne_champ_r1(psi0, psi1, theta, gamma):
    m = jacobienne_champ(psi0, psi1, theta)
    m[0, 0] -= gamma
    return m


def j_etoile_r1(gamma):
    return [[-gamma, 0.0, -0.5], [0.0, -0.5, 0.0], [0.5, 0.0, 0.0]]


def valeurs_propres_r1(gamma):
    return np.linalg.eigvals(np.array(j_etoile_r1(gamma)))
