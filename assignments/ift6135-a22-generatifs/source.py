# %% [markdown]
# Source of ift6135-a22-generatifs: `autograder assign` writes the assignment from this file.

# %% [raw]
# ASSIGNMENT
# # IFT6135-A2022, modèles génératifs et apprentissage auto-supervisé (partie théorique).
# # Document : shared/seeds/002_933a9aa4950455c4.txt
# # Points du document : Q1 (5), Q2 (5-5-5-6), Q3 (3-5-2-2-3), Q4 (1-2-1-1-2-3), Q5 (20) = 71.
# # Une sous-question qui mêle une preuve et un calcul est partagée entre une partie corrigée à la
# # main (suffixe « -preuve » ou « -discussion ») et une partie automatique ; le partage est écrit
# # ici et redonne les points du document :
# #   Q1   5 = 2 (dérivation, main) + 2 (forme fermée) + 1 (symétrie)
# #   Q2.1 5 = 3 (preuve, main) + 2 (contre-exemple calculé)
# #   Q2.2 5 = 3 (preuve, main) + 2 (g'(z) dérivée à la main)
# #   Q2.4 6 = (i) 2 (main) + 1 (r) ; (ii) 1 (main) + 2 (z~ et inversion)
# #   Q4.3 1 = 0.5 (valeurs propres) + 0.5 (discussion, main) ; Q4.6 3 = 2 + 1 (discussion, main)
# # Q2.3, Q3 et Q5 ne demandent aucune valeur calculable : entièrement corrigées à la main.
# id: ift6135-a22-generatifs
# title: IFT6135-A2022 Modèles génératifs et apprentissage auto-supervisé (théorie)
# language: fr
# starter: generatifs.py
# hidden_visibility: after_due_date
# preload: [numpy, torch]
# limits: {wall: 60, call: 5, exec: 20, memory_mb: 1024}

# %%
"""IFT6135-A2022, modèles génératifs et apprentissage auto-supervisé : partie corrigée automatiquement.

Complétez chaque fonction et chaque valeur ci-dessous, sans changer les noms. Vérifiez vos
réponses avec les vérifications publiques, depuis le dossier décompressé :

    python -m autograder check generatifs.py

Les preuves et les discussions (dérivation de Q1, preuves de Q2.1 à Q2.4, toute la Q3, la
stabilité en Q4.3 et Q4.6, la revue de papier de Q5) sont corrigées à la main à partir de votre
PDF. Les fonctions reçoivent des nombres Python ou des tableaux numpy (parfois des listes :
utilisez np.asarray) et peuvent renvoyer des tableaux numpy, des tenseurs torch, des listes ou
des nombres. Les nombres complexes s'écrivent 0.5j ou complex(a, b). Les formules sont des
chaînes comme "log(sigma1) + mu1**2/2" (pas une réponse).
"""

# %%
from __future__ import annotations

# %%
import numpy as np

# %%
# BEGIN SOLUTION
from functools import lru_cache
from itertools import product
from typing import Callable
# END SOLUTION

# %% [markdown]
# ============================================================================ Question 1
# Étant donné deux distributions gaussiennes univariées, p(x) = N(mu1, sigma1^2) et
# q(x) = N(mu2, sigma2^2), trouver la KL-Divergence entre la distribution q et la distribution p.

# %% [raw]
# QUESTION
# {id: q1-derivation, points: 2, graded: hand, title: 'KL[q||p] entre deux gaussiennes : dérivation'}

# %% [raw]
# QUESTION
# {id: q1, points: 2, title: 'KL[q||p] : forme fermée (formule et fonction)'}

# %%
# BEGIN SOLUTION
def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))  # never overflows, for x of either sign
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _racine_positive(p: float, q: float) -> float:
    """The root >= 0 of r^2 + p r + q = 0 with q <= 0, written to avoid cancellation."""
    disc = np.sqrt(p * p - 4 * q)
    return float((-p + disc) / 2 if p <= 0 else -2 * q / (p + disc))


def _zeros_par_newton(field: Callable[[np.ndarray], np.ndarray],
                      jac: Callable[[np.ndarray], np.ndarray]) -> list[list[float]]:
    """Zeros of a field found by Newton's method from a grid of starts, duplicates merged.

    The derivation (sigma > 0 forces theta = 0 and psi0 = 0, then sigma(-psi1) = sigma(psi1)
    forces psi1 = 0) shows the zero is unique; the search confirms it numerically.
    """
    found: list[np.ndarray] = []
    for start in product((-0.6, 0.7), repeat=3):
        p = np.array(start, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):  # a start may diverge: it is dropped
            p = _newton(field, jac, p)
            converged = bool(np.all(np.isfinite(p)) and np.linalg.norm(field(p)) < 1e-12)
        if converged:
            p = np.where(np.abs(p) < 1e-12, 0.0, p)
            if not any(np.allclose(p, q, atol=1e-8) for q in found):
                found.append(p)
    return [[float(x) for x in p] for p in found]


def _newton(field: Callable[[np.ndarray], np.ndarray], jac: Callable[[np.ndarray], np.ndarray],
            p: np.ndarray) -> np.ndarray:
    """Newton's iteration p <- p - J(p)^-1 v(p), stopped at a zero or when it runs away."""
    for _ in range(60):
        v = field(p)
        if np.linalg.norm(v) < 1e-14:
            break
        try:
            p = p - np.linalg.solve(jac(p), v)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(p)) or np.linalg.norm(p) > 1e3:
            break
    return p


@lru_cache(maxsize=256)
def _points_stationnaires_r1(gamma: float) -> tuple[tuple[float, ...], ...]:
    # The derivation of 4.1 carries over: v3 = psi0 sigma(.) = 0 forces psi0 = 0, then v1 = -theta
    # sigma(.) = 0 forces theta = 0, then sigma(-psi1) = sigma(psi1) forces psi1 = 0, whatever gamma.
    # The point is checked to be a zero here; tests/test_references_a22.py searches for others with
    # torch. (The grader asks 4.4, 4.5 and 4.6 at the same gammas: one computation each.)
    zero = (0.0, 0.0, 0.0)
    if np.linalg.norm(champ_vitesse_r1(*zero, gamma)) > 1e-12:
        raise ArithmeticError(f"(0, 0, 0) is not a stationary point for gamma = {gamma}")
    return (zero,)


def _valeurs_propres_decouplees(j: np.ndarray) -> list[complex]:
    """Eigenvalues of a J* whose psi1 row and column are decoupled (true at the stationary point).

    det(J - lambda I) = (J11 - lambda) det(B - lambda I), B the (psi0, theta) block: J11, and the
    roots of lambda^2 - tr(B) lambda + det(B) in closed form (exact even for a double root).
    """
    assert np.allclose([j[0, 1], j[1, 0], j[1, 2], j[2, 1]], 0.0)
    tr = j[0, 0] + j[2, 2]
    det = j[0, 0] * j[2, 2] - j[0, 2] * j[2, 0]
    root = np.sqrt(complex(tr * tr - 4 * det))
    return [complex(j[1, 1]), (tr + root) / 2, (tr - root) / 2]
# END SOLUTION


# BEGIN SOLUTION
KL_Q_P = "log(sigma1/sigma2) + (sigma2**2 + (mu2 - mu1)**2)/(2*sigma1**2) - 1/2"
# END SOLUTION
# BEGIN PROMPT
# KL_Q_P: str = ""
# END PROMPT
"""Q1 En particulier, dériver l'expression de forme fermée pour
KL[q(x)||p(x)] = E_{q(x)}[log q(x)/p(x)].

Une formule (chaîne) en mu1, sigma1, mu2, sigma2 (sigma1, sigma2 > 0 sont les écarts-types).
Permis : ces variables, log, ln, sqrt, exp, abs, pi, les nombres et + - * / ** ( ).
"""

# %% [raw]
# CHECKS public
# - id: q1-forme
#   question: q1
#   points: 0
#   name: KL_Q_P est une formule en mu1, sigma1, mu2, sigma2
#   read: KL_Q_P
#   compare: {kind: property, using: formule_kl}
#
# - id: q1-positive
#   question: q1
#   points: 0
#   name: kl_gauss renvoie un nombre >= 0
#   call: kl_gauss
#   cases: [[0.0, 1.0, 1.0, 2.0], [0.5, 2.0, -1.0, 0.5]]
#   compare: {kind: property, using: nombre_positif_ou_nul}
#
# - id: q1-nulle
#   question: q1
#   points: 0
#   name: kl_gauss est nulle entre deux lois égales
#   call: kl_gauss
#   cases: [[1.5, 2.0, 1.5, 2.0], [-1.0, 0.5, -1.0, 0.5]]
#   expect: {value: 0.0}
#   compare: {kind: close, rtol: 1.0e-9, atol: 1.0e-9}

