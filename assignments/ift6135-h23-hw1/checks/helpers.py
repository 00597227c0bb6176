"""Générateurs et propriétés des vérifications de ift6135-h23-hw1. Code de confiance : il
s'exécute dans le correcteur, jamais dans le processus de l'étudiant.

Les générateurs reçoivent un ``rng`` initialisé et un nombre ``count`` et renvoient des listes
d'arguments. Les propriétés reçoivent la réponse (données simples) et renvoient True, False,
un message (en français) ou une Comparison.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from autograder.compare import close
from autograder.expressions import ExpressionError, Variable, equivalent, parse_expression
from autograder.messages import render

COMPORTEMENTS = ("converge", "diverge", "oscille")

# ----------------------------------------------------------------------------- générateurs


def points_reels(rng, count):
    # each piece of f (x < -1, |x| <= 1, x > 1) gets points
    pieces = [(-6.0, -1.0), (-1.0, 1.0), (1.0, 6.0)]
    return [[float(rng.uniform(*pieces[i % 3]))] for i in range(count)]


def departs_gd(rng, count):
    out = []
    for i in range(count):
        n = int(rng.integers(5, 41))
        if i % 2 == 0:  # the handout's setting: eta = 1 and x0 > 1
            out.append([float(rng.uniform(1.0, 20.0)), 1.0, n])
        else:
            out.append([float(rng.uniform(-6.0, 6.0)), float(rng.uniform(0.05, 1.0)), n])
    return out


def tailles_n(rng, count):
    return [[int(rng.integers(1, 61))] for _ in range(count)]


def couches_conv(rng, count):
    out = []
    while len(out) < count:
        i, k, s, p = (int(rng.integers(lo, hi)) for lo, hi in ((4, 300), (1, 12), (1, 5), (0, 5)))
        if i + 2 * p >= k:
            out.append([i, k, s, p])
    return out


def couches_params(rng, count):
    return [[int(rng.integers(1, 512)), int(rng.integers(1, 512)), int(rng.integers(1, 8)), bool(rng.integers(0, 2))]
            for _ in range(count)]


def dims_mixer(rng, count):
    out = []
    for _ in range(count):
        patch, per_side = int(rng.integers(2, 33)), int(rng.integers(1, 17))
        out.append([patch * per_side, [per_side * per_side, int(rng.integers(8, 1025))]])
    return out


def tailles_mixer(rng, count):
    out = []
    for _ in range(count):
        blocks, patch = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        out.append([blocks * patch, patch])
    return out


def _permutations_blocs(n, p):
    blocks = n // p
    for order in itertools.permutations(range(blocks)):
        yield np.eye(n)[[p * order[b] + r for b in range(blocks) for r in range(p)]]


def permutations_enonce(rng, count):
    """The six valid P of the handout (9×9 image, 3×3 patches); ``count`` is ignored."""
    return [[P, 3] for P in _permutations_blocs(9, 3)]


def permutations_aleatoires(rng, count):
    out = []
    for _ in range(count):
        blocks, patch = int(rng.integers(2, 5)), int(rng.integers(1, 4))
        n = blocks * patch
        order = rng.permutation(blocks)
        out.append([np.eye(n)[[patch * order[b] + r for b in range(blocks) for r in range(patch)]], patch])
    return out


# ----------------------------------------------------------------------------- formes


def _nombre(answer):
    return not isinstance(answer, bool) and isinstance(answer, (int, float)) and math.isfinite(answer)


def nombre_reel(answer):
    return _nombre(answer) or f"attendu un nombre réel fini, reçu {answer!r}"


def nombre_entier(answer):
    if not _nombre(answer):
        return f"attendu un nombre entier, reçu {answer!r}"
    return float(answer).is_integer() or f"{answer} n'est pas un nombre entier"


def formule(answer, given):
    """La réponse est une formule lisible qui n'utilise que les noms permis."""
    if not isinstance(answer, str):
        return f"attendu une formule (une chaîne), reçu {type(answer).__name__}"
    try:
        parse_expression(answer, allowed=set(given["noms"]))
    except ExpressionError as e:
        return f"formule refusée : {render(e.localized, 'fr')} (noms permis : {', '.join(given['noms'])})"
    return True


