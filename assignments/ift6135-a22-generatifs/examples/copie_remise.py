"""Exemple : les réponses de la copie d'étudiant du document. Q2.2 : ses deux termes de g'(z)
sont faux (sigma(u) pris pour 1/(1 + e^u)) mais leur somme est juste : pas de perte. Q2.4 (i) :
aucune valeur de r (la copie cherche un discriminant nul), donc ni r ni l'inversion (-1, -1).
Q4.6 : sqrt(1 - gamma^2) au lieu de sqrt(gamma^2 - 1) pour gamma >= 1, NaN pour gamma > 1 (-2).
Attendu : 14.5/18.5."""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------- Question 1

KL_Q_P = "1/2*(log(sigma1**2/sigma2**2) + (sigma2**2 + (mu2 - mu1)**2)/sigma1**2 - 1)"


def kl_gauss(mu1, s1, mu2, s2):
    return 0.5 * (np.log(s1**2 / s2**2) + (s2**2 + (mu2 - mu1) ** 2) / s1**2 - 1)


def kl_symetrique(mu1, s1, mu2, s2):
    # « Si sigma1 != sigma2 : KL[p||q] != KL[q||p] ; si sigma1 = sigma2, on a bien l'égalité »
    return s1 == s2


# ----------------------------------------------------------------------------- Question 2


def contre_exemple_relu(a, b, c):
    if a == 0 or b == 0:  # g constante
        return [0.0, 1.0]
    if c > 0:
        return [-c / b, -2 * c / b]
    if c < 0:
        return [c / b, 2 * c / b]
    return [-1 / b, -2 / b]


def derivee_g_melange(z, w, a, b):
    w, a, b = (np.asarray(v, dtype=float) for v in (w, a, b))
    e = np.exp(a * z + b)
    numerateur = np.sum(a * w * e / (1 + e) ** 2)
    somme = np.sum(w / (1 + e))  # la copie écrit sigma(u) = 1/(1 + e^u) : deux termes faux, somme juste
    return numerateur / somme + numerateur / (1 - somme)


def rayon_depuis_y(y, z0, alpha, beta):
    # la copie pose un discriminant nul dans une équation qui contient encore z~ : pas de r
    raise NotImplementedError


def z_tilde_depuis_r(y, z0, r, alpha, beta):
    return (np.asarray(y, dtype=float) - np.asarray(z0, dtype=float)) / (r + beta * r / (alpha + r))


def inverser_flux_radial(y, z0, alpha, beta):
    raise NotImplementedError


# ----------------------------------------------------------------------------- Question 4


def champ_vitesse(psi0, psi1, theta):
    e = np.exp(psi0 * theta + psi1)
    return [-theta * e / (1 + e), np.exp(-psi1) / (1 + np.exp(-psi1)) - e / (1 + e), psi0 * e / (1 + e)]


POINTS_STATIONNAIRES = [[0.0, 0.0, 0.0]]


def jacobienne_champ(psi0, psi1, theta):
    e = np.exp(psi0 * theta + psi1)
    s, d = e / (1 + e), e / (1 + e) ** 2
    d1 = np.exp(psi1) / (1 + np.exp(psi1)) ** 2
    return [[-theta**2 * d, -theta * d, -s - psi0 * theta * d],
            [-theta * d, -d1 - d, -psi0 * d],
            [s + psi0 * theta * d, psi0 * d, psi0**2 * d]]


J_ETOILE = [[0, 0, -1 / 2], [0, -1 / 2, 0], [1 / 2, 0, 0]]
VALEURS_PROPRES_J_ETOILE = [-1 / 2, -0.5j, 0.5j]


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
    return [[-gamma, 0, -1 / 2], [0, -1 / 2, 0], [1 / 2, 0, 0]]


def valeurs_propres_r1(gamma):
    if gamma < 1:
        racine = 1j * np.sqrt(1 - gamma**2) / 2
    else:
        racine = np.sqrt(1 - gamma**2) / 2  # la copie : sqrt(1 - gamma^2), NaN pour gamma > 1
    return [-1 / 2, -gamma / 2 + racine, -gamma / 2 - racine]
