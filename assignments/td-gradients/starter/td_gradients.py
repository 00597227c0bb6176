"""TD Gradients : dérivation des fonctions composées, matrices jacobiennes, rétropropagation.

Complétez chaque fonction et chaque valeur ci-dessous, sans changer les noms. Vérifiez vos
réponses avec les vérifications publiques, depuis le dossier décompressé :

    python -m autograder check td_gradients.py

Les preuves (Q1, Q2, Q4 et la partie « montrer » de Q7) sont corrigées à la main à partir de
votre PDF. Les fonctions reçoivent des tableaux numpy et peuvent renvoyer des tableaux numpy,
des tenseurs torch, des listes ou des nombres. Les formules sont des chaînes de caractères
comme "x.T @ A @ x + 2 * sum(x)" : variables, nombres, + - * / ** @, .T et des fonctions comme
transpose, diag, eye, sum, tanh.

Les gradients et jacobiennes se calculent à la main : la différentiation automatique
(torch.autograd, .backward(), torch.func, jax) est refusée dans ces fonctions.
"""

from __future__ import annotations

import numpy as np

# ============================================================================ Question 3
# Question 3 (Calculs de gradients).


Q3_GRAD_F1: str = ""
"""Q3 f1(x) = ½‖Ax − b‖²_2, A matrice de taille m × n, b ∈ R^m, x ∈ R^n.
Calculer le gradient de f1 en x.

Formule en A (m × n), b (m × 1) et x (n × 1), qui donne un vecteur colonne n × 1.
"""


