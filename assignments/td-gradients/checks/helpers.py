"""Generators and properties of td-gradients' checks. Trusted code: runs in the grader.

Generators take a seeded ``rng`` and a ``count`` and return argument lists of numpy arrays
(fixed YAML cases would reach students as nested lists, so matrices always come from here).
Properties take the student's answer (plain data) and return True, False, a French message
or a Comparison.
"""

from __future__ import annotations

import numpy as np

from autograder.compare import Comparison, close
from autograder.expressions import ExpressionError, evaluate, parse_expression
from autograder.messages import render

# ----------------------------------------------------------------------------- generators


def _two_different_sizes(rng, low: int = 2, high: int = 7) -> tuple[int, int]:
    # different sizes, so that a transposed answer always has the wrong shape
    m, n = (int(v) for v in rng.choice(np.arange(low, high + 1), size=2, replace=False))
    return m, n


def moindres_carres(rng, count):
    """[A (m x n), b (m,), x (n,)] for f1(x) = ½‖Ax - b‖²."""
    out = []
    for _ in range(count):
        m, n = _two_different_sizes(rng)
        out.append([rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=n)])
    return out


def affine(rng, count):
    """[B (p x n), c (p,), x (n,)] for f2(x) = Bx + c."""
    out = []
    for _ in range(count):
        p, n = _two_different_sizes(rng)
        out.append([rng.normal(size=(p, n)), rng.normal(size=p), rng.normal(size=n)])
    return out


def factorisation(rng, count):
    """[M (m x n), P (m x k), Q (k x n)] for f3(P, Q) = ½‖M - PQ‖²_F, with m, n, k all different."""
    out = []
    for _ in range(count):
        m, n, k = (int(v) for v in rng.choice(np.arange(2, 8), size=3, replace=False))
        out.append([rng.normal(size=(m, n)), rng.normal(size=(m, k)), rng.normal(size=(k, n))])
    return out


def _network_sizes(rng) -> tuple[int, int]:
    # N != H, so that swapping the two sizes always shows in the shapes
    return _two_different_sizes(rng, 2, 6)


def reseaux(rng, count):
    """[w (H,), W (H x N), x (N,)] for f(w, x) = tanh(Σ_i w_i tanh(Σ_j w_ij x_j))."""
    out = []
    for _ in range(count):
        N, H = _network_sizes(rng)
        out.append([rng.normal(size=H), rng.normal(size=(H, N)), rng.normal(size=N)])
    return out


def entrees_L(rng, count):
    """[W (H x N), x (N,)]."""
    return [[W, x] for _, W, x in reseaux(rng, count)]


def vecteurs_caches(rng, count):
    """[y (H,)]: pre-activations of the hidden layer, some large enough for tanh to saturate."""
    return [[rng.normal(0, 2, size=int(rng.integers(2, 7)))] for _ in range(count)]


def entrees_M(rng, count):
    """[w (H,), y (H,)]."""
    out = []
    for _ in range(count):
        H = int(rng.integers(2, 7))
        out.append([rng.normal(size=H), rng.normal(size=H)])
    return out


def tailles_reseau(rng, count):
    """[N, H] as plain integers, small and large."""
    return [[int(rng.integers(1, 500)), int(rng.integers(1, 500))] for _ in range(count)]


def chaines(rng, count):
    """[dims]: a chain of 1 to 6 matrices, dims[i-1] x dims[i] each, as a list of integers."""
    return [[[int(d) for d in rng.integers(1, 60, size=int(rng.integers(2, 8)))]] for _ in range(count)]


# ----------------------------------------------------------------------------- properties


def _shape(value) -> tuple[int, ...] | str:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return f"attendu un tableau de nombres, obtenu {type(value).__name__}"
    if not np.all(np.isfinite(a)):
        return "la réponse contient NaN ou l'infini"
    return a.shape


def _has_shape(value, wanted: tuple[int, ...], what: str) -> bool | str:
    got = _shape(value)
    if isinstance(got, str):
        return f"{what} : {got}"
    return got == wanted or f"{what} : forme {got}, attendue {wanted}"


