"""Exemple de remise : toutes les réponses justes, souvent sous une autre forme que la solution
(formules réécrites, NLL valable pour x binaire seulement, matrices dans un autre ordre, autre P
choisie en Q4(d), itérés en torch, minimiseur tapé). Attendu : 34/34."""

from __future__ import annotations

import itertools

import numpy as np
import torch

# Q1
Q1A_DERIVEE_SIGMA = "sigma(x) - sigma(x)^2"
Q1B_DERIVEE_TANH = "(1 - tanh(x))*(1 + tanh(x))"
Q1C_BORNE_SIGMA = 1 / 4
Q1D_BORNE_TANH = 1

# Q2
Q2A_NLL = "-log(x*p + (1 - x)*(1 - p))"  # juste pour x ∈ {0, 1}, tout ce que la question demande
Q2B_KL = "x*ln(x) - x*ln(p) + (1 - x)*ln(1 - x) - (1 - x)*ln(1 - p)"


def max_entropy_distribution(n):
    return [1 / n] * n


Q2C_BORNE_ENTROPIE = "-log(1/n)"
Q2D_DENSITE = "(2*pi*sigma2)^(-1/2) * e^(-(x - mu)^2 / (2*sigma2))"


# Q3
def conv_output_size(i, k, s=1, p=0):
    return int(np.floor((i + 2 * p - k) / s)) + 1


Q3A_FORME_SORTIE = [128.0, 17.0, 17.0]


def conv_param_count(c_in, c_out, k, bias=False):
    return k * k * c_in * c_out + bias * c_out


Q3B_NB_PARAMETRES = 4 * 4 * 64 * 128


# Q4
def mixer_dimensions(image_size, output_shape):
    s, c = output_shape
    p = round(image_size / np.sqrt(s))
    return {"S": s, "C": c, "P": p}


Q4A_DIMENSIONS = {"P": 16, "S": 16, "C": 128}


def mixer_row_permutations(n, p):
    b = n // p
    out = []
    for order in itertools.permutations(range(b)):
        P = np.zeros((n, n), dtype=int)
        for dest, src in enumerate(order):
            P[dest * p:(dest + 1) * p, src * p:(src + 1) * p] = np.eye(p, dtype=int)
        out.append(P)
    return out[::-1]


Q4C_MATRICES_P = [M.tolist() for M in mixer_row_permutations(9, 3)]


def p_reverse(P, patch_size):
    P = torch.as_tensor(P, dtype=torch.float64)
    b = P.shape[0] // patch_size
    blocks = P[::patch_size, ::patch_size]  # b×b permutation of the row blocks
    return torch.kron(blocks, torch.eye(b, dtype=torch.float64)).T


_swap = np.eye(9)[[6, 7, 8, 3, 4, 5, 0, 1, 2]]  # échange des blocs 1 et 3 : symétrique
Q4D_CHOIX = {"P": _swap, "P_reverse": _swap}


# Q5
def grad_f(x):
    return float(np.clip(x, -1, 1) * 2 + 1.5 * (x - np.clip(x, -1, 1)))


Q5A_MINIMISEUR = 0


def gd_iterates(x0, eta, n):
    xs = torch.empty(n + 1, dtype=torch.float64)
    xs[0] = x0
    for t in range(n):
        xs[t + 1] = xs[t] - eta * grad_f(float(xs[t]))
    return xs


Q5A_COMPORTEMENT = "Oscille"
Q5A_POINTS_LIMITES = [-1, 1]
