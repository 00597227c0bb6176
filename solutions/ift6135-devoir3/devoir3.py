"""IFT6135, devoir 3 (partie théorique) : solution de référence.

Toutes les valeurs sont calculées ici, jamais recopiées de l'énoncé (dont les réponses sont
celles d'un étudiant, parfois fausses). tests/test_references_devoir3.py vérifie ces fonctions
et ces formules contre torch (autograd, nn.Linear, nn.Conv2d, nn.MaxPool2d, F.conv1d).

Réponses de l'énoncé reconnues fausses (voir les commentaires plus bas) :
- Q1(j) : la formule générale finale « S_i δ_ij − S_j » est mal parenthésée (S_i(δ_ij − S_j)).
- Q2(e)/(f) : la sigmoïde élément par élément a une jacobienne diagonale, pas
  diag(σ) − σσᵀ (celle du softmax) ; le facteur 2 de la MSE disparaît aussi.
- Q2(i) : R̂ = −(1/n) Σ −log o^s est de signe opposé (double négation).
- Q2(m)/(n) : ∂o^a/∂b^(2) est l'identité, pas la matrice de uns ; ∂L/∂b^(2) = o^s − onehot.
- Q2(p)/(r) : il faut W^(2)ᵀ (W^(2) est m × d_h), pas W^(2).
- Q3(b) : 576 oublie les 32 canaux d'entrée ; la bonne valeur est Q3B_NB_PARAMETRES.
- Q3(c) : l'énoncé demande le noyau [1/4, 1/4, 1/4, 1/4] (4 éléments) ; la réponse utilise
  un noyau de 3 éléments.
"""

from __future__ import annotations

import numpy as np

# ============================================================================ Question 1

# sign(x) = 1_{x>0}(x) − 1_{x<0}(x) : à x = 0 les deux indicatrices valent 0.
SIGNE_INDICATRICES: dict[str, float] = {"x>0": 1.0, "x<0": -1.0}

# Hors de 0 H vaut 0 ou 1 ; en 0 les deux formules valent 0 = max(0, 0) quel que soit H(0).
RELU_AVEC_H: list[str] = ["x*H(x)", "x - x*H(-x)"]

SIGMA_PRIME: str = "sigma(x)*(1 - sigma(x))"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # écrite sans exp d'un grand positif : exp(−|x|) ne déborde jamais
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def jacobienne_logistique(x: np.ndarray) -> np.ndarray:
    # σ s'applique élément par élément : ∂σ(x)_i/∂x_j = δ_ij σ(x_i)(1 − σ(x_i)).
    s = _sigmoid(np.asarray(x, dtype=float))
    return np.diag(s * (1.0 - s))


# softplus(x) = x − ln σ(x) (Q1 f et g), donc softplus'(x) = 1 − (1 − σ(x)) = σ(x).
SOFTPLUS_PRIME: str = "sigma(x)"


def softmax_limite_grand_c(x: np.ndarray) -> np.ndarray:
    # S(cx) quand c → +∞ : toute la masse va aux maxima de x, également répartie s'il y a égalité.
    x = np.asarray(x, dtype=float)
    top = (x == x.max()).astype(float)
    return top / top.sum()


def softmax_limite_petit_c(x: np.ndarray) -> np.ndarray:
    # S(cx) quand c → 0⁺ : cx → 0 et S(0) est uniforme.
    x = np.asarray(x, dtype=float)
    return np.full(x.shape, 1.0 / x.size)


# (∂S/∂x)_ij = S_i(δ_ij − S_j) : diag(S) − S Sᵀ avec S vecteur colonne.
JACOBIENNE_SOFTMAX: str = "diag(S) - S @ S.T"

# ∇_x L = Σ_i −c_i(e_i − S(x)) = S(x) Σ_i c_i − c = S(x) − c pour un vecteur one-hot c.
GRAD_CE_SOFTMAX: str = "softmax(x) - c"

