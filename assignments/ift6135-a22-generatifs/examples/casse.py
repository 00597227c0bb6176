"""Exemple : une erreur de syntaxe. Attendu : 0, avec un message qui donne la ligne."""
import numpy as np

KL_Q_P = "log(sigma1/sigma2) + (sigma2**2 + (mu2 - mu1)**2)/(2*sigma1**2) - 1/2"


def kl_gauss(mu1, s1, mu2, s2)
    return np.log(s1 / s2) + (s2**2 + (mu2 - mu1) ** 2) / (2 * s1**2) - 0.5
