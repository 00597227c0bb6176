# %% [markdown]
# Source of the assignment {id}: `autograder assign assignments/{id}/source.py` writes the
# assignment folder, the starters (.py and .ipynb) and the reference solution from this file.
# Edit this file only; docs/authoring.md explains each kind of cell.

# %% [raw]
# ASSIGNMENT
# id: {id}
# title: "{title}"
# language: en
# starter: {stem}.py
# hidden_visibility: after_due_date
# preload: [numpy]
# limits: {{wall: 30, call: 2, exec: 10, memory_mb: 512}}

# %%
"""{title}.

Fill in every value and function below, keeping their names, then run the public checks:
`from autograder import check; check()` in the notebook.
"""

# %%
import numpy as np

# %% [markdown]
# ## Question 1
# A linear layer maps 3 inputs to 2 outputs, with a bias.

# %% [raw]
# QUESTION
# {{id: q1, points: 1, title: Parameters of a linear layer}}

# %%
N_PARAMS = 3 * 2 + 2  # SOLUTION
"""Q1. How many parameters (weights and biases) does the layer have? An integer."""

# %% [raw]
# CHECKS public
# - id: q1-form
#   question: q1
#   points: 0
#   name: N_PARAMS is a whole number between 1 and 100
#   read: N_PARAMS
#   compare: {{kind: property, using: whole_number_up_to, given: {{most: 100}}}}

# %% [raw]
# CHECKS hidden
# - id: q1
#   question: q1
#   points: 1
#   name: number of parameters of a 3 -> 2 linear layer with a bias
#   read: N_PARAMS
#   compare: integer

# %% [markdown]
# ## Question 2
# The rectified linear unit: relu(x) = max(0, x), element-wise.

# %% [raw]
# QUESTION
# {{id: q2, points: 2, title: ReLU}}

# %%
def relu(x: np.ndarray) -> np.ndarray:
    """Q2. Return relu(x) for an array x of any shape."""
    # BEGIN SOLUTION
    return np.maximum(np.asarray(x, dtype=float), 0.0)
    # END SOLUTION

# %% [raw]
# CHECKS public
# - id: q2-example
#   question: q2
#   points: 0
#   name: relu on the handout's example
#   call: relu
#   cases: [[[-1.0, 0.0, 2.5]]]
#   expect: {{value: [0.0, 0.0, 2.5]}}
#   compare: close

# %% [raw]
# CHECKS hidden
# - id: q2
#   question: q2
#   points: 2
#   name: relu on random arrays
#   call: relu
#   generate: {{using: random_arrays, count: 5}}
#   compare: {{kind: close, rtol: 1.0e-12, atol: 0}}

# %% [raw]
# EQUIVALENT
# - {{question: q2, variant: "relu: np.maximum(np.asarray(x, dtype=float)...: arguments swapped in `return np.maximum(np.asarray(x, dtype=float), 0.0)`", reason: "maximum is symmetric: maximum(0, x) is maximum(x, 0)"}}

# %% [markdown]
# ## Question 3
# sigma(x) = 1 / (1 + exp(-x)) is the logistic function.

# %% [raw]
# QUESTION
# {{id: q3, points: 2, title: Derivative of the logistic function}}

# %%
SIGMA_PRIME = "sigma(x)*(1 - sigma(x))"  # SOLUTION
"""Q3. The derivative of sigma, as a formula in x and sigma, e.g. "x*sigma(x)" (not the answer)."""

# %% [raw]
# CHECKS hidden
# - id: q3
#   question: q3
#   points: 2
#   name: sigma' written with sigma, equivalent to the reference
#   read: SIGMA_PRIME
#   compare: {{kind: formula, variables: {{x: scalar}}, allowed: [x, sigma]}}

# %%
# HELPERS
"""Generators and properties of the checks (trusted code, run by the grader)."""

import numpy as np


def random_arrays(rng, count):
    """``count`` argument lists: one array each, of a random shape, with both signs."""
    return [(rng.normal(size=tuple(rng.integers(1, 5, size=rng.integers(1, 3)))),) for _ in range(count)]


def whole_number_up_to(answer, given):
    if isinstance(answer, bool) or not isinstance(answer, int):
        return f"expected a whole number, got {{type(answer).__name__}}"
    return 1 <= answer <= given["most"] or f"{{answer}} is not between 1 and {{given['most']}}"