# ============================================================================ Question 2


def dimensions_parametres(d: int, d_h: int, m: int) -> dict[str, list[int]]:
    return {"W1": [d_h, d], "b1": [d_h], "W2": [m, d_h], "b2": [m]}


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)  # ln(1 + e^x) sans débordement


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())  # invariance par translation (Q1 h) : rien ne déborde
    return e / e.sum()


def propagation_avant(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
                      x: np.ndarray) -> dict[str, np.ndarray]:
    W1, b1, W2, b2, x = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2, x))
    h_a = W1 @ x + b1
    h_s = _softplus(h_a)
    o_a = W2 @ h_s + b2
    return {"h_a": h_a, "h_s": h_s, "o_a": o_a, "o_s": _softmax(o_a)}


# Classification binaire avec une seule sortie o = o^a et σ(o) = P(y = 1 | x), y ∈ {0, 1}.
# L'énoncé de l'étudiant applique la jacobienne du softmax à la sigmoïde et perd le facteur 2.
Q2E_MSE: dict[str, str] = {
    "perte": "(sigma(o) - y)^2",
    "derivee": "2*(sigma(o) - y)*sigma(o)*(1 - sigma(o))",
}
Q2F_CE: dict[str, str] = {
    "perte": "-(y*log(sigma(o)) + (1 - y)*log(1 - sigma(o)))",
    "derivee": "sigma(o) - y",
}

# L = −log S(o^a)_y = log Σ_j exp(o^a_j) − o^a_y, avec c = onehot(y) : o^a_y = Σ_j c_j o^a_j.
Q2H_PERTE: str = "log(sum(exp(o))) - sum(c*o)"


def n_theta(d: int, d_h: int, m: int) -> int:
    shapes = dimensions_parametres(d, d_h, m).values()
    return int(sum(np.prod(s) for s in shapes))


# g désigne ∇_θ R̂(θ^t) (sans le terme de régularisation).
Q2J_MISE_A_JOUR: str = "theta - eta*g"
# ∇_θ λ‖θ‖² = 2λθ : la régularisation L2 rétrécit θ d'un facteur (1 − 2ηλ) à chaque pas.
Q2K_MISE_A_JOUR_REG: str = "(1 - 2*eta*lam)*theta - eta*g"


def _onehot(y: int, m: int) -> np.ndarray:
    e = np.zeros(m)
    e[int(y)] = 1.0
    return e


