"""Générateurs et propriétés des vérifications de ift6135-devoir3 (code de confiance, exécuté par le correcteur).

Les générateurs reçoivent un ``rng`` initialisé et un ``count`` et renvoient des listes
d'arguments. Les propriétés reçoivent la réponse de l'étudiant (données simples) et renvoient
True, False, un message (en français) ou une Comparison.

Les formules dont une variable est une étiquette binaire y ∈ {0, 1} ou un vecteur one-hot c
admettent des réponses justes qui ne le sont que sur ces valeurs (par exemple
-log(sum(c*softmax(o))) pour -log o^s_y) : ``_equivalente`` les compare avec le comparateur du
correcteur en déclarant ces domaines (binary, onehot), et garde les messages en français.
"""

from __future__ import annotations

import functools
import json
import math
import re

import numpy as np

from autograder.compare import close
from autograder.expressions import ExpressionError, Variable, equivalent, parse_expression
from autograder.messages import render

# ----------------------------------------------------------------------------- générateurs
# Les exemples fixes dont les arguments sont des tableaux sont ici plutôt que dans les `cases:`
# des YAML : le moteur passe les `cases:` tels quels (des listes Python, même avec
# `convert: numpy`), alors que les générateurs passent des ndarray. Ainsi chaque fonction reçoit
# toujours des tableaux numpy, comme l'annonce le fichier de départ. Chaque générateur renvoie
# l'exemple fixe d'abord, puis `count` entrées aléatoires (count: 0 pour les vérifications publiques).

# Réseau d'exemple de Q2 (d = 3, d_h = 4, m = 3 ; l'énoncé ne donne pas de valeurs numériques).
W1_EXEMPLE = np.array([[0.1, -0.2, 0.3], [0.0, 0.5, -0.4], [0.2, 0.2, 0.2], [-0.3, 0.1, 0.0]])
B1_EXEMPLE = np.array([0.1, 0.0, -0.1, 0.2])
W2_EXEMPLE = np.array([[0.5, -0.5, 0.25, 0.0], [-0.25, 0.5, 0.0, 0.75], [0.1, 0.2, -0.3, 0.4]])
B2_EXEMPLE = np.array([0.0, 0.1, -0.1])
X_EXEMPLE = np.array([1.0, 2.0, -1.0])
Y_EXEMPLE = 2
LOT_EXEMPLE = (np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 0.0]]), np.array([2, 0]))

# Q3 (c) : [1, 1, 4, 4, 4, 1, 1] * [1/4, 1/4, 1/4, 1/4], tel que l'énoncé le demande.
X_CONV_ENONCE = np.array([1.0, 1.0, 4.0, 4.0, 4.0, 1.0, 1.0])
W_CONV_ENONCE = np.full(4, 0.25)


def _aleatoire(rng, count):
    return [rng.normal(0, 3, size=int(rng.integers(2, 9))).round(6) for _ in range(count)]


def vecteurs_jacobienne(rng, count):
    return [[np.array([0.0, 1.0, -2.0])]] + [[x] for x in _aleatoire(rng, count)]


def vecteurs_limite_petit(rng, count):
    return [[np.array([1.0, 3.0, 2.0])]] + [[x] for x in _aleatoire(rng, count)]


def vecteurs_limite_grand(rng, count):
    out = [[np.array([1.0, 3.0, 2.0])], [np.array([2.0, 5.0, 5.0, 1.0])]]
    for _ in range(count):
        x = rng.integers(-3, 4, size=int(rng.integers(2, 8))).astype(float)
        x[rng.integers(0, x.size)] = x.max()  # souvent plusieurs maxima égaux
        out.append([x])
    return out


def _reseau(rng):
    d, d_h, m = int(rng.integers(1, 7)), int(rng.integers(1, 8)), int(rng.integers(2, 7))
    return [rng.normal(0, 1, size=(d_h, d)), rng.normal(0, 0.5, size=d_h),
            rng.normal(0, 1, size=(m, d_h)), rng.normal(0, 0.5, size=m)]


def _exemple():
    return [W1_EXEMPLE.copy(), B1_EXEMPLE.copy(), W2_EXEMPLE.copy(), B2_EXEMPLE.copy()]


def reseaux(rng, count):
    """Le réseau d'exemple puis des réseaux aléatoires, avec un exemple (x, y), y ∈ {0, ..., m-1}."""
    out = [_exemple() + [X_EXEMPLE.copy(), Y_EXEMPLE]]
    for _ in range(count):
        W1, b1, W2, b2 = _reseau(rng)
        out.append([W1, b1, W2, b2, rng.normal(0, 1.5, size=W1.shape[1]), int(rng.integers(0, W2.shape[0]))])
    return out


def reseaux_entrees(rng, count):
    """Les mêmes réseaux avec une entrée x seulement, pour la propagation avant."""
    return [args[:5] for args in reseaux(rng, count)]


def reseaux_kj(rng, count):
    cas = reseaux(rng, count)
    return [cas[0] + [1, 2]] + [args + [int(rng.integers(0, args[2].shape[0])), int(rng.integers(0, args[2].shape[1]))]
                                for args in cas[1:]]


def reseaux_k(rng, count):
    cas = reseaux(rng, count)
    return [cas[0] + [0]] + [args + [int(rng.integers(0, args[2].shape[0]))] for args in cas[1:]]


