"""IFT6135-H2023, devoir 1 (théorie) -- partie corrigée automatiquement.

Complétez chaque fonction et chaque valeur ci-dessous, sans changer les noms. Vérifiez vos
réponses avec les vérifications publiques, depuis le dossier décompressé :

    python -m autograder check devoir1.py

Les preuves (Q1(c)-(e), Q2, Q4(b), Q4(c), Q5) sont corrigées à la main à partir de votre PDF.
Les fonctions reçoivent des tableaux numpy ou des nombres Python et peuvent renvoyer des
tableaux numpy, des tenseurs torch, des listes ou des nombres.

Les formules sont des chaînes comme "x*(1 - x)" : nombres, variables, + - * / ** (ou ^),
parenthèses et les fonctions permises par chaque question (log est le logarithme naturel).
"""

from __future__ import annotations

import numpy as np

# ============================================================================ Question 1
# Choix de la fonction d'activation. sigma(x) = 1 / (1 + e^{-x}),
# tanh(x) = (e^x - e^{-x}) / (e^x + e^{-x}).

Q1A_DERIVEE_SIGMA: str = ""
"""Q1(a) Déterminer la dérivée de la fonction sigmoïde sigma'(x). Exprimer la dérivée en
fonction de sigma(x).

Une formule en x n'utilisant que la fonction sigma (exp n'est pas permis), p. ex. "sigma(x) + 1"
(ce n'est pas la réponse).
"""

Q1B_DERIVEE_TANH: str = ""
"""Q1(b) Déterminer la dérivée de la fonction tanh'(x) et la présenter en fonction de tanh(x).

Une formule en x n'utilisant que la fonction tanh.
"""

Q1C_BORNE_SIGMA: float | None = None
"""Q1(c) Borner (borne supérieure) la valeur de sigma'(x) avec une constante (vous pouvez
utiliser l'inégalité AM-GM).

La plus petite constante M telle que sigma'(x) <= M pour tout x réel (la preuve va dans le PDF).
"""

Q1D_BORNE_TANH: float | None = None
"""Q1(d) Borner (borne supérieure) la valeur de tanh'(x) avec une constante (vous pouvez
utiliser l'inégalité GM-HM ou la propriété selon laquelle le carré d'un nombre réel est
toujours non négatif).

La plus petite constante M telle que tanh'(x) <= M pour tout x réel (la preuve va dans le PDF).
"""

# ============================================================================ Question 2
# Propriétés d'entropie croisée. CE(p, x) = -x log(p) - (1 - x) log(1 - p).

Q2A_NLL: str = ""
"""Q2(a) Entropie croisée et maximum de vraisemblance. Pour cette dérivation, nous supposons
que x est binaire, c'est-à-dire que x ∈ {0, 1}. Déterminez la fonction de coût de l'entropie
croisée en utilisant le principe du maximum de vraisemblance pour x ∈ {0, 1}.

La fonction de coût obtenue, -log P(X = x) pour X ~ Bernoulli(p), comme formule en p et x
(fonctions permises : log, ln). Elle est vérifiée pour x ∈ {0, 1}.
"""

Q2B_KL: str = ""
"""Q2(b) Entropie croisée et divergence KL. Suggérer une interprétation probabiliste de la
fonction de coût de l'entropie croisée lorsque x ∈ (0, 1). (Hint: divergence de KL entre deux
distributions)

Donnez D_KL(Bernoulli(x) || Bernoulli(p)) comme formule en x et p (fonctions permises : log,
ln) ; l'interprétation va dans le PDF.
"""


def max_entropy_distribution(n: int) -> np.ndarray:
    """Q2(c) Distribution discrète - Entropie maximale. Soit X une variable aléatoire qui prend
    n valeurs avec des probabilités p_1, p_2, ..., p_n avec p_i > 0 pour tout i. Quelle est la
    distribution qui maximise l'entropie H(X) = -sum_i p_i log p_i ?

    Renvoyez le vecteur (p_1, ..., p_n) qui maximise H(X).
    """
    raise NotImplementedError


