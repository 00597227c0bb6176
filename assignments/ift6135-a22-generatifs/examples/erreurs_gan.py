"""Exemple : erreurs typiques en Q4. Gradient de R1 = psi0^2 pris égal à psi0 (le facteur 2
oublié) : -(gamma/2) psi0 au lieu de -gamma psi0, ce qui fausse le champ régularisé (-0.5), sa
jacobienne (-1), J*(gamma) (-1) et ses valeurs propres (-2) ; les points stationnaires restent
justes. Jacobienne de Q4.2 calculée par torch.autograd au lieu d'être dérivée (-1).
Attendu : 13/18.5."""

from __future__ import annotations

import numpy as np
import torch

# ----------------------------------------------------------------------------- Question 1

KL_Q_P = "log(sigma1/sigma2) + (sigma2**2 + (mu2 - mu1)**2)/(2*sigma1**2) - 1/2"


def kl_gauss(mu1, s1, mu2, s2):
    return np.log(s1 / s2) + (s2**2 + (mu2 - mu1) ** 2) / (2 * s1**2) - 0.5


def kl_symetrique(mu1, s1, mu2, s2):
    return s1 == s2


# ----------------------------------------------------------------------------- Question 2


def contre_exemple_relu(a, b, c):
    if a == 0 or b == 0:
        return [0.0, 1.0]
    return [(-1.0 - c) / b, (-2.0 - c) / b]


def derivee_g_melange(z, w, a, b):
    w, a, b = (np.asarray(v, dtype=float) for v in (w, a, b))
    s = 1 / (1 + np.exp(-(a * z + b)))
    total = np.sum(w * s)
    return np.sum(w * a * s * (1 - s)) / (total * (1 - total))


def rayon_depuis_y(y, z0, alpha, beta):
    rho = np.linalg.norm(np.asarray(y, dtype=float) - np.asarray(z0, dtype=float))
    p, q = alpha + beta - rho, -alpha * rho
    return (-p + np.sqrt(p * p - 4 * q)) / 2


def z_tilde_depuis_r(y, z0, r, alpha, beta):
    return (np.asarray(y, dtype=float) - np.asarray(z0, dtype=float)) / (r * (1 + beta / (alpha + r)))


def inverser_flux_radial(y, z0, alpha, beta):
    r = rayon_depuis_y(y, z0, alpha, beta)
    return np.asarray(z0, dtype=float) + r * z_tilde_depuis_r(y, z0, r, alpha, beta)


# ----------------------------------------------------------------------------- Question 4


def _champ_torch(p):
    psi0, psi1, theta = p
    s = torch.sigmoid(psi0 * theta + psi1)
    return torch.stack([-theta * s, torch.sigmoid(-psi1) - s, psi0 * s])


def champ_vitesse(psi0, psi1, theta):
    s = 1 / (1 + np.exp(-(psi0 * theta + psi1)))
    return [-theta * s, 1 / (1 + np.exp(psi1)) - s, psi0 * s]


POINTS_STATIONNAIRES = [[0.0, 0.0, 0.0]]


def jacobienne_champ(psi0, psi1, theta):
    p = torch.tensor([psi0, psi1, theta], dtype=torch.float64)
    return torch.autograd.functional.jacobian(_champ_torch, p)


J_ETOILE = jacobienne_champ(0.0, 0.0, 0.0)
VALEURS_PROPRES_J_ETOILE = torch.linalg.eigvals(J_ETOILE)


def champ_vitesse_r1(psi0, psi1, theta, gamma):
    v = champ_vitesse(psi0, psi1, theta)
    return [v[0] - gamma / 2 * psi0, v[1], v[2]]  # grad R1 pris égal à psi0


def points_stationnaires_r1(gamma):
    return [[0.0, 0.0, 0.0]]


def jacobienne_champ_r1(psi0, psi1, theta, gamma):
    s = 1 / (1 + np.exp(-(psi0 * theta + psi1)))
    d = s * (1 - s)
    d1 = 1 / (2 + np.exp(psi1) + np.exp(-psi1))
    return [[-theta**2 * d - gamma / 2, -theta * d, -s - psi0 * theta * d],
            [-theta * d, -d1 - d, -psi0 * d],
            [s + psi0 * theta * d, psi0 * d, psi0**2 * d]]


def j_etoile_r1(gamma):
    return jacobienne_champ_r1(0.0, 0.0, 0.0, gamma)


def valeurs_propres_r1(gamma):
    return np.linalg.eigvals(np.array(j_etoile_r1(gamma)))
