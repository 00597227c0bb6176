"""Benchmark: grade a generated class through the CLI's code path, full isolation on.

    .venv/bin/python benchmarks/bench_grade.py                       # 500 .py + 500 notebooks, every assignment
    .venv/bin/python benchmarks/bench_grade.py -n 200 --assignment ift6135-h20-hw1 --kind py

Each student file mixes, item by item (function or value), the solution and the example
submissions' typical mistakes, so most submissions are partly wrong. A file imports torch (and
runs on the sandbox server that preloads it) when an item it took uses torch, and 40% of files
do anyway, as many students do: 42-80% of a class, by assignment. ~3% have a syntax error,
~2% are slow (a 0.5 s sleep at import), ~1% are the hostile example where there is one
(infinite loops and sleeps that run into the per-call time limit). Items are taken so that each file agrees with
itself: an item the solution's code uses comes from the example only with that code.
Notebooks are the same files split into cells. Prints submissions per second (wall clock of
the whole `grade` call: worker start-up, grading, gradebook, summary and report), latency
percentiles, and the peak memory of the process tree (PSS: pages shared after fork count
once), sampled every 0.1 s in a second run of the same class so that the sampling does not
slow the timed one. Not a test: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import statistics
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.assignment import list_assignments, load_assignment  # noqa: E402
from autograder.batch import default_jobs, grade_batch  # noqa: E402
from autograder.validation import example_files  # noqa: E402


def make_class(assignment, n: int, folder: Path, *, kind: str, seed: int = 0) -> list[Path]:
    rng = random.Random(seed)
    solution = assignment.solution_file.read_text(encoding="utf-8")
    examples = {p.stem: p.read_text(encoding="utf-8") for p, _ in example_files(assignment) if p.suffix == ".py"}
    # typical mistakes only: not the hostile example, nor the untouched starter
    spans = _spans(solution)
    donors = [_donor(t) for name, t in examples.items()
              if _parses(t) and name not in ("hostile", "starter", "depart")]
    uses = {name: _names_used(solution[begin:end]) for name, begin, end in spans}
    hostile = examples.get("hostile")
    paths = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.01 and hostile:
            text = hostile
        else:
            # the solution with ~30% of its items (functions, values) taken from a mistaken example;
            # an item that uses one taken from an example comes from that example too, when it has it
            text = solution
            taken: dict[str, int] = {}
            for name, begin, end in spans:
                having = [k for k, d in enumerate(donors) if name in d]
                same = [taken[u] for u in sorted(uses[name]) if u in taken and taken[u] in having]
                if having and rng.random() < 0.3:
                    taken[name] = rng.choice(having)
                elif same:
                    taken[name] = same[0]
            _keep_consistent(taken, spans, uses, donors)
            for name, begin, end in reversed(spans):
                if name in taken:
                    text = text[:begin] + donors[taken[name]][name] + text[end:]
            if rng.random() < 0.4:
                text = _with_torch_import(text)  # as many students do, used or not
            if roll < 0.04:
                text = text.replace("def ", "def (", 1)  # a syntax error
            elif roll < 0.06:
                # at the end: before a `from __future__` import it would be a syntax error
                text += "\nimport time\ntime.sleep(0.5)  # slow at import\n"
        path = folder / f"student{i:04d}.{'py' if kind == 'py' else 'ipynb'}"
        path.write_text(text if kind == "py" else _notebook(text), encoding="utf-8")
        paths.append(path)
    return paths


def _keep_consistent(taken: dict[str, int], spans, uses: dict[str, set[str]], donors: list[dict]) -> None:
    """Give back to the solution each taken item that a solution item uses while its donor has
    no version of that user: a student's own code agrees with itself (the solution's code run on
    an example's values mostly raised at import: ~40% of h23's class)."""
    changed = True
    while changed:
        changed = False
        for name, _, _ in spans:
            if name in taken:
                continue
            for used in sorted(uses[name] & set(taken)):
                if name not in donors[taken[used]]:
                    del taken[used]
                    changed = True


def _donor(text: str) -> dict[str, str]:
    """An example's items, each with what it needs of that example to run: the imports its code
    uses and the items of the same example it uses (a student's own code is consistent with itself)."""
    tree = ast.parse(text)
    items = dict(_items(text))
    lines = text.splitlines(keepends=True)
    # each import with the names it binds: an item brings the imports its code uses, no others
    imports = [("".join(lines[n.lineno - 1:n.end_lineno]),
                {(a.asname or a.name.split(".")[0]) if isinstance(n, ast.Import) else (a.asname or a.name)
                 for a in n.names})
               for n in tree.body
               if isinstance(n, ast.Import) or isinstance(n, ast.ImportFrom) and n.module != "__future__"]
    names = {name: _names_used(body) for name, body in items.items()}
    uses = {name: used & set(items) for name, used in names.items()}
    order = list(items)
    out = {}
    for name, body in items.items():
        needed, todo = set(), [name]
        while todo:
            for dep in uses[todo.pop()]:
                if dep != name and dep not in needed:
                    needed.add(dep)
                    todo.append(dep)
        used = set().union(*(names[d] for d in needed | {name}))
        header = "".join(line for line, bound in imports if bound & used)
        out[name] = header + "".join(items[d] for d in sorted(needed, key=order.index)) + body
    return out


def _names_used(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(textwrap.dedent(source))) if isinstance(n, ast.Name)}