def reseaux_j(rng, count):
    cas = reseaux(rng, count)
    return [cas[0] + [3]] + [args + [int(rng.integers(0, args[2].shape[1]))] for args in cas[1:]]


def reseaux_lots(rng, count):
    """Le réseau d'exemple et un lot de deux exemples, puis des lots X (n, d), Y (n,) aléatoires."""
    out = [_exemple() + [LOT_EXEMPLE[0].copy(), LOT_EXEMPLE[1].copy()]]
    for _ in range(count):
        W1, b1, W2, b2 = _reseau(rng)
        n = int(rng.integers(1, 7))
        out.append([W1, b1, W2, b2, rng.normal(0, 1.5, size=(n, W1.shape[1])), rng.integers(0, W2.shape[0], size=n)])
    return out


def dimensions_mlp(rng, count):
    return [[int(rng.integers(1, 1000)), int(rng.integers(1, 500)), int(rng.integers(2, 100))] for _ in range(count)]


def couches_conv(rng, count):
    out = []
    while len(out) < count:
        i, k, s, p, d = (int(rng.integers(lo, hi)) for lo, hi in ((5, 300), (1, 12), (1, 5), (0, 4), (1, 4)))
        if i + 2 * p >= d * (k - 1) + 1:  # le noyau dilaté tient dans l'entrée complétée
            out.append([i, k, s, p, d])
    return out


def couches_parametres(rng, count):
    return [[int(rng.integers(1, 512)), int(rng.integers(1, 512)), int(rng.integers(1, 8)), bool(rng.integers(0, 2))]
            for _ in range(count)]


def _vecteurs_conv(rng, count, mode):
    out = [[X_CONV_ENONCE.copy(), W_CONV_ENONCE.copy(), mode]]
    for _ in range(count):
        n = int(rng.integers(3, 10))
        k = int(rng.integers(1, n + 1))  # noyaux pairs et impairs, jamais plus longs que x
        x = rng.integers(-5, 6, size=n).astype(float)
        w = rng.integers(-3, 4, size=k).astype(float)
        w[-1] = w[-1] or 1.0  # un noyau asymétrique le plus souvent : l'oubli du retournement se voit
        out.append([x, w, mode])
    return out


def conv_complete(rng, count):
    return _vecteurs_conv(rng, count, "full")


def conv_valide(rng, count):
    return _vecteurs_conv(rng, count, "valid")


def conv_similaire(rng, count):
    """L'exemple de l'énoncé (noyau pair), puis des noyaux impairs et pairs fixés, puis ``count`` tirages.

    Le début retiré, ⌊(k - 1)/2⌋, ne se distingue de ⌊k/2⌋ ou de ⌊(k - 2)/2⌋ que selon la parité de
    k : les noyaux de taille 1, 2, 3 et 5 sont là quel que soit le tirage.
    """
    enonce, *tires = _vecteurs_conv(rng, count, "same")
    x = np.array([2.0, -1.0, 3.0, 0.0, 5.0, -4.0, 1.0])
    fixes = [[x.copy(), np.array(w), "same"] for w in ([3.0], [1.0, -2.0], [1.0, 2.0, -1.0], [2.0, 0.0, -1.0, 1.0, 3.0])]
    return [enonce, *fixes, *tires]


def conv_enonce_trois_modes(rng, count):
    """L'exemple de l'énoncé dans les trois modes, puis ``count`` vecteurs aléatoires par mode."""
    return [case for mode in ("full", "valid", "same") for case in _vecteurs_conv(rng, count, mode)]


# ----------------------------------------------------------------------------- formules


def _forme_formule(answer, permis):
    """True, ou un message si la réponse n'est pas une formule lisible n'utilisant que ``permis``."""
    if not isinstance(answer, str):
        return f"une formule s'écrit comme une chaîne de caractères, pas {type(answer).__name__}"
    if not answer.strip():
        return "la formule est vide"
    try:
        parse_expression(answer, allowed=set(permis))
    except ExpressionError as e:
        if e.name is not None:
            return f"{answer!r} : '{e.name}' n'est pas permis ici (permis : {', '.join(sorted(permis))})"
        return f"{answer!r} : formule illisible ({render(e.localized, 'fr')})"
    return True


def formule_permise(answer, given):
    return _forme_formule(answer, given["permis"])


def _specs(variables):
    return {nom: (spec if isinstance(spec, dict) else {"shape": [] if spec == "scalaire" else spec})
            for nom, spec in variables.items()}


def _equivalente(formule, reference, variables, permis, rng=None):
    """Verdict de :func:`_comparer`, en cache : les points de test sont tirés d'une graine faite des
    deux formules (comme le fait le comparateur ``formula`` du correcteur), si bien que la même
    réponse reçoit le même verdict dans toutes les remises, et n'est évaluée qu'une fois."""
    if not isinstance(formule, str):
        return _forme_formule(formule, permis)  # the message for a non-formula answer
    return _comparer(formule, reference, json.dumps(variables, sort_keys=True), tuple(permis))


#: domaines des variables, dans les termes du comparateur du correcteur
_DOMAINES = {"reel": "real", "positif": "positive", "binaire": "binary", "onehot": "onehot",
             "probabilite": "probability", "simplexe": "simplex"}


