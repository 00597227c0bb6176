"""Everything a student reads, in one catalogue per language.

A comparator or the grader produces a :class:`Message` (a key and its parameters); it is turned
into text only when a report is written, in the assignment's language. Keys ending in
``@hidden`` are the variants used for hidden checks: they never contain ``{expected}``, nor say
which part of the structure differs (a shape, a count, keys: "shape (1,) is not the expected
shape" would tell how many values the reference has), and a
test asserts it.

A parameter may itself be a :class:`Message`: it is rendered in the same language, so a
message can be built from parts (``expr_parse`` wraps the precise reason a formula was refused).

To add a language, add a dict with the same keys; ``tests/test_messages.py`` checks that every
catalogue has every key and the same placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Message:
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def render(message: Message, language: str, *, hidden: bool = False) -> str:
    """Text of ``message`` in ``language``; the hidden variant when the check is hidden.

    >>> render(Message("missing", {"name": "f"}), "en")
    "'f' is not defined in your submission"
    >>> render(Message("expr_parse", {"message": Message("expr_empty")}), "fr")
    'formule illisible : la formule est vide'
    """
    catalogue = CATALOGUES.get(language, CATALOGUES["en"])
    key = message.key
    if hidden and f"{key}@hidden" in catalogue:
        key = f"{key}@hidden"
    template = catalogue.get(key) or CATALOGUES["en"].get(key) or key
    params = {k: render(v, language, hidden=hidden) if isinstance(v, Message) else _short(v)
              for k, v in message.params.items()}
    if hidden:
        params.pop("expected", None)
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = re.sub(r"\s+", " ", text)  # one line, but "[1]: " keeps its space
    return text if len(text) <= limit else text[: limit - 3] + "..."


EN: dict[str, str] = {
    "sub_symlink": "{name}: symbolic links are not accepted",
    "sub_missing": "{name}: no such file",
    "sub_suffix": "{name}: expected a .py, .ipynb or .zip file or a folder",
    "sub_too_large": "{name}: {size} bytes is larger than the {limit} byte limit",
    "sub_unreadable": "{name}: the file cannot be read (permission denied)",
    "sub_bad_zip": "{name}: not a readable zip file ({reason})",
    "sub_zip_entries": "{name}: {count} entries, more than the {limit} allowed",
    "sub_zip_outside": "{name}: entry {entry} would be written outside the submission",
    "sub_zip_link": "{name}: entry {entry} is a symbolic link",
    "sub_zip_bomb": "{name}: unpacks to too much data (zip bomb?)",
    "sub_no_source": "{name}: no .py or .ipynb file in the submission",
    "sub_ambiguous": "{name}: cannot tell which file to grade; name it {starter} (found {found})",
    "sub_not_utf8": "{name}: not UTF-8 text",
    "sub_nb_json": "{name}: not a valid notebook (invalid JSON: {reason})",
    "sub_nb_not_notebook": "{name}: not a Jupyter notebook (no 'cells' or 'nbformat')",
    "sub_nb_version": "{name}: notebook format {version} is not supported (save as version 4)",
    "sub_not_regular": "{name}: not a regular file",
    "sub_os_error": "{name}: the file cannot be read ({reason})",
    "sub_too_many_files": "{name}: more than {limit} files in the folder",
    "sub_zip_entry": "{name}: entry {entry} cannot be read ({reason})",
    "sub_zip_duplicate": "{name}: entry {entry} appears twice in the zip",
    "sub_nul": "{name}: contains NUL bytes, which no Python file can",
    "sub_nb_too_deep": "{name}: not a valid notebook (nested too deeply)",
    "sub_nb_cell": "{name}: cell {cell} is not a notebook cell (found {found})",
    "sub_nb_source": "{name}: the source of cell {cell} is of type {found}, not text",
    "sub_nb_bad_text": "{name}: cell {cell} holds characters no Python file can (a NUL or a lone surrogate)",
    "internal_error": "internal error while grading this submission: {type}: {message}",
    "note_magic": "cell {cell}: '{line}' ignored",
    "note_cell_magic": "cell {cell}: cell magic {magic} skipped",
    "note_check_cell": "cell {cell}: your check() call is not run by the grader",
    # verdicts
    "passed": "passed",
    "failed": "failed",
    "ok": "correct",
    # values
    "missing": "'{name}' is not defined in your submission",
    "not_callable": "'{name}' should be a function, found a {found}",
    "wrong_type": "expected {wanted}, got {found}",
    "wrong_shape": "shape {actual}, expected {expected}",
    "wrong_shape@hidden": "the answer differs from the reference",
    "wrong_length": "{actual} items, expected {expected}",
    "wrong_length@hidden": "the answer differs from the reference",
    "wrong_keys": "keys {actual}, expected {expected}",
    "wrong_keys@hidden": "the answer differs from the reference",
    "not_close": "{where}{actual} is not close to {expected} (|difference| {diff} > {bound})",
    "not_close@hidden": "{where}{actual} differs from the reference",
    "not_integer": "{where}{actual} is not a whole number",
    "not_equal": "{where}{actual}, expected {expected}",
    "not_equal@hidden": "{where}{actual} is not the expected value",
    "nan_mismatch": "{where}NaN or infinity where the answer is a finite number (or the other way round)",
    "not_finite": "{where}the answer contains NaN or infinity",
    "eigen_count": "{actual} eigenvalues, expected {expected}",
    "eigen_count@hidden": "the answer differs from the reference",
    "eigen_mismatch": "eigenvalue {actual} has no match in {expected}",
    "eigen_mismatch@hidden": "eigenvalue {actual} does not match the reference",
    "property_failed": "the answer does not satisfy the required property",
    "property_message": "{text}",
    "unsupported": "the answer is a {found}, which cannot be graded: return numbers, lists or arrays",
    # running the submission
    "error_in_call": "{call} raised {type}: {message}",
    "timeout_in_call": "{call} did not finish within {seconds} s",
    "died_in_call": "the process ended while running {call} ({reason}); the other answers were read in a new process",
    "autograd_forbidden": "{call}: automatic differentiation is not allowed in this question ({message}); derive the gradient by hand",
    "bad_data": "the answer could not be read: {message}",
    "answer_too_large": "{call} returned an answer too large to grade ({size}): return only what the question asks",
    "no_answer": "no answer: the submission stopped before this check ({reason})",
    "case": "on input {args}: ",
    "case@hidden": "on a hidden input: ",
    "exec_error": "your file raised {type} at line {line}: {message}",
    "syntax_error": "your file has a syntax error: {message}",
    "reason_timeout": "time limit reached",
    "reason_died": "the process ended early",
    "reason_result_too_large": "the answers were too large",
    "reason_worker_died": "the sandbox worker was killed",
    # expressions
    "expr_parse": "cannot read the formula: {message}",
    "expr_name": "'{name}' is not allowed here (allowed: {allowed})",
    "expr_not_equivalent": "the formula is not equivalent to the expected one (differs at {point})",
    "expr_not_equivalent@hidden": "the formula is not equivalent to the expected one",
    "expr_timeout": "the formula took too long to evaluate",
    "expr_undefined": "the formula could not be evaluated at any test point",
    "expr_shape": "the formula gives shape {actual}, expected {expected}",
    "expr_shape@hidden": "the formula is not equivalent to the expected one",
    # why a formula cannot be read: the {message} of expr_parse
    "expr_not_text": "a formula must be written as text (a string), not {type}",
    "expr_too_long": "the formula is too long ({length} characters, at most {limit})",
    "expr_too_many_parts": "the formula is too long (more than {limit} parts)",
    "expr_empty": "the formula is empty",
    "expr_unreadable": "the formula cannot be read ({error})",
    "expr_too_deep": "the formula is nested too deeply at column {column}",
    "expr_unexpected_end": "unexpected end of the formula at column {column}",
    "expr_unexpected": "unexpected '{char}' at column {column}",
    "expr_syntax": "invalid syntax at column {column}",
    "expr_invalid_char": "invalid character '{char}' at column {column}",
    "expr_number_then_name": "a number followed by a name (missing '*'?) at column {column}",
    "expr_leading_zero": "a whole number cannot start with 0 at column {column}",
    "expr_bad_number": "invalid number at column {column}",
    "expr_never_closed": "'{char}' was never closed at column {column}",
    "expr_unmatched": "unmatched '{char}' at column {column}",
    "expr_mismatched": "'{char}' does not match '{opening}' at column {column}",
    "expr_construct": "{what} is not allowed at column {column}",
    "expr_not_allowed": "'{name}' is not allowed at column {column}",
    "expr_attribute": "'{name}' is not allowed (only .T is) at column {column}",
    "expr_operator": "the operator '{operator}' is not allowed (use + - * / ** @) at column {column}",
    "expr_is_function": "'{name}' is a function: write {name}(...) at column {column}",
    "expr_not_function": "'{name}' is not a function (missing '*'?) at column {column}",
    "expr_call": "only a named function can be called (missing '*' before '('?) at column {column}",
    "expr_keywords": "{function}(): write arguments without names at column {column}",
    "expr_args_one": "{function}() takes 1 argument, not {count} at column {column}",
    "expr_args": "{function}() takes {low} arguments, not {count} at column {column}",
    "expr_args_range": "{function}() takes {low} or {high} arguments, not {count} at column {column}",
    "expr_no_value": "'{name}' has no value at column {column}",
    "expr_count": "{function}() needs a whole number from 1 to {limit} at column {column}",
    "expr_too_large": "the result would be too large ({shape}) at column {column}",
    "expr_shapes": "the shapes do not fit: {shapes}",
    "expr_square_of": "{function} of {shape}",
    # the {what} of expr_construct
    "expr_what_comparison": "a comparison",
    "expr_what_indexing": "indexing with [...]",
    "expr_what_unpacking": "'*' unpacking",
    "expr_what_comprehension": "a comprehension",
    "expr_what_list": "a list",
    "expr_what_tuple": "a tuple",
    "expr_what_set": "a set",
    "expr_what_dict": "a dict",
    "expr_what_text": "text in quotes",
    # reports
    "report_title": "{title}: public checks",
    "report_summary": "{passed}/{total} public checks passed, {points}/{max_points} points",
    "report_all_passed": "All public checks passed. Hidden checks run after you submit.",
    "report_hand_graded": "Graded by hand (not included here): {parts}",
    "output_header": "Auto-graded: {score}/{max_score}. Graded by hand later: {hand} points ({parts}).",
    "output_isolation": "Sandbox: {mode}.",
    "output_stdout": "Your code printed (first {n} bytes):",
    "output_dropped": "({n} more bytes of output were dropped)",
    "late": "Submitted after the late due date ({late}); graded, and flagged as late.",
}

FR: dict[str, str] = {
    "sub_symlink": "{name} : les liens symboliques ne sont pas acceptés",
    "sub_missing": "{name} : fichier introuvable",
    "sub_suffix": "{name} : attendu un fichier .py, .ipynb ou .zip, ou un dossier",
    "sub_too_large": "{name} : {size} octets, au-delà de la limite de {limit} octets",
    "sub_unreadable": "{name} : le fichier est illisible (permission refusée)",
    "sub_bad_zip": "{name} : fichier zip illisible ({reason})",
    "sub_zip_entries": "{name} : {count} entrées, plus que les {limit} permises",
    "sub_zip_outside": "{name} : l'entrée {entry} serait écrite hors de la remise",
    "sub_zip_link": "{name} : l'entrée {entry} est un lien symbolique",
    "sub_zip_bomb": "{name} : se décompresse en trop de données (bombe zip ?)",
    "sub_no_source": "{name} : aucun fichier .py ou .ipynb dans la remise",
    "sub_ambiguous": "{name} : impossible de savoir quel fichier corriger ; nommez-le {starter} (trouvé : {found})",
    "sub_not_utf8": "{name} : ce n'est pas du texte UTF-8",
    "sub_nb_json": "{name} : notebook invalide (JSON invalide : {reason})",
    "sub_nb_not_notebook": "{name} : ce n'est pas un notebook Jupyter (ni 'cells' ni 'nbformat')",
    "sub_nb_version": "{name} : le format de notebook {version} n'est pas pris en charge (enregistrez en version 4)",
    "sub_not_regular": "{name} : ce n'est pas un fichier ordinaire",
    "sub_os_error": "{name} : le fichier est illisible ({reason})",
    "sub_too_many_files": "{name} : plus de {limit} fichiers dans le dossier",
    "sub_zip_entry": "{name} : l'entrée {entry} est illisible ({reason})",
    "sub_zip_duplicate": "{name} : l'entrée {entry} figure deux fois dans le zip",
    "sub_nul": "{name} : contient des octets NUL, qu'aucun fichier Python ne peut contenir",
    "sub_nb_too_deep": "{name} : notebook invalide (imbrication trop profonde)",
    "sub_nb_cell": "{name} : la cellule {cell} n'est pas une cellule de notebook (trouvé : {found})",
    "sub_nb_source": "{name} : la source de la cellule {cell} est de type {found}, pas du texte",
    "sub_nb_bad_text": "{name} : la cellule {cell} contient des caractères qu'aucun fichier Python ne peut contenir (NUL ou substitut UTF-16 isolé)",
    "internal_error": "erreur interne pendant la correction de cette remise : {type} : {message}",
    "note_magic": "cellule {cell} : '{line}' ignoré",
    "note_cell_magic": "cellule {cell} : magie de cellule {magic} ignorée",
    "note_check_cell": "cellule {cell} : votre appel à check() n'est pas exécuté par le correcteur",
    "passed": "réussi",
    "failed": "échoué",
    "ok": "correct",
    "missing": "'{name}' n'est pas défini dans votre remise",
    "not_callable": "'{name}' devrait être une fonction, trouvé : {found}",
    "wrong_type": "attendu : {wanted}, obtenu : {found}",
    "wrong_shape": "forme {actual}, attendue {expected}",
    "wrong_shape@hidden": "la réponse diffère de la référence",
    "wrong_length": "{actual} éléments, attendu {expected}",
    "wrong_length@hidden": "la réponse diffère de la référence",
    "wrong_keys": "clés {actual}, attendues {expected}",
    "wrong_keys@hidden": "la réponse diffère de la référence",
    "not_close": "{where}{actual} n'est pas proche de {expected} (|écart| {diff} > {bound})",
    "not_close@hidden": "{where}{actual} diffère de la référence",
    "not_integer": "{where}{actual} n'est pas un nombre entier",
    "not_equal": "{where}{actual}, attendu {expected}",
    "not_equal@hidden": "{where}{actual} n'est pas la valeur attendue",
    "nan_mismatch": "{where}NaN ou infini là où la réponse est un nombre fini (ou l'inverse)",
    "not_finite": "{where}la réponse contient NaN ou l'infini",
    "eigen_count": "{actual} valeurs propres, attendu {expected}",
    "eigen_count@hidden": "la réponse diffère de la référence",
    "eigen_mismatch": "la valeur propre {actual} n'a pas de correspondance dans {expected}",
    "eigen_mismatch@hidden": "la valeur propre {actual} ne correspond pas à la référence",
    "property_failed": "la réponse ne satisfait pas la propriété demandée",
    "property_message": "{text}",
    "unsupported": "la réponse est de type {found}, impossible à corriger : renvoyez des nombres, des listes ou des tableaux",
    "error_in_call": "{call} a levé {type} : {message}",
    "timeout_in_call": "{call} ne s'est pas terminé en {seconds} s",
    "died_in_call": "le processus s'est arrêté pendant {call} ({reason}) ; les autres réponses ont été lues dans un nouveau processus",
    "autograd_forbidden": "{call} : la différentiation automatique est interdite dans cette question ({message}) ; dérivez le gradient à la main",
    "bad_data": "la réponse est illisible : {message}",
    "answer_too_large": "{call} a renvoyé une réponse trop grande pour être corrigée ({size}) : ne renvoyez que ce que demande la question",
    "no_answer": "pas de réponse : la remise s'est arrêtée avant cette vérification ({reason})",
    "case": "pour l'entrée {args} : ",
    "case@hidden": "pour une entrée cachée : ",
    "exec_error": "votre fichier a levé {type} à la ligne {line} : {message}",
    "syntax_error": "votre fichier contient une erreur de syntaxe : {message}",
    "reason_timeout": "limite de temps atteinte",
    "reason_died": "le processus s'est arrêté prématurément",
    "reason_result_too_large": "les réponses étaient trop volumineuses",
    "reason_worker_died": "le processus d'isolation a été tué",
    "expr_parse": "formule illisible : {message}",
    "expr_name": "'{name}' n'est pas permis ici (permis : {allowed})",
    "expr_not_equivalent": "la formule n'est pas équivalente à celle attendue (diffère en {point})",
    "expr_not_equivalent@hidden": "la formule n'est pas équivalente à celle attendue",
    "expr_timeout": "l'évaluation de la formule a pris trop de temps",
    "expr_undefined": "la formule n'a pu être évaluée en aucun point de test",
    "expr_shape": "la formule donne la forme {actual}, attendue {expected}",
    "expr_shape@hidden": "la formule n'est pas équivalente à celle attendue",
    "expr_not_text": "une formule doit être écrite sous forme de texte (une chaîne), pas {type}",
    "expr_too_long": "la formule est trop longue ({length} caractères, au plus {limit})",
    "expr_too_many_parts": "la formule est trop longue (plus de {limit} éléments)",
    "expr_empty": "la formule est vide",
    "expr_unreadable": "la formule ne peut pas être lue ({error})",
    "expr_too_deep": "la formule a trop de niveaux d'imbrication à la colonne {column}",
    "expr_unexpected_end": "fin inattendue de la formule à la colonne {column}",
    "expr_unexpected": "'{char}' inattendu à la colonne {column}",
    "expr_syntax": "syntaxe invalide à la colonne {column}",
    "expr_invalid_char": "caractère '{char}' invalide à la colonne {column}",
    "expr_number_then_name": "un nombre suivi d'un nom (il manque un '*' ?) à la colonne {column}",
    "expr_leading_zero": "un nombre entier ne peut pas commencer par 0, à la colonne {column}",
    "expr_bad_number": "nombre invalide à la colonne {column}",
    "expr_never_closed": "le symbole '{char}' de la colonne {column} n'est jamais refermé",
    "expr_unmatched": "'{char}' en trop à la colonne {column}",
    "expr_mismatched": "'{char}' ne correspond pas à '{opening}' à la colonne {column}",
    "expr_construct": "impossible d'utiliser {what} à la colonne {column}",
    "expr_not_allowed": "'{name}' n'est pas permis à la colonne {column}",
    "expr_attribute": "'{name}' n'est pas permis (seul .T l'est) à la colonne {column}",
    "expr_operator": "l'opérateur '{operator}' n'est pas permis (utilisez + - * / ** @) à la colonne {column}",
    "expr_is_function": "à la colonne {column}, '{name}' est une fonction : écrivez {name}(...)",
    "expr_not_function": "'{name}' n'est pas une fonction (il manque un '*' ?) à la colonne {column}",
    "expr_call": "seule une fonction nommée peut être appelée (il manque un '*' avant '(' ?) à la colonne {column}",
    "expr_keywords": "à la colonne {column}, {function}() : écrivez les arguments sans les nommer",
    "expr_args_one": "{function}() prend 1 argument, pas {count}, à la colonne {column}",
    "expr_args": "{function}() prend {low} arguments, pas {count}, à la colonne {column}",
    "expr_args_range": "{function}() prend {low} ou {high} arguments, pas {count}, à la colonne {column}",
    "expr_no_value": "'{name}' n'a pas de valeur à la colonne {column}",
    "expr_count": "{function}() demande un nombre entier de 1 à {limit}, à la colonne {column}",
    "expr_too_large": "le résultat serait trop grand ({shape}) à la colonne {column}",
    "expr_shapes": "les formes sont incompatibles : {shapes}",
    "expr_square_of": "{function} de {shape}",
    "expr_what_comparison": "une comparaison",
    "expr_what_indexing": "l'indexation avec [...]",
    "expr_what_unpacking": "le dépaquetage avec '*'",
    "expr_what_comprehension": "une compréhension",
    "expr_what_list": "une liste",
    "expr_what_tuple": "un tuple",
    "expr_what_set": "un ensemble",
    "expr_what_dict": "un dictionnaire",
    "expr_what_text": "du texte entre guillemets",
    "report_title": "{title} : vérifications publiques",
    "report_summary": "{passed}/{total} vérifications publiques réussies, {points}/{max_points} points",
    "report_all_passed": "Toutes les vérifications publiques sont réussies. Les vérifications cachées s'exécutent après la remise.",
    "report_hand_graded": "Corrigé à la main (non inclus ici) : {parts}",
    "output_header": "Correction automatique : {score}/{max_score}. Corrigé à la main plus tard : {hand} points ({parts}).",
    "output_isolation": "Isolation : {mode}.",
    "output_stdout": "Votre code a affiché (premiers {n} octets) :",
    "output_dropped": "({n} octets de sortie supplémentaires ont été ignorés)",
    "late": "Remis après la date limite de retard ({late}) : corrigé, et signalé en retard.",
}

CATALOGUES: dict[str, dict[str, str]] = {"en": EN, "fr": FR}
