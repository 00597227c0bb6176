"""IFT6135, devoir 3 (partie théorique) : partie corrigée automatiquement.

Remplissez chaque fonction et chaque valeur ci-dessous en gardant les noms. Vérifiez vos
réponses avec les vérifications publiques, depuis le dossier décompressé :

    python -m autograder check devoir3.py

Les preuves et les justifications (Q1 b, d, f, h, j, l, la démonstration de Q1 g et m, Q2 c, d,
g, i, l et Q3 d) sont corrigées à la main dans votre PDF.

Conventions :
- Les fonctions reçoivent des tableaux numpy (ou des nombres Python) et peuvent renvoyer des
  tableaux numpy, des tenseurs torch, des listes ou des nombres.
- Les formules sont des chaînes comme "x*(1 - H(x))" : nombres, variables, + - * / ** ^ @,
  .T et les fonctions sigma sigmoid exp log ln softplus H diag sum softmax ... Chaque question
  indique les noms permis.
- Les gradients « à la main » (marqués ainsi) doivent être dérivés vous-même : la
  différentiation automatique (torch.autograd, .backward(), torch.func, jax) y est refusée.
"""

from __future__ import annotations

import numpy as np

# ============================================================================ Question 1
# σ(x) = 1/(1 + exp(-x)), softplus(x) = ln(1 + exp(x)), H(x) = 1 si x > 0, 0 si x < 0, 1/2 si
# x = 0, 1_S(x) = 1 si x respecte la condition S et 0 sinon, S(x)_i = exp(x_i)/Σ_j exp(x_j).

SIGNE_INDICATRICES: dict[str, float] = {}
"""Q1 (a) Écrivez la fonction signe(x), en utilisant seulement des fonctions indicatrices.

Donnez sign(x) = Σ coefficient × 1_{condition}(x) sous la forme d'un dict {condition: coefficient}.
Conditions possibles : "x>0", "x<0", "x>=0", "x<=0", "x=0", "x!=0".
Par exemple {"x>=0": 2} représente 2·1_{x≥0}(x) (ce n'est pas la réponse).
"""

RELU_AVEC_H: list[str] = ["", ""]
"""Q1 (c) Donnez deux définitions alternatives de g(x) = max{0, x} en utilisant H(x).

Deux formules différentes en x et H (permis : x, H, nombres, + - * / ** et parenthèses), par
exemple "x + H(x)" (ce n'est pas la réponse). La forme intégrale ne s'écrit pas ici : donnez
deux expressions algébriques (pensez à H(-x)).
"""

SIGMA_PRIME: str = ""
"""Q1 (e) Écrivez la dérivée de la fonction sigmoïde, σ', en utilisant seulement la fonction σ.

Formule en x (permis : x, sigma (ou sigmoid), nombres et opérateurs).
"""


def jacobienne_logistique(x: np.ndarray) -> np.ndarray:
    """Q1 (e) Trouvez la matrice jacobienne de la fonction logistique (Utilisez Kronecker delta δ_{i=j}).

    Pour x ∈ R^n (tableau 1-D), renvoyez la matrice n × n des ∂σ(x)_i/∂x_j, où σ s'applique
    élément par élément. À la main : pas de différentiation automatique.
    """
    raise NotImplementedError


SOFTPLUS_PRIME: str = ""
"""Q1 (g) Montrez que softplus(x) - softplus(-x) = x et déduire la dérivée de softplus(x)
(vous devez utiliser la fonction sigmoid).

La preuve est corrigée à la main ; donnez ici la dérivée, formule en x (permis : x, sigma).
"""


def softmax_limite_grand_c(x: np.ndarray) -> np.ndarray:
    """Q1 (i) Il est évident que le softmax n'est pas invariant sous la multiplication. Quel est
    l'effet de la multiplication du vecteur par un scalaire plus grand que 1 ? ... En considérant
    la sortie du softmax comme la valeur de la prédiction du réseau, quel est l'effet de cette
    multiplication.

    Pour décrire cet effet, renvoyez la limite de S(c·x) quand c → +∞, pour le vecteur 1-D x
    donné (pensez au cas où plusieurs composantes de x sont égales au maximum).
    """
    raise NotImplementedError


def softmax_limite_petit_c(x: np.ndarray) -> np.ndarray:
    """Q1 (i) ... Plus petit que 1 ?

    Renvoyez la limite de S(c·x) quand c → 0 (c > 0), pour le vecteur 1-D x donné.
    """
    raise NotImplementedError


