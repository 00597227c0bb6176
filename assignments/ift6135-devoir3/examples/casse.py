"""Exemple de remise : une erreur de syntaxe (deux-points oublié). Attendu : 0, avec la ligne de l'erreur."""
import numpy as np

SIGMA_PRIME = "sigma(x)*(1 - sigma(x))"


def conv_output_size(i, k, s=1, p=0, d=1)
    return (i + 2 * p - d * (k - 1) - 1) // s + 1
