"""Find and load an assignment: its config, its questions and its checks.

An assignment is a folder::

    assignments/<id>/
      assignment.yaml      title, language, starter file, questions with points (auto or hand)
      checks/public.yaml   checks students can run themselves
      checks/hidden.yaml   checks that run only in the grader
      checks/helpers.py    generators and properties used by the checks (trusted code)
      starter/             what students fill in
      examples/            sample submissions, with their documented scores in expected.yaml
    solutions/<id>/        the reference submission, same file names as starter/

``assignment.yaml`` is checked when loaded: every auto-graded question's points must equal
the sum of its checks' points, so the handout's points and the checks cannot drift apart.
Public checks are worth 0 unless it sets ``public_points: true`` (then theirs count like any
other's); every hint of a check has a text in the assignment's language.
A folder copied away from ``solutions/`` is given its solution's folder (``solution_dir``).

The values loaded (``Assignment``, ``Question``) are defined in :mod:`autograder.assignment_model`,
which the otter loader (:mod:`autograder.otter`) builds on too; this module is the one door
to both kinds of assignment.
"""

from __future__ import annotations

import os
from pathlib import Path

from autograder.assignment_model import Assignment, Question, default_solution_dir
from autograder.checks import VISIBILITIES, Check, check_hints, load_checks, load_helpers
from autograder.errors import ConfigError, UsageError
from autograder.messages import LANGUAGES
from autograder.sandbox import Limits

__all__ = ["PROJECT_DIR", "Assignment", "Question", "assignments_dirs", "find_assignment", "list_assignments",
           "load_assignment"]

PROJECT_DIR = Path(__file__).resolve().parent.parent


def assignments_dirs() -> list[Path]:
    """Where assignment ids are looked up, in order."""
    dirs = []
    if os.environ.get("AUTOGRADER_ASSIGNMENTS"):
        dirs.append(Path(os.environ["AUTOGRADER_ASSIGNMENTS"]))
    dirs += [Path.cwd() / "assignments", PROJECT_DIR / "assignments"]
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


def list_assignments() -> list[Path]:
    found: dict[str, Path] = {}
    for d in assignments_dirs():
        for child in sorted(d.iterdir()):
            if (child / "assignment.yaml").exists():
                found.setdefault(child.name, child)
    return list(found.values())


def find_assignment(ref: str | Path) -> Path:
    path = Path(ref)
    if (path / "assignment.yaml").exists():
        return path
    for d in assignments_dirs():
        if (d / str(ref) / "assignment.yaml").exists():
            return d / str(ref)
    known = ", ".join(p.name for p in list_assignments()) or "none found"
    raise UsageError(f"unknown assignment: {ref} (known: {known}; or give the path of a folder with assignment.yaml)")