# %% [raw]
# CHECKS hidden
# - id: q1-formule
#   question: q1
#   points: 1
#   name: forme fermée de KL[q||p] équivalente à la référence
#   read: KL_Q_P
#   compare:
#     kind: formula
#     variables:
#       mu1: scalar
#       mu2: scalar
#       sigma1: {shape: scalar, domain: positive}
#       sigma2: {shape: scalar, domain: positive}
#     allowed: [mu1, mu2, sigma1, sigma2, log, ln, sqrt, exp, abs, pi]
#   hints:
#     - {value: "log(sigma2/sigma1) + (sigma1**2 + (mu1 - mu2)**2)/(2*sigma2**2) - 1/2",
#        hint: {fr: "c'est KL[p||q] : la divergence n'est pas symétrique, vérifiez quelle loi est q",
#               en: "this is KL[p||q]: the divergence is not symmetric, check which distribution is q"}}
#
# - id: q1-fonction
#   question: q1
#   points: 1
#   name: kl_gauss sur des paires de gaussiennes aléatoires
#   call: kl_gauss
#   cases: [[0.0, 1.0, 1.0, 2.0]]
#   generate: {using: gaussiennes, count: 4}
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}

# %%
def kl_gauss(mu1: float, s1: float, mu2: float, s2: float) -> float:
    """Q1 La même forme fermée, comme fonction : KL[q(x)||p(x)] pour p = N(mu1, s1^2) et
    q = N(mu2, s2^2), où s1 et s2 sont les écarts-types.
    """
    # BEGIN SOLUTION
    return float(np.log(s1 / s2) + (s2**2 + (mu2 - mu1) ** 2) / (2 * s1**2) - 0.5)
    # END SOLUTION

# %% [raw]
# QUESTION
# {id: q1-symetrie, points: 1, title: 'KL[q||p] = KL[p||q] ?'}

# %%
def kl_symetrique(mu1: float, s1: float, mu2: float, s2: float) -> bool:
    """Q1 C'est le même que KL[p(x)||q(x)] ?

    Renvoyez True si KL[q||p] = KL[p||q] pour ces deux gaussiennes (p = N(mu1, s1^2),
    q = N(mu2, s2^2)), False sinon. Justifiez la condition dans votre PDF.
    """
    # BEGIN SOLUTION
    forward, backward = kl_gauss(mu1, s1, mu2, s2), kl_gauss(mu2, s2, mu1, s1)
    return bool(np.isclose(forward, backward, rtol=1e-9, atol=1e-12))
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q1-symetrie-forme
#   question: q1-symetrie
#   points: 0
#   name: kl_symetrique renvoie True ou False
#   call: kl_symetrique
#   cases: [[0.0, 1.0, 1.0, 2.0]]
#   compare: {kind: property, using: booleen}
#
# - id: q1-symetrie-identiques
#   question: q1-symetrie
#   points: 0
#   name: deux gaussiennes identiques donnent KL[q||p] = KL[p||q] (toutes deux nulles)
#   call: kl_symetrique
#   cases: [[0.5, 1.5, 0.5, 1.5]]
#   compare: exact
#   expect: {value: true}

# %% [raw]
# CHECKS hidden
# - id: q1-symetrie
#   question: q1-symetrie
#   points: 1
#   name: KL[q||p] = KL[p||q] exactement quand sigma1 = sigma2
#   call: kl_symetrique
#   cases: [[0.0, 1.0, 2.0, 1.0], [0.0, 1.0, 0.0, 2.0]]
#   generate: {using: gaussiennes_symetrie, count: 4}
#   compare: exact

# %% [raw]
# EQUIVALENT
# # KL[q||p] - KL[p||q] a le signe de sigma2 - sigma1 (h(t) = -log t + t/2 - 1/(2t) croît, h(1) = 0) :
# # la KL est symétrique exactement quand sigma1 = sigma2, et alors les deux KL calculées sont
# # identiques au bit près. Aucune tolérance de np.isclose, même nulle, ne change la réponse.
# - {question: q1-symetrie, variant: "kl_symetrique: np.isclose(forward, backward, rtol=1e...: arguments swapped in `return bool(np.isclose(forward, backward, rtol=...`", reason: "np.isclose n'est asymétrique que par rtol·|b| (1e-9) : les deux KL sont égales au bit près ou loin l'une de l'autre, la réponse est la même"}
# - {question: q1-symetrie, variant: "kl_symetrique: constant 1e-09 -1 in `return bool(np.isclose(forward, backward, rtol=...`", reason: "rtol négatif : np.isclose ne garde que l'égalité exacte (x == y), qui a lieu exactement quand sigma1 = sigma2 : la bonne réponse"}
# - {question: q1-symetrie, variant: "kl_symetrique: constant 1e-09 x2 in `return bool(np.isclose(forward, backward, rtol=...`", reason: "une tolérance de 2e-9 au lieu de 1e-9 : les deux KL sont égales au bit près (sigma1 = sigma2) ou nettement différentes"}
# - {question: q1-symetrie, variant: "kl_symetrique: constant 1e-12 -1 in `return bool(np.isclose(forward, backward, rtol=...`", reason: "atol négatif : il ne reste que l'égalité exacte, qui a lieu exactement quand sigma1 = sigma2 : la bonne réponse"}
# - {question: q1-symetrie, variant: "kl_symetrique: constant 1e-12 x2 in `return bool(np.isclose(forward, backward, rtol=...`", reason: "une tolérance absolue de 2e-12 au lieu de 1e-12 : elle ne peut pas changer la réponse (égalité au bit près ou écart net)"}

# %% [markdown]
# ============================================================================ Question 2
# Les flux normalisants (normalizing flows) sont des transformations inversibles et expressives
# des lois de probabilités. Dans les 3 premières questions, nous considérons une fonction
# déterministe g : z dans R -> R.

# %% [raw]
# QUESTION
# {id: q2.1-preuve, points: 3, graded: hand, title: g(z) = a f(bz + c) n'est pas inversible (preuve)}

# %% [raw]
# QUESTION
# {id: q2.1, points: 2, title: Deux antécédents distincts d'une même valeur de g}

# %%
def contre_exemple_relu(a: float, b: float, c: float) -> list[float]:
    """Q2.1 Soient g(z) = a f(bz + c) et f est un redresseur (rectified linear unit)
    f(x) = max(0, x). Montrez que la fonction g n'est pas inversible.

    Pour les a, b, c donnés (n'importe quels réels, zéro compris), renvoyez [z, z'] avec z != z'
    et g(z) = g(z'). La preuve complète (tous les cas) va dans votre PDF.
    """
    # BEGIN SOLUTION
    if a == 0 or b == 0:  # g is constant
        return [0.0, 1.0]
    # bz + c = -1 and bz + c = -2: both on the flat part of the ReLU, where g = 0
    return [(-1.0 - c) / b, (-2.0 - c) / b]
    # END SOLUTION

# %% [raw]
# CHECKS public
# # --- Q2
# - id: q2.1-forme
#   question: q2.1
#   points: 0
#   name: contre_exemple_relu renvoie deux nombres
#   call: contre_exemple_relu
#   cases: [[1.0, 1.0, 1.0]]
#   compare: {kind: shape, shape: [2]}
#
# - id: q2.1-antecedents
#   question: q2.1
#   points: 0
#   name: "z ≠ z' et g(z) = g(z') pour g(z) = a max(0, bz + c), avec b > 0 et avec b < 0"
#   call: contre_exemple_relu
#   cases: [[1.5, 2.0, -1.0], [0.5, -3.0, 2.0]]
#   compare: {kind: property, using: deux_antecedents}
#   hints:
#     - {when: division_par_zero, hint: {fr: "votre contre-exemple n'est pas fini : évitez de diviser par un coefficient qui peut être nul",
#                                        en: "your counterexample is not finite: avoid dividing by a coefficient that may be zero"}}