def formule_de_forme(answer, given):
    """The formula reads, uses only the declared variables and gives the stated shape.

    ``given``: {variables: {name: shape}, forme: shape of the result}.
    """
    if not isinstance(answer, str):
        return f"attendu une formule (une chaîne de caractères), obtenu {type(answer).__name__}"
    if not answer.strip():
        return "la formule est vide"
    variables = {name: tuple(shape) for name, shape in given["variables"].items()}
    try:
        expr = parse_expression(answer)
    except ExpressionError as e:
        return f"formule illisible : {render(e.localized, 'fr')}"
    unknown = sorted(expr.variables - set(variables))
    if unknown:
        return f"variable(s) inconnue(s) {', '.join(unknown)} (variables : {', '.join(sorted(variables))})"
    rng = np.random.default_rng(0)
    try:
        value = evaluate(expr, {name: rng.normal(size=shape) for name, shape in variables.items()})
    except ExpressionError as e:
        return f"formule impossible à évaluer : {render(e.localized, 'fr')}"
    wanted = tuple(given["forme"])
    return value.shape == wanted or f"la formule donne la forme {value.shape}, attendue {wanted}"


def gradient_de_forme(answer, args, given):
    """The answer has the shape of argument number ``given['comme']`` (a gradient has the variable's shape)."""
    return _has_shape(answer, np.shape(args[given["comme"]]), "gradient")


def jacobienne_f2_de_forme(answer, args):
    B = args[0]
    return _has_shape(answer, np.shape(B), "jacobienne")


def gradients_f3_de_forme(answer, args):
    _, P, Q = args
    return _dict_of_shapes(answer, {"P": np.shape(P), "Q": np.shape(Q)})


def gradient_f_de_forme(answer, args):
    w, W, _ = args
    return _dict_of_shapes(answer, {"w": np.shape(w), "W": np.shape(W)})


def _dict_of_shapes(answer, shapes: dict[str, tuple[int, ...]]) -> bool | str:
    if not isinstance(answer, dict) or set(answer) != set(shapes):
        return f"attendu un dictionnaire de clés {', '.join(sorted(shapes))}"
    for key, wanted in shapes.items():
        verdict = _has_shape(answer[key], wanted, f"gradient par rapport à {key}")
        if verdict is not True:
            return verdict
    return True


def dimensions_de_forme(answer):
    if not isinstance(answer, dict) or set(answer) != {"L", "V", "M"}:
        return "attendu un dictionnaire de clés L, V, M"
    for key, pair in answer.items():
        if not isinstance(pair, list) or len(pair) != 2 or not all(_whole(v) for v in pair):
            return f"{key} : attendu une liste de deux entiers [nombre de variables, dimension de l'image]"
    return True


def sortie_L_de_forme(answer, args):
    W, _ = args
    return _has_shape(answer, (np.shape(W)[0],), "L(W, x)")


def sortie_V_de_forme(answer, args):
    return _has_shape(answer, np.shape(args[0]), "V(y)")


def scalaire(answer):
    got = _shape(answer)
    if isinstance(got, str):
        return got
    return got == () or f"attendu un nombre, obtenu un tableau de forme {got}"


def jacobienne_L_de_forme(answer, args):
    H, N = np.shape(args[0])
    return _has_shape(answer, (H, H * N + N), "J_L")


def jacobienne_V_de_forme(answer, args):
    H = np.shape(args[0])[0]
    return _has_shape(answer, (H, H), "J_V")


def jacobienne_M_de_forme(answer, args):
    H = np.shape(args[0])[0]
    return _has_shape(answer, (1, 2 * H), "J_M")


def nombre_entier_positif(answer):
    if not _whole(answer):
        return f"attendu un nombre entier, obtenu {answer!r}"
    return answer >= 0 or f"{answer} : un nombre de multiplications est positif ou nul"


def _whole(value) -> bool:
    return (not isinstance(value, bool) and isinstance(value, (int, float))
            and np.isfinite(value) and float(value).is_integer())


def cle_proche(answer, expected, given) -> bool | str | Comparison:
    """One entry (``given['cle']``) of a dict of gradients, against the same entry of the reference."""
    key = given["cle"]
    if not isinstance(answer, dict) or key not in answer:
        return f"attendu un dictionnaire avec la clé {key!r}"
    return close(answer[key], expected[key], rtol=1e-6, atol=1e-9, _path=f"[{key!r}]")


