"""Exemple : erreurs typiques en Q1 et Q2. KL[p||q] au lieu de KL[q||p] (formule -1, fonction -1 ;
la symétrie reste juste). Contre-exemple -c/b... sans traiter b = 0 : division par zéro (-2).
g'(z) sans le facteur a_i de la dérivée de sigma(a_i z + b_i) (-2). Mauvaise racine pour r
(le signe - : r < 0), qui fausse aussi l'inversion (-1, -1). Attendu : 10.5/18.5."""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------- Question 1

KL_Q_P = "log(sigma2/sigma1) + (sigma1**2 + (mu1 - mu2)**2)/(2*sigma2**2) - 1/2"


def kl_gauss(mu1, s1, mu2, s2):
    return np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5


def kl_symetrique(mu1, s1, mu2, s2):
    return bool(np.isclose(kl_gauss(mu1, s1, mu2, s2), kl_gauss(mu2, s2, mu1, s1)))


# ----------------------------------------------------------------------------- Question 2


def contre_exemple_relu(a, b, c):
    return [(-1.0 - c) / b, (-2.0 - c) / b]


def derivee_g_melange(z, w, a, b):
    w, a, b = (np.asarray(v, dtype=float) for v in (w, a, b))
    s = 1 / (1 + np.exp(-(a * z + b)))
    total = np.sum(w * s)
    return np.sum(w * s * (1 - s)) / (total * (1 - total))  # a_i oublié


def rayon_depuis_y(y, z0, alpha, beta):
    rho = np.linalg.norm(np.asarray(y, dtype=float) - np.asarray(z0, dtype=float))
    p, q = alpha + beta - rho, -alpha * rho
    return (-p - np.sqrt(p * p - 4 * q)) / 2


def z_tilde_depuis_r(y, z0, r, alpha, beta):
    return (np.asarray(y, dtype=float) - np.asarray(z0, dtype=float)) / (r * (1 + beta / (alpha + r)))


def inverser_flux_radial(y, z0, alpha, beta):
    r = rayon_depuis_y(y, z0, alpha, beta)
    return np.asarray(z0, dtype=float) + r * z_tilde_depuis_r(y, z0, r, alpha, beta)


# ----------------------------------------------------------------------------- Question 4


def _sig(x):
    return 1 / (1 + np.exp(-x))


def champ_vitesse(psi0, psi1, theta):
    s = _sig(psi0 * theta + psi1)
    return [-theta * s, _sig(-psi1) - s, psi0 * s]


POINTS_STATIONNAIRES = [[0.0, 0.0, 0.0]]


def jacobienne_champ(psi0, psi1, theta):
    s = _sig(psi0 * theta + psi1)
    d, d1 = s * (1 - s), _sig(psi1) * (1 - _sig(psi1))
    return [[-theta**2 * d, -theta * d, -s - psi0 * theta * d],
            [-theta * d, -d1 - d, -psi0 * d],
            [s + psi0 * theta * d, psi0 * d, psi0**2 * d]]


J_ETOILE = jacobienne_champ(0.0, 0.0, 0.0)
VALEURS_PROPRES_J_ETOILE = list(np.linalg.eigvals(np.array(J_ETOILE)))


def champ_vitesse_r1(psi0, psi1, theta, gamma):
    v = champ_vitesse(psi0, psi1, theta)
    return [v[0] - gamma * psi0, v[1], v[2]]


def points_stationnaires_r1(gamma):
    return [[0.0, 0.0, 0.0]]


def jacobienne_champ_r1(psi0, psi1, theta, gamma):
    j = jacobienne_champ(psi0, psi1, theta)
    j[0][0] -= gamma
    return j


def j_etoile_r1(gamma):
    return jacobienne_champ_r1(0.0, 0.0, 0.0, gamma)


def valeurs_propres_r1(gamma):
    root = np.sqrt(complex(gamma**2 - 1))
    return [-0.5, (-gamma + root) / 2, (-gamma - root) / 2]