# %% [raw]
# CHECKS hidden
# # --- Q2
# - id: q2.1-contre-exemple
#   question: q2.1
#   points: 2
#   name: "z != z' et g(z) = g(z'), cas a = 0, b = 0, c = 0, a < 0, |b| < 1 et c > 1 compris"
#   call: contre_exemple_relu
#   # a = -1 (g négative), |b| < 1 avec c > 0 (b z + c dépend de la division par b), c > 1 (-1 - c
#   # et -1 + c n'ont pas le même signe) : les erreurs de signe ou d'opération s'y voient
#   cases: [[1.0, 1.0, 1.0], [-1.0, 1.0, 1.0], [2.0, 0.5, 1.0], [2.0, -0.5, 1.0], [2.0, 1.0, 3.0]]
#   generate: {using: relu_affines, count: 10}
#   compare: {kind: property, using: deux_antecedents}
#   hints:
#     - {when: division_par_zero, hint: {fr: "votre contre-exemple n'est pas fini : évitez de diviser par un coefficient qui peut être nul",
#                                        en: "your counterexample is not finite: avoid dividing by a coefficient that may be zero"}}

# %% [raw]
# EQUIVALENT
# # Toute paire z != z' convient quand g est constante (a = 0 ou b = 0), et toute paire de points
# # où b z + c <= 0 (la partie plate du redresseur, 0 compris) quand elle ne l'est pas.
# - {question: q2.1, variant: "contre_exemple_relu: constant 0.0 -1 in `return [0.0, 1.0]`", reason: "g est constante quand a = 0 ou b = 0 : [-1, 1] convient comme [0, 1]"}
# - {question: q2.1, variant: "contre_exemple_relu: constant 1.0 +1 in `return [0.0, 1.0]`", reason: "g est constante quand a = 0 ou b = 0 : [0, 2] convient comme [0, 1]"}
# - {question: q2.1, variant: "contre_exemple_relu: -1.0 - c: term -1.0 dropped in `return [(-1.0 - c) / b, (-2.0 - c) / b]`", reason: "z = -c/b donne b z + c = 0, sur la partie plate du redresseur (max(0, 0) = 0) : g(z) = 0 = g(z')"}
# - {question: q2.1, variant: "contre_exemple_relu: constant 1.0 -1 in `return [(-1.0 - c) / b, (-2.0 - c) / b]`", reason: "z = (-0 - c)/b donne b z + c = 0 : g(z) = 0 = g(z')"}
# - {question: q2.1, variant: "contre_exemple_relu: -2.0 - c: term -2.0 dropped in `return [(-1.0 - c) / b, (-2.0 - c) / b]`", reason: "z' = -c/b donne b z' + c = 0 : g(z') = 0 = g(z), et z' != z"}
# - {question: q2.1, variant: "contre_exemple_relu: constant 2.0 +1 in `return [(-1.0 - c) / b, (-2.0 - c) / b]`", reason: "b z' + c = -3 <= 0 : un autre point de la partie plate, g(z') = 0 = g(z)"}
# - {question: q2.1, variant: "contre_exemple_relu: constant 2.0 x2 in `return [(-1.0 - c) / b, (-2.0 - c) / b]`", reason: "b z' + c = -4 <= 0 : un autre point de la partie plate, g(z') = 0 = g(z)"}

# %% [raw]
# QUESTION
# {id: q2.2-preuve, points: 3, graded: hand, title: Mélange de sigmoïdes strictement croissant (preuve)}

# %% [raw]
# QUESTION
# {id: q2.2, points: 2, title: Dérivée g'(z) du mélange de sigmoïdes}

