"""Remise cassée : erreur de syntaxe. Attendu : 0, statut error."""
import numpy as np

Q3_GRAD_F1 = "A.T @ (A @ x - b)"

def gradient_f1(A, b, x)
    return A.T @ (A @ x - b)