@functools.lru_cache(maxsize=4096)
def _comparer(formule, reference, variables_json, permis):
    """Le comparateur ``formula`` du correcteur (sa tolérance stricte, ses règles : une formule
    indéfinie là où la référence ne l'est pas est fausse), avec les domaines binaire et one-hot."""
    forme = _forme_formule(formule, permis)
    if forme is not True:
        return forme
    variables = {nom: Variable(nom, tuple(spec.get("shape", ())), _DOMAINES[spec.get("domaine", "reel")])
                 for nom, spec in _specs(json.loads(variables_json)).items()}
    verdict = equivalent(formule, reference, variables=variables, allowed=set(permis))
    # le message de la version cachée : il ne dit rien de la référence
    return True if verdict.ok else render(verdict.message, "fr", hidden=True)


def formule_discrete(answer, expected, given, rng):
    """Formule comparée à la référence, avec des variables binaires ou one-hot (voir l'en-tête)."""
    return _equivalente(answer, expected, given["variables"], given["permis"], rng)


_VARIABLES_BINAIRES = {"o": "scalaire", "y": {"domaine": "binaire"}}
_PERMIS_BINAIRES = ["o", "y", "sigma", "sigmoid", "exp", "log", "ln", "softplus"]


def formules_perte_derivee(answer):
    """Forme publique de Q2E_MSE et Q2F_CE : un dict de deux formules en o et y."""
    if not isinstance(answer, dict) or set(answer) != {"perte", "derivee"}:
        return 'attendu : un dict {"perte": "...", "derivee": "..."}'
    for cle in ("perte", "derivee"):
        forme = _forme_formule(answer[cle], _PERMIS_BINAIRES)
        if forme is not True:
            return f'"{cle}" : {forme}'
    return True


def _facteur_mse(answer, expected, rng):
    """Le facteur k ∈ {1, 1/2} de la perte de l'étudiant ((σ(o) - y)² ou sa moitié), ou None."""
    if not isinstance(answer, dict):
        return None
    for k in (1.0, 0.5):
        if _equivalente(answer.get("perte"), f"{k}*({expected['perte']})", _VARIABLES_BINAIRES,
                        _PERMIS_BINAIRES, rng) is True:
            return k
    return None


def perte_mse(answer, expected, rng):
    forme = formules_perte_derivee(answer)
    if forme is not True:
        return forme
    if _facteur_mse(answer, expected, rng) is None:
        return "\"perte\" : ce n'est pas l'erreur quadratique entre σ(o^a) et y (ni sa moitié)"
    return True


def derivee_mse(answer, expected, rng):
    """La dérivée doit être celle de la perte donnée (les conventions (σ - y)² et ½(σ - y)² sont admises)."""
    forme = formules_perte_derivee(answer)
    if forme is not True:
        return forme
    k = _facteur_mse(answer, expected, rng)
    for facteur in ((1.0, 0.5) if k is None else (k,)):
        if _equivalente(answer["derivee"], f"{facteur}*({expected['derivee']})", _VARIABLES_BINAIRES,
                        _PERMIS_BINAIRES, rng) is True:
            return True
    if k is not None:
        return "\"derivee\" : ce n'est pas la dérivée de votre perte par rapport à o^a"
    return "\"derivee\" : ce n'est pas la dérivée de l'erreur quadratique par rapport à o^a"


def _cle_formule(answer, expected, cle, rng):
    forme = formules_perte_derivee(answer)
    if forme is not True:
        return forme
    verdict = _equivalente(answer[cle], expected[cle], _VARIABLES_BINAIRES, _PERMIS_BINAIRES, rng)
    return True if verdict is True else f'"{cle}" : {verdict}'


def perte_ce(answer, expected, rng):
    return _cle_formule(answer, expected, "perte", rng)


def derivee_ce(answer, expected, rng):
    return _cle_formule(answer, expected, "derivee", rng)


# ----------------------------------------------------------------------------- Q1


_CONDITIONS = {
    "x>0": lambda x: x > 0, "x<0": lambda x: x < 0, "x>=0": lambda x: x >= 0,
    "x<=0": lambda x: x <= 0, "x=0": lambda x: x == 0, "x!=0": lambda x: x != 0,
}
_POINTS_SIGNE = (-3.0, -0.7, 0.0, 0.4, 2.5)


def _condition(cle):
    texte = str(cle).replace(" ", "").replace("≥", ">=").replace("≤", "<=").replace("≠", "!=")
    return re.sub(r"==", "=", texte)


def forme_indicatrices(answer):
    if not isinstance(answer, dict) or not answer:
        return 'attendu : un dict {condition: coefficient}, par exemple {"x>=0": 2}'
    for cle, coef in answer.items():
        if _condition(cle) not in _CONDITIONS:
            return f"condition {cle!r} inconnue (conditions possibles : {', '.join(_CONDITIONS)})"
        if isinstance(coef, bool) or not isinstance(coef, (int, float)) or not math.isfinite(coef):
            return f"le coefficient de {cle!r} doit être un nombre"
    return True


def signe_par_indicatrices(answer):
    forme = forme_indicatrices(answer)
    if forme is not True:
        return forme
    for x in _POINTS_SIGNE:
        valeur = sum(coef * float(_CONDITIONS[_condition(cle)](x)) for cle, coef in answer.items())
        if abs(valeur - np.sign(x)) > 1e-9:
            return f"en x = {x:g}, la combinaison vaut {valeur:g} au lieu de sign(x) = {np.sign(x):g}"
    return True


def deux_formules_x_h(answer):
    if not isinstance(answer, list) or len(answer) != 2:
        return "attendu : une liste de deux formules (chaînes)"
    for formule in answer:
        forme = _forme_formule(formule, {"x", "H"})
        if forme is not True:
            return forme
    return True