# %%
def derivee_g_melange(z: float, w: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Q2.2 Soit g : z dans R -> R, où g(z) = sigma^{-1}(sum_{i=1}^N w_i sigma(a_i z + b_i)),
    0 < w_i < 1, sum_i w_i = 1, et a_i > 0. Montrez que g est strictement croissante sur son
    domaine de définition (-inf, inf).

    Renvoyez g'(z) = dg/dz au point z pour les vecteurs w, a, b donnés (sigma est la fonction
    logistique). Dérivez à la main : la différentiation automatique est interdite ici.
    """
    # BEGIN SOLUTION
    u = np.asarray(a, dtype=float) * z + np.asarray(b, dtype=float)
    w = np.asarray(w, dtype=float)
    s = _sigmoid(u)
    big_s = np.sum(w * s)
    one_minus_s = np.sum(w * _sigmoid(-u))  # = 1 - S since sum w_i = 1, without cancellation
    return float(np.sum(w * np.asarray(a, dtype=float) * s * _sigmoid(-u)) / (big_s * one_minus_s))
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q2.2-positive
#   question: q2.2
#   points: 0
#   name: "g'(z) est un nombre strictement positif"
#   call: derivee_g_melange
#   cases: [[0.0, [0.3, 0.7], [1.0, 2.0], [0.0, -1.0]]]
#   forbid_autograd: true
#   compare: {kind: property, using: nombre_strictement_positif}

# %% [raw]
# CHECKS hidden
# - id: q2.2-derivee
#   question: q2.2
#   points: 2
#   name: "g'(z) dérivée à la main, sur des mélanges aléatoires"
#   call: derivee_g_melange
#   cases: [[0.0, [0.3, 0.7], [1.0, 2.0], [0.0, -1.0]]]
#   generate: {using: melanges_sigmoides, count: 4}
#   forbid_autograd: true
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}

# %% [markdown]
# Q2.3 (g(z) = z + f(z) avec df/dz > -1 est inversible) : preuve seulement, dans votre PDF.

# %% [markdown]
# Q2.4 Considérez la transformation suivante
#     g(z) = z + beta h(alpha, r)(z - z0)                                          (1)
# où z0 dans R^D, alpha dans R^+, beta dans R, et r = ||z - z0||_2, h(alpha, r) = 1/(alpha + r).
# Considérez également la décomposition suivante z = z0 + r z~.

# %% [raw]
# QUESTION
# {id: q2.3, points: 5, graded: hand, title: g(z) = z + f(z) avec f' > -1 est inversible (preuve)}

# %% [raw]
# QUESTION
# {id: q2.4i-preuve, points: 2, graded: hand, title: 'Flux radial : beta >= -alpha donne un r unique (preuve)'}

# %% [raw]
# QUESTION
# {id: q2.4i, points: 1, title: 'Flux radial : r à partir de y'}

# %%
def rayon_depuis_y(y: np.ndarray, z0: np.ndarray, alpha: float, beta: float) -> float:
    """Q2.4 (i) Étant donné y = g(z), montrez que beta >= -alpha est une condition suffisante
    pour obtenir une valeur unique de r à partir de l'équation (1).

    Renvoyez cette valeur unique de r (>= 0) pour les y, z0, alpha, beta >= -alpha donnés.
    """
    # BEGIN SOLUTION
    rho = float(np.linalg.norm(np.asarray(y, dtype=float) - np.asarray(z0, dtype=float)))
    return _racine_positive(alpha + beta - rho, -alpha * rho)
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q2.4i-forme
#   question: q2.4i
#   points: 0
#   name: rayon_depuis_y renvoie un nombre >= 0
#   call: rayon_depuis_y
#   cases: [[[3.0, 4.0], [0.0, 0.0], 1.0, 0.5]]
#   compare: {kind: property, using: nombre_positif_ou_nul}

# %% [raw]
# CHECKS hidden
# - id: q2.4i-rayon
#   question: q2.4i
#   points: 1
#   name: r à partir de y, beta >= -alpha
#   call: rayon_depuis_y
#   cases: [[[3.0, 4.0], [0.0, 0.0], 1.0, 0.5]]
#   generate: {using: flux_y, count: 4}
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}

# %% [raw]
# QUESTION
# {id: q2.4ii-preuve, points: 1, graded: hand, title: 'Flux radial : z~ unique étant donnés r et y (preuve)'}

# %% [raw]
# QUESTION
# {id: q2.4ii, points: 2, title: 'Flux radial : z~ et inversion de g'}

# %%
def z_tilde_depuis_r(y: np.ndarray, z0: np.ndarray, r: float, alpha: float, beta: float) -> np.ndarray:
    """Q2.4 (ii) Étant donnés r et y, montrez que l'équation (1) possède une unique solution z~.

    Renvoyez cette solution z~ (un vecteur de la forme de y).
    """
    # BEGIN SOLUTION
    return (np.asarray(y, dtype=float) - np.asarray(z0, dtype=float)) / (r * (1 + beta / (alpha + r)))
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q2.4ii-forme-z-tilde
#   question: q2.4ii
#   points: 0
#   name: z_tilde_depuis_r renvoie un vecteur de la forme de y
#   call: z_tilde_depuis_r
#   cases: [[[3.0, 4.0], [0.0, 0.0], 4.0, 1.0, 0.5]]
#   compare: {kind: property, using: meme_forme_que_y}
#
# - id: q2.4ii-forme-inversion
#   question: q2.4ii
#   points: 0
#   name: inverser_flux_radial renvoie un vecteur de la forme de y
#   call: inverser_flux_radial
#   cases: [[[3.0, 4.0, 0.0], [0.0, 0.0, 1.0], 1.0, 0.5]]
#   compare: {kind: property, using: meme_forme_que_y}
#
# - id: q2.4ii-z-tilde-unitaire
#   question: q2.4ii
#   points: 0
#   name: "z~ est un vecteur unitaire dans la direction de y - z0"
#   call: z_tilde_depuis_r
#   cases: [[[1.125, -2.25, 2.25], [0.0, 0.0, 0.0], 3.0, 1.0, 0.5]]
#   compare: {kind: property, using: direction_unitaire}
#
# - id: q2.4ii-inversion-public
#   question: q2.4ii
#   points: 0
#   name: "g(z) redonne y pour la valeur renvoyée (flux radial de l'énoncé)"
#   call: inverser_flux_radial
#   cases: [[[1.0, 2.0], [0.5, -0.5], 2.0, 1.0]]
#   compare: {kind: property, using: antecedent_du_flux}

# %% [raw]
# CHECKS hidden
# - id: q2.4ii-z-tilde
#   question: q2.4ii
#   points: 1
#   name: z~ à partir de r et y
#   call: z_tilde_depuis_r
#   cases: [[[3.0, 4.0], [0.0, 0.0], 4.0, 1.0, 0.5]]
#   generate: {using: flux_y_r, count: 4}
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}
#
# - id: q2.4ii-inversion
#   question: q2.4ii
#   points: 1
#   name: le flux renvoie l'antécédent calculé sur y
#   call: inverser_flux_radial
#   cases: [[[3.0, 4.0, 0.0], [0.0, 0.0, 1.0], 1.0, 0.5]]
#   generate: {using: flux_y, count: 4}
#   compare: {kind: property, using: antecedent_du_flux}

# %% [raw]
# EQUIVALENT
# - {question: q2.4ii, variant: "inverser_flux_radial: rayon_depuis_y(y, z0, alpha, beta): arguments swapped in `r = rayon_depuis_y(y, z0, alpha, beta)`", reason: "rayon_depuis_y ne dépend de y et z0 que par ||y - z0|| = ||z0 - y|| : le même r"}

# %%
def inverser_flux_radial(y: np.ndarray, z0: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """Q2.4 En combinant (i) et (ii) : renvoyez z tel que g(z) = y (beta >= -alpha)."""
    # BEGIN SOLUTION
    r = rayon_depuis_y(y, z0, alpha, beta)
    return np.asarray(z0, dtype=float) + r * z_tilde_depuis_r(y, z0, r, alpha, beta)
    # END SOLUTION

# %% [markdown]
# Q3 (DDPM et VAE combinés, (a) à (e)) : dérivations seulement, dans votre PDF.

# %% [markdown]
# ============================================================================ Question 4
# L(psi, theta) = E_{p_D} log(sigma(C_psi(x))) + E_{p_theta} log(sigma(-C_psi(x))), sigma logistique,
# p_D = delta_0, p_theta = delta_theta, C_psi(x) = psi0 x + psi1.
# v_psi = grad_psi L, v_theta = -grad_theta L ; v = (v_psi0, v_psi1, v_theta) dans l'espace
# (psi0, psi1, theta). Les fonctions « dérivez » interdisent la différentiation automatique.

# %% [raw]
# QUESTION
# {id: q3a, points: 3, graded: hand, title: 'DDPM : borne inférieure et décomposition de L_DDPM'}

# %% [raw]
# QUESTION
# {id: q3b, points: 5, graded: hand, title: 'DDPM : L_DDPM en termes de divergences KL'}

# %% [raw]
# QUESTION
# {id: q3c, points: 2, graded: hand, title: 'ELBO avec les latentes z et x_{1:T}'}

# %% [raw]
# QUESTION
# {id: q3d, points: 2, graded: hand, title: 'Factorisation de q(x_{1:T}, z | c, x_0)'}

# %% [raw]
# QUESTION
# {id: q3e, points: 3, graded: hand, title: Décomposition en composante VAE et composante DDPM}

# %% [raw]
# QUESTION
# {id: q4.1, points: 1, title: Champ de vélocité et points stationnaires}

# %%
def champ_vitesse(psi0: float, psi1: float, theta: float) -> np.ndarray:
    """Q4.1 Dérivez les expressions pour le champ de "vélocité", v, du système dynamique dans
    l'espace de paramètres (psi0, psi1, theta).

    Renvoyez [v_psi0, v_psi1, v_theta] au point donné.
    """
    # BEGIN SOLUTION
    s = float(_sigmoid(psi0 * theta + psi1))
    return np.array([-theta * s, float(_sigmoid(-psi1)) - s, psi0 * s])
    # END SOLUTION

# %% [raw]
# CHECKS public
# # --- Q4
# - id: q4.1-forme-champ
#   question: q4.1
#   points: 0
#   name: champ_vitesse renvoie 3 composantes
#   call: champ_vitesse
#   cases: [[0.5, -0.5, 1.0]]
#   forbid_autograd: true
#   compare: {kind: shape, shape: [3]}
#
# - id: q4.1-forme-points
#   question: q4.1
#   points: 0
#   name: POINTS_STATIONNAIRES est une liste de points [psi0, psi1, theta]
#   read: POINTS_STATIONNAIRES
#   compare: {kind: property, using: forme_points}
#
# - id: q4.1-champ-differences
#   question: q4.1
#   points: 0
#   name: "v égale les différences finies de L : (∇_psi L, -∇_theta L) au point (0,5 ; -0,5 ; 1)"
#   call: champ_vitesse
#   cases: [[0.5, -0.5, 1.0]]
#   forbid_autograd: true
#   compare: {kind: property, using: champ_par_differences, given: {gamma: 0.0}}
#
# - id: q4.1-points-stationnaires
#   question: q4.1
#   points: 0
#   name: "le champ (différences finies de L) s'annule en chaque point donné"
#   read: POINTS_STATIONNAIRES
#   compare: {kind: property, using: points_ou_le_champ_s_annule, given: {gamma: 0.0}}

# %% [raw]
# CHECKS hidden
# # --- Q4 sans pénalité
# - id: q4.1-champ
#   question: q4.1
#   points: 0.5
#   name: champ de vélocité dérivé à la main, en des points aléatoires
#   call: champ_vitesse
#   cases: [[0.0, 0.0, 0.0], [1.0, -0.5, 2.0]]
#   generate: {using: points_gan, count: 4}
#   forbid_autograd: true
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}
#
# - id: q4.1-points
#   question: q4.1
#   points: 0.5
#   name: points stationnaires
#   read: POINTS_STATIONNAIRES
#   expect: reference
#   compare: {kind: property, using: memes_points}

# %% [raw]
# EQUIVALENT
# - {question: q4.1, variant: "POINTS_STATIONNAIRES: doubled", reason: "l'unique point stationnaire est l'origine [0, 0, 0] : son double est lui-même"}
# - {question: q4.1, variant: "POINTS_STATIONNAIRES: negated", reason: "l'unique point stationnaire est l'origine : [-0, -0, -0] est le même point"}

# %%
# BEGIN SOLUTION
# END SOLUTION
# BEGIN PROMPT
# POINTS_STATIONNAIRES: list[list[float]] = []
# END PROMPT
"""Q4.1 ... et trouvez les points stationnaires (psi0*, psi1*, theta*).