def load_assignment(ref: str | Path, *, solution_dir: Path | None = None) -> Assignment:
    """Load ``ref`` (an id under ``assignments/`` or a folder) and validate it.

    The solution is ``solutions/<id>/`` beside ``assignments/``, or ``solution_dir`` when given
    (an assignment folder copied elsewhere): a folder holding the starter's file name.
    """
    import yaml

    from autograder import yamldata
    from autograder.otter import is_otter_source, load_otter_assignment

    if is_otter_source(ref):  # an otter-grader zip, folder of tests or notebook: autograder/otter/
        if solution_dir is not None:
            raise UsageError(f"{ref} is an otter assignment: its tests hold the expected values, it takes no "
                             "solution folder")
        return load_otter_assignment(ref)
    root = find_assignment(ref).resolve()
    config_path = root / "assignment.yaml"
    try:
        config = yamldata.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{config_path}: not valid YAML ({str(e).splitlines()[0]})") from None
    for key in ("id", "title", "language", "starter", "questions"):
        if key not in config:
            raise ConfigError(f"{config_path}: missing '{key}'")
    language = config["language"]
    if language not in LANGUAGES:
        raise ConfigError(f"{config_path}: language {language!r} has no message catalogue ({', '.join(LANGUAGES)})")
    hidden_visibility = config.get("hidden_visibility", "after_due_date")
    if hidden_visibility not in VISIBILITIES or hidden_visibility == "visible":
        raise ConfigError(f"{config_path}: hidden_visibility must be hidden, after_due_date or after_published")
    questions = tuple(_question(q, config_path) for q in config["questions"])
    checks = [*load_checks(root / "checks" / "public.yaml", hidden=False, hidden_visibility=hidden_visibility),
              *load_checks(root / "checks" / "hidden.yaml", hidden=True, hidden_visibility=hidden_visibility)]
    public_points = config.get("public_points", False)
    if not isinstance(public_points, bool):
        raise ConfigError(f"{config_path}: public_points must be true or false, not {public_points!r}")
    # a student bundle has no hidden.yaml: the points of its questions live in the grader's copy
    _validate(config_path, questions, checks, points=(root / "checks" / "hidden.yaml").exists(),
              public_points=public_points)
    # reports list checks question by question, in the handout's order, wherever a check sits in
    # its file (checks added later at the end of public.yaml still show under their question)
    order = {q.id: i for i, q in enumerate(questions)}
    checks.sort(key=lambda c: order.get(c.question, len(order)))
    helpers = load_helpers(root / "checks" / "helpers.py")
    check_hints(checks, helpers, language=language, where=root / "checks")
    if solution_dir is None:
        candidate = default_solution_dir(root, str(config["id"]))
        solution_dir = candidate if candidate.is_dir() else None
    else:
        solution_dir = _given_solution_dir(Path(solution_dir), str(config["starter"]))
    limits = Limits(**{k: v for k, v in (config.get("limits") or {}).items() if k in Limits.__dataclass_fields__})
    variants = config.get("variants", 16)
    if type(variants) is not int or not 0 <= variants <= 100_000:
        raise ConfigError(f"{config_path}: variants must be a whole number from 0 (inputs drawn per "
                          f"submission) to 100000, not {variants!r}")
    return Assignment(
        id=str(config["id"]), title=str(config["title"]), language=language, root=root,
        starter=str(config["starter"]), questions=questions, checks=tuple(checks),
        helpers=helpers, solution_dir=solution_dir, limits=limits,
        preload=tuple(config.get("preload", ("numpy", "torch"))), hidden_visibility=hidden_visibility,
        variants=variants,
        settings={k: v for k, v in config.items() if k not in ("questions",)},
    )


def _given_solution_dir(folder: Path, starter: str) -> Path:
    # checked now, not when the first reference is computed: a wrong path is the command's
    # mistake, said in one line before anything is graded
    if (folder / starter).is_file():
        return folder.resolve()
    if folder.is_file() and folder.name == starter:
        return folder.resolve().parent  # the solution file itself was given
    if not folder.is_dir():
        raise UsageError(f"solution folder not found: {folder} (give the folder that holds {starter})")
    raise UsageError(f"no {starter} in the solution folder {folder} (give the folder that holds {starter})")


def _question(entry: dict, path: Path) -> Question:
    if not isinstance(entry, dict) or "id" not in entry or "points" not in entry:
        raise ConfigError(f"{path}: each question needs an id and points")
    graded = entry.get("graded", "auto")
    if graded not in ("auto", "hand"):
        raise ConfigError(f"{path}: question {entry['id']}: graded must be 'auto' or 'hand'")
    return Question(id=str(entry["id"]), title=str(entry.get("title", entry["id"])),
                    points=float(entry["points"]), graded=graded)


def _validate(path: Path, questions: tuple[Question, ...], checks: list[Check], *, points: bool,
              public_points: bool = False) -> None:
    ids = [c.id for c in checks]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"{path.parent}: duplicate check id(s) {', '.join(dupes)}")
    by_id = {q.id: q for q in questions}
    for c in checks:
        q = by_id.get(c.question)
        if q is None:
            raise ConfigError(f"{path.parent}: check {c.id} names unknown question {c.question!r}")
        if q.graded == "hand":
            raise ConfigError(f"{path.parent}: check {c.id} is on {q.id}, which is graded by hand")
        # public checks run on the students' machines too: points there are the instructor's choice,
        # said once in assignment.yaml, not a slip in one check
        if not c.hidden and c.points and not public_points:
            raise ConfigError(f"{path.parent}: public check {c.id} is worth {c.points:g} points; public checks "
                              "are worth 0 unless assignment.yaml sets public_points: true")
    for q in questions:
        if q.graded != "auto" or not points:
            continue
        total = sum(c.points for c in checks if c.question == q.id)
        if abs(total - q.points) > 1e-9:
            raise ConfigError(f"{path.parent}: question {q.id} is worth {q.points:g} points "
                              f"but its checks add up to {total:g}")
