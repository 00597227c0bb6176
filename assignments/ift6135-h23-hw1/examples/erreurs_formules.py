"""Exemple de remise : erreurs de formules et de dérivation. sigma' écrite avec exp (non permis,
Q1(a) -2), borne de sigma' = 1/2 en oubliant de mettre au carré après AM-GM (Q1(c) -1), KL dans
le mauvais sens (Q2(b) -1), borne log(1/n) (signe, Q2(c) -1), densité sans la racine (Q2(d) -1),
f' par autograd alors qu'il faut dériver à la main (gradient -1, et les itérés qui l'appellent
-1). Attendu : 26/34."""

from __future__ import annotations

import itertools

import numpy as np
import torch

Q1A_DERIVEE_SIGMA = "exp(-x)/(1 + exp(-x))**2"
Q1B_DERIVEE_TANH = "1 - tanh(x)**2"
Q1C_BORNE_SIGMA = 0.5  # sqrt(sigma (1 - sigma)) <= 1/2 ... sans mettre au carré
Q1D_BORNE_TANH = 1.0

Q2A_NLL = "-log(p**x*(1 - p)**(1 - x))"
Q2B_KL = "p*log(p/x) + (1 - p)*log((1 - p)/(1 - x))"


def max_entropy_distribution(n):
    return np.full(n, 1.0 / n)


Q2C_BORNE_ENTROPIE = "log(1/n)"
Q2D_DENSITE = "exp(-(x - mu)**2/(2*sigma2))/(2*pi*sigma2)"


def conv_output_size(i, k, s=1, p=0):
    return (i + 2 * p - k) // s + 1


_h = conv_output_size(conv_output_size(conv_output_size(128, 8, 2, 4), 2, 2), 4, 2, 2)
Q3A_FORME_SORTIE = [128, _h, _h]


def conv_param_count(c_in, c_out, k, bias=False):
    return c_out * c_in * k * k + (c_out if bias else 0)


Q3B_NB_PARAMETRES = conv_param_count(64, 128, 4)


def mixer_dimensions(image_size, output_shape):
    s, c = output_shape
    return {"P": image_size // int(round(s ** 0.5)), "S": s, "C": c}


Q4A_DIMENSIONS = mixer_dimensions(64, [16, 128])


def mixer_row_permutations(n, p):
    b = n // p
    return [np.eye(n)[[p * o[k] + r for k in range(b) for r in range(p)]] for o in itertools.permutations(range(b))]


Q4C_MATRICES_P = mixer_row_permutations(9, 3)


def p_reverse(P, patch_size):
    P = np.asarray(P)
    b = P.shape[0] // patch_size
    return np.kron(P[::patch_size, ::patch_size], np.eye(b)).T


Q4D_CHOIX = {"P": np.eye(9), "P_reverse": np.eye(9)}  # l'identité est une solution


def _f(x):
    if x > 1:
        return 0.75 * (1 - x) ** 2 - 2 * (1 - x)
    if x < -1:
        return 0.75 * (1 + x) ** 2 - 2 * (1 + x)
    return x * x - 1


def grad_f(x):
    t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    _f(t).backward()
    return t.grad.item()


Q5A_MINIMISEUR = 0.0


def gd_iterates(x0, eta, n):
    xs = [x0]
    for _ in range(n):
        xs.append(xs[-1] - eta * grad_f(xs[-1]))
    return xs


Q5A_COMPORTEMENT = "oscille"
Q5A_POINTS_LIMITES = [-1.0, 1.0]