La liste de tous les points stationnaires, chacun [psi0*, psi1*, theta*].
"""

# %% [raw]
# QUESTION
# {id: q4.2, points: 2, title: Jacobienne J* au point stationnaire}

# %%
def jacobienne_champ(psi0: float, psi1: float, theta: float) -> np.ndarray:
    """Q4.2 La jacobienne (3 x 3) de v en un point (psi0, psi1, theta) quelconque : ligne i =
    composante v_i, colonnes dans l'ordre psi0, psi1, theta. Dérivez à la main.
    """
    # BEGIN SOLUTION
    s = float(_sigmoid(psi0 * theta + psi1))
    ds = s * (1 - s)  # sigma' at psi0 theta + psi1
    d1 = float(_sigmoid(psi1) * _sigmoid(-psi1))  # sigma' at psi1
    return np.array([
        [-theta**2 * ds, -theta * ds, -s - psi0 * theta * ds],
        [-theta * ds, -d1 - ds, -psi0 * ds],
        [s + psi0 * theta * ds, psi0 * ds, psi0**2 * ds],
    ])
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q4.2-forme-jacobienne
#   question: q4.2
#   points: 0
#   name: jacobienne_champ renvoie une matrice 3x3
#   call: jacobienne_champ
#   cases: [[0.5, -0.5, 1.0]]
#   forbid_autograd: true
#   compare: {kind: shape, shape: [3, 3]}
#
# - id: q4.2-forme-j-etoile
#   question: q4.2
#   points: 0
#   name: J_ETOILE est une matrice 3x3
#   read: J_ETOILE
#   compare: {kind: shape, shape: [3, 3]}
#
# - id: q4.2-jacobienne-differences
#   question: q4.2
#   points: 0
#   name: "la jacobienne égale les différences finies du champ de l'énoncé au point (0,5 ; -0,5 ; 1)"
#   call: jacobienne_champ
#   cases: [[0.5, -0.5, 1.0]]
#   forbid_autograd: true
#   compare: {kind: property, using: jacobienne_par_differences, given: {gamma: 0.0}}
#
# - id: q4.2-j-etoile-coherente
#   question: q4.2
#   points: 0
#   name: "J_ETOILE égale les différences finies du champ en votre premier point stationnaire"
#   read: J_ETOILE
#   also: [POINTS_STATIONNAIRES]
#   compare: {kind: property, using: j_etoile_au_point, given: {gamma: 0.0}}

# %% [raw]
# CHECKS hidden
# - id: q4.2-jacobienne
#   question: q4.2
#   points: 1
#   name: jacobienne du champ dérivée à la main, en des points aléatoires
#   call: jacobienne_champ
#   cases: [[0.0, 0.0, 0.0], [1.0, -0.5, 2.0]]
#   generate: {using: points_gan, count: 4}
#   forbid_autograd: true
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}
#
# - id: q4.2-j-etoile
#   question: q4.2
#   points: 1
#   name: J* au point stationnaire
#   read: J_ETOILE
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}

# %% [raw]
# EQUIVALENT
# - {question: q4.2, variant: "J_ETOILE: constant 0 -1", reason: "POINTS_STATIONNAIRES n'a qu'un point : POINTS_STATIONNAIRES[-1] est POINTS_STATIONNAIRES[0]"}

# %%
# BEGIN SOLUTION
# END SOLUTION
# BEGIN PROMPT
# J_ETOILE: np.ndarray | list[list[float]] = []
# END PROMPT
"""Q4.2 Dérivez J*, la jacobienne (3 x 3) de v au point (psi0*, psi1*, theta*)."""

# %% [raw]
# QUESTION
# {id: q4.3, points: 0.5, title: Valeurs propres de J*}

# %%
# BEGIN SOLUTION
# END SOLUTION
# BEGIN PROMPT
# VALEURS_PROPRES_J_ETOILE: list[complex] = []
# END PROMPT
"""Q4.3 Trouvez les valeurs propres de J* (les trois, dans n'importe quel ordre ; complexes
permis). La discussion de la stabilité locale va dans votre PDF.
"""

# %% [raw]
# CHECKS public
# - id: q4.3-forme
#   question: q4.3
#   points: 0
#   name: VALEURS_PROPRES_J_ETOILE contient trois nombres
#   read: VALEURS_PROPRES_J_ETOILE
#   compare: {kind: property, using: trois_valeurs_propres}
#
# - id: q4.3-coherentes
#   question: q4.3
#   points: 0
#   name: "VALEURS_PROPRES_J_ETOILE sont les valeurs propres de votre J_ETOILE"
#   read: VALEURS_PROPRES_J_ETOILE
#   also: [J_ETOILE]
#   compare: {kind: property, using: valeurs_propres_de}

# %% [raw]
# CHECKS hidden
# - id: q4.3-valeurs-propres
#   question: q4.3
#   points: 0.5
#   name: valeurs propres de J* (ordre libre)
#   read: VALEURS_PROPRES_J_ETOILE
#   compare: {kind: eigenvalues, rtol: 1.0e-6, atol: 1.0e-8}

# %% [markdown]
# Maintenant, introduisons une pénalité du gradient à la fonction de perte du critique,
# R1(psi) = E_{p_D} ||grad_x C_psi(x)||^2. Le système régularisé devient
#     v-bar_psi = grad_psi L - (gamma/2) grad_psi R1,   v-bar_theta = -grad_theta L,   gamma > 0.
# Répétez les étapes 1-2-3 pour ce système modifié (réponses en fonction de gamma).

# %% [raw]
# QUESTION
# {id: q4.3-discussion, points: 0.5, graded: hand, title: Stabilité locale sans pénalité (discussion)}

# %% [raw]
# QUESTION
# {id: q4.4, points: 1, title: 'Champ régularisé (R1) et points stationnaires, en fonction de gamma'}

# %%
def champ_vitesse_r1(psi0: float, psi1: float, theta: float, gamma: float) -> np.ndarray:
    """Q4.4 Dérivez les expressions pour le champ de "vélocité", v, du système dynamique
    (régularisé) dans l'espace de paramètres (psi0, psi1, theta).

    Renvoyez [v-bar_psi0, v-bar_psi1, v-bar_theta] au point donné, pour ce gamma.
    """
    # BEGIN SOLUTION
    return champ_vitesse(psi0, psi1, theta) - np.array([gamma * psi0, 0.0, 0.0])
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q4.4-forme-champ
#   question: q4.4
#   points: 0
#   name: champ_vitesse_r1 renvoie 3 composantes
#   call: champ_vitesse_r1
#   cases: [[0.5, -0.5, 1.0, 0.3]]
#   forbid_autograd: true
#   compare: {kind: shape, shape: [3]}
#
# - id: q4.4-forme-points
#   question: q4.4
#   points: 0
#   name: points_stationnaires_r1 renvoie une liste de points [psi0, psi1, theta]
#   call: points_stationnaires_r1
#   cases: [[0.3]]
#   compare: {kind: property, using: forme_points}
#
# - id: q4.4-champ-differences
#   question: q4.4
#   points: 0
#   name: "le champ régularisé égale les différences finies de L et de R1 au point (0,5 ; -0,5 ; 1), gamma = 0,3"
#   call: champ_vitesse_r1
#   cases: [[0.5, -0.5, 1.0, 0.3]]
#   forbid_autograd: true
#   compare: {kind: property, using: champ_par_differences}
#   hints:
#     - {when: facteur_2_de_r1, hint: {fr: "le gradient de R1 = psi0² est 2 psi0 : le facteur gamma/2 ne s'annule pas tout seul",
#                                      en: "the gradient of R1 = psi0² is 2 psi0: the gamma/2 factor does not cancel by itself"}}
#
# - id: q4.4-points-stationnaires
#   question: q4.4
#   points: 0
#   name: "le champ régularisé (différences finies) s'annule en chaque point donné, gamma = 0,3"
#   call: points_stationnaires_r1
#   cases: [[0.3]]
#   compare: {kind: property, using: points_ou_le_champ_s_annule}

# %% [raw]
# CHECKS hidden
# # --- Q4 avec la pénalité R1
# - id: q4.4-champ
#   question: q4.4
#   points: 0.5
#   name: champ régularisé dérivé à la main, en des points et gamma aléatoires
#   call: champ_vitesse_r1
#   cases: [[0.0, 0.0, 0.0, 0.5], [1.0, -0.5, 2.0, 0.5]]
#   generate: {using: points_gan_gamma, count: 4}
#   forbid_autograd: true
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}
#   hints:
#     - {when: facteur_2_de_r1, hint: {fr: "le gradient de R1 = psi0² est 2 psi0 : le facteur gamma/2 ne s'annule pas tout seul",
#                                      en: "the gradient of R1 = psi0² is 2 psi0: the gamma/2 factor does not cancel by itself"}}
#
# - id: q4.4-points
#   question: q4.4
#   points: 0.5
#   name: points stationnaires du système régularisé, pour plusieurs gamma
#   call: points_stationnaires_r1
#   cases: [[0.5], [1.0], [2.0]]
#   generate: {using: gammas, count: 5, draw: gammas}
#   expect: reference
#   compare: {kind: property, using: memes_points}

# %%
def points_stationnaires_r1(gamma: float) -> list[list[float]]:
    """Q4.4 ... et trouvez les points stationnaires (psi0*, psi1*, theta*), pour ce gamma > 0.

    La liste de tous les points stationnaires, chacun [psi0*, psi1*, theta*].
    """
    # BEGIN SOLUTION
    return [list(p) for p in _points_stationnaires_r1(float(gamma))]
    # END SOLUTION

# %% [raw]
# QUESTION
# {id: q4.5, points: 2, title: 'Jacobienne J* du système régularisé, en fonction de gamma'}

# %%
def jacobienne_champ_r1(psi0: float, psi1: float, theta: float, gamma: float) -> np.ndarray:
    """Q4.5 La jacobienne (3 x 3) du champ régularisé en un point quelconque (mêmes conventions
    que jacobienne_champ). Dérivez à la main.
    """
    # BEGIN SOLUTION
    return jacobienne_champ(psi0, psi1, theta) - np.diag([gamma, 0.0, 0.0])
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q4.5-forme-jacobienne
#   question: q4.5
#   points: 0
#   name: jacobienne_champ_r1 renvoie une matrice 3x3
#   call: jacobienne_champ_r1
#   cases: [[0.5, -0.5, 1.0, 0.3]]
#   forbid_autograd: true
#   compare: {kind: shape, shape: [3, 3]}
#
# - id: q4.5-forme-j-etoile
#   question: q4.5
#   points: 0
#   name: j_etoile_r1 renvoie une matrice 3x3
#   call: j_etoile_r1
#   cases: [[0.3]]
#   forbid_autograd: true
#   compare: {kind: shape, shape: [3, 3]}
#
# - id: q4.5-jacobienne-differences
#   question: q4.5
#   points: 0
#   name: "la jacobienne régularisée égale les différences finies du champ au point (0,5 ; -0,5 ; 1), gamma = 0,3"
#   call: jacobienne_champ_r1
#   cases: [[0.5, -0.5, 1.0, 0.3]]
#   forbid_autograd: true
#   compare: {kind: property, using: jacobienne_par_differences}
#   hints:
#     - {when: facteur_2_de_r1_jacobienne, hint: {fr: "le gradient de R1 = psi0² est 2 psi0 : le facteur gamma/2 ne s'annule pas tout seul",
#                                                 en: "the gradient of R1 = psi0² is 2 psi0: the gamma/2 factor does not cancel by itself"}}
#
# - id: q4.5-j-etoile-coherente
#   question: q4.5
#   points: 0
#   name: "j_etoile_r1(0,3) égale les différences finies du champ en votre premier point stationnaire"
#   call: j_etoile_r1
#   cases: [[0.3]]
#   also: [points_stationnaires_r1]
#   forbid_autograd: true
#   compare: {kind: property, using: j_etoile_au_point}

# %% [raw]
# CHECKS hidden
# - id: q4.5-jacobienne
#   question: q4.5
#   points: 1
#   name: jacobienne du champ régularisé, en des points et gamma aléatoires
#   call: jacobienne_champ_r1
#   cases: [[0.0, 0.0, 0.0, 0.5], [1.0, -0.5, 2.0, 0.5]]
#   generate: {using: points_gan_gamma, count: 4}
#   forbid_autograd: true
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}
#   hints:
#     - {when: facteur_2_de_r1_jacobienne, hint: {fr: "le gradient de R1 = psi0² est 2 psi0 : le facteur gamma/2 ne s'annule pas tout seul",
#                                                 en: "the gradient of R1 = psi0² is 2 psi0: the gamma/2 factor does not cancel by itself"}}
#
# - id: q4.5-j-etoile
#   question: q4.5
#   points: 1
#   name: J*(gamma) au point stationnaire
#   call: j_etoile_r1
#   cases: [[0.5], [1.0], [2.0]]
#   generate: {using: gammas, count: 5, draw: gammas}
#   forbid_autograd: true
#   compare: {kind: close, rtol: 1.0e-6, atol: 1.0e-9}

# %%
def j_etoile_r1(gamma: float) -> np.ndarray:
    """Q4.5 Dérivez J*, la jacobienne (3 x 3) de v au point (psi0*, psi1*, theta*), en fonction
    de gamma > 0.
    """
    # BEGIN SOLUTION
    (point,) = points_stationnaires_r1(gamma)
    return jacobienne_champ_r1(*point, gamma)
    # END SOLUTION

# %% [raw]
# QUESTION
# {id: q4.6, points: 2, title: 'Valeurs propres de J* régularisée, en fonction de gamma'}

# %%
def valeurs_propres_r1(gamma: float) -> list[complex]:
    """Q4.6 Trouvez les valeurs propres de J* (système régularisé), en fonction de gamma > 0 :
    les trois, dans n'importe quel ordre, complexes permis. La discussion de la stabilité locale
    et la comparaison des deux systèmes vont dans votre PDF.
    """
    # BEGIN SOLUTION
    return _valeurs_propres_decouplees(j_etoile_r1(gamma))
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q4.6-forme
#   question: q4.6
#   points: 0
#   name: valeurs_propres_r1 renvoie trois nombres
#   call: valeurs_propres_r1
#   cases: [[0.3], [2.0]]
#   compare: {kind: property, using: trois_valeurs_propres}
#
# - id: q4.6-coherentes
#   question: q4.6
#   points: 0
#   name: "valeurs_propres_r1(gamma) sont les valeurs propres de votre j_etoile_r1(gamma), gamma = 0,3 et 2"
#   call: valeurs_propres_r1
#   cases: [[0.3], [2.0]]
#   also: [j_etoile_r1]
#   compare: {kind: property, using: valeurs_propres_de}

# %% [raw]
# CHECKS hidden
# - id: q4.6-valeurs-propres
#   question: q4.6
#   points: 2
#   name: valeurs propres de J*(gamma), gamma < 1, = 1 et > 1 (ordre libre)
#   call: valeurs_propres_r1
#   cases: [[0.5], [1.0], [2.0]]
#   generate: {using: gammas, count: 5, draw: gammas}
#   compare: {kind: eigenvalues, rtol: 1.0e-6, atol: 1.0e-7}

# %%
# BEGIN SOLUTION
POINTS_STATIONNAIRES = _zeros_par_newton(lambda p: champ_vitesse(*p), lambda p: jacobienne_champ(*p))
J_ETOILE = jacobienne_champ(*POINTS_STATIONNAIRES[0])
VALEURS_PROPRES_J_ETOILE = _valeurs_propres_decouplees(J_ETOILE)
# END SOLUTION
# BEGIN PROMPT
# END PROMPT

# %% [raw]
# QUESTION
# {id: q4.6-discussion, points: 1, graded: hand, title: 'Stabilité locale avec R1, comparaison (discussion)'}

# %% [raw]
# QUESTION
# {id: q5.1, points: 5, graded: hand, title: 'Revue de papier : sommaire'}

# %% [raw]
# QUESTION
# {id: q5.2, points: 5, graded: hand, title: 'Revue de papier : forces'}

# %% [raw]
# QUESTION
# {id: q5.3, points: 5, graded: hand, title: 'Revue de papier : faiblesses'}

# %% [raw]
# QUESTION
# {id: q5.4, points: 5, graded: hand, title: 'Revue de papier : reflets'}

# %% [markdown]
# Q5 (revue de papier, 20 points) : dans votre PDF.

# %%
# HELPERS
"""Générateurs et propriétés des vérifications de ift6135-a22-generatifs. Code de confiance :
s'exécute dans le correcteur, jamais dans le processus de l'étudiant.

