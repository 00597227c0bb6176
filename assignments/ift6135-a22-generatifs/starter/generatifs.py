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

from __future__ import annotations

import numpy as np

# ============================================================================ Question 1
# Étant donné deux distributions gaussiennes univariées, p(x) = N(mu1, sigma1^2) et
# q(x) = N(mu2, sigma2^2), trouver la KL-Divergence entre la distribution q et la distribution p.

KL_Q_P: str = ""
"""Q1 En particulier, dériver l'expression de forme fermée pour
KL[q(x)||p(x)] = E_{q(x)}[log q(x)/p(x)].

Une formule (chaîne) en mu1, sigma1, mu2, sigma2 (sigma1, sigma2 > 0 sont les écarts-types).
Permis : ces variables, log, ln, sqrt, exp, abs, pi, les nombres et + - * / ** ( ).
"""


def kl_gauss(mu1: float, s1: float, mu2: float, s2: float) -> float:
    """Q1 La même forme fermée, comme fonction : KL[q(x)||p(x)] pour p = N(mu1, s1^2) et
    q = N(mu2, s2^2), où s1 et s2 sont les écarts-types.
    """
    raise NotImplementedError


def kl_symetrique(mu1: float, s1: float, mu2: float, s2: float) -> bool:
    """Q1 C'est le même que KL[p(x)||q(x)] ?

    Renvoyez True si KL[q||p] = KL[p||q] pour ces deux gaussiennes (p = N(mu1, s1^2),
    q = N(mu2, s2^2)), False sinon. Justifiez la condition dans votre PDF.
    """
    raise NotImplementedError


# ============================================================================ Question 2
# Les flux normalisants (normalizing flows) sont des transformations inversibles et expressives
# des lois de probabilités. Dans les 3 premières questions, nous considérons une fonction
# déterministe g : z dans R -> R.


def contre_exemple_relu(a: float, b: float, c: float) -> list[float]:
    """Q2.1 Soient g(z) = a f(bz + c) et f est un redresseur (rectified linear unit)
    f(x) = max(0, x). Montrez que la fonction g n'est pas inversible.

    Pour les a, b, c donnés (n'importe quels réels, zéro compris), renvoyez [z, z'] avec z != z'
    et g(z) = g(z'). La preuve complète (tous les cas) va dans votre PDF.
    """
    raise NotImplementedError


def derivee_g_melange(z: float, w: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Q2.2 Soit g : z dans R -> R, où g(z) = sigma^{-1}(sum_{i=1}^N w_i sigma(a_i z + b_i)),
    0 < w_i < 1, sum_i w_i = 1, et a_i > 0. Montrez que g est strictement croissante sur son
    domaine de définition (-inf, inf).

    Renvoyez g'(z) = dg/dz au point z pour les vecteurs w, a, b donnés (sigma est la fonction
    logistique). Dérivez à la main : la différentiation automatique est interdite ici.
    """
    raise NotImplementedError


# Q2.3 (g(z) = z + f(z) avec df/dz > -1 est inversible) : preuve seulement, dans votre PDF.

# Q2.4 Considérez la transformation suivante
#     g(z) = z + beta h(alpha, r)(z - z0)                                          (1)
# où z0 dans R^D, alpha dans R^+, beta dans R, et r = ||z - z0||_2, h(alpha, r) = 1/(alpha + r).
# Considérez également la décomposition suivante z = z0 + r z~.


def rayon_depuis_y(y: np.ndarray, z0: np.ndarray, alpha: float, beta: float) -> float:
    """Q2.4 (i) Étant donné y = g(z), montrez que beta >= -alpha est une condition suffisante
    pour obtenir une valeur unique de r à partir de l'équation (1).

    Renvoyez cette valeur unique de r (>= 0) pour les y, z0, alpha, beta >= -alpha donnés.
    """
    raise NotImplementedError


def z_tilde_depuis_r(y: np.ndarray, z0: np.ndarray, r: float, alpha: float, beta: float) -> np.ndarray:
    """Q2.4 (ii) Étant donnés r et y, montrez que l'équation (1) possède une unique solution z~.

    Renvoyez cette solution z~ (un vecteur de la forme de y).
    """
    raise NotImplementedError


def inverser_flux_radial(y: np.ndarray, z0: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """Q2.4 En combinant (i) et (ii) : renvoyez z tel que g(z) = y (beta >= -alpha)."""
    raise NotImplementedError


# Q3 (DDPM et VAE combinés, (a) à (e)) : dérivations seulement, dans votre PDF.

# ============================================================================ Question 4
# L(psi, theta) = E_{p_D} log(sigma(C_psi(x))) + E_{p_theta} log(sigma(-C_psi(x))), sigma logistique,
# p_D = delta_0, p_theta = delta_theta, C_psi(x) = psi0 x + psi1.
# v_psi = grad_psi L, v_theta = -grad_theta L ; v = (v_psi0, v_psi1, v_theta) dans l'espace
# (psi0, psi1, theta). Les fonctions « dérivez » interdisent la différentiation automatique.


def champ_vitesse(psi0: float, psi1: float, theta: float) -> np.ndarray:
    """Q4.1 Dérivez les expressions pour le champ de "vélocité", v, du système dynamique dans
    l'espace de paramètres (psi0, psi1, theta).

    Renvoyez [v_psi0, v_psi1, v_theta] au point donné.
    """
    raise NotImplementedError


POINTS_STATIONNAIRES: list[list[float]] = []
"""Q4.1 ... et trouvez les points stationnaires (psi0*, psi1*, theta*).