def vecteur_probabilite(answer, args):
    n = int(args[0])
    a = np.asarray(answer, dtype=float)
    if a.shape != (n,):
        return f"forme {a.shape}, attendu ({n},) : une probabilité par valeur"
    if not np.all(np.isfinite(a)) or np.any(a < 0) or abs(a.sum() - 1) > 1e-6:
        return "les probabilités doivent être positives et sommer à 1"
    return True


def forme_chw(answer):
    if not isinstance(answer, list) or len(answer) != 3:
        return "attendu une liste [canaux, hauteur, largeur]"
    for v in answer:
        verdict = nombre_entier(v)
        if verdict is not True:
            return verdict
    return True


def comportement_permis(answer):
    if not isinstance(answer, str) or answer.strip().lower() not in COMPORTEMENTS:
        return f"attendu une des chaînes {', '.join(COMPORTEMENTS)}"
    return True


def liste_croissante(answer):
    if not isinstance(answer, list) or not answer or not all(_nombre(v) for v in answer):
        return "attendu une liste non vide de nombres réels"
    return answer == sorted(answer) or "la liste doit être en ordre croissant"


def iteres_forme(answer, args):
    x0, _, n = args
    a = np.asarray(answer, dtype=float)
    if a.shape != (int(n) + 1,):
        return f"forme {a.shape}, attendu ({int(n) + 1},) : les itérés x_0 ... x_n"
    return bool(abs(a[0] - x0) <= 1e-12 * max(1.0, abs(x0))) or "le premier itéré doit être x_0"


# ----------------------------------------------------------------------------- Q2(a)


def nll_binaire(answer, expected, rng):
    """La formule vaut -log P(X = x) pour x ∈ {0, 1} (seules valeurs où la question la définit)."""
    noms = {"p", "x", "log", "ln"}
    verdict = formule(answer, {"noms": sorted(noms)})
    if verdict is not True:
        return verdict
    # le comparateur du correcteur, x tiré dans {0, 1} et p dans (0, 1) : même tolérance (stricte) et
    # mêmes règles (une formule indéfinie là où la référence ne l'est pas est fausse)
    verdict = equivalent(answer, expected, variables={"x": Variable("x", (), "binary"),
                                                      "p": Variable("p", (), "probability")}, allowed=noms)
    return verdict.ok or "la formule ne vaut pas -log P(X = x) pour tout x ∈ {0, 1} et p ∈ (0, 1)"


# ----------------------------------------------------------------------------- Q4 : MLP-Mixer simulé


def _patchs(A, p):
    """Patches in raster order, each flattened row by row: one row per patch."""
    blocks = A.shape[0] // p
    return A.reshape(blocks, p, blocks, p).transpose(0, 2, 1, 3).reshape(blocks * blocks, p * p)


def _u(A, p, poids):
    """Patch embedding then a channel-mixing MLP shared by the rows (with its skip connection)."""
    W, W1, W2 = poids
    X = _patchs(A, p) @ W
    H = X @ W1
    gelu = 0.5 * H * (1 + np.tanh(math.sqrt(2 / math.pi) * (H + 0.044715 * H ** 3)))
    return X + gelu @ W2


def _poids(rng, p, canaux=6, cache=12):
    return rng.normal(size=(p * p, canaux)), rng.normal(size=(canaux, cache)), rng.normal(size=(cache, canaux))


def _permutation_des_lignes(U_mod, U):
    """The j's with U_mod[i] = U[j] when U_mod is a row permutation of U, else None."""
    dist = np.linalg.norm(U_mod[:, None, :] - U[None, :, :], axis=2)
    match = dist.argmin(axis=1)
    scale = 1e-8 * (1 + np.abs(U).max())
    if np.any(dist[np.arange(len(U_mod)), match] > scale) or len(set(match.tolist())) != len(U):
        return None
    return match


def _matrice_permutation(M, n):
    a = np.asarray(M, dtype=float) if not isinstance(M, (str, dict)) else np.empty(0)
    if a.shape != (n, n):
        return f"forme {a.shape}, attendu ({n}, {n})"
    if not np.all((a == 0) | (a == 1)) or np.any(a.sum(axis=0) != 1) or np.any(a.sum(axis=1) != 1):
        return "ce n'est pas une matrice de permutation (des 0 et un seul 1 par ligne et par colonne)"
    return True