Les générateurs reçoivent un ``rng`` initialisé et un ``count`` et renvoient des listes
d'arguments. Les propriétés reçoivent la réponse (données simples) et renvoient True, False,
un message en français ou une Comparison.
"""

from __future__ import annotations

import numpy as np

from autograder.expressions import ExpressionError, parse_expression
from autograder.messages import render

# Names a closed form of Q1 may use (its variables, and the functions a KL needs).
KL_NAMES = ("mu1", "mu2", "sigma1", "sigma2", "log", "ln", "sqrt", "exp", "abs", "pi")

# ----------------------------------------------------------------------------- générateurs


def _scalar(rng, low, high):
    return float(np.round(rng.uniform(low, high), 4))


def gaussiennes(rng, count):
    """(mu1, s1, mu2, s2): arbitrary means, standard deviations in [0.2, 3]."""
    return [[_scalar(rng, -3, 3), _scalar(rng, 0.2, 3), _scalar(rng, -3, 3), _scalar(rng, 0.2, 3)]
            for _ in range(count)]


def gaussiennes_symetrie(rng, count):
    """Half with s1 = s2 exactly (symmetric KL), half with s1/s2 far from 1; equal means sometimes."""
    out = []
    for i in range(count):
        mu1 = _scalar(rng, -3, 3)
        mu2 = mu1 if i % 3 == 0 else _scalar(rng, -3, 3)
        s1 = _scalar(rng, 0.3, 2.5)
        s2 = s1 if i % 2 == 0 else float(np.round(s1 * rng.uniform(1.3, 3.0) ** rng.choice((-1, 1)), 4))
        out.append([mu1, s1, mu2, s2])
    return out


def relu_affines(rng, count):
    """(a, b, c) of g(z) = a max(0, bz + c), with the degenerate cases a = 0, b = 0, c = 0 included."""
    out = [[0.0, 2.0, 1.0], [1.5, 0.0, -2.0], [-2.0, 3.0, 0.0], [1.0, -2.0, 0.0]]
    while len(out) < count:
        a = _scalar(rng, -3, 3)
        b = _scalar(rng, 0.2, 5) * float(rng.choice((-1, 1)))
        c = _scalar(rng, 0.1, 4) * float(rng.choice((-1, 1)))
        out.append([a, b, c])
    return out[:count]


def melanges_sigmoides(rng, count):
    """(z, w, a, b) with 0 < w_i < 1, sum w_i = 1, a_i > 0."""
    out = []
    for _ in range(count):
        n = int(rng.integers(2, 6))
        w = rng.uniform(0.1, 1.0, size=n)
        out.append([_scalar(rng, -2, 2), w / w.sum(), rng.uniform(0.2, 2.0, size=n).round(4),
                    rng.normal(0, 1.5, size=n).round(4)])
    return out


def _flux_radial(z, z0, alpha, beta):
    z, z0 = np.asarray(z, dtype=float), np.asarray(z0, dtype=float)
    r = np.linalg.norm(z - z0)
    return z + beta / (alpha + r) * (z - z0)


def _cas_flux(rng):
    """z0, alpha, beta >= -alpha, r, and y = g(z0 + r z~) for a random unit z~."""
    d = int(rng.integers(1, 6))
    z0 = rng.normal(0, 1, size=d).round(4)
    alpha = _scalar(rng, 0.1, 3)
    beta = -alpha if rng.uniform() < 0.15 else _scalar(rng, -alpha + 1e-3, 3)
    direction = rng.normal(size=d)
    r = _scalar(rng, 0.05, 4)
    z = z0 + r * direction / np.linalg.norm(direction)
    return z0, alpha, beta, r, _flux_radial(z, z0, alpha, beta)


def flux_y(rng, count):
    """(y, z0, alpha, beta) for rayon_depuis_y and inverser_flux_radial."""
    out = []
    for _ in range(count):
        z0, alpha, beta, _, y = _cas_flux(rng)
        out.append([y, z0, alpha, beta])
    return out


def flux_y_r(rng, count):
    """(y, z0, r, alpha, beta) for z_tilde_depuis_r, r being the true radius of y's preimage."""
    out = []
    for _ in range(count):
        z0, alpha, beta, r, y = _cas_flux(rng)
        out.append([y, z0, r, alpha, beta])
    return out