La liste de tous les points stationnaires, chacun [psi0*, psi1*, theta*].
"""


def jacobienne_champ(psi0: float, psi1: float, theta: float) -> np.ndarray:
    """Q4.2 La jacobienne (3 x 3) de v en un point (psi0, psi1, theta) quelconque : ligne i =
    composante v_i, colonnes dans l'ordre psi0, psi1, theta. Dérivez à la main.
    """
    raise NotImplementedError


J_ETOILE: np.ndarray | list[list[float]] = []
"""Q4.2 Dérivez J*, la jacobienne (3 x 3) de v au point (psi0*, psi1*, theta*)."""

VALEURS_PROPRES_J_ETOILE: list[complex] = []
"""Q4.3 Trouvez les valeurs propres de J* (les trois, dans n'importe quel ordre ; complexes
permis). La discussion de la stabilité locale va dans votre PDF.
"""

# Maintenant, introduisons une pénalité du gradient à la fonction de perte du critique,
# R1(psi) = E_{p_D} ||grad_x C_psi(x)||^2. Le système régularisé devient
#     v-bar_psi = grad_psi L - (gamma/2) grad_psi R1,   v-bar_theta = -grad_theta L,   gamma > 0.
# Répétez les étapes 1-2-3 pour ce système modifié (réponses en fonction de gamma).


def champ_vitesse_r1(psi0: float, psi1: float, theta: float, gamma: float) -> np.ndarray:
    """Q4.4 Dérivez les expressions pour le champ de "vélocité", v, du système dynamique
    (régularisé) dans l'espace de paramètres (psi0, psi1, theta).

    Renvoyez [v-bar_psi0, v-bar_psi1, v-bar_theta] au point donné, pour ce gamma.
    """
    raise NotImplementedError


def points_stationnaires_r1(gamma: float) -> list[list[float]]:
    """Q4.4 ... et trouvez les points stationnaires (psi0*, psi1*, theta*), pour ce gamma > 0.

    La liste de tous les points stationnaires, chacun [psi0*, psi1*, theta*].
    """
    raise NotImplementedError


def jacobienne_champ_r1(psi0: float, psi1: float, theta: float, gamma: float) -> np.ndarray:
    """Q4.5 La jacobienne (3 x 3) du champ régularisé en un point quelconque (mêmes conventions
    que jacobienne_champ). Dérivez à la main.
    """
    raise NotImplementedError


def j_etoile_r1(gamma: float) -> np.ndarray:
    """Q4.5 Dérivez J*, la jacobienne (3 x 3) de v au point (psi0*, psi1*, theta*), en fonction
    de gamma > 0.
    """
    raise NotImplementedError


def valeurs_propres_r1(gamma: float) -> list[complex]:
    """Q4.6 Trouvez les valeurs propres de J* (système régularisé), en fonction de gamma > 0 :
    les trois, dans n'importe quel ordre, complexes permis. La discussion de la stabilité locale
    et la comparaison des deux systèmes vont dans votre PDF.
    """
    raise NotImplementedError


# Q5 (revue de papier, 20 points) : dans votre PDF.
