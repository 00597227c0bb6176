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


#: Python's SyntaxError messages (English, worded a little differently across versions), as a
#: key of the catalogues and the groups of the match as its parameters; first match wins
_PYTHON_SYNTAX: tuple[tuple[re.Pattern, str, tuple[str, ...]], ...] = tuple(
    (re.compile(pattern), key, names) for pattern, key, names in (
        (r"^invalid syntax\. Perhaps you forgot a comma\?$", "py_syntax_comma", ()),
        (r"^invalid syntax\. Maybe you meant '==' or ':=' instead of '='\?$", "py_syntax_equals", ()),
        (r"^invalid syntax", "py_syntax_invalid", ()),
        (r"^expected an indented block after .* on line (\d+)$", "py_syntax_indent_after", ("line",)),
        (r"^expected an indented block", "py_syntax_indent", ()),
        (r"^expected '(.+)'$", "py_syntax_expected", ("char",)),
        (r"^'(.)' was never closed$", "py_syntax_never_closed", ("char",)),
        (r"^unmatched '(.)'$", "py_syntax_unmatched", ("char",)),
        (r"^closing parenthesis '(.)' does not match opening parenthesis '(.)'", "py_syntax_mismatched",
         ("char", "opening")),
        (r"^unexpected indent$", "py_syntax_unexpected_indent", ()),
        (r"^unindent does not match any outer indentation level$", "py_syntax_unindent", ()),
        (r"^inconsistent use of tabs and spaces", "py_syntax_tabs", ()),
        (r"^unterminated (?:triple-quoted )?string literal", "py_syntax_string", ()),
        (r"^(?:EOL while scanning string literal|EOF while scanning triple-quoted)", "py_syntax_string", ()),
        (r"^unexpected EOF while parsing$", "py_syntax_eof", ()),
        (r"^invalid character '(.)' \((U\+[0-9A-F]+)\)$", "py_syntax_character", ("char", "code")),
        (r"^invalid non-printable character (U\+[0-9A-F]+)$", "py_syntax_invisible", ("code",)),
        (r"^invalid (?:decimal|hexadecimal|octal|binary|digit .* in) .*literal$", "py_syntax_number", ()),
        (r"^leading zeros in decimal integer literals", "py_syntax_leading_zero", ()),
        (r"^Missing parentheses in call to '(\w+)'", "py_syntax_print", ("name",)),
        (r"^cannot assign to ", "py_syntax_assign", ()),
        (r"^'(\w+)' outside (?:async )?(?:function|loop)$", "py_syntax_outside", ("name",)),
        (r"^positional argument follows keyword argument", "py_syntax_positional", ()),
    ))


def python_syntax(message: str) -> Message:
    """Python's SyntaxError ``message`` as a message of the catalogue, so that a French student
    reads it in French; one not known here is kept as Python's own text, said to be so.

    >>> render(python_syntax("expected ':'"), "fr")
    "il manque ':'"
    """
    for pattern, key, names in _PYTHON_SYNTAX:
        match = pattern.search(message)
        if match:
            return Message(key, dict(zip(names, match.groups())))
    return Message("py_syntax_other", {"message": message})


#: what autograder._autograd_ban says it refused (English, made by our code in the student's
#: process: the worker sends text), as keys of the catalogues; anything else is code ("import
#: jax", ".backward", "torch.func (grad)") and is shown as it is
_AUTOGRAD_REFUSALS: tuple[tuple[re.Pattern, str, tuple[str, ...]], ...] = tuple(
    (re.compile(pattern), key, names) for pattern, key, names in (
        (r"^(.*), at import \(line (\d+)\)$", "ban_at_import_line", ("detail", "line")),
        (r"^(.*), at import \(chunk (\d+), line (\d+)\)$", "ban_at_import_cell", ("detail", "cell", "line")),
        (r"^(.*), at import$", "ban_at_import", ("detail",)),
        (r"^automatic differentiation \((.+)\)$", "ban_engine", ("what",)),
        (r"^forward-mode automatic differentiation \(dual numbers\)$", "ban_dual", ()),
        (r"^forward-mode gradients$", "ban_forward", ()),
        (r"^gradient recording was switched back on$", "ban_switched_on", ()),
        (r"^gradient recording \((.+)\)$", "ban_recording", ("what",)),
        (r"^a new autograd engine$", "ban_new_engine", ()),
        (r"^an autograd graph was recorded$", "ban_graph", ()),
        (r"^(.+) \(not available where a function is derived by hand\)$", "ban_event", ("what",)),
    ))