JACOBIENNE_SOFTMAX: str = ""
"""Q1 (k) Exprimez la matrice jacobienne de la fonction softmax ∂S(x)/∂x, en utilisant la
notation matricielle/vectorielle. Vous devez utiliser la fonction diag.

Formule en S, le vecteur colonne S(x) de taille n × 1 (permis : S, diag, outer, transpose, .T,
@ et les opérateurs). Le résultat est la matrice n × n des ∂S(x)_i/∂x_j.
"""

GRAD_CE_SOFTMAX: str = ""
"""Q1 (m) Soient x et y deux vecteurs à K dimensions en relation par y = S(x). Utilisez le
résultat obtenu à la question précédente pour dériver le gradient de l'entropie croisée
(c.-à-d. la log-vraisemblance négative) par rapport à l'entrée du softmax, où c est un vecteur
one-hot correspondant à l'étiquette de la classe : L(x, c) = Σ_i -c_i log y_i.

La dérivation est corrigée à la main ; donnez ici le gradient ∇_x L, formule en x et c
(vecteurs 1-D de taille K ; permis : x, c, softmax, exp, log, sum).
"""

# ============================================================================ Question 2
# MLP à une couche cachée : x ∈ R^d, d_h neurones cachés avec φ = softplus, m sorties softmax.
# Un réseau est donné par W1 (d_h × d), b1 (d_h,), W2 (m × d_h), b2 (m,) ; une étiquette y est
# un entier de {0, ..., m-1} (indice Python de la classe : la classe 1 de l'énoncé est y = 0).


def dimensions_parametres(d: int, d_h: int, m: int) -> dict[str, list[int]]:
    """Q2 (a) Soit W(1) la matrice d_h × d de poids et soit b(1) le vecteur de biais ... Indiquez
    la dimension de b(1).
    Q2 (b) Soit W(2) la matrice de poids et soit b(2) le vecteur de biais caractérisant les
    connexions synaptiques allant de la couche cachée à la couche de sortie. Indiquez les
    dimensions de W(2) et b(2).

    Renvoyez {"W1": [..], "b1": [..], "W2": [..], "b2": [..]}, la forme de chaque paramètre
    (une liste d'entiers, par exemple [d_h, d] pour W1).
    """
    raise NotImplementedError


def propagation_avant(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
                      x: np.ndarray) -> dict[str, np.ndarray]:
    """Q2 (a) Donnez la formule de calcul du vecteur de pré-activations des neurones de la couche
    cachée h^a à partir d'une observation d'entrée x ... Exprimez le vecteur des sorties des
    neurones de la couche cachée h^s en fonction de h^a.
    Q2 (b) Donnez la formule de calcul du vecteur d'activations des neurones de la couche de
    sortie o^a à partir de leurs entrées h^s.
    Q2 (c) La sortie des neurones de sortie est donnée par o^s = softmax(o^a). Précisez
    l'équation des o^s_k en utilisant explicitement la formule du softmax.

    Renvoyez {"h_a": h^a, "h_s": h^s, "o_a": o^a, "o_s": o^s} pour l'entrée x (vecteur 1-D).
    """
    raise NotImplementedError


# Q2 (e)-(f) : classification binaire, une seule sortie o = o^a, σ(o) = probabilité de la classe
# 1 et y ∈ {0, 1}. Formules en o et y (permis : o, y, sigma, sigmoid, exp, log, ln, softplus).

Q2E_MSE: dict[str, str] = {"perte": "", "derivee": ""}
"""Q2 (e) Nous choisissons comme fonction de coût : l'erreur quadratique moyenne (MSE). Donnez
l'expression de L_MSE(σ(o^a), y) et calculez ∂L_MSE(σ(o^a), y)/∂o^a.

"perte" : L_MSE ; "derivee" : sa dérivée par rapport à o (cohérente avec votre perte).
"""

Q2F_CE: dict[str, str] = {"perte": "", "derivee": ""}
"""Q2 (f) Nous choisissons maintenant comme fonction de coût : l'entropie croisée (CE). Donnez
l'expression de L_CE(σ(o^a), y) et calculez ∂L_CE(σ(o^a), y)/∂o^a.

"perte" : L_CE ; "derivee" : sa dérivée par rapport à o.
"""

Q2H_PERTE: str = ""
"""Q2 (h) Précisez l'équation de L(x, y) = -log o^s_y(x) directement en fonction du vecteur o^a.

Formule en o (le vecteur o^a, 1-D de taille m) et c = onehot(y) (1-D de taille m) ; permis :
o, c, exp, log, ln, sum (le softmax s'écrit avec des exp).
"""