def gradient_f1(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q3 Le gradient de f1(x) = ½‖Ax − b‖²_2 en x, pour A (m, n), b (m,) et x (n,).

    Renvoie un vecteur de forme (n,). Calculé à la main (pas de différentiation automatique).
    """
    raise NotImplementedError


Q3_JACOBIENNE_F2: str = ""
"""Q3 f2(x) = Bx + c, B matrice de taille p × n, c ∈ R^p, x ∈ R^n.
Calculer la Jacobienne de f2 en x.

Formule en B (p × n), c (p × 1) et x (n × 1), qui donne une matrice p × n.
"""


def jacobienne_f2(B: np.ndarray, c: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q3 La jacobienne de f2(x) = Bx + c en x, pour B (p, n), c (p,) et x (n,).

    Renvoie une matrice de forme (p, n).
    """
    raise NotImplementedError


Q3_GRAD_F3_P: str = ""
"""Q3 f3(P, Q) = ½‖M − PQ‖²_F, M matrice de taille m × n, P matrice de taille m × k et Q
matrice de taille k × n. Calculer le gradient de f3 en (P, Q) : ici ∂f3/∂P.

Formule en M, P et Q, qui donne une matrice m × k.
"""

Q3_GRAD_F3_Q: str = ""
"""Q3 Le gradient de f3(P, Q) = ½‖M − PQ‖²_F par rapport à Q : ∂f3/∂Q.

Formule en M, P et Q, qui donne une matrice k × n.
"""


def gradient_f3(M: np.ndarray, P: np.ndarray, Q: np.ndarray) -> dict[str, np.ndarray]:
    """Q3 Le gradient de f3(P, Q) = ½‖M − PQ‖²_F en (P, Q), pour M (m, n), P (m, k), Q (k, n).

    Renvoie {"P": ∂f3/∂P (forme (m, k)), "Q": ∂f3/∂Q (forme (k, n))}.
    """
    raise NotImplementedError


# ============================================================================ Partie 2
# Réseau de neurones à 1 couche :
#     y = f(w, x) = σ( Σ_{i=1..H} w_i v_i( Σ_{j=1..N} w_{i,j} x_j ) )            (1)
# x_1, ..., x_N sont les observations, H le nombre de neurones, σ et v_1, ..., v_H des
# fonctions d'activation. Ici on prend le « choix classique » σ(z) = v_i(z) = tanh(z).
# Les paramètres sont w = (w_1, ..., w_H), donné comme un vecteur w de forme (H,), et les
# w_{i,j}, donnés comme une matrice W de forme (H, N) (W[i, j] = w_{i+1,j+1}).

# ============================================================================ Question 5


def dimensions_LVM(N: int, H: int) -> dict[str, list[int]]:
    """Q5 Écrire la fonction f : R^{NH+H} × R^N → R du modèle de réseau de neurones (1) comme
    une composition de fonctions plus simples de la forme suivante :

        f(w, x) = σ ∘ M(w, V ∘ L(w, x)).

    Vous explicitez les fonctions M, V et L en faisant attention à leur nombre de variables et
    à la dimension des images.

    Renvoie {"L": [nombre de variables de L, dimension de l'image de L], "V": [...], "M": [...]}
    pour N observations et H neurones (le nombre de variables compte toutes les coordonnées
    des arguments).
    """
    raise NotImplementedError


def couche_L(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q5 La fonction L(w, x), pour W (H, N) et x (N,)."""
    raise NotImplementedError


def couche_V(y: np.ndarray) -> np.ndarray:
    """Q5 La fonction V(y), pour y (H,), avec v_i = tanh."""
    raise NotImplementedError


def couche_M(w: np.ndarray, y: np.ndarray) -> float:
    """Q5 La fonction M(w, y), pour w (H,) et y (H,)."""
    raise NotImplementedError


def reseau_f(w: np.ndarray, W: np.ndarray, x: np.ndarray) -> float:
    """Q5 f(w, x) = σ ∘ M(w, V ∘ L(w, x)), avec σ = tanh : la sortie y du modèle (1)."""
    raise NotImplementedError


# ============================================================================ Question 6
# Question 6. Calculer les jacobiennes de chacune des fonctions en jeu.
# Calculées à la main : la différentiation automatique est refusée.


def jacobienne_L(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q6 La jacobienne de L en (W, x), pour W (H, N) et x (N,).

    Les variables de L sont rangées dans cet ordre : les lignes de W mises bout à bout
    (w_{1,1}, ..., w_{1,N}, w_{2,1}, ..., w_{H,N}), puis x_1, ..., x_N.
    Renvoie une matrice de forme (H, NH + N).
    """
    raise NotImplementedError


def jacobienne_V(y: np.ndarray) -> np.ndarray:
    """Q6 La jacobienne de V en y, pour y (H,) (v_i = tanh). Renvoie une matrice (H, H)."""
    raise NotImplementedError


def jacobienne_M(w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Q6 La jacobienne de M en (w, y), pour w (H,) et y (H,), variables rangées (w, y).

    M est à valeurs réelles : sa jacobienne est une matrice ligne de forme (1, 2H).
    """
    raise NotImplementedError


# ============================================================================ Question 7


def gradient_f(w: np.ndarray, W: np.ndarray, x: np.ndarray) -> dict[str, np.ndarray]:
    """Q7 Montrer que le gradient de f par rapport à w, que l'on notera ∇_w f, peut s'écrire
    comme produit matriciel et somme des jacobiennes calculées à la question précédente.

    (La preuve est corrigée à la main.) Calculez ∇_w f au point (w, W, x), σ = v_i = tanh, à
    l'aide de vos jacobiennes : renvoie {"w": ∂f/∂w (forme (H,)), "W": ∂f/∂w_{i,j} (forme (H, N))}.
    """
    raise NotImplementedError


# ============================================================================ Questions 8 et 9
# On rappelle que pour calculer le produit matriciel A × B où A est de taille n × m et B de
# taille m × p, il faut environ nmp opérations : on compte exactement n·m·p multiplications.
#
# Un produit de jacobiennes A_1 A_2 ... A_k est décrit par dims = [d_0, d_1, ..., d_k] : A_i
# est de taille d_{i-1} × d_i, A_1 est du côté de la sortie du réseau et A_k du côté de l'entrée.
#
# Pour ∇ de f par rapport aux w_{i,j}, on ignore la structure des jacobiennes (diagonale,
# creuse) et on considère la chaîne
#     σ' (1 × 1) · ∇_y M^T (1 × H) · J_V (H × H) · J_L restreinte aux w_{i,j} (H × NH).


def multiplications_depuis_entree(dims: list[int]) -> int:
    """Q8 Nombre de multiplications pour calculer A_1 A_2 ... A_k en commençant par le côté de
    l'entrée : d'abord A_{k-1} A_k, puis A_{k-2} (A_{k-1} A_k), etc. dims est une liste d'entiers.
    """
    raise NotImplementedError


def operations_avant(N: int, H: int) -> int:
    """Q8 Évaluer le nombre d'opérations nécessaires pour calculer ∇_w f quand on commence par
    la couche d'entrée du réseau de neurones.

    Nombre de multiplications de la chaîne ci-dessus calculée depuis l'entrée, pour N
    observations et H neurones.
    """
    raise NotImplementedError


Q8_ORDRE: dict[str, int] = {"N": 0, "H": 0}
"""Q8 L'ordre de grandeur de operations_avant(N, H) quand N et H sont grands : si le nombre
d'opérations est O(N^a H^b), donnez {"N": a, "H": b}.
"""


def multiplications_depuis_sortie(dims: list[int]) -> int:
    """Q9 Nombre de multiplications pour calculer A_1 A_2 ... A_k en commençant par le côté de
    la sortie : d'abord A_1 A_2, puis (A_1 A_2) A_3, etc. dims est une liste d'entiers.
    """
    raise NotImplementedError


def operations_arriere(N: int, H: int) -> int:
    """Q9 Évaluer le nombre d'opérations nécessaires pour calculer ∇_w f quand on commence par
    la couche de sortie du réseau de neurones.

    Nombre de multiplications de la chaîne ci-dessus calculée depuis la sortie, pour N
    observations et H neurones.
    """
    raise NotImplementedError


Q9_ORDRE: dict[str, int] = {"N": 0, "H": 0}
"""Q9 L'ordre de grandeur de operations_arriere(N, H) quand N et H sont grands : si le nombre
d'opérations est O(N^a H^b), donnez {"N": a, "H": b}.
"""