def _with_torch_import(text: str) -> str:
    """The file with `import torch` among its imports (after any `from __future__` line)."""
    lines = text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines)
               if line.startswith(("import ", "from ")) and not line.startswith("from __future__")), len(lines))
    return "".join(lines[:at] + ["import torch\n"] + lines[at:])


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _named(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return next((t.id for t in targets if isinstance(t, ast.Name)), None)
    return None


def _spans(text: str) -> list[tuple[str, int, int]]:
    """(name, start offset, end offset) of each named top-level item of the text."""
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    out = []
    for node in ast.parse(text).body:
        name = _named(node)
        if name:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            out.append((name, offsets[first - 1], offsets[node.end_lineno]))
    return out


def _items(text: str) -> list[tuple[str, str]]:
    return [(name, text[begin:end]) for name, begin, end in _spans(text)]


def _notebook(text: str) -> str:
    """The file as a notebook: a cell per top-level statement (a file that does not parse: one cell)."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Devoir"}]
    lines = text.splitlines(keepends=True)
    try:
        starts = [min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])]) - 1
                  for n in ast.parse(text).body]
    except SyntaxError:
        starts = [0]
    for begin, end in zip(starts, starts[1:] + [len(lines)]):
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                      "source": "".join(lines[begin:end])})
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})


class TreeMemory:
    """Samples the summed PSS of this process and all its descendants (but those ``skip`` names by
    their command line, and theirs)."""

    def __init__(self, interval: float = 0.1, *, skip: Callable[[bytes], bool] | None = None) -> None:
        self.peak = 0
        self._skip = skip
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_pss(os.getpid(), skip=self._skip))
            self._stop.wait(interval)


def tree_pss(root: int, *, skip: Callable[[bytes], bool] | None = None) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if skip is not None:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if skip(f.read()):
                        continue
            except OSError:
                continue
        stack += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def bench(assignment, n: int, kind: str, jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        subs = make_class(assignment, n, Path(tmp), kind=kind)
        # two runs of the same class: the timed one alone, then one under the memory sampler
        # (reading every process's page tables ten times a second costs CPU of its own)
        started = time.perf_counter()
        outcome = grade_batch(assignment, [Path(tmp)], out=Path(tmp) / "out", jobs=jobs)
        wall = time.perf_counter() - started
        with TreeMemory() as memory:
            grade_batch(assignment, [Path(tmp)], out=Path(tmp) / "out-memory", jobs=jobs)
    latencies = sorted(r.execution_time for r in outcome.results)
    q = statistics.quantiles(latencies, n=100)
    statuses: dict[str, int] = {}
    for r in outcome.results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return {"assignment": assignment.id, "kind": kind, "n": len(subs), "wall": wall, "rate": len(subs) / wall,
            "p50": q[49], "p90": q[89], "p99": q[98], "max": latencies[-1], "peak": memory.peak,
            "statuses": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", help="default: every assignment")
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--kind", choices=["py", "ipynb", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    args = parser.parse_args()
    ids = args.assignment or [p.name for p in list_assignments()]
    kinds = ["py", "ipynb"] if args.kind == "both" else [args.kind]
    print(f"{'assignment':26s} {'kind':5s} {'n':>4s} {'subs/s':>7s} {'p50':>6s} {'p90':>6s} {'p99':>6s} "
          f"{'max':>6s} {'peak MiB':>8s}  statuses   ({args.jobs} jobs, isolation on)")
    for assignment_id in ids:
        assignment = load_assignment(assignment_id)
        for kind in kinds:
            r = bench(assignment, args.n, kind, args.jobs)
            print(f"{r['assignment']:26s} {r['kind']:5s} {r['n']:4d} {r['rate']:7.1f} {r['p50'] * 1000:5.0f}ms "
                  f"{r['p90'] * 1000:5.0f}ms {r['p99'] * 1000:5.0f}ms {r['max']:5.1f}s {r['peak'] / 2**20:8.0f}  "
                  f"{r['statuses']}", flush=True)


if __name__ == "__main__":
    main()