def n_theta(d: int, d_h: int, m: int) -> int:
    """Q2 (i) Indiquez précisément de quoi est constitué l'ensemble θ des paramètres du réseau.
    Indiquez à combien de paramètres scalaires n_θ cela correspond.

    Renvoyez n_θ pour une entrée de dimension d, d_h neurones cachés et m classes. (Le risque
    empirique et le problème d'optimisation sont corrigés à la main.)
    """
    raise NotImplementedError


Q2J_MISE_A_JOUR: str = ""
"""Q2 (j) Pour trouver la solution à ce problème d'optimisation, on va utiliser une technique
de descente de gradient. Exprimez la technique de descente de gradient (full-batch) pour ce
problème.

Donnez θ^{t+1} : formule en theta (θ^t), g (= ∇_θ R̂(θ^t), calculé sur tout l'ensemble
d'entraînement) et eta (le pas η > 0).
"""

Q2K_MISE_A_JOUR_REG: str = ""
"""Q2 (k) Nous proposons pour cette question d'ajouter un terme de régularisation L2 :
R̂_reg(θ) = R̂(θ) + λ‖θ‖²₂. Réécrire la technique de descente de gradient (après simplification)
pour ce problème.

Donnez θ^{t+1} : formule en theta, g (= ∇_θ R̂(θ^t), sans la régularisation), eta et lam (λ).
"""

# Q2 (l)-(r) : gradients à la main (pas de différentiation automatique). Chaque fonction reçoit
# le réseau (W1, b1, W2, b2) et un exemple (x, y) ; les indices k et j commencent à 0.
# « IMPORTANT : ... il s'agit simplement d'exprimer leur calcul en fonction d'éléments déjà
# calculés aux questions précédentes » : vous pouvez appeler vos fonctions précédentes.