def points_gan(rng, count):
    """(psi0, psi1, theta) anywhere in [-3, 3]^3."""
    return [[_scalar(rng, -3, 3) for _ in range(3)] for _ in range(count)]


def points_gan_gamma(rng, count):
    """(psi0, psi1, theta, gamma) with gamma > 0."""
    return [p + [_scalar(rng, 0.05, 3)] for p in points_gan(rng, count)]


def gammas(rng, count):
    """gamma > 0 on both sides of 1 (complex eigenvalues below 1, real ones above), and 1 itself."""
    out = [[1.0]]
    while len(out) < count:
        out.append([_scalar(rng, 0.02, 0.98) if len(out) % 2 else _scalar(rng, 1.02, 4)])
    return out[:count]


# ----------------------------------------------------------------------------- propriétés


def formule_kl(answer):
    """The closed form is a readable formula in mu1, sigma1, mu2, sigma2."""
    if not isinstance(answer, str):
        return f"une formule s'écrit comme une chaîne de caractères, pas {type(answer).__name__}"
    if not answer.strip():
        return "la formule est vide"
    try:
        parse_expression(answer, allowed=KL_NAMES)
    except ExpressionError as err:
        return f"formule illisible ({answer!r}) : {render(err.localized, 'fr')}"
    return True


def nombre_positif_ou_nul(answer):
    """A finite real number >= 0 (a KL, a radius)."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return f"attendu : un nombre réel, obtenu : {type(answer).__name__}"
    if not np.isfinite(answer):
        return "la réponse doit être un nombre fini"
    return answer >= 0 or f"{answer} est négatif ; cette quantité est toujours >= 0"


def nombre_strictement_positif(answer):
    """g' > 0: the handout asks to show that g is strictly increasing."""
    verdict = nombre_positif_ou_nul(answer)
    if verdict is not True:
        return verdict
    return answer > 0 or "g'(z) = 0 : g doit être strictement croissante"


def booleen(answer):
    return isinstance(answer, bool) or f"attendu : True ou False, obtenu : {type(answer).__name__}"


def deux_antecedents(answer, args):
    """z != z' and g(z) = g(z') for g(z) = a max(0, bz + c)."""
    z = np.asarray(answer, dtype=float) if not isinstance(answer, (str, dict)) else None
    if z is None or z.shape != (2,):
        return "attendu : une liste de deux nombres [z, z']"
    if not np.all(np.isfinite(z)):
        return "z et z' doivent être des nombres finis"
    if abs(z[0] - z[1]) <= 1e-6 * max(1.0, abs(z[0])):
        return "z et z' doivent être distincts"
    a, b, c = (float(v) for v in args)
    g = a * np.maximum(0.0, b * z + c)
    if abs(g[0] - g[1]) > 1e-9 * (1.0 + abs(g[0])):
        return f"g(z) = {g[0]:.6g} et g(z') = {g[1]:.6g} diffèrent"
    return True


def meme_forme_que_y(answer, args):
    a = np.asarray(answer) if not isinstance(answer, (str, dict)) else np.empty(0, dtype=object)
    y = np.asarray(args[0])
    if a.dtype.kind not in "iuf":
        return "attendu : un vecteur de nombres réels"
    return a.shape == y.shape or f"forme {a.shape}, attendue {y.shape} (celle de y)"


def antecedent_du_flux(answer, args):
    """The flow maps the answer back to y: g(z) = y."""
    form = meme_forme_que_y(answer, args)
    if form is not True:
        return form
    y, z0, alpha, beta = args
    image = _flux_radial(answer, z0, float(alpha), float(beta))
    if not np.all(np.isfinite(image)):
        return "g(z) n'est pas fini"
    if not np.allclose(image, np.asarray(y, dtype=float), rtol=1e-6, atol=1e-8):
        return "g(z) ne redonne pas y"
    return True


def _points(answer):
    """A list of stationary points as a (k, 3) array; one point [a, b, c] is accepted too."""
    if isinstance(answer, (str, dict)) or answer is None:
        raise ValueError
    p = np.asarray(answer, dtype=float)
    if p.shape == (3,):
        p = p[None, :]
    if p.ndim != 2 or p.shape[1] != 3 or p.shape[0] == 0:
        raise ValueError
    return p