def autograd_refusal(text: str, *, cells: tuple[int, ...] = ()) -> Message | str:
    """What the autograd ban refused (``text``, as the student's process reports it), in the
    catalogues' words: a French student reads it in French. In a notebook the process names a
    chunk; ``cells`` (``Submission.cells``) gives the cell the student sees.

    >>> render(autograd_refusal("gradient recording (torch.enable_grad), at import (line 3)"), "fr")
    'enregistrement des gradients (torch.enable_grad), au chargement du fichier (ligne 3)'
    """
    for pattern, key, names in _AUTOGRAD_REFUSALS:
        match = pattern.search(text)
        if match:
            params: dict[str, Any] = dict(zip(names, match.groups()))
            if "detail" in params:
                params["detail"] = autograd_refusal(params["detail"])
            if "cell" in params:  # a chunk's index: its cell, or its place in a kernel's history
                chunk = int(params["cell"])
                params["cell"] = cells[chunk] if chunk < len(cells) else chunk + 1
            return Message(key, params)
    return text


def process_death(text: str) -> Message | str:
    """Why the student's process ended, as the sandbox reports it ("killed by signal 9", "exit
    code 3"), in the catalogues' words.

    >>> render(process_death("killed by signal 9"), "fr")
    'tué par le signal 9'
    """
    match = re.fullmatch(r"killed by signal (-?\d+)|exit code (.+)", text)
    if match is None:
        return text
    if match.group(1) is not None:
        return Message("death_signal", {"signal": match.group(1)})
    return Message("death_exit", {"code": match.group(2)})


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
    # verdicts
    "passed": "passed",
    "failed": "failed",
    "ok": "correct",
    # values
    "missing": "'{name}' is not defined in your submission",
    "not_callable": "'{name}' should be a function, found a {found}",
    "wrong_type": "expected {wanted}, got {found}",
    # the {wanted} and {found} of wrong_type, when they are words
    "kind_number": "a number",
    "kind_whole_number": "a whole number",
    "kind_number_or_array": "a number or an array",
    "kind_numbers": "numbers",
    "kind_mixed_list": "a list mixing bools and numbers",
    "kind_ragged_list": "a ragged list",
    "kind_array": "array of shape {shape}",
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
    "case_message": "{case}{text}",
    "property_error": "the answer does not have the expected form ({type}: {message})",
    # Python's message may quote the reference's sizes ("shapes (3,) (4,)")
    "property_error@hidden": "the answer does not have the expected form ({type})",
    "unsupported": "the answer is a {found}, which cannot be graded: return numbers, lists or arrays",
    "not_plain_keys": "{call}: a dict with {type} keys cannot be graded: use strings as keys",
    "not_plain_deep": "{call}: the answer is nested too deeply to be graded",
    # running the submission
    "error_in_call": "{call} raised {type}: {message}{where}",
    "error_in_call_bare": "{call} raised {type}{where}",
    "at_line": " (line {line})",
    "at_cell_line": " (cell {cell}, line {line})",
    "returned_none": "{call} returned None: return the answer (is a 'return' missing?)",
    "value_none": "{name} is None: give it the answer",
    "timeout_in_call": "{call} did not finish within {seconds} s",
    "death_signal": "killed by signal {signal}",
    "death_exit": "exit code {code}",
    "died_in_call": "the process ended while running {call} ({reason}); the other answers were read in a new process",
    "autograd_forbidden": "{call}: automatic differentiation is not allowed in this question ({message}); derive the gradient by hand",
    # what the ban refused: the {message} of autograd_forbidden (see autograd_refusal)
    "ban_at_import_line": "{detail}, at import (line {line})",
    "ban_at_import": "{detail}, at import",
    "ban_at_import_cell": "{detail}, when cell {cell} ran (line {line})",
    "ban_engine": "automatic differentiation ({what})",
    "ban_dual": "forward-mode automatic differentiation (dual numbers)",
    "ban_forward": "forward-mode gradients",
    "ban_switched_on": "gradient recording was switched back on",
    "ban_recording": "gradient recording ({what})",
    "ban_new_engine": "a new autograd engine",
    "ban_graph": "an autograd graph was recorded",
    "ban_event": "{what} (not available where a function is derived by hand)",
    "bad_data": "the answer could not be read: {message}",
    "answer_too_large": "{call} returned an answer too large to grade ({size}): return only what the question asks",
    "no_answer": "no answer: the submission stopped before this check ({reason})",
    "case": "on input {args}: ",
    "hint": "Hint: {text}",
    "case@hidden": "on a hidden input: ",
    # Python's SyntaxError messages (see python_syntax)
    "py_syntax_comma": "invalid syntax; perhaps a comma is missing?",
    "py_syntax_equals": "invalid syntax; maybe '==' or ':=' instead of '='?",
    "py_syntax_invalid": "invalid syntax",
    "py_syntax_indent_after": "expected an indented block after line {line}",
    "py_syntax_indent": "expected an indented block",
    "py_syntax_expected": "expected '{char}'",
    "py_syntax_never_closed": "'{char}' was never closed",
    "py_syntax_unmatched": "unmatched '{char}'",
    "py_syntax_mismatched": "'{char}' does not match '{opening}'",
    "py_syntax_unexpected_indent": "unexpected indent",
    "py_syntax_unindent": "the indentation does not match any outer level",
    "py_syntax_tabs": "tabs and spaces mixed in the indentation",
    "py_syntax_string": "a string is never closed (a quote is missing)",
    "py_syntax_eof": "unexpected end of file",
    "py_syntax_character": "invalid character '{char}' ({code})",
    "py_syntax_invisible": "invalid invisible character {code}",
    "py_syntax_number": "invalid number",
    "py_syntax_leading_zero": "a whole number cannot start with 0",
    "py_syntax_print": "missing parentheses in the call to '{name}'",
    "py_syntax_assign": "cannot assign a value to this",
    "py_syntax_outside": "'{name}' outside of a function or loop",
    "py_syntax_positional": "a positional argument after a keyword argument",
    "py_syntax_other": "{message}",
    # what kept the submission from loading (the first lines of a report), and the checks it kept from running
    "where_line": "line {line}",
    "where_cell": "cell {cell}",
    "where_cell_line": "cell {cell}, line {line}",
    "cause_invalid": "Your submission could not be read: {reason}",
    "cause_syntax": "Your file did not load: syntax error at {where}: {message}",
    "cause_syntax_cell": "Syntax error at {where}: {message}; nothing in that cell ran",
    "cause_raised": "Your file stopped loading at {where}: it raised {type}: {message}",
    "cause_raised_bare": "Your file stopped loading at {where}: it raised {type}",
    "cause_raised_cell": "The code at {where} raised {type}: {message}; the rest of that cell did not run",
    "cause_raised_cell_bare": "The code at {where} raised {type}; the rest of that cell did not run",
    "cause_slow": "Your code at {where} did not finish within {seconds} s; the rest of it did not run",
    "not_run": "not run: {reason}",
    "not_run_group": "{n} checks not run: {reason}",
    "not_run_group_one": "1 check not run: {reason}",
    "not_run_did_not_load": "the submission did not load",
    "not_run_stopped": "your file stopped loading at line {line}",
    "not_run_cell": "cell {cell} did not run to the end",
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
    "report_summary_checks": "{passed}/{total} public checks passed",
    "report_all_passed": "All public checks passed. Hidden checks are graded after you submit.",
    "report_hidden_later": "Hidden checks are graded after you submit.",
    "report_hand_graded": "Graded by hand (not included here): {parts}",
    "check_unknown_question": "check({question}): no public check for this question; questions with public checks: {known}",
    "output_header": "Auto-graded: {score}/{max_score}. Graded by hand later: {hand} points ({parts}).",
    "output_isolation": "Sandbox: {mode}.",
    "isolation_bwrap": "bubblewrap namespaces (no network, private filesystem) + rlimits",
    "isolation_user": "separate user {user} + rlimits, no privileges",
    "isolation_rlimits": "resource limits only (no separate user, no namespaces)",
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
    "passed": "réussi",
    "failed": "échoué",
    "ok": "correct",
    "missing": "'{name}' n'est pas défini dans votre remise",
    "not_callable": "'{name}' devrait être une fonction, trouvé : {found}",
    "wrong_type": "attendu : {wanted}, obtenu : {found}",
    "kind_number": "un nombre",
    "kind_whole_number": "un nombre entier",
    "kind_number_or_array": "un nombre ou un tableau",
    "kind_numbers": "des nombres",
    "kind_mixed_list": "une liste qui mélange booléens et nombres",
    "kind_ragged_list": "une liste irrégulière (des lignes de longueurs différentes)",
    "kind_array": "tableau de forme {shape}",
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
    "case_message": "{case}{text}",
    "property_error": "la réponse n'a pas la forme attendue ({type} : {message})",
    "property_error@hidden": "la réponse n'a pas la forme attendue ({type})",
    "unsupported": "la réponse est de type {found}, impossible à corriger : renvoyez des nombres, des listes ou des tableaux",
    "not_plain_keys": "{call} : un dict dont les clés sont de type {type} ne peut pas être corrigé : utilisez des chaînes comme clés",
    "not_plain_deep": "{call} : la réponse est trop imbriquée pour être corrigée",
    "error_in_call": "{call} a levé {type} : {message}{where}",
    "error_in_call_bare": "{call} a levé {type}{where}",
    "at_line": " (ligne {line})",
    "at_cell_line": " (cellule {cell}, ligne {line})",
    "returned_none": "{call} a renvoyé None : renvoyez la réponse (manque-t-il un « return » ?)",
    "value_none": "{name} vaut None : donnez-lui la réponse",
    "timeout_in_call": "{call} ne s'est pas terminé en {seconds} s",
    "death_signal": "tué par le signal {signal}",
    "death_exit": "code de sortie {code}",
    "died_in_call": "le processus s'est arrêté pendant {call} ({reason}) ; les autres réponses ont été lues dans un nouveau processus",
    "autograd_forbidden": "{call} : la différentiation automatique est interdite dans cette question ({message}) ; dérivez le gradient à la main",
    "ban_at_import_line": "{detail}, au chargement du fichier (ligne {line})",
    "ban_at_import": "{detail}, au chargement du fichier",
    "ban_at_import_cell": "{detail}, à l'exécution de la cellule {cell} (ligne {line})",
    "ban_engine": "différentiation automatique ({what})",
    "ban_dual": "différentiation automatique en mode direct (nombres duaux)",
    "ban_forward": "gradients en mode direct",
    "ban_switched_on": "l'enregistrement des gradients a été réactivé",
    "ban_recording": "enregistrement des gradients ({what})",
    "ban_new_engine": "un nouveau moteur de différentiation automatique",
    "ban_graph": "un graphe de différentiation automatique a été enregistré",
    "ban_event": "{what} (indisponible là où une fonction est dérivée à la main)",
    "bad_data": "la réponse est illisible : {message}",
    "answer_too_large": "{call} a renvoyé une réponse trop grande pour être corrigée ({size}) : ne renvoyez que ce que demande la question",
    "no_answer": "pas de réponse : la remise s'est arrêtée avant cette vérification ({reason})",
    "case": "pour l'entrée {args} : ",
    "hint": "Indice : {text}",
    "case@hidden": "pour une entrée cachée : ",
    "py_syntax_comma": "syntaxe invalide ; manque-t-il une virgule ?",
    "py_syntax_equals": "syntaxe invalide ; vouliez-vous écrire '==' ou ':=' au lieu de '=' ?",
    "py_syntax_invalid": "syntaxe invalide",
    "py_syntax_indent_after": "bloc indenté attendu après la ligne {line}",
    "py_syntax_indent": "bloc indenté attendu",
    "py_syntax_expected": "il manque '{char}'",
    "py_syntax_never_closed": "'{char}' n'est jamais refermé",
    "py_syntax_unmatched": "'{char}' en trop",
    "py_syntax_mismatched": "'{char}' ne correspond pas à '{opening}'",
    "py_syntax_unexpected_indent": "indentation inattendue",
    "py_syntax_unindent": "l'indentation ne correspond à aucun niveau englobant",
    "py_syntax_tabs": "tabulations et espaces mélangés dans l'indentation",
    "py_syntax_string": "une chaîne de caractères n'est jamais refermée (il manque un guillemet)",
    "py_syntax_eof": "fin de fichier inattendue",
    "py_syntax_character": "caractère '{char}' invalide ({code})",
    "py_syntax_invisible": "caractère invisible invalide {code}",
    "py_syntax_number": "nombre invalide",
    "py_syntax_leading_zero": "un nombre entier ne peut pas commencer par 0",
    "py_syntax_print": "il manque les parenthèses de l'appel à '{name}'",
    "py_syntax_assign": "impossible d'affecter une valeur à cette expression",
    "py_syntax_outside": "'{name}' hors d'une fonction ou d'une boucle",
    "py_syntax_positional": "un argument positionnel après un argument nommé",
    "py_syntax_other": "message de Python : « {message} »",
    "where_line": "ligne {line}",
    "where_cell": "cellule {cell}",
    "where_cell_line": "cellule {cell}, ligne {line}",
    "cause_invalid": "Votre remise n'a pas pu être lue : {reason}",
    "cause_syntax": "Votre fichier n'a pas pu être chargé : erreur de syntaxe à la {where} : {message}",
    "cause_syntax_cell": "Erreur de syntaxe à la {where} : {message} ; rien dans cette cellule n'a été exécuté",
    "cause_raised": "Le chargement de votre fichier s'est arrêté à la {where} : il a levé {type} : {message}",
    "cause_raised_bare": "Le chargement de votre fichier s'est arrêté à la {where} : il a levé {type}",
    "cause_raised_cell": "Le code à la {where} a levé {type} : {message} ; la suite de cette cellule n'a pas été exécutée",
    "cause_raised_cell_bare": "Le code à la {where} a levé {type} ; la suite de cette cellule n'a pas été exécutée",
    "cause_slow": "Votre code à la {where} ne s'est pas terminé en {seconds} s ; la suite n'a pas été exécutée",
    "not_run": "non exécutée : {reason}",
    "not_run_group": "{n} vérifications non exécutées : {reason}",
    "not_run_group_one": "1 vérification non exécutée : {reason}",
    "not_run_did_not_load": "la remise n'a pas pu être chargée",
    "not_run_stopped": "le chargement de votre fichier s'est arrêté à la ligne {line}",
    "not_run_cell": "la cellule {cell} ne s'est pas exécutée jusqu'au bout",
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
    "report_summary_checks": "{passed}/{total} vérifications publiques réussies",
    "report_all_passed": "Toutes les vérifications publiques sont réussies. Les vérifications cachées sont corrigées après la remise.",
    "report_hidden_later": "Les vérifications cachées sont corrigées après la remise.",
    "report_hand_graded": "Corrigé à la main (non inclus ici) : {parts}",
    "check_unknown_question": "check({question}) : aucune vérification publique pour cette question ; questions qui en ont : {known}",
    "output_header": "Correction automatique : {score}/{max_score}. Corrigé à la main plus tard : {hand} points ({parts}).",
    "output_isolation": "Isolation : {mode}.",
    "isolation_bwrap": "espaces de noms bubblewrap (sans réseau, système de fichiers privé) + limites de ressources",
    "isolation_user": "utilisateur distinct {user} + limites de ressources, sans privilèges",
    "isolation_rlimits": "limites de ressources seulement (ni utilisateur distinct, ni espaces de noms)",
    "output_stdout": "Votre code a affiché (premiers {n} octets) :",
    "output_dropped": "({n} octets de sortie supplémentaires ont été ignorés)",
    "late": "Remis après la date limite de retard ({late}) : corrigé, et signalé en retard.",
}

CATALOGUES: dict[str, dict[str, str]] = {"en": EN, "fr": FR}