def _liste_permutations(answer, n):
    if not isinstance(answer, list) or not answer:
        return "attendu une liste non vide de matrices"
    if all(isinstance(M, np.ndarray) and M.shape == (n, n) for M in answer):
        # toutes d'un coup (une réponse fausse en compte des milliers) ; le message vient de la première fautive
        a = np.stack(answer).astype(float)
        bonnes = (((a == 0) | (a == 1)).all(axis=(1, 2)) & (a.sum(axis=1) == 1).all(axis=1)
                  & (a.sum(axis=2) == 1).all(axis=1))
        if bonnes.all():
            return True
        answer = answer[int(np.argmin(bonnes)):]
        return f"matrice n° {len(bonnes) - len(answer)} : {_matrice_permutation(answer[0], n)}"
    for i, M in enumerate(answer):
        verdict = _matrice_permutation(M, n)
        if verdict is not True:
            return f"matrice n° {i} : {verdict}"
    return True


def _p_valide(P, p, rng):
    """U(PA) is a row permutation of U(A) for random images and weights."""
    n = P.shape[0]
    for _ in range(2):
        A, poids = rng.normal(size=(n, n)), _poids(rng, p)
        if _permutation_des_lignes(_u(P @ A, p, poids), _u(A, p, poids)) is None:
            return False
    return True


def liste_matrices_permutation(answer, given=None, args=None):
    n = int(given["n"]) if given else int(args[0])
    return _liste_permutations(answer, n)


def p_valides(answer, given, rng):
    """Chaque matrice donnée est une permutation après laquelle U se retrouve (MLP-Mixer simulé)."""
    n, p = int(given["n"]), int(given["p"])
    verdict = _liste_permutations(answer, n)
    if verdict is not True:
        return verdict
    for i, M in enumerate(answer):
        if not _p_valide(np.asarray(M, dtype=float), p, rng):
            return f"matrice n° {i} : les lignes de U_modified ne sont pas une permutation de celles de U"
    return True


def memes_matrices(answer, expected, args=None, given=None):
    """L'ensemble des matrices est celui de la référence (ordre libre, sans doublon)."""
    n = int(given["n"]) if given else int(args[0])
    verdict = _liste_permutations(answer, n)
    if verdict is not True:
        return verdict
    got = [tuple(row) for row in np.stack([np.asarray(M) for M in answer]).argmax(axis=2).tolist()]
    if len(set(got)) != len(got):
        return "la liste contient des doublons"
    want = {tuple(np.asarray(M).argmax(axis=1).tolist()) for M in expected}
    if set(got) - want:
        return "la liste contient des matrices qui ne conviennent pas"
    return set(got) == want or "il manque des matrices valides"


