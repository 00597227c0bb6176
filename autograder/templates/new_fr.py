# %% [markdown]
# Source du devoir {id} : `autograder assign assignments/{id}/source.py` écrit à partir de ce
# fichier le dossier du devoir, les fichiers de départ (.py et .ipynb) et la solution de
# référence. Ne modifiez que ce fichier ; docs/authoring.md explique chaque sorte de cellule.

# %% [raw]
# ASSIGNMENT
# id: {id}
# title: "{title}"
# language: fr
# starter: {stem}.py
# hidden_visibility: after_due_date
# preload: [numpy]
# limits: {{wall: 30, call: 2, exec: 10, memory_mb: 512}}

# %%
"""{title}.

Complétez chaque valeur et chaque fonction ci-dessous en gardant leur nom, puis lancez les
vérifications publiques : `from autograder import check; check()` dans le notebook.
"""

# %%
import numpy as np

# %% [markdown]
# ## Question 1
# Une couche linéaire envoie 3 entrées sur 2 sorties, avec un biais.

# %% [raw]
# QUESTION
# {{id: q1, points: 1, title: Paramètres d'une couche linéaire}}

# %%
N_PARAMS = 3 * 2 + 2  # SOLUTION
"""Q1. Combien de paramètres (poids et biais) la couche a-t-elle ? Un entier."""

# %% [raw]
# CHECKS public
# - id: q1-forme
#   question: q1
#   points: 0
#   name: N_PARAMS est un nombre entier entre 1 et 100
#   read: N_PARAMS
#   compare: {{kind: property, using: entier_au_plus, given: {{max: 100}}}}

# %% [raw]
# CHECKS hidden
# - id: q1
#   question: q1
#   points: 1
#   name: nombre de paramètres d'une couche linéaire 3 -> 2 avec biais
#   read: N_PARAMS
#   compare: integer

# %% [markdown]
# ## Question 2
# L'unité linéaire rectifiée : relu(x) = max(0, x), élément par élément.

# %% [raw]
# QUESTION
# {{id: q2, points: 2, title: ReLU}}

# %%
def relu(x: np.ndarray) -> np.ndarray:
    """Q2. Renvoyez relu(x) pour un tableau x de forme quelconque."""
    # BEGIN SOLUTION
    return np.maximum(np.asarray(x, dtype=float), 0.0)
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q2-exemple
#   question: q2
#   points: 0
#   name: relu sur l'exemple de l'énoncé
#   call: relu
#   cases: [[[-1.0, 0.0, 2.5]]]
#   expect: {{value: [0.0, 0.0, 2.5]}}
#   compare: close

# %% [raw]
# CHECKS hidden
# - id: q2
#   question: q2
#   points: 2
#   name: relu sur des tableaux aléatoires
#   call: relu
#   generate: {{using: tableaux_aleatoires, count: 5}}
#   compare: {{kind: close, rtol: 1.0e-12, atol: 0}}

# %% [raw]
# EQUIVALENT
# - {{question: q2, variant: "relu: np.maximum(np.asarray(x, dtype=float)...: arguments swapped in `return np.maximum(np.asarray(x, dtype=float), 0.0)`", reason: "maximum est symétrique : maximum(0, x) est maximum(x, 0)"}}

# %% [markdown]
# ## Question 3
# σ(x) = 1 / (1 + exp(-x)) est la fonction logistique.

# %% [raw]
# QUESTION
# {{id: q3, points: 2, title: Dérivée de la fonction logistique}}

# %%
SIGMA_PRIME = "sigma(x)*(1 - sigma(x))"  # SOLUTION
"""Q3. La dérivée de σ, en formule de x et de sigma, par exemple "x*sigma(x)" (pas la réponse)."""

# %% [raw]
# CHECKS hidden
# - id: q3
#   question: q3
#   points: 2
#   name: σ' écrite avec σ, équivalente à la référence
#   read: SIGMA_PRIME
#   compare: {{kind: formula, variables: {{x: scalar}}, allowed: [x, sigma]}}

# %%
# HELPERS
"""Générateurs et propriétés des vérifications (code de confiance, exécuté par le correcteur)."""

import numpy as np


def tableaux_aleatoires(rng, count):
    """``count`` listes d'arguments : un tableau chacune, de forme aléatoire, des deux signes."""
    return [(rng.normal(size=tuple(rng.integers(1, 5, size=rng.integers(1, 3)))),) for _ in range(count)]


def entier_au_plus(answer, given):
    if isinstance(answer, bool) or not isinstance(answer, int):
        return f"un nombre entier est attendu, pas un objet de type {{type(answer).__name__}}"
    return 1 <= answer <= given["max"] or f"{{answer}} n'est pas entre 1 et {{given['max']}}"