def grad_oa(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    """Q2 (l) Démontrez que ∂L/∂o^a = o^s - onehot_m(y).

    La démonstration est corrigée à la main ; renvoyez ici ∂L/∂o^a (vecteur de taille m), à la main.
    """
    raise NotImplementedError


def grad_risque_oa(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, X: np.ndarray,
                   Y: np.ndarray) -> np.ndarray:
    """Q2 (l) Notez que le calcul du vecteur de gradient du risque empirique R̂ par rapport à
    l'ensemble des paramètres θ peut s'exprimer comme (1/n) Σ_i ∂L(x_i, y_i)/∂θ.

    Pour un lot X (n × d) d'étiquettes Y (n,), renvoyez la matrice n × m dont la ligne i est
    ∂R̂/∂o^a(x_i), le gradient du risque empirique du lot par rapport aux activations de sortie
    de l'exemple i. À la main.
    """
    raise NotImplementedError


def dL_dW2_kj(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: int,
              k: int, j: int) -> float:
    """Q2 (m) Calculez les gradients par rapport aux paramètres W(2) et b(2) de la couche de
    sortie. Comme L ne dépend des W(2)_kj et b(2)_k qu'au travers de o^a_k la règle de dérivation
    en chaîne nous donne : ∂L/∂W(2)_kj = ∂L/∂o^a_k ∂o^a_k/∂W(2)_kj.

    Renvoyez le nombre ∂L/∂W(2)_kj, à la main.
    """
    raise NotImplementedError


def dL_db2_k(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: int,
             k: int) -> float:
    """Q2 (m) ... et ∂L/∂b(2)_k = ∂L/∂o^a_k ∂o^a_k/∂b(2)_k.

    Renvoyez le nombre ∂L/∂b(2)_k, à la main.
    """
    raise NotImplementedError


def grad_W2(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    """Q2 (n) Exprimez le calcul du gradient de la question précédente sous forme d'une expression
    matricielle, en définissant la dimension de chacune des matrices ou vecteurs manipulés. (Pour
    le gradient par rapport à W(2), on veut arranger les dérivées partielles dans une matrice qui
    a la même forme que W(2), et c'est ce que l'on appelle le gradient)

    Renvoyez ∂L/∂W(2), de la forme de W(2), à la main.
    """
    raise NotImplementedError


def grad_b2(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    """Q2 (n) ... Précisez les dimensions.

    Renvoyez ∂L/∂b(2), de la forme de b(2), à la main.
    """
    raise NotImplementedError


def dL_dhs_j(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: int,
             j: int) -> float:
    """Q2 (o) Calculez les dérivées partielles du coût L par rapport aux sorties des neurones de la
    couche cachée. Comme L dépend d'un neurone caché h^s_j au travers des activations de tous les
    neurones de sortie o^a reliés à ce neurone caché, la règle de dérivation en chaîne nous donne :
    ∂L/∂h^s_j = Σ_k ∂L/∂o^a_k ∂o^a_k/∂h^s_j.

    Renvoyez le nombre ∂L/∂h^s_j, à la main.
    """
    raise NotImplementedError


def grad_hs(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    """Q2 (p) Exprimez le calcul de la question précédente sous forme d'une expression
    matricielle, en définissant la dimension de chacune des matrices ou vecteurs manipulées.

    Renvoyez ∂L/∂h^s (vecteur de taille d_h), à la main.
    """
    raise NotImplementedError


PHI_PRIME: str = ""
"""Q2 (q) Notez que h^s_j = φ(h^a_j) : la fonction φ s'applique élément par élément. Comme étape
intermédiaire, commencez par exprimer la dérivée de la fonction ∂φ(z)/∂z = φ'(z) = ...

Formule en z pour φ = softplus (permis : z, sigma, sigmoid, exp, log, ln).
"""


def dL_dha_j(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: int,
             j: int) -> float:
    """Q2 (q) Calculez les dérivées partielles par rapport aux activations des neurones de la
    couche cachée. Comme L ne dépend de l'activation h^a_j d'un neurone de la couche cachée qu'au
    travers de la sortie h^s_j de ce neurone, la règle de dérivation en chaîne donne :
    ∂L/∂h^a_j = ∂L/∂h^s_j ∂h^s_j/∂h^a_j.

    Renvoyez le nombre ∂L/∂h^a_j, à la main.
    """
    raise NotImplementedError


def grad_ha(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    """Q2 (r) Exprimez le calcul de la question précédente sous forme d'une expression
    matricielle, en définissant la dimension de chacune des matrices ou vecteurs manipulés.

    Renvoyez ∂L/∂h^a (vecteur de taille d_h), à la main.
    """
    raise NotImplementedError


# ============================================================================ Question 3
# Entrée : image RGB 128 × 128. Couche 1 : 32 noyaux 8 × 8, pas 2, marge nulle de 3. Couche 2 :
# max-pool 2 × 2 sans chevauchement. Couche 3 : 64 noyaux 3 × 3, pas 1, marge de 1 de chaque côté.


def conv_output_size(i: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Q3 (a) Taille de sortie (le long d'un axe) d'une convolution ou d'un sous-échantillonnage
    sur une entrée de taille i, avec un noyau k, un pas s, une marge p de chaque côté et une
    dilatation d (d = 1 : pas de dilatation).
    """
    raise NotImplementedError


Q3A_DIM_SORTIE: int | None = None
"""Q3 (a) Quelle est la dimension (scalaire) de la sortie à la dernière couche ?"""


def conv_param_count(c_in: int, c_out: int, k: int, biais: bool = False) -> int:
    """Q3 (b) Nombre de paramètres d'une convolution de c_out noyaux carrés k × k sur c_in canaux
    d'entrée, biais compris si biais est vrai.
    """
    raise NotImplementedError


Q3B_NB_PARAMETRES: int | None = None
"""Q3 (b) Sans compter les biais, combien de paramètres sont requis pour la dernière couche ?"""


def conv1d(x: np.ndarray, w: np.ndarray, mode: str) -> np.ndarray:
    """Q3 (c) Calculez la convolution complète (mode `full`), valide (mode `valid`) et
    similaire (mode `same`), avec retournement du noyau, pour les matrices
    unidimensionnelles suivantes : [1, 1, 4, 4, 4, 1, 1] * [1/4, 1/4, 1/4, 1/4].

    mode vaut "full", "valid" ou "same" ; x et w sont 1-D, len(w) <= len(x). "same" garde len(x)
    valeurs de la convolution complète en retirant ⌊(len(w) - 1)/2⌋ valeurs au début (la
    convention de numpy.convolve, qui compte aussi pour un noyau de taille paire).
    """
    raise NotImplementedError


Q3C_COMPLETE: list[float] | None = None
"""Q3 (c) Le résultat : la convolution complète de [1, 1, 4, 4, 4, 1, 1] par [1/4, 1/4, 1/4, 1/4],
avec retournement du noyau (une liste de nombres)."""

Q3C_VALIDE: list[float] | None = None
"""Q3 (c) Le résultat : la convolution valide de [1, 1, 4, 4, 4, 1, 1] par [1/4, 1/4, 1/4, 1/4]."""

Q3C_SIMILAIRE: list[float] | None = None
"""Q3 (c) Le résultat : la convolution similaire de [1, 1, 4, 4, 4, 1, 1] par [1/4, 1/4, 1/4, 1/4]."""
