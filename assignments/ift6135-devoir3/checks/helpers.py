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
            return f"{cle} : {forme}"
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
        return "perte : ce n'est pas l'erreur quadratique entre σ(o^a) et y (ni sa moitié)"
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
        return "derivee : ce n'est pas la dérivée de votre perte par rapport à o^a"
    return "derivee : ce n'est pas la dérivée de l'erreur quadratique par rapport à o^a"


def _cle_formule(answer, expected, cle, rng):
    forme = formules_perte_derivee(answer)
    if forme is not True:
        return forme
    verdict = _equivalente(answer[cle], expected[cle], _VARIABLES_BINAIRES, _PERMIS_BINAIRES, rng)
    return True if verdict is True else f"{cle} : {verdict}"


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
