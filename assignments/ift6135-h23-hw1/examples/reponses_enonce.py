"""Exemple de remise : les réponses de l'énoncé. Q4(c) « les P symétriques (P^2 = I) » au lieu des
6 permutations de blocs (-2 valides, -2 toutes), mixer_row_permutations non fait (-1) ;
Q4(d) P_reverse = P, juste pour la P symétrique choisie (choix +2) mais faux pour les 3-cycles
de blocs (-3) et pour les autres tailles (-1) ; Q5(a) f' avec (1 + x)^2 pour x < -1 comme à
l'éq. (39) (-1, et les itérés -1), « converge » vers 0 (-1, -1). Attendu : 21/34."""

from __future__ import annotations


import numpy as np

# Q1 : les réponses de l'énoncé sont justes
Q1A_DERIVEE_SIGMA = "(1 - sigma(x))*sigma(x)"
Q1B_DERIVEE_TANH = "1 - tanh(x)^2"
Q1C_BORNE_SIGMA = 0.25
Q1D_BORNE_TANH = 1.0

# Q2
Q2A_NLL = "-x*log(p) - (1 - x)*log(1 - p)"
Q2B_KL = "x*log(x/p) + (1 - x)*log((1 - x)/(1 - p))"


def max_entropy_distribution(n):
    return np.ones(n) / n


Q2C_BORNE_ENTROPIE = "log(n)"
Q2D_DENSITE = "1/sqrt(2*sigma2*pi)*exp(-(x - mu)**2/(2*sigma2))"


# Q3 : « 128@17x17 » et 4x4x64x128
def conv_output_size(i, k, s=1, p=0):
    return (i + 2 * p - k) // s + 1


Q3A_FORME_SORTIE = [128, 17, 17]


def conv_param_count(c_in, c_out, k, bias=False):
    return k * k * c_in * c_out + (c_out if bias else 0)


Q3B_NB_PARAMETRES = 131072


# Q4(a) : S = 16, P = 16, C = 128
def mixer_dimensions(image_size, output_shape):
    s, c = output_shape
    return {"P": int(np.sqrt(image_size * image_size / s)), "S": s, "C": c}


Q4A_DIMENSIONS = {"P": 16, "S": 16, "C": 128}

# Q4(c) : « ce sont les matrices de permutation P^2 = I ... les matrices symétriques »
def _involutions(rest):
    """Every pi with pi(pi(i)) = i on the indices in rest: each one fixed, or swapped with a later one."""
    if not rest:
        return [{}]
    first, others = rest[0], rest[1:]
    out = [{first: first, **m} for m in _involutions(others)]
    for j in others:
        out += [{first: j, j: first, **m} for m in _involutions([k for k in others if k != j])]
    return out


Q4C_MATRICES_P = [np.eye(9)[[m[i] for i in range(9)]] for m in _involutions(list(range(9)))]


def mixer_row_permutations(n, p):
    raise NotImplementedError


# Q4(d) : P symétrique, donc P^-1 = P^T = P
_swap = np.eye(9)[[6, 7, 8, 3, 4, 5, 0, 1, 2]]
Q4D_CHOIX = {"P": _swap, "P_reverse": _swap}


def p_reverse(P, patch_size):
    return np.asarray(P)


# Q5(a) : le gradient de l'éq. (39) et « l'algorithme converge » (vers le minimiseur 0)
def grad_f(x):
    if x > 1:
        return -1.5 * (1 - x) + 2
    if x < -1:
        return 1.5 * (1 + x) ** 2 - 2
    return 2 * x


Q5A_MINIMISEUR = 0.0


def gd_iterates(x0, eta, n):
    xs = [x0]
    for _ in range(n):
        xs.append(xs[-1] - eta * grad_f(xs[-1]))
    return xs


Q5A_COMPORTEMENT = "converge"
Q5A_POINTS_LIMITES = [0.0]