def _relu(answer, index):
    # seule la définition notée est lue : une définition juste et l'autre vide obtient son point
    if not isinstance(answer, list) or len(answer) != 2:
        return "attendu : une liste de deux formules (chaînes)"
    forme = _forme_formule(answer[index], {"x", "H"})
    if forme is not True:
        return forme
    # sans rng : les points viennent de la formule, le verdict est le même d'une remise à l'autre (et en cache)
    return equivalent(answer[index], "relu(x)", variables={"x": Variable("x")}, allowed={"x", "H"})


def premiere_relu(answer):
    return _relu(answer, 0)


def _jetons(formule):
    # mêmes noms, nombres et opérateurs dans un autre ordre : la même définition réécrite
    return sorted(re.findall(r"[A-Za-z_]\w*|\d+\.?\d*|\*\*|[-+*/^@]", formule))


def seconde_relu(answer):
    verdict = _relu(answer, 1)
    if verdict is not True and not getattr(verdict, "ok", False):
        return verdict
    if _jetons(answer[0]) == _jetons(answer[1]):
        return "les deux définitions sont la même formule (réordonnée) : donnez-en une autre"
    return True


def vecteur_de_probabilites(answer, args):
    a = np.asarray(answer, dtype=float)
    x = np.asarray(args[0], dtype=float)
    if a.shape != x.shape:
        return f"forme {a.shape}, attendue {x.shape} (celle de l'entrée)"
    if not np.all(np.isfinite(a)) or np.any(a < 0) or abs(a.sum() - 1) > 1e-6:
        return "les composantes doivent être positives et sommer à 1"
    return True


def matrice_carree(answer, args):
    n = np.asarray(args[0]).size
    forme = np.shape(answer)
    return forme == (n, n) or f"forme {forme}, la jacobienne d'une fonction de R^{n} dans R^{n} est ({n}, {n})"


# ----------------------------------------------------------------------------- Q2


