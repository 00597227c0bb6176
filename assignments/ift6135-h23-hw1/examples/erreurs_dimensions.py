"""Exemple de remise : erreurs de dimensions. conv_output_size sans le + 1 (Q3(a) -2, fonction -1),
paramètres sans les canaux d'entrée (Q3(b) -1, fonction -1), P = I / S au lieu de I / sqrt(S)
pour le Mixer (Q4(a) -1, fonction -1). Le reste est juste. Attendu : 27/34."""

from __future__ import annotations

import itertools

import numpy as np

Q1A_DERIVEE_SIGMA = "sigma(x)*(1 - sigma(x))"
Q1B_DERIVEE_TANH = "1 - tanh(x)**2"
Q1C_BORNE_SIGMA = 0.25
Q1D_BORNE_TANH = 1.0

Q2A_NLL = "-x*log(p) - (1 - x)*log(1 - p)"
Q2B_KL = "x*log(x/p) + (1 - x)*log((1 - x)/(1 - p))"


def max_entropy_distribution(n):
    return np.full(n, 1.0 / n)


Q2C_BORNE_ENTROPIE = "log(n)"
Q2D_DENSITE = "exp(-(x - mu)**2/(2*sigma2))/sqrt(2*pi*sigma2)"


def conv_output_size(i, k, s=1, p=0):
    return (i + 2 * p - k) // s  # oublie la première position de la fenêtre


_h = conv_output_size(conv_output_size(conv_output_size(128, 8, 2, 4), 2, 2), 4, 2, 2)
Q3A_FORME_SORTIE = [128, _h, _h]


def conv_param_count(c_in, c_out, k, bias=False):
    return c_out * k * k + (c_out if bias else 0)  # oublie c_in


Q3B_NB_PARAMETRES = conv_param_count(64, 128, 4)


def mixer_dimensions(image_size, output_shape):
    s, c = output_shape
    return {"P": image_size // s, "S": s, "C": c}  # S = I / P au lieu de (I / P)^2


Q4A_DIMENSIONS = mixer_dimensions(64, [16, 128])


def mixer_row_permutations(n, p):
    b = n // p
    return [np.eye(n)[[p * o[k] + r for k in range(b) for r in range(p)]] for o in itertools.permutations(range(b))]


Q4C_MATRICES_P = mixer_row_permutations(9, 3)


def p_reverse(P, patch_size):
    P = np.asarray(P)
    b = P.shape[0] // patch_size
    return np.kron(P[::patch_size, ::patch_size], np.eye(b)).T


Q4D_CHOIX = {"P": Q4C_MATRICES_P[3], "P_reverse": p_reverse(Q4C_MATRICES_P[3], 3)}


def grad_f(x):
    if x > 1:
        return 1.5 * (x - 1) + 2
    if x < -1:
        return 1.5 * (x + 1) - 2
    return 2 * x


Q5A_MINIMISEUR = 0.0


def gd_iterates(x0, eta, n):
    xs = [x0]
    for _ in range(n):
        xs.append(xs[-1] - eta * grad_f(xs[-1]))
    return xs


Q5A_COMPORTEMENT = "oscille"
Q5A_POINTS_LIMITES = [-1.0, 1.0]
