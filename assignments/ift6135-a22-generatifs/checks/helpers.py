"""Générateurs et propriétés des vérifications de ift6135-a22-generatifs. Code de confiance :
s'exécute dans le correcteur, jamais dans le processus de l'étudiant.

Les générateurs reçoivent un ``rng`` initialisé et un ``count`` et renvoient des listes
d'arguments. Les propriétés reçoivent la réponse (données simples) et renvoient True, False,
un message en français ou une Comparison.
"""

from __future__ import annotations

import numpy as np

from autograder.expressions import ExpressionError, parse_expression

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
        return f"formule illisible ({answer!r}) : {err}"  # the parser's own message is in English
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