# ----------------------------------------------------------------------------- public value checks (issue 14)
# Public checks run on the students' machines with these helpers: none computes an answer of the
# TD. Each compares the answer with finite differences of a function the handout defines (f1,
# f3, the layers L, V, M and the network f), on fixed or generated inputs, or recognises a known
# mistake to show a hint. Messages are in French, as the rest of this file's.

_H = 1e-6


def _numeric_gradient(function, point: np.ndarray) -> np.ndarray:
    """Central differences of a scalar function, one entry of ``point`` at a time."""
    point = np.asarray(point, dtype=float)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        step = np.zeros_like(point)
        step[index] = _H
        grad[index] = (function(point + step) - function(point - step)) / (2 * _H)
    return grad


def _numeric_jacobian(function, point: np.ndarray) -> np.ndarray:
    """Central differences of a vector function of a vector: rows are outputs, columns inputs."""
    point = np.asarray(point, dtype=float)
    columns = []
    for index in range(point.size):
        step = np.zeros_like(point)
        step[index] = _H
        columns.append((np.atleast_1d(function(point + step)) - np.atleast_1d(function(point - step))) / (2 * _H))
    return np.stack(columns, axis=1)


def _f1(A, b, x):
    r = A @ x - b
    return 0.5 * float((r * r).sum())


def _f3(M, P, Q):
    r = M - P @ Q
    return 0.5 * float((r * r).sum())


# the fixed point where the formulas are evaluated (the shapes of formule_de_forme's checks)
_RNG_FIXE = np.random.default_rng(20240614)
_A, _B_VEC, _X = _RNG_FIXE.normal(size=(5, 3)), _RNG_FIXE.normal(size=(5, 1)), _RNG_FIXE.normal(size=(3, 1))
_M, _P, _Q = _RNG_FIXE.normal(size=(5, 4)), _RNG_FIXE.normal(size=(5, 3)), _RNG_FIXE.normal(size=(3, 4))
_B_MAT, _C, _X2 = _RNG_FIXE.normal(size=(4, 3)), _RNG_FIXE.normal(size=(4, 1)), _RNG_FIXE.normal(size=(3, 1))


def _close_to(answer, wanted, what: str) -> bool | str:
    try:
        value = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return f"{what} : attendu un tableau de nombres"
    if value.shape != wanted.shape:
        return f"{what} : forme {value.shape}, attendue {wanted.shape}"
    verdict = close(value, wanted, rtol=1e-5, atol=1e-7)
    return True if verdict.ok else f"{what} ne correspond pas aux différences finies de la fonction de l'énoncé"


def _formula_value(answer, names: set[str], values: dict[str, np.ndarray]):
    return np.asarray(evaluate(parse_expression(answer, allowed=names), values), dtype=float)


def formule_gradient_f1(answer):
    """∇f1 en (A, b, x) fixés : les différences finies de f1(x) = ½‖Ax − b‖²."""
    forme = formule_de_forme(answer, {"variables": {"A": [5, 3], "b": [5, 1], "x": [3, 1]}, "forme": [3, 1]})
    if forme is not True:
        return forme
    wanted = _numeric_gradient(lambda v: _f1(_A, _B_VEC, v), _X)
    return _close_to(_formula_value(answer, {"A", "b", "x"}, {"A": _A, "b": _B_VEC, "x": _X}), wanted, "∇f1")


def gradient_est_une_ligne(answer):
    try:
        return _formula_value(answer, {"A", "b", "x"}, {"A": _A, "b": _B_VEC, "x": _X}).shape == (1, 3)
    except (ExpressionError, ValueError, TypeError):
        return False


def fonction_gradient_f1(answer, args):
    A, b, x = (np.asarray(v, dtype=float) for v in args)
    return _close_to(answer, _numeric_gradient(lambda v: _f1(A, b, v), x), "gradient_f1")