def grad_oa(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    f = propagation_avant(W1, b1, W2, b2, x)
    return f["o_s"] - _onehot(y, f["o_s"].size)


def grad_risque_oa(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, X: np.ndarray,
                   Y: np.ndarray) -> np.ndarray:
    # R̂ = (1/n) Σ_i L(x_i, y_i) : chaque ligne est le gradient de L de son exemple, divisé par n.
    X = np.atleast_2d(np.asarray(X, dtype=float))
    n = X.shape[0]
    return np.stack([grad_oa(W1, b1, W2, b2, X[i], Y[i]) for i in range(n)]) / n


def dL_dW2_kj(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: int,
              k: int, j: int) -> float:
    # o^a_k = Σ_{i=1}^{d_h} W2_ki h^s_i + b2_k, donc ∂o^a_k/∂W2_kj = h^s_j
    h_s = propagation_avant(W1, b1, W2, b2, x)["h_s"]
    return float(grad_oa(W1, b1, W2, b2, x, y)[int(k)] * h_s[int(j)])


def dL_db2_k(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: int,
             k: int) -> float:
    # ∂o^a_k/∂b2_k = 1 (et ∂o^a_l/∂b2_k = 0 pour l ≠ k : la jacobienne est l'identité)
    return float(grad_oa(W1, b1, W2, b2, x, y)[int(k)])


def grad_W2(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    # (m × d_h) = (m × 1)(1 × d_h) : produit extérieur de ∂L/∂o^a et de h^s
    h_s = propagation_avant(W1, b1, W2, b2, x)["h_s"]
    return np.outer(grad_oa(W1, b1, W2, b2, x, y), h_s)


def grad_b2(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    return grad_oa(W1, b1, W2, b2, x, y)


def dL_dhs_j(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: int,
             j: int) -> float:
    # ∂o^a_k/∂h^s_j = W2_kj
    W2 = np.asarray(W2, dtype=float)
    return float(grad_oa(W1, b1, W2, b2, x, y) @ W2[:, int(j)])


def grad_hs(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    # (d_h,) = (d_h × m)(m,) : c'est W2ᵀ, pas W2 (m × d_h), qui remonte vers la couche cachée
    W2 = np.asarray(W2, dtype=float)
    return W2.T @ grad_oa(W1, b1, W2, b2, x, y)


# φ = softplus, φ'(z) = σ(z) (Q1 g).
PHI_PRIME: str = "sigma(z)"


def dL_dha_j(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: int,
             j: int) -> float:
    h_a = propagation_avant(W1, b1, W2, b2, x)["h_a"]
    return float(dL_dhs_j(W1, b1, W2, b2, x, y, j) * _sigmoid(h_a[int(j)]))


def grad_ha(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            x: np.ndarray, y: int) -> np.ndarray:
    # diag(σ(h^a)) ∂L/∂h^s, c'est-à-dire un produit élément par élément
    h_a = propagation_avant(W1, b1, W2, b2, x)["h_a"]
    return _sigmoid(h_a) * grad_hs(W1, b1, W2, b2, x, y)


# ============================================================================ Question 3


def conv_output_size(i: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    # le noyau dilaté couvre d(k − 1) + 1 positions
    return (int(i) + 2 * int(p) - int(d) * (int(k) - 1) - 1) // int(s) + 1


def conv_param_count(c_in: int, c_out: int, k: int, biais: bool = False) -> int:
    # chaque noyau k × k voit tous les canaux d'entrée
    return int(c_out) * int(c_in) * int(k) * int(k) + (int(c_out) if biais else 0)


_COTE_1 = conv_output_size(128, 8, s=2, p=3)       # 32 noyaux 8×8, pas 2, marge 3
_COTE_2 = conv_output_size(_COTE_1, 2, s=2)          # max-pool 2×2 sans chevauchement
_COTE_3 = conv_output_size(_COTE_2, 3, s=1, p=1)     # 64 noyaux 3×3, pas 1, marge 1
Q3A_DIM_SORTIE: int = 64 * _COTE_3 * _COTE_3
# L'étudiant répond 3 × 3 × 64 = 576 : il oublie les 32 canaux d'entrée (sorties de la couche 2).
Q3B_NB_PARAMETRES: int = conv_param_count(32, 64, 3)


def conv1d(x: np.ndarray, w: np.ndarray, mode: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n, k = x.size, w.size
    full = np.zeros(n + k - 1)
    for i in range(n):
        # y[t] = Σ_j x[t − j] w[j] : le noyau est retourné par construction
        full[i:i + k] += x[i] * w
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1:n]
    if mode == "same":
        start = (k - 1) // 2  # convention de numpy.convolve pour un noyau de taille paire
        return full[start:start + n]
    raise ValueError(f"mode inconnu : {mode!r}")


# Q3 (c) : les trois résultats que l'énoncé demande, calculés par la fonction ci-dessus
_X_ENONCE, _W_ENONCE = [1.0, 1.0, 4.0, 4.0, 4.0, 1.0, 1.0], [0.25, 0.25, 0.25, 0.25]
Q3C_COMPLETE = conv1d(_X_ENONCE, _W_ENONCE, "full").tolist()
Q3C_VALIDE = conv1d(_X_ENONCE, _W_ENONCE, "valid").tolist()
Q3C_SIMILAIRE = conv1d(_X_ENONCE, _W_ENONCE, "same").tolist()