def entier_naturel(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return f"attendu : un nombre entier, obtenu {type(answer).__name__}"
    return float(answer).is_integer() or f"{answer} n'est pas un nombre entier"


def _liste_entiers(valeur):
    if isinstance(valeur, bool):
        return None
    if isinstance(valeur, (int, float)):
        valeur = [valeur]  # la dimension d'un vecteur donnée comme un seul nombre
    if isinstance(valeur, np.ndarray):
        valeur = valeur.tolist()
    if not isinstance(valeur, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in valeur):
        return None
    if not all(float(v).is_integer() for v in valeur):
        return None
    return [int(v) for v in valeur]


def forme_dimensions(answer):
    if not isinstance(answer, dict) or set(answer) != {"W1", "b1", "W2", "b2"}:
        return "attendu : un dict de clés W1, b1, W2, b2"
    for nom, valeur in answer.items():
        if _liste_entiers(valeur) is None:
            return f"{nom} : attendu une liste d'entiers, par exemple [3, 4]"
    return True


def dimensions_de(answer, expected, given):
    forme = forme_dimensions(answer)
    if forme is not True:
        return forme
    for nom in given["noms"]:
        if _liste_entiers(answer[nom]) != _liste_entiers(expected[nom]):
            return f"la dimension de {nom} n'est pas la bonne"
    return True


_CLES_PROPAGATION = {"h_a", "h_s", "o_a", "o_s"}


def forme_propagation(answer, args):
    if not isinstance(answer, dict) or set(answer) != _CLES_PROPAGATION:
        return "attendu : un dict de clés h_a, h_s, o_a, o_s"
    d_h, m = np.shape(args[0])[0], np.shape(args[2])[0]
    for cle, n in (("h_a", d_h), ("h_s", d_h), ("o_a", m), ("o_s", m)):
        if np.shape(answer[cle]) != (n,):
            return f"{cle} a la forme {np.shape(answer[cle])}, attendue ({n},)"
    return vecteur_de_probabilites(answer["o_s"], [answer["o_a"]])


def cles_proches(answer, expected, given):
    """Compare seulement les clés ``given['cles']`` d'un dict avec la référence."""
    if not isinstance(answer, dict):
        return "attendu : un dict de clés h_a, h_s, o_a, o_s"
    for cle in given["cles"]:
        if cle not in answer:
            return f"la clé {cle} manque"
        verdict = close(answer[cle], expected[cle], rtol=1e-5, atol=1e-7)  # calculs float32 admis
        if not verdict.ok:
            return f"{cle} diffère de la référence"
    return True


def forme_gradient(answer, args, given):
    """Forme d'un gradient selon le réseau reçu : given['forme'] parmi m, d_h, m_d_h, n_m, scalaire."""
    m, d_h = np.shape(args[2])
    n = np.shape(args[4])[0]  # le nombre d'exemples quand args[4] est un lot X
    attendue = {"m": (m,), "d_h": (d_h,), "m_d_h": (m, d_h), "scalaire": (), "n_m": (n, m)}[given["forme"]]
    forme = np.shape(answer)
    if forme != attendue:
        return f"forme {forme}, attendue {attendue}"
    if not np.all(np.isfinite(np.asarray(answer, dtype=float))):
        return "la réponse contient NaN ou l'infini"
    return True


def somme_nulle(answer, args):
    """o^s - onehot(y) somme à 0 (les o^s somment à 1) : un fait de l'énoncé, pas une valeur de référence."""
    forme = forme_gradient(answer, args, {"forme": "m"})
    if forme is not True:
        return forme
    return abs(float(np.sum(answer))) < 1e-6 or "les composantes de ∂L/∂o^a devraient sommer à 0"


# ----------------------------------------------------------------------------- Q3


def longueurs_conv(answer, args):
    x, w, mode = args
    n, k = len(x), len(w)
    voulue = {"full": n + k - 1, "valid": n - k + 1, "same": n}[mode]
    forme = np.shape(answer)
    return forme == (voulue,) or (f"{mode} : forme {forme}, une convolution {mode} de longueurs {n} et {k} "
                                  f"a la forme ({voulue},)")


# ----------------------------------------------------------------------------- vérifications publiques de valeurs
# Les vérifications publiques tournent chez les étudiants avec ces fonctions : aucune ne calcule
# une réponse du devoir. Chacune vérifie une propriété que l'énoncé donne (une définition, la
# cohérence d'une dérivée avec des différences finies de la fonction que l'énoncé définit, une
# borne) ou reconnaît une erreur connue pour afficher un indice.

_H = 1e-6


def _valeurs(formule, permis, valeurs):
    from autograder.expressions import evaluate

    return np.asarray(evaluate(parse_expression(formule, allowed=set(permis)), valeurs), dtype=float)


def _sigma_num(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


_FONCTIONS = {"sigma": _sigma_num, "softplus": lambda x: np.logaddexp(0.0, np.asarray(x, dtype=float))}
_POINTS_DERIVEE = np.array([-3.0, -0.8, 0.0, 0.6, 2.5])


def derivee_par_differences_finies(answer, given):
    """Une formule de f'(x) : ses valeurs égalent les différences finies de f (définie par l'énoncé)."""
    forme = _forme_formule(answer, given["permis"])
    if forme is not True:
        return forme
    f, nom = _FONCTIONS[given["fonction"]], given["variable"]
    x = _POINTS_DERIVEE
    obtenu = np.broadcast_to(_valeurs(answer, given["permis"], {nom: x}), x.shape)
    voulu = (f(x + _H) - f(x - _H)) / (2 * _H)
    faux = ~np.isclose(obtenu, voulu, rtol=1e-5, atol=1e-7)
    if faux.any():
        i = int(np.flatnonzero(faux)[0])
        return (f"en {nom} = {x[i]:g}, votre formule vaut {obtenu[i]:.6g}, mais les différences finies de "
                f"{given['fonction']} donnent {voulu[i]:.6g}")
    return True


def utilise_exp(answer):
    return isinstance(answer, str) and "exp" in answer


def jacobienne_sigma_par_differences(answer, args):
    forme = matrice_carree(answer, args)
    if forme is not True:
        return forme
    x = np.asarray(args[0], dtype=float)
    voulu = np.stack([(_sigma_num(x + _H * e) - _sigma_num(x - _H * e)) / (2 * _H) for e in np.eye(x.size)], axis=1)
    return close(np.asarray(answer, dtype=float), voulu, rtol=1e-5, atol=1e-7)


def _softmax_num(x):
    e = np.exp(x - x.max())
    return e / e.sum()


_X_SOFTMAX = np.array([0.5, -1.0, 2.0, 0.0])


def jacobienne_softmax_par_differences(answer):
    """La formule en S, évaluée en S = softmax(x), égale la jacobienne du softmax en x (différences finies)."""
    forme = _forme_formule(answer, {"S", "diag", "outer", "transpose"})
    if forme is not True:
        return forme
    s = _softmax_num(_X_SOFTMAX)
    obtenu = _valeurs(answer, {"S", "diag", "outer", "transpose"}, {"S": s.reshape(-1, 1)})
    n = s.size
    voulu = np.stack([(_softmax_num(_X_SOFTMAX + _H * e) - _softmax_num(_X_SOFTMAX - _H * e)) / (2 * _H)
                      for e in np.eye(n)], axis=1)
    if obtenu.shape != (n, n):
        return f"pour S de taille {n}, votre formule donne la forme {obtenu.shape}, et non une matrice ({n}, {n})"
    return close(obtenu, voulu, rtol=1e-5, atol=1e-7)


def produit_interieur(answer):
    """Sᵀ S (un nombre) écrit là où la jacobienne demande un produit extérieur."""
    return isinstance(answer, str) and re.search(r"(S\.T|transpose\(S\))\s*@\s*S\b", answer.replace(" ", "")) is not None


def _entropie_croisee(logits, c):
    z = logits - logits.max()
    return float(-(c * (z - np.log(np.exp(z).sum()))).sum())


def gradient_ce_par_differences(answer):
    """La formule en x et c égale le gradient de -Σ c log softmax(x) (différences finies), c one-hot."""
    permis = {"x", "c", "softmax", "exp", "log", "sum"}
    forme = _forme_formule(answer, permis)
    if forme is not True:
        return forme
    x = np.array([0.3, -1.2, 2.0, 0.0, 0.7])
    for classe in (0, 3):
        c = np.eye(x.size)[classe]
        obtenu = np.broadcast_to(_valeurs(answer, permis, {"x": x, "c": c}), x.shape)
        voulu = np.array([(_entropie_croisee(x + _H * e, c) - _entropie_croisee(x - _H * e, c)) / (2 * _H)
                          for e in np.eye(x.size)])
        if not np.allclose(obtenu, voulu, rtol=1e-5, atol=1e-7):
            return f"pour c = onehot({classe}), votre gradient ne correspond pas aux différences finies de la perte"
    return True


_PERMIS_PERTE = ["o", "y", "sigma", "sigmoid", "exp", "log", "ln", "softplus"]


def _perte_derivee(answer, o, y):
    perte = lambda v: float(_valeurs(answer["perte"], _PERMIS_PERTE, {"o": v, "y": y}))  # noqa: E731
    return perte, float(_valeurs(answer["derivee"], _PERMIS_PERTE, {"o": o, "y": y}))


def perte_et_derivee_coherentes(answer):
    """La dérivée donnée est celle de la perte donnée (différences finies), et la perte pénalise
    une prédiction confiante et fausse plus qu'une juste."""
    forme = formules_perte_derivee(answer)
    if forme is not True:
        return forme
    for y in (0.0, 1.0):
        for o in (-2.0, -0.5, 0.3, 1.5):
            perte, derivee = _perte_derivee(answer, o, y)
            pente = (perte(o + _H) - perte(o - _H)) / (2 * _H)
            if not np.isclose(derivee, pente, rtol=1e-5, atol=1e-7):
                return (f"en o = {o:g}, y = {y:g}, \"derivee\" vaut {derivee:.6g}, mais les différences finies de "
                        f"votre \"perte\" donnent {pente:.6g}")
        mauvais, bon = (2.0, -2.0) if y == 0 else (-2.0, 2.0)
        perte, _ = _perte_derivee(answer, 0.0, y)
        if not perte(mauvais) > perte(bon) >= 0:
            return (f"avec y = {y:g}, la perte devrait être supérieure ou égale à 0, et plus grande en o = {mauvais:g} (prédiction "
                    f"fausse) qu'en o = {bon:g}")
    return True


def perte_nulle_pour_y_0(answer):
    if not isinstance(answer, dict) or "perte" not in answer:
        return False
    perte, _ = _perte_derivee(answer, 0.0, 0.0)
    return all(abs(perte(o)) < 1e-12 for o in (-2.0, 0.5, 2.0))


def facteur_2_perdu(answer):
    if not isinstance(answer, dict) or set(answer) != {"perte", "derivee"}:
        return False
    for o in (-0.5, 1.5):
        perte, derivee = _perte_derivee(answer, o, 1.0)
        pente = (perte(o + _H) - perte(o - _H)) / (2 * _H)
        if not np.isclose(2 * derivee, pente, rtol=1e-5, atol=1e-7) or abs(pente) < 1e-9:
            return False
    return True


def perte_ce_vecteur(answer):
    """L(o, c) : supérieure à 0, invariante par translation de o, et décroissante quand o_y (la bonne classe) croît."""
    permis = {"o", "c", "exp", "log", "ln", "sum"}
    forme = _forme_formule(answer, permis)
    if forme is not True:
        return forme
    o = np.array([0.3, -1.2, 2.0, 0.0, 0.7])
    for classe in (0, 2):
        c = np.eye(o.size)[classe]
        perte = lambda v: float(_valeurs(answer, permis, {"o": v, "c": c}))  # noqa: E731
        if not perte(o) > 0:
            return f"pour c = onehot({classe}), la perte vaut {perte(o):.6g} : une entropie croisée n'est jamais négative"
        if not np.isclose(perte(o + 3.0), perte(o), rtol=1e-6, atol=1e-9):
            return "la perte devrait rester la même quand on ajoute une constante à tous les o_j (le softmax ne change pas)"
        if not perte(o + 0.5 * c) < perte(o):
            return "la perte devrait diminuer quand le score o_y de la bonne classe augmente"
        # des scores tous égaux donnent la distribution uniforme : -log(1/m) = log m
        if not np.isclose(perte(np.zeros(o.size)), np.log(o.size), rtol=1e-9, atol=1e-12):
            return (f"avec des scores o tous nuls (softmax uniforme sur {o.size} classes), la perte vaut "
                    f"{perte(np.zeros(o.size)):.6g}, et non -log(1/{o.size})")
    return True


def perte_negative(answer):
    try:
        c = np.eye(5)[0]
        return float(_valeurs(answer, {"o", "c", "exp", "log", "ln", "sum"},
                              {"o": np.array([0.3, -1.2, 2.0, 0.0, 0.7]), "c": c})) < 0
    except (ExpressionError, TypeError, ValueError):
        return False


_THETA = np.array([1.0, -2.0, 0.5, 3.0])


def pas_de_descente(answer):
    """θ ← f(θ, g, η) : ne bouge pas si g = 0 et fait décroître ½‖θ‖² (dont le gradient est θ) pour un petit η."""
    permis = {"theta", "g", "eta"}
    forme = _forme_formule(answer, permis)
    if forme is not True:
        return forme
    immobile = _valeurs(answer, permis, {"theta": _THETA, "g": np.zeros(4), "eta": 0.1})
    if not np.allclose(np.broadcast_to(immobile, _THETA.shape), _THETA):
        return "avec un gradient g nul, la mise à jour ne devrait pas changer θ"
    apres = np.broadcast_to(_valeurs(answer, permis, {"theta": _THETA, "g": _THETA, "eta": 0.1}), _THETA.shape)
    return bool((apres ** 2).sum() < (_THETA ** 2).sum()) or \
        "un pas de descente de gradient sur ½‖θ‖² (gradient g = θ) devrait faire décroître ½‖θ‖²"


def _retrait_regularisation(answer):
    permis = {"theta", "g", "eta", "lam"}
    apres = _valeurs(answer, permis, {"theta": _THETA, "g": np.zeros(4), "eta": 0.1, "lam": 0.5})
    return (_THETA - np.broadcast_to(apres, _THETA.shape)) / 0.1


def pas_regularise(answer):
    """Avec g = 0, le pas suit le gradient de λ‖θ‖² seul (différences finies) ; avec λ = 0, g = 0, θ ne bouge pas."""
    permis = {"theta", "g", "eta", "lam"}
    forme = _forme_formule(answer, permis)
    if forme is not True:
        return forme
    immobile = _valeurs(answer, permis, {"theta": _THETA, "g": np.zeros(4), "eta": 0.1, "lam": 0.0})
    if not np.allclose(np.broadcast_to(immobile, _THETA.shape), _THETA):
        return "sans régularisation (λ = 0) et avec un gradient g nul, la mise à jour ne devrait pas changer θ"
    penalite = lambda t: 0.5 * float((t ** 2).sum())  # noqa: E731 - λ‖θ‖² pour λ = 0.5
    voulu = np.array([(penalite(_THETA + _H * e) - penalite(_THETA - _H * e)) / (2 * _H) for e in np.eye(4)])
    return bool(np.allclose(_retrait_regularisation(answer), voulu, rtol=1e-5, atol=1e-7)) or \
        "avec g = 0, (θ - θ') / η devrait être le gradient de λ‖θ‖² (vérifié par différences finies)"


def facteur_2_regularisation(answer):
    try:
        return bool(np.allclose(_retrait_regularisation(answer), 0.5 * _THETA))
    except (ExpressionError, TypeError, ValueError):
        return False


def bornes_n_theta(answer, args):
    """n_θ compte au moins les poids (d·d_h + d_h·m) et au plus les poids et les biais."""
    forme = entier_naturel(answer)
    if forme is not True:
        return forme
    d, d_h, m = args
    poids = d * d_h + d_h * m
    return poids <= answer <= poids + d_h + m or \
        f"{answer:g} : un réseau {d} → {d_h} → {m} a {poids} poids, et au plus {d_h + m} biais"


def dimensions_coherentes(answer, args):
    """Les formes de W1, b1, W2, b2 relient d, d_h et m : W1 a d_h·d coefficients, b1 d_h, W2 m·d_h, b2 m."""
    forme = forme_dimensions(answer)
    if forme is not True:
        return forme
    d, d_h, m = args
    for nom, taille in (("W1", d_h * d), ("b1", d_h), ("W2", m * d_h), ("b2", m)):
        if int(np.prod(_liste_entiers(answer[nom]))) != taille:
            return f"{nom} de dimensions {_liste_entiers(answer[nom])} ne relie pas les couches de tailles d = {d}, d_h = {d_h}, m = {m}"
    return True


def _softplus_num(z):
    return np.logaddexp(0.0, z)


def propagation_coherente(answer, args, given):
    """Chaque couche de la réponse suit sa définition dans l'énoncé, à partir de la couche
    précédente de la réponse elle-même : h^a = W1 x + b1, h^s = softplus(h^a), o^a = W2 h^s + b2, o^s = softmax(o^a)."""
    forme = forme_propagation(answer, args)
    if forme is not True:
        return forme
    W1, b1, W2, b2, x = (np.asarray(a, dtype=float) for a in args[:5])
    r = {k: np.asarray(v, dtype=float) for k, v in answer.items()}
    regles = {"h_a": ("W1 x + b1", W1 @ x + b1), "h_s": ("softplus(h^a)", _softplus_num(r["h_a"])),
              "o_a": ("W2 h^s + b2", W2 @ r["h_s"] + b2), "o_s": ("softmax(o^a)", _softmax_num(r["o_a"]))}
    for cle in given["cles"]:
        regle, voulu = regles[cle]
        if not np.allclose(r[cle], voulu, rtol=1e-5, atol=1e-7):
            return f"{cle} ne vaut pas {regle} (calculé à partir de votre réponse)"
    return True


def _perte_reseau(W1, b1, W2, b2, x, y, *, W2_=None, b2_=None, h_s=None, h_a=None):
    W2 = W2 if W2_ is None else W2_
    b2 = b2 if b2_ is None else b2_
    if h_s is None:
        h_s = _softplus_num(W1 @ x + b1 if h_a is None else h_a)
    return _entropie_croisee(W2 @ h_s + b2, np.eye(W2.shape[0])[int(y)])


def _gradient_numerique(fonction, point):
    point = np.asarray(point, dtype=float)
    grad = np.zeros_like(point)
    for i in np.ndindex(point.shape):
        e = np.zeros_like(point)
        e[i] = _H
        grad[i] = (fonction(point + e) - fonction(point - e)) / (2 * _H)
    return grad


def gradient_reseau_par_differences(answer, args, given):
    """∂L/∂(W2, b2, h^s ou h^a), en entier ou une composante : les différences finies de la perte
    d'entropie croisée du réseau de l'énoncé (softplus, softmax)."""
    W1, b1, W2, b2, x = (np.asarray(a, dtype=float) for a in args[:5])
    y = int(args[5])
    variable = given["variable"]
    h_a = W1 @ x + b1
    point, perte = {
        "W2": (W2, lambda v: _perte_reseau(W1, b1, W2, b2, x, y, W2_=v)),
        "b2": (b2, lambda v: _perte_reseau(W1, b1, W2, b2, x, y, b2_=v)),
        "h_s": (_softplus_num(h_a), lambda v: _perte_reseau(W1, b1, W2, b2, x, y, h_s=v)),
        "h_a": (h_a, lambda v: _perte_reseau(W1, b1, W2, b2, x, y, h_a=v)),
    }[variable]
    voulu = _gradient_numerique(perte, point)
    indices = tuple(int(i) for i in args[6:])
    if indices:
        voulu = voulu[indices]
    if np.shape(answer) != np.shape(voulu):
        return f"forme {np.shape(answer)}, attendue {np.shape(voulu)}"
    verdict = close(np.asarray(answer, dtype=float), voulu, rtol=1e-5, atol=1e-7)
    return True if verdict.ok else "la réponse ne correspond pas aux différences finies de la perte L"


def _gradient_risque_numerique(args):
    W1, b1, W2, b2, X = (np.asarray(a, dtype=float) for a in args[:5])
    Y = np.asarray(args[5]).astype(int)
    X = np.atleast_2d(X)
    O = (X @ W1.T + b1)
    O = _softplus_num(O) @ W2.T + b2
    risque = lambda M: float(np.mean([_entropie_croisee(M[i], np.eye(W2.shape[0])[Y[i]])  # noqa: E731
                                      for i in range(M.shape[0])]))
    return _gradient_numerique(risque, O)


def gradient_risque_par_differences(answer, args):
    """∂R̂/∂o^a de chaque exemple : les différences finies du risque empirique (la moyenne des pertes)."""
    voulu = _gradient_risque_numerique(args)
    if np.shape(answer) != voulu.shape:
        return f"forme {np.shape(answer)}, attendue {voulu.shape}"
    verdict = close(np.asarray(answer, dtype=float), voulu, rtol=1e-5, atol=1e-7)
    return True if verdict.ok else "la réponse ne correspond pas aux différences finies du risque empirique R̂"


def risque_sans_moyenne(answer, args):
    voulu = _gradient_risque_numerique(args)
    n = voulu.shape[0]
    return n > 1 and np.shape(answer) == voulu.shape and bool(np.allclose(np.asarray(answer, dtype=float), n * voulu,
                                                                          rtol=1e-5, atol=1e-7))


def cotes_carres(answer, given):
    """La dimension d'une sortie de c canaux carrés : c fois un carré."""
    forme = entier_naturel(answer)
    if forme is not True:
        return forme
    c = given["canaux"]
    n = int(answer)
    return (n > 0 and n % c == 0 and float(math.isqrt(n // c)) ** 2 == n // c) or \
        f"{answer:g} n'est pas {c} canaux fois une carte carrée (hauteur = largeur)"


def multiple_de(answer, given):
    forme = entier_naturel(answer)
    if forme is not True:
        return forme
    return (int(answer) > 0 and int(answer) % given["facteur"] == 0) or \
        f"{answer:g} n'est pas un multiple de {given['facteur']}"


def _decoupe(complete, n, k, mode):
    if mode == "full":
        return complete
    if mode == "valid":
        return complete[k - 1:n]
    debut = (k - 1) // 2
    return complete[debut:debut + n]


def reponse_impulsionnelle(answer, args):
    """Un noyau qui est une impulsion unité décalée de j décale x de j (définition de la convolution)."""
    x, w, mode = args
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    voulue = {"full": x.size + w.size - 1, "valid": x.size - w.size + 1, "same": x.size}[mode]
    if np.shape(answer) != (voulue,):
        return f"mode `{mode}` : forme {np.shape(answer)}, attendue ({voulue},) pour des longueurs {x.size} et {w.size}"
    j = int(np.flatnonzero(w)[0])
    complete = np.zeros(x.size + w.size - 1)
    complete[j:j + x.size] = x
    return close(np.asarray(answer, dtype=float), _decoupe(complete, x.size, w.size, mode), rtol=1e-9, atol=1e-9)


def noyau_non_retourne(answer, args):
    x, w, mode = args
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if np.allclose(w, w[::-1]):
        return False  # un noyau symétrique : le retourner ne change rien
    voulu = _decoupe(np.correlate(x, w, mode="full"), x.size, w.size, mode)
    return np.shape(answer) == voulu.shape and bool(np.allclose(np.asarray(answer, dtype=float), voulu))


def convolution_complete_enonce(answer):
    """Q3 (c), convolution complète de l'énoncé : n + k - 1 = 10 valeurs, de somme Σx · Σw = 16."""
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return "attendu : une liste de nombres"
    if a.shape != (10,):
        return f"forme {a.shape} : une convolution complète de longueurs 7 et 4 a 10 valeurs"
    return bool(np.isclose(a.sum(), 16.0)) or f"les valeurs somment à {a.sum():g}, et non Σx · Σw = 16 × 1"


def noyau_de_trois(answer):
    return np.ndim(answer) == 1 and len(answer) == 9


def deux_definitions_relu(answer):
    """Chacune des deux définitions vaut g(x) = max{0, x} (la définition de g dans l'énoncé)."""
    for index in (0, 1):
        verdict = _relu(answer, index)
        if verdict is not True and not getattr(verdict, "ok", False):
            message = verdict if isinstance(verdict, str) else render(verdict.message, "fr", hidden=True)
            return f"définition {index + 1} : {message}"
    return True