Q2C_BORNE_ENTROPIE: str = ""
"""Q2(c) Déterminez la limite supérieure de l'entropie H(X) exprimée en fonction de n.
(Indice : utilisez l'inégalité de Jensen).

Une formule en n (fonctions permises : log, ln, sqrt, exp).
"""

Q2D_DENSITE: str = ""
"""Q2(d) Distribution continue (moyenne mu et variance sigma^2 connues) - Entropie maximale.
Étant donné la moyenne mu et la variance sigma^2, quelle est la distribution continue qui
maximise l'entropie différentielle h(X) = -int f(x) log f(x) dx ? Démontrez le.

La densité f(x) comme formule en x, mu et sigma2 (la variance sigma^2) ; fonctions permises :
exp, log, sqrt, et les constantes pi et e. La démonstration va dans le PDF.
"""

# ============================================================================ Question 3
# Considérons un réseau de neurones de convolution à 3 couches cachées. Supposons que l'entrée
# est une image couleur d'une taille de 128×128 suivant la représentation RGB. La première
# couche convole 64 noyaux de 8×8 avec l'entrée, en utilisant un stride de 2 et un
# zero-padding de 4. La deuxième couche déséchantillonne la sortie de la première couche avec
# un pooling max non chevauchant de 2×2. La troisième couche convolue 128 noyaux de 4×4 avec
# un stride de 2 et un zero-padding de 2.


def conv_output_size(i: int, k: int, s: int = 1, p: int = 0) -> int:
    """Q3 Largeur de la sortie d'une convolution (ou d'un pooling) sur une entrée de largeur i,
    avec un noyau k, un stride s et un zero-padding p (de chaque côté). Une fenêtre qui ne tient
    pas entièrement dans l'entrée est ignorée (comme dans PyTorch).
    """
    raise NotImplementedError


Q3A_FORME_SORTIE: list[int] = []
"""Q3(a) Quelle est la dimension de la sortie de la troisième couche ?

La forme [canaux, hauteur, largeur], p. ex. [3, 128, 128] pour l'image d'entrée.
"""


def conv_param_count(c_in: int, c_out: int, k: int, bias: bool = False) -> int:
    """Q3(b) Nombre de paramètres d'une convolution à c_out noyaux carrés k×k sur c_in canaux
    d'entrée (plus les biais si bias est vrai).
    """
    raise NotImplementedError


Q3B_NB_PARAMETRES: int | None = None
"""Q3(b) Sans compter les biais, combien de paramètres sont requis pour la dernière couche ?"""

# ============================================================================ Question 4
# MLP Mixer. Les patchs d'une image sont numérotés dans l'ordre de lecture (de gauche à droite,
# puis de haut en bas) : la ligne k de X (et de U) est le patch k. Chaque patch est aplati
# ligne par ligne avant la projection linéaire.


def mixer_dimensions(image_size: int, output_shape: list[int]) -> dict[str, int]:
    """Q4(a) Mixer Dimensions. Pour une image carrée d'entrée de taille image_size × image_size
    dont la sortie du mixeur est de taille output_shape = [lignes, colonnes], déterminez la
    résolution de patch P, le nombre de patchs S, ainsi que la dimension cachée C (chaînes).

    Renvoyez {"P": ..., "S": ..., "C": ...}.
    """
    raise NotImplementedError


Q4A_DIMENSIONS: dict[str, int] = {}
"""Q4(a) Supposons que l'architecture du Mixer est utilisée pour une image d'entrée de taille
64×64. La sortie du mixeur est de taille 16×128. Déterminez la résolution de patch P, le nombre
de patchs S, ainsi que la dimension cachée C (chaînes). Un dict {"P": ..., "S": ..., "C": ...}.
"""

