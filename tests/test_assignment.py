"""Loading an assignment: where its solution is, and how the loaders depend on the model."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from autograder.assignment import load_assignment
from autograder.errors import ConfigError, UsageError

ROOT = Path(__file__).resolve().parent.parent
H20 = ROOT / "assignments" / "ift6135-h20-hw1"
SOLUTION = ROOT / "solutions" / "ift6135-h20-hw1"


def _imports(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at its top or inside a function."""
    modules = {".".join(p.relative_to(package.parent).with_suffix("").parts).removesuffix(".__init__"): p
               for p in package.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found |= {m for m in (node.module, *(f"{node.module}.{a.name}" for a in node.names)) if m in modules}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name in modules}
        graph[name] = found - {name}
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def test_the_otter_loader_depends_on_the_assignment_model_not_the_reverse():
    graph = _imports(ROOT / "autograder")
    otter = [m for m in graph if m == "autograder.otter" or m.startswith("autograder.otter.")]
    assert "autograder.assignment_model" in graph["autograder.otter.model"]
    for module in ("autograder.assignment", "autograder.assignment_model"):
        circles = [m for m in otter if _reaches(graph, module, m) and _reaches(graph, m, module)]
        assert not circles, f"{module} and {circles} import each other"
    assert not any(_reaches(graph, "autograder.assignment_model", m) for m in otter + ["autograder.assignment"])


def _copied(tmp_path: Path) -> Path:
    """The assignment folder copied away from the repository: no solutions/ beside it."""
    copy = tmp_path / "course" / "hw1"
    shutil.copytree(H20, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_a_copied_folder_says_where_it_looked_and_how_to_give_the_solution(tmp_path):
    assignment = load_assignment(_copied(tmp_path))
    assert assignment.solution_file is None
    with pytest.raises(ConfigError) as caught:
        assignment.require_solution()
    assert str(caught.value) == (f"no solution for ift6135-h20-hw1: {tmp_path / 'solutions' / 'ift6135-h20-hw1'}"
                                 "/hw1.py does not exist; give the folder that holds hw1.py with --solution DIR")


def test_a_copied_folder_is_given_its_solution_folder_or_file(tmp_path):
    copy = _copied(tmp_path)
    assert load_assignment(copy, solution_dir=SOLUTION).solution_file == SOLUTION / "hw1.py"
    assert load_assignment(copy, solution_dir=SOLUTION / "hw1.py").solution_dir == SOLUTION


@pytest.mark.parametrize("given, said", [
    ("nowhere", "solution folder not found: {dir} (give the folder that holds hw1.py)"),
    ("empty", "no hw1.py in the solution folder {dir} (give the folder that holds hw1.py)"),
])
def test_a_wrong_solution_folder_is_a_usage_error_at_once(tmp_path, given, said):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError) as caught:
        load_assignment(H20, solution_dir=tmp_path / given)
    assert str(caught.value) == said.format(dir=tmp_path / given)