def forme_points(answer):
    try:
        p = _points(answer)
    except (ValueError, TypeError):
        return "attendu : une liste non vide de points [psi0, psi1, theta]"
    return bool(np.all(np.isfinite(p))) or "les coordonnées doivent être des nombres finis"


def memes_points(answer, expected):
    """The same set of stationary points as the reference, in any order."""
    form = forme_points(answer)
    if form is not True:
        return form
    got, want = _points(answer), _points(expected)
    if len(got) != len(want):
        return f"{len(got)} point(s) stationnaire(s) : ce n'est pas le nombre attendu"
    unmatched = [tuple(w) for w in want]
    for p in got:
        match = next((w for w in unmatched if np.allclose(p, w, rtol=1e-6, atol=1e-7)), None)
        if match is None:
            return f"{p.tolist()} n'est pas un point stationnaire attendu"
        unmatched.remove(match)
    return True


def trois_valeurs_propres(answer):
    """Three finite numbers (complex allowed): the eigenvalues of a 3x3 matrix."""
    if isinstance(answer, (str, dict)) or answer is None:
        return "attendu : une liste de trois nombres (complexes permis, p. ex. 0.5j)"
    try:
        v = np.asarray(answer, dtype=complex).ravel()
    except (TypeError, ValueError):
        return "attendu : une liste de trois nombres (complexes permis, p. ex. 0.5j)"
    if v.size != 3:
        return f"{v.size} valeurs propres, une matrice 3x3 en a 3"
    return bool(np.all(np.isfinite(v))) or "les valeurs propres doivent être finies"


# ----------------------------------------------------------------------------- vérifications publiques de valeurs
# Les vérifications publiques tournent chez les étudiants avec ces fonctions : aucune ne calcule
# une réponse du devoir. Chacune compare une réponse aux différences finies d'une fonction que
# l'énoncé définit (L, R1), à une autre réponse de l'étudiant, ou à une propriété de l'énoncé, ou
# reconnaît une erreur connue pour afficher un indice.

_H = 1e-5


def division_par_zero(answer):
    try:
        return not np.all(np.isfinite(np.asarray(answer, dtype=float)))
    except (TypeError, ValueError):
        return False


def direction_unitaire(answer, args):
    """z~ unitaire et de même direction que y - z0 (la décomposition z = z0 + r z~ de l'énoncé, r > 0)."""
    form = meme_forme_que_y(answer, args)
    if form is not True:
        return form
    z = np.asarray(answer, dtype=float)
    d = np.asarray(args[0], dtype=float) - np.asarray(args[1], dtype=float)
    if not np.isclose(np.linalg.norm(z), 1.0, rtol=1e-6):
        return f"‖z~‖ = {np.linalg.norm(z):.6g} : z~ est un vecteur unitaire"
    return bool(np.isclose(z @ d, np.linalg.norm(d), rtol=1e-6)) or "z~ n'a pas la direction de y - z0"


def _log_sigmoide(x):
    with np.errstate(invalid="ignore", over="ignore"):  # a point with NaN or inf: the verdict says it, not a warning
        return -np.logaddexp(0.0, -x)


def _objectif(psi0, psi1, theta):
    """L(psi, theta) de l'énoncé : p_D = delta_0, p_theta = delta_theta, C_psi(x) = psi0 x + psi1."""
    return _log_sigmoide(psi1) + _log_sigmoide(-(psi0 * theta + psi1))


def _champ_numerique(point, gamma):
    """(∇_psi L - (gamma/2) ∇_psi R1, -∇_theta L) par différences finies ; R1 = psi0² (gradient de C_psi en x = 0)."""
    point = np.asarray(point, dtype=float)
    grad = np.zeros(3)
    for i in range(3):
        e = np.zeros(3)
        e[i] = _H
        grad[i] = (_objectif(*(point + e)) - _objectif(*(point - e))) / (2 * _H)
    r1 = np.array([(point[0] + _H) ** 2 - (point[0] - _H) ** 2, 0.0, 0.0]) / (2 * _H)
    return np.array([grad[0], grad[1], -grad[2]]) - gamma / 2 * r1


def _jacobienne_numerique(point, gamma):
    point = np.asarray(point, dtype=float)
    colonnes = []
    for i in range(3):
        e = np.zeros(3)
        e[i] = 1e-4
        colonnes.append((_champ_numerique(point + e, gamma) - _champ_numerique(point - e, gamma)) / 2e-4)
    return np.stack(colonnes, axis=1)


def _gamma(args, given):
    """gamma : celui de la vérification, sinon le 4e argument d'un champ ou le seul de points_stationnaires_r1."""
    if given and "gamma" in given:
        return float(given["gamma"])
    return float(args[3] if len(args) == 4 else args[0])


def champ_par_differences(answer, args, given):
    v = np.asarray(answer, dtype=float) if not isinstance(answer, (str, dict)) else None
    if v is None or v.shape != (3,):
        return "attendu : les trois composantes [v_psi0, v_psi1, v_theta]"
    attendu = _champ_numerique(args[:3], _gamma(args, given))
    return bool(np.allclose(v, attendu, rtol=1e-5, atol=1e-7)) or \
        "le champ ne correspond pas aux différences finies de L (v_psi = ∇_psi L, v_theta = -∇_theta L)"


def facteur_2_de_r1(answer, args):
    v = np.asarray(answer, dtype=float) if not isinstance(answer, (str, dict)) else None
    if v is None or v.shape != (3,):
        return False
    return bool(np.allclose(v, _champ_numerique(args[:3], _gamma(args, None) / 2), rtol=1e-5, atol=1e-7))


def jacobienne_par_differences(answer, args, given):
    J = np.asarray(answer, dtype=float) if not isinstance(answer, (str, dict)) else None
    if J is None or J.shape != (3, 3):
        return "attendu : une matrice 3x3"
    attendu = _jacobienne_numerique(args[:3], _gamma(args, given))
    return bool(np.allclose(J, attendu, rtol=1e-4, atol=1e-6)) or \
        "la jacobienne ne correspond pas aux différences finies du champ de l'énoncé"


def facteur_2_de_r1_jacobienne(answer, args):
    J = np.asarray(answer, dtype=float) if not isinstance(answer, (str, dict)) else None
    if J is None or J.shape != (3, 3):
        return False
    return bool(np.allclose(J, _jacobienne_numerique(args[:3], _gamma(args, None) / 2), rtol=1e-4, atol=1e-6))


def points_ou_le_champ_s_annule(answer, args=(), given=None):
    points = _points(answer)
    if isinstance(points, str):
        return points
    gamma = _gamma(args, given)
    for point in points:
        if not np.allclose(_champ_numerique(point, gamma), 0.0, atol=1e-6):
            return f"le champ ne s'annule pas en {np.round(point, 6).tolist()}"
    return True


def j_etoile_au_point(answer, also, args=(), given=None):
    """J* est la jacobienne (différences finies) du champ au premier point stationnaire que vous donnez."""
    J = np.asarray(answer, dtype=float) if not isinstance(answer, (str, dict)) else None
    if J is None or J.shape != (3, 3):
        return "attendu : une matrice 3x3"
    (nom, points), = also.items()
    points = _points(points) if points is not None else f"{nom} manque"
    if isinstance(points, str):
        return f"{nom} : {points}"
    attendu = _jacobienne_numerique(points[0], _gamma(args, given))
    return bool(np.allclose(J, attendu, rtol=1e-4, atol=1e-6)) or \
        f"ce n'est pas la jacobienne du champ en votre point stationnaire {np.round(points[0], 6).tolist()}"


def valeurs_propres_de(answer, also):
    """Les trois valeurs données sont les valeurs propres de votre matrice J* (ordre libre)."""
    forme = trois_valeurs_propres(answer)
    if forme is not True:
        return forme
    (nom, J), = also.items()
    J = np.asarray(J, dtype=float) if J is not None and not isinstance(J, (str, dict)) else None
    if J is None or J.shape != (3, 3) or not np.all(np.isfinite(J)):
        return f"{nom} doit être une matrice 3x3 pour comparer"
    from autograder.compare import eigenvalues

    verdict = eigenvalues(np.asarray(answer, dtype=complex).ravel().tolist(), np.linalg.eigvals(J).tolist(),
                          rtol=1e-6, atol=1e-7)
    return True if verdict.ok else f"ce ne sont pas les valeurs propres de votre {nom}"

