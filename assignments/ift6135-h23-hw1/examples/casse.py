"""Exemple de remise : erreur de syntaxe. Attendu : 0, statut erreur, avec la ligne."""
import numpy as np

Q1A_DERIVEE_SIGMA = "sigma(x)*(1 - sigma(x))"

def grad_f(x)
    return 2 * x