def choix_p_reverse(answer, given, rng):
    """P est valide et P_reverse U_modified = U sur des images et des poids aléatoires."""
    n, p = int(given["n"]), int(given["p"])
    if not isinstance(answer, dict) or set(answer) != {"P", "P_reverse"}:
        return "attendu un dict avec les clés P et P_reverse"
    verdict = _matrice_permutation(answer["P"], n)
    if verdict is not True:
        return f"P : {verdict}"
    P = np.asarray(answer["P"], dtype=float)
    if not _p_valide(P, p, rng):
        return "P n'est pas une des solutions de Q4(c)"
    rows = (n // p) ** 2
    R = np.asarray(answer["P_reverse"], dtype=float) if not isinstance(answer["P_reverse"], (str, dict)) else None
    if R is None or R.shape != (rows, rows):
        return f"P_reverse doit être de taille {rows}×{rows} (une ligne par patch)"
    A, poids = rng.normal(size=(n, n)), _poids(rng, p)
    return close(R @ _u(P @ A, p, poids), _u(A, p, poids), rtol=1e-6, atol=1e-8)


def forme_choix(answer, given):
    if not isinstance(answer, dict) or set(answer) != {"P", "P_reverse"}:
        return "attendu un dict avec les clés P et P_reverse"
    n = int(given["n"])
    for key in ("P", "P_reverse"):
        shape = np.shape(answer[key]) if not isinstance(answer[key], (str, dict)) else ()
        if shape != (n, n):
            return f"{key} : forme {shape}, attendu ({n}, {n})"
    return True


# ----------------------------------------------------------------------------- vérifications publiques de valeurs
# Les vérifications publiques tournent chez les étudiants avec ces fonctions : aucune ne calcule
# une réponse du devoir. Chacune vérifie une propriété que l'énoncé donne (une définition, une
# dérivée comparée aux différences finies de la fonction de l'énoncé, une borne, la cohérence de
# deux réponses) ou reconnaît une erreur connue pour afficher un indice.

_H = 1e-6
_POINTS = np.array([-3.0, -0.8, 0.0, 0.6, 2.5])


def _valeurs(answer, noms, valeurs):
    from autograder.expressions import evaluate

    return np.asarray(evaluate(parse_expression(answer, allowed=set(noms)), valeurs), dtype=float)


def _sigma(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


_FONCTIONS = {"sigma": _sigma, "tanh": np.tanh}


def derivee_par_differences_finies(answer, given):
    """La formule de f'(x) égale les différences finies de f (σ ou tanh) en cinq points."""
    forme = formule(answer, {"noms": given["noms"]})
    if forme is not True:
        return forme
    f = _FONCTIONS[given["fonction"]]
    obtenu = np.broadcast_to(_valeurs(answer, given["noms"], {"x": _POINTS}), _POINTS.shape)
    voulu = (f(_POINTS + _H) - f(_POINTS - _H)) / (2 * _H)
    faux = ~np.isclose(obtenu, voulu, rtol=1e-5, atol=1e-7)
    if faux.any():
        i = int(np.flatnonzero(faux)[0])
        return (f"en x = {_POINTS[i]:g}, votre formule vaut {obtenu[i]:.6g}, mais les différences finies de "
                f"{given['fonction']} donnent {voulu[i]:.6g}")
    return True


def utilise_exp(answer):
    return isinstance(answer, str) and "exp" in answer


def borne_superieure(answer, given):
    """La constante majore f' (σ' ou tanh') en tout point d'une grille fine : c'est bien une borne."""
    forme = nombre_reel(answer)
    if forme is not True:
        return forme
    f = _FONCTIONS[given["fonction"]]
    x = np.linspace(-10, 10, 2001)
    derivee = (f(x + _H) - f(x - _H)) / (2 * _H)
    i = int(np.argmax(derivee > answer + 1e-9)) if np.any(derivee > answer + 1e-9) else None
    return i is None or f"en x = {x[i]:.3g}, la dérivée vaut {derivee[i]:.6g} > {answer:g} : ce n'est pas une borne"


def _bernoulli_valeurs(answer, noms, x, p):
    return float(_valeurs(answer, noms, {"x": x, "p": p}))


def nll_de_bernoulli(answer):
    """exp(-NLL) est la vraisemblance de Bernoulli p^x (1 - p)^(1 - x), pour x ∈ {0, 1}."""
    noms = ["p", "x", "log", "ln"]
    forme = formule(answer, {"noms": noms})
    if forme is not True:
        return forme
    for p in (0.2, 0.7):
        for x in (0.0, 1.0):
            vraisemblance = p ** x * (1 - p) ** (1 - x)
            obtenu = math.exp(-_bernoulli_valeurs(answer, noms, x, p))
            if not math.isclose(obtenu, vraisemblance, rel_tol=1e-6, abs_tol=1e-12):
                return f"en x = {x:g}, p = {p:g}, exp(-NLL) vaut {obtenu:.6g} au lieu de la vraisemblance p^x (1 - p)^(1 - x)"
    return True


def kl_de_bernoulli(answer):
    """KL(x ‖ p) : nulle quand p = x, supérieure à 0 sinon, et très grande quand p tend vers 0 avec x > 0."""
    noms = ["x", "p", "log", "ln"]
    forme = formule(answer, {"noms": noms})
    if forme is not True:
        return forme
    for x in (0.3, 0.6):
        if not math.isclose(_bernoulli_valeurs(answer, noms, x, x), 0.0, abs_tol=1e-9):
            return f"KL(x ‖ p) devrait être nulle quand p = x (ici x = p = {x:g})"
        for p in (0.1, 0.5, 0.9):
            if p != x and not _bernoulli_valeurs(answer, noms, x, p) > 0:
                return f"KL(x ‖ p) devrait être strictement supérieure à 0 quand p ≠ x (ici x = {x:g}, p = {p:g})"
    return _bernoulli_valeurs(answer, noms, 0.5, 1e-9) > 5 or \
        "KL(x ‖ p) devrait devenir très grande quand p tend vers 0 alors que x = 0,5 > 0"


def kl_inversee(answer):
    try:
        return _bernoulli_valeurs(answer, ["x", "p", "log", "ln"], 0.5, 1e-9) < 1
    except (ExpressionError, TypeError, ValueError):
        return False


def densite_normalisee(answer):
    """La densité intègre à 1, de moyenne mu et de variance sigma2 (les contraintes de l'énoncé)."""
    noms = ["x", "mu", "sigma2", "exp", "log", "sqrt", "pi", "e"]
    forme = formule(answer, {"noms": noms})
    if forme is not True:
        return forme
    mu, sigma2 = 0.3, 2.0
    x = np.linspace(mu - 40, mu + 40, 80001)
    dx = x[1] - x[0]
    q = np.broadcast_to(_valeurs(answer, noms, {"x": x, "mu": mu, "sigma2": sigma2}), x.shape)
    if not np.all(np.isfinite(q)) or np.any(q < 0):
        return "une densité est finie et jamais négative"
    masse = float(q.sum() * dx)
    if not math.isclose(masse, 1.0, rel_tol=1e-4):
        return f"pour mu = {mu:g}, sigma2 = {sigma2:g}, la densité intègre à {masse:.6g}, et non à 1"
    moyenne = float((x * q).sum() * dx)
    variance = float(((x - moyenne) ** 2 * q).sum() * dx)
    if not math.isclose(moyenne, mu, abs_tol=1e-4) or not math.isclose(variance, sigma2, rel_tol=1e-4):
        return f"moyenne {moyenne:.6g} et variance {variance:.6g}, au lieu de mu = {mu:g} et sigma2 = {sigma2:g}"
    return True


def multiple_de(answer, given):
    forme = nombre_entier(answer)
    if forme is not True:
        return forme
    return (int(answer) > 0 and int(answer) % given["facteur"] == 0) or \
        f"{answer:g} n'est pas un multiple de {given['facteur']}"


def dimensions_mixer(answer, given):
    """S et C sont ceux de la sortie donnée, et S patchs de P × P pavent l'image I × I."""
    if not isinstance(answer, dict) or set(answer) != {"P", "S", "C"}:
        return "attendu un dict avec les clés P, S et C"
    if not all(nombre_entier(answer[k]) is True for k in ("P", "S", "C")):
        return "P, S et C sont des nombres entiers"
    P, S, C = (int(answer[k]) for k in ("P", "S", "C"))
    s, c = given["sortie"]
    if (S, C) != (s, c):
        return f"la sortie de l'énoncé est S × C = {s} × {c}"
    image = given["image"]
    return (P > 0 and S * P * P == image * image) or \
        f"{S} patchs de {P} × {P} ne pavent pas une image de {image} × {image}"


def patch_par_cote(answer):
    """P = I / S (image de 64 × 64 de l'énoncé) : S pris pour un nombre de patchs par côté."""
    return bool(isinstance(answer, dict) and nombre_entier(answer.get("S")) is True and answer["S"] > 0
                and answer.get("P") == 64 // answer["S"])


def p_reverse_inverse(answer, args):
    """P_reverse U' = U pour une image et des poids tirés (générateur fixe : même verdict à chaque fois)."""
    P, p = np.asarray(args[0], dtype=float), int(args[1])
    n = P.shape[0]
    lignes = (n // p) ** 2
    R = np.asarray(answer, dtype=float) if not isinstance(answer, (str, dict)) else None
    if R is None or R.shape != (lignes, lignes):
        return f"P_reverse doit être de taille {lignes}×{lignes} (une ligne par patch)"
    rng = np.random.default_rng(1234)
    A, poids = rng.normal(size=(n, n)), _poids(rng, p)
    verdict = close(R @ _u(P @ A, p, poids), _u(A, p, poids), rtol=1e-6, atol=1e-8)
    return True if verdict.ok else "P_reverse U_modified ne redonne pas U"


def p_reverse_egale_p(answer, args):
    return np.shape(answer) == np.shape(args[0]) and bool(np.allclose(np.asarray(answer, dtype=float),
                                                                       np.asarray(args[0], dtype=float)))


def canaux_et_carte_carree(answer, given):
    """[canaux, hauteur, largeur] : les canaux sont les noyaux de la dernière couche, la carte est carrée."""
    forme = forme_chw(answer)
    if forme is not True:
        return forme
    c, h, w = (int(v) for v in answer)
    if c != given["canaux"]:
        return f"la dernière couche a {given['canaux']} noyaux, donc {given['canaux']} canaux de sortie"
    return (h == w and h > 0) or "une image carrée donne une carte de sortie carrée (hauteur = largeur)"