def formule_jacobienne_f2(answer):
    """J_f2 en (B, c, x) fixés : les différences finies de f2(x) = Bx + c."""
    B, c, x = _B_MAT, _C, _X2
    forme = formule_de_forme(answer, {"variables": {"B": [4, 3], "c": [4, 1], "x": [3, 1]}, "forme": [4, 3]})
    if forme is not True:
        return forme
    wanted = _numeric_jacobian(lambda v: (B @ v.reshape(3, 1) + c).ravel(), x.ravel())
    return _close_to(_formula_value(answer, {"B", "c", "x"}, {"B": B, "c": c, "x": x}), wanted, "J_f2")


def formule_gradient_f3(answer, given):
    """∂f3/∂P ou ∂f3/∂Q en (M, P, Q) fixés : les différences finies de f3 = ½‖M − PQ‖²_F."""
    wrt = given["par_rapport_a"]
    forme = formule_de_forme(answer, {"variables": {"M": [5, 4], "P": [5, 3], "Q": [3, 4]},
                                      "forme": [5, 3] if wrt == "P" else [3, 4]})
    if forme is not True:
        return forme
    if wrt == "P":
        wanted = _numeric_gradient(lambda v: _f3(_M, v, _Q), _P)
    else:
        wanted = _numeric_gradient(lambda v: _f3(_M, _P, v), _Q)
    return _close_to(_formula_value(answer, {"M", "P", "Q"}, {"M": _M, "P": _P, "Q": _Q}), wanted, f"∂f3/∂{wrt}")


def fonction_gradients_f3(answer, args):
    forme = gradients_f3_de_forme(answer, args)
    if forme is not True:
        return forme
    M, P, Q = (np.asarray(v, dtype=float) for v in args)
    for key, wanted in (("P", _numeric_gradient(lambda v: _f3(M, v, Q), P)),
                        ("Q", _numeric_gradient(lambda v: _f3(M, P, v), Q))):
        verdict = _close_to(answer[key], wanted, f"gradient_f3['{key}']")
        if verdict is not True:
            return verdict
    return True


def jacobienne_L_par_differences(answer, args):
    """J_L, variables dans l'ordre (W_{1,:}, ..., W_{H,:}, x) : les différences finies de L(W, x) = Wx."""
    W, x = (np.asarray(v, dtype=float) for v in args)
    H, N = W.shape
    point = np.concatenate([W.ravel(), x])
    wanted = _numeric_jacobian(lambda v: v[:H * N].reshape(H, N) @ v[H * N:], point)
    return _close_to(answer, wanted, "J_L")


def colonnes_de_x_oubliees(answer, args):
    W = np.asarray(args[0])
    return np.shape(answer) == (W.shape[0], W.size)


def jacobienne_V_par_differences(answer, args):
    y = np.asarray(args[0], dtype=float)
    return _close_to(answer, _numeric_jacobian(np.tanh, y), "J_V")


def tanh_oubliee(answer, args):
    y = np.asarray(args[0], dtype=float)
    return np.shape(answer) == (y.size, y.size) and bool(np.allclose(np.asarray(answer, dtype=float),
                                                                     np.diag(1 - y ** 2)))


def jacobienne_M_par_differences(answer, args):
    """J_M, variables dans l'ordre (w, y) : les différences finies de M(w, y) = w·y."""
    w, y = (np.asarray(v, dtype=float) for v in args)
    H = w.size
    wanted = _numeric_jacobian(lambda v: np.array([v[:H] @ v[H:]]), np.concatenate([w, y]))
    return _close_to(answer, wanted, "J_M")


def _f(w, W, x):
    return float(np.tanh(w @ np.tanh(W @ x)))


def gradient_f_par_differences(answer, args):
    """∇_w f et ∇_W f : les différences finies de f(w, W, x) = σ(w · tanh(Wx)), σ = tanh."""
    forme = gradient_f_de_forme(answer, args)
    if forme is not True:
        return forme
    w, W, x = (np.asarray(v, dtype=float) for v in args)
    for key, wanted in (("w", _numeric_gradient(lambda v: _f(v, W, x), w)),
                        ("W", _numeric_gradient(lambda v: _f(w, v, x), W))):
        verdict = _close_to(answer[key], wanted, f"gradient_f['{key}']")
        if verdict is not True:
            return verdict
    return True