Q4C_MATRICES_P: list = []
"""Q4(c) Transformation des entrées - Mixage des chaînes MLP. L'image d'entrée originale A a une
taille de 9×9. Nous convertissons l'image d'entrée en patchs non chevauchants de taille 3×3,
puis nous projetons linéairement tous les patchs avec la même matrice de projection. Le
résultat de ces opérations est une matrice X de taille 9×6. Ensuite, nous appliquons le MLP de
mixage de chaînes qui agit sur les lignes de X, et qui est partagé entre toutes les lignes. Le
résultat de cette opération est la matrice U de taille 9×6. Considérons maintenant une image
modifiée A_modified = PA, où P = [e_pi(1); e_pi(2); ...; e_pi(9)] (la ligne i de P est le
vecteur de base e_pi(i)) et pi est une permutation des indices 1...9. Trouver tous les P
possibles tels qu'en permutant les lignes de U_modified on puisse récupérer la matrice U.

La liste de toutes ces matrices P (chacune 9×9, de 0 et de 1), dans n'importe quel ordre, sans
doublon. « Possibles » s'entend pour toute image A et toutes les projections et MLP.
"""


def mixer_row_permutations(n: int, p: int) -> list[np.ndarray]:
    """Q4(c) La même question pour une image n×n découpée en patchs non chevauchants p×p (p divise
    n) : la liste de toutes les matrices de permutation P (n×n) telles qu'en permutant les lignes
    de U_modified (obtenue de PA) on puisse récupérer U, pour toute image A.
    """
    raise NotImplementedError


Q4D_CHOIX: dict = {}
"""Q4(d) Sélectionnez une de vos solutions pour P et trouvez P_reverse telle que
P_reverse U_modified = U.

Un dict {"P": matrice 9×9, "P_reverse": matrice 9×9}.
"""


def p_reverse(P: np.ndarray, patch_size: int) -> np.ndarray:
    """Q4(d) Pour une matrice P valide au sens de Q4(c) (image n×n, patchs patch_size×patch_size,
    P de taille n×n), renvoyez P_reverse telle que P_reverse U_modified = U. U a une ligne par
    patch : P_reverse est de taille (n/patch_size)^2 × (n/patch_size)^2.
    """
    raise NotImplementedError


# ============================================================================ Question 5
# Convergence par descente de gradient. Considérons la fonction suivante :
#   f(x) = 3/4 (1 - x)^2 - 2 (1 - x)   si x > 1
#          3/4 (1 + x)^2 - 2 (1 + x)   si x < -1
#          x^2 - 1                      sinon
# et l'algorithme x_t = x_{t-1} - eta f'(x_{t-1}).
# Dérivez à la main : la différentiation automatique (torch.autograd, .backward(), torch.func)
# n'est pas permise dans grad_f ni dans gd_iterates.


def grad_f(x: float) -> float:
    """Q5(a) Montrez que f est une fonction convexe. Trouvez son unique minimiseur et son gradient.

    Renvoyez f'(x).
    """
    raise NotImplementedError


Q5A_MINIMISEUR: float | None = None
"""Q5(a) L'unique minimiseur de f."""


def gd_iterates(x0: float, eta: float, n: int) -> list[float]:
    """Q5(a) Considérons l'algorithme suivant : x_t = x_{t-1} - eta f'(x_{t-1}).

    Renvoyez les n + 1 itérés [x_0, x_1, ..., x_n] partant de x0 avec le pas eta.
    """
    raise NotImplementedError


Q5A_COMPORTEMENT: str = ""
"""Q5(a) Cet algorithme, avec eta = 1, convergera-t-il vers un point stationnaire s'il commence
au point x_0, où x_0 > 1 ? Pourquoi ou pourquoi pas ?

Une des chaînes "converge", "diverge" ou "oscille" (le pourquoi va dans le PDF).
"""

Q5A_POINTS_LIMITES: list[float] = []
"""Q5(a) Les points d'accumulation de la suite (x_t) pour eta = 1 et x_0 > 1 : la liste, en
ordre croissant, des valeurs dont les itérés s'approchent indéfiniment (une seule valeur si la
suite converge).
"""
