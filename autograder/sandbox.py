"""Run student code in a restricted process and get plain data back.

The grader never imports a submission. It starts fork servers (``autograder._worker``) that
import numpy and torch once; each job forks a fresh child from one of them, so the second
of start-up is paid once per worker, not once per submission.

Isolation modes, strongest first (``Isolation.mode`` says which one is in force):

``bwrap``
    The server runs under bubblewrap with new user, PID, network, IPC and mount namespaces.
    Its filesystem is the Python installation (read-only), the grader's package code
    (read-only, no assignments, no solutions) and a private ``/tmp``. Hidden checks and
    solutions are *absent*, not merely unreadable.
``user``
    No namespaces (Gradescope's containers usually forbid them) but we are root: each child
    drops to the unprivileged ``autograder-student`` user after leaving the network namespace
    when the kernel allows it. Hidden material must be unreadable by that user (``setup.sh``
    makes it so); :func:`detect_isolation` refuses this mode when it is not.
``rlimits``
    Neither: resource limits only. For a student running public checks on their own laptop,
    where there is nothing hidden to protect.

In every mode the child has a wall-clock limit per submission and per call, an address-space
limit on top of what the server already maps, a process-count limit (where the kernel honours
it for the uid), a file-size limit, and its output is capped.
"""

from __future__ import annotations

import functools
import json
import os
import pwd
import queue
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.errors import SandboxError
from autograder.messages import Message, render
from autograder.plaindata import PlainDataError, from_plain, to_plain

SANDBOX_USER = "autograder-student"
PACKAGE_DIR = Path(__file__).resolve().parent
MODES = ("bwrap", "user", "rlimits")


@dataclass(frozen=True)
class Limits:
    """Limits of one submission's process. ``wall`` bounds the whole run, ``call`` one request."""

    wall: float = 60.0
    call: float = 10.0
    #: executing the submission's top level (or one notebook cell)
    exec: float = 30.0
    memory_mb: int = 1024
    processes: int = 32
    output_bytes: int = 32 * 1024
    file_bytes: int = 16 * 1024 * 1024
    #: all the answers of one run together (the shared area they are written to): what the
    #: grader reads back, per run, whatever the submission returns. The five assignments'
    #: solutions answer 10-80 KB in all, 37 KB at most in one answer
    result_bytes: int = 16 * 1024 * 1024
    #: one answer, encoded: a larger one is refused unread (the grader's own memory stays bounded)
    answer_bytes: int = 4 * 1024 * 1024

    def wire(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Request:
    """One thing to ask the submission: read ``name``, or call it with ``args``."""

    id: str
    name: str
    call: bool = False
    args: tuple = ()
    #: how arrays reach the student's function: "numpy", "torch" or "list"
    convert: str = "numpy"
    forbid_autograd: bool = False
    timeout: float | None = None
    #: requests of one group stop at their first error (the rest come back as "skipped")
    group: str | None = None
    def wire(self) -> dict:
        return {**self.wire_header(), "args": [to_plain(a) for a in self.args]}

    def wire_header(self) -> dict:
        """Everything sent but the arguments (what a kind of request adds goes here)."""
        d: dict[str, Any] = {"id": self.id, "name": self.name, "call": self.call, "as": self.convert,
                             "forbid_autograd": self.forbid_autograd, "group": self.group}
        if self.timeout is not None:
            d["timeout"] = self.timeout
        return d

    @functools.cached_property
    def encoded_args(self) -> str:
        return json.dumps([to_plain(a) for a in self.args])

    @functools.cached_property
    def _header_json(self) -> str:
        """:meth:`wire_header` as JSON, without its closing brace (the arguments follow)."""
        return json.dumps(self.wire_header())[:-1]

    @functools.cached_property
    def encoded(self) -> str:
        """:meth:`wire` as JSON, made once: a kept request (see ``grading.Plans``) is sent for
        every submission that gets its set of draws."""
        return f'{self._header_json}, "args": {self.encoded_args}}}'

    @functools.cached_property
    def question(self) -> tuple:
        """What is asked, whichever check asks it: requests with the same question get one answer."""
        if not self.call:
            return ("read", self.name)
        return ("call", self.name, self.convert, self.forbid_autograd, self.timeout, self.encoded_args)

    @functools.cached_property
    def ungrouped(self) -> "Request":
        """This request outside its group: never skipped because a sibling failed."""
        return replace(self, group=None)


@dataclass(frozen=True)
class Answer:
    """What came back for one request: a decoded value, or an error the student's code hit."""

    value: Any = None
    error_type: str | None = None
    error_message: str = ""
    #: the line of the submission the error was raised at, when the student's code raised it
    #: (kept apart from the message: the report says it in the assignment's language)
    error_line: int | None = None
    #: the chunk (a notebook's code cell, 0-based) that line is in; None for a .py file
    error_chunk: int | None = None
    #: the line it came in, exactly (empty for an answer the sandbox made up: a timeout...):
    #: two answers with the same line are the same answer (see ``grading.Verdicts``)
    wire: bytes = field(default=b"", compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.error_type is None


@dataclass(frozen=True)
class Outcome:
    """Everything the sandbox learnt from one run. Missing answers mean the run ended early."""

    answers: dict[str, Answer]
    exec_errors: tuple[dict, ...] = ()
    finished: bool = True
    timed_out: bool = False
    exit: dict = field(default_factory=dict)
    output: str = ""
    output_dropped: int = 0
    wall: float = 0.0
    #: CPU seconds the student's process used (user + system), restarts included
    cpu: float = 0.0
    problem: str | None = None
    #: what interrupted the run part-way ("timeout", "died"), even if a restart finished it
    incidents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Isolation:
    mode: str
    #: the uids (with their groups) student code runs as, one per submission graded at once;
    #: empty when the grader cannot switch users (not root)
    uids: tuple[tuple[int, int], ...] = ()

    @property
    def run_as(self) -> tuple[int, int] | None:
        return self.uids[0] if self.uids else None

    def describe(self, language: str = "en") -> str:
        """What protects the grader, for a report in ``language`` (students read it on Gradescope)."""
        return render(Message(f"isolation_{self.mode}", {"user": SANDBOX_USER}), language)


def detect_isolation(requested: str = "auto") -> Isolation:
    """Pick the strongest isolation this machine allows, or check the one asked for.

    ``requested`` is "auto", a mode name, or comes from the ``AUTOGRADER_ISOLATION``
    environment variable when "auto".
    """
    if requested == "auto":
        requested = os.environ.get("AUTOGRADER_ISOLATION", "auto")
    if requested not in ("auto", *MODES):
        raise SandboxError(f"unknown isolation mode {requested!r} (choose from auto, {', '.join(MODES)})")
    if requested in ("auto", "bwrap") and _bwrap_works():
        # as root, children also switch to an unprivileged uid: the kernel does not apply
        # RLIMIT_NPROC to root, and a fork bomb must hit the process limit
        return Isolation("bwrap", uids=_sandbox_ids() if os.geteuid() == 0 else ())
    if requested == "bwrap":
        raise SandboxError("bubblewrap is not usable here (install the 'bubblewrap' package, or allow user namespaces)")
    if requested in ("auto", "user") and os.geteuid() == 0:
        pool = _pool_users()
        if pool:
            _check_python_reachable(pool[0])
            return Isolation("user", uids=pool)
        if requested == "user":
            raise SandboxError(f"user {SANDBOX_USER!r} does not exist: run setup.sh as root")
    if requested == "user":
        raise SandboxError("isolation 'user' needs root to switch users")
    return Isolation("rlimits")


def hide_command_line(shown: str = "autograder") -> bool:
    """Replace what other users read of this process's command line (``/proc/PID/cmdline``,
    ``ps``) with ``shown``: in the ``user`` mode, student code runs beside the grader as
    another uid, without a /proc of its own, and a TA's command line names other students'
    files. The kernel reads it from this process's memory, which is rewritten in place.
    Returns whether it could."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start, arg_end (fields 48 and 49)
        text = shown.encode()[:max(0, end - start - 1)]
        with open("/proc/self/mem", "r+b", buffering=0) as mem:
            mem.seek(start)
            mem.write(text + b"\0" * (end - start - len(text)))
    except (OSError, IndexError, ValueError):
        return False  # not Linux, or /proc/self/mem closed to us: nothing else to do
    return True


def check_hidden_unreadable(isolation: Isolation, paths: list[Path]) -> None:
    """In ``user`` mode, hidden material must be closed to the sandbox user; refuse to grade otherwise.

    (In ``bwrap`` mode it is absent from the student's filesystem; in ``rlimits`` mode there
    is no separate user to hide it from, which is why that mode is for public checks.)
    """
    if isolation.mode != "user":
        return
    for uid, gid in isolation.uids:
        for path in paths:
            if path.exists() and _readable_by(path, uid, gid):
                raise SandboxError(f"{path} is readable by {pwd.getpwuid(uid).pw_name}; run "
                                   f"'chmod -R go-rwx {path.parent}' (setup.sh does this on Gradescope)")


def _check_python_reachable(user: tuple[int, int], *, python: str | None = None) -> None:
    """Student code runs as ``user`` in a process forked from Python (``python``, or ours): what
    it imports later (the standard library, numpy's parts) must be readable by that uid, or every
    such import fails as "No module named ...". One clear line rather than that."""
    for root in sorted(_python_roots(check_secrets=False, python=python)):
        blocked = next((p for p in [Path(root), *Path(root).parents] if not _allows(p, *user, 1)), None)
        if blocked is not None:
            raise SandboxError(f"Python in {root} is out of reach of {SANDBOX_USER} ({blocked} is "
                               f"{oct(blocked.stat().st_mode & 0o777)}): run 'chmod o+x {blocked}' "
                               "or install Python where other users can read it")


def _allows(path: Path, uid: int, gid: int, want: int) -> bool:
    st = path.stat()
    if st.st_uid == uid:
        return bool(st.st_mode & (want << 6))
    if st.st_gid == gid:
        return bool(st.st_mode & (want << 3))
    return bool(st.st_mode & want)


def _readable_by(path: Path, uid: int, gid: int) -> bool:
    def allowed(p: Path, want: int) -> bool:
        return _allows(p, uid, gid, want)

    path = path.resolve()
    if not all(allowed(parent, 1) for parent in reversed(path.parents)):
        return False
    if path.is_dir():
        return allowed(path, 4) or any(_readable_by(child, uid, gid) for child in path.iterdir())
    return allowed(path, 4)


#: how many users setup.sh creates for student code: autograder-student, autograder-student1, ...
POOL_SIZE = 16


def _pool_users() -> tuple[tuple[int, int], ...]:
    """The sandbox users setup.sh created, in order (submissions graded at once get distinct ones)."""
    pool = []
    for index in range(POOL_SIZE):
        try:
            entry = pwd.getpwnam(SANDBOX_USER + (str(index) if index else ""))
        except KeyError:
            break
        pool.append((entry.pw_uid, entry.pw_gid))
    return tuple(pool)


def _sandbox_ids() -> tuple[tuple[int, int], ...]:
    """The sandbox users when setup.sh created them, else nobody."""
    return _pool_users() or ((65534, 65534),)


#: the real uid of the process that ends a student uid's processes (see ``_isolation.end_user``):
#: this plus the student's uid, a number no account or process has
REAPER_BASE = 2_000_000_000


def reaper_for(uid: int) -> int | None:
    """A uid for the process that ends ``uid``'s processes: one that no account and no running
    process has (so that nothing else is in its reach), or None to use ``uid`` itself."""
    reaper = REAPER_BASE + uid
    try:
        pwd.getpwuid(reaper)
        return None
    except KeyError:
        pass
    from autograder._isolation import processes_of

    return None if processes_of(reaper) else reaper


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)


#: where graders on this machine take their sandbox users (root's own: nothing the students can reach)
USER_LOCKS = Path("/run/autograder")


def claim_users(pool: tuple[tuple[int, int], ...], count: int, *,
                start: int = 0) -> tuple[list[tuple[int, int]], list[int]]:
    """Up to ``count`` users of ``pool`` that no other grader on this machine is using, from the
    ``start``-th on, each held by a lock (returned: close them to give the users back).

    Two graders that ran student code as the same uid would end each other's student
    processes (each kills all of its uid's after a job) and share one process limit. With
    fewer free users than ``count``, channels share them (bubblewrap's channels have PID
    namespaces of their own: only the process limit is shared); with none free, an error.
    """
    if not pool:
        return [], []
    import fcntl

    try:
        USER_LOCKS.mkdir(mode=0o700, exist_ok=True)
        owner = USER_LOCKS.lstat()
    except OSError as e:
        raise SandboxError(f"cannot make {USER_LOCKS}, where graders take their sandbox users: {e}") from None
    if owner.st_uid != os.geteuid() or owner.st_mode & 0o077 or not USER_LOCKS.is_dir() or USER_LOCKS.is_symlink():
        raise SandboxError(f"{USER_LOCKS} must be a folder of root's alone (mode 700)")
    users, locks = [], []
    for k in range(len(pool)):
        uid, gid = pool[(start + k) % len(pool)]
        fd = os.open(USER_LOCKS / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        users.append((uid, gid))
        locks.append(fd)
        if len(users) == count:
            break
    if not users:
        raise SandboxError(f"all {len(pool)} sandbox users are in use by other graders on this machine; "
                           "wait for one to finish")
    return users, locks


def _bwrap_works() -> bool:
    exe = shutil.which("bwrap")
    if not exe:
        return False
    probe = subprocess.run(
        [exe, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
        capture_output=True, timeout=10,
    )
    return probe.returncode == 0


class Sandbox:
    """Fork servers (one per kind) with ``workers`` channels each: that many submissions run at
    once. ``run(files, main, chunks, requests)`` is safe to call from threads.

    Use as a context manager so the servers are stopped::

        with Sandbox(workers=2) as box:
            outcome = box.run(job)
    """

    def __init__(self, *, workers: int = 1, isolation: Isolation | None = None,
                 preload: tuple[str, ...] = ("numpy", "torch"), limits: Limits = Limits(), slot: int = 0,
                 python: str | None = None) -> None:
        """``slot``: which of the isolation's uids the first channel runs as (channel ``i`` takes
        the next ones): sandboxes that run at the same time are given different slots.
        ``python``: the interpreter the servers run (an assignment's environment, layered on
        ours: see ``autograder.otter.environment``); None for the grader's own."""
        self.isolation = isolation or detect_isolation()
        self.preload = preload
        self.limits = limits
        self.python = python
        if python is not None and self.isolation.mode == "user":
            _check_python_reachable(self.isolation.uids[0], python=python)
        # the uids this sandbox's channels run as, held (a lock each) for its lifetime: no other
        # grader on the machine runs student code as one of them meanwhile
        self._users, self._locks = claim_users(self.isolation.uids, workers, start=slot)
        # given back when the sandbox is closed, or else when it is collected
        self._release = weakref.finalize(self, _close_all, list(self._locks))
        self._reapers: dict[int, int | None] = {}
        # Forking a process that holds torch costs ~12 ms (its page tables), one with numpy
        # ~1 ms: submissions that never mention torch go to a light server.
        self._pools = {"full": _Pool(self.isolation, preload, workers, python=python),
                       "light": _Pool(self.isolation, tuple(m for m in preload if m != "torch"), workers,
                                      python=python)}

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def users(self) -> list[tuple[int, int]]:
        """The (uid, gid) each channel's student code runs as, in channel order (empty: no switch)."""
        return list(self._users)

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._release()

    def start(self, *, torch: bool = True) -> None:
        """Start the servers now (the one that preloads torch only if ``torch``), so that
        processes forked afterwards share them instead of each starting its own. They go on
        starting in the background: a channel waits for its server when first used (and
        :attr:`concurrent` for the light one)."""
        if torch:
            self._pools["full"].start(wait=False)  # first: it is the one that takes a second
        self._pools["light"].start(wait=False)

    def keep_only(self, channel: int) -> None:
        """In a process forked after :meth:`start`: use only this channel of each server."""
        for pool in self._pools.values():
            pool.keep_only(channel)

    @property
    def concurrent(self) -> bool:
        """Whether the servers run their channels' jobs at the same time (the light server says
        so when ready, which this waits for; the other runs the same code under the same isolation)."""
        light = self._pools["light"]._server
        if light is None:
            return False
        light.channels[0].await_ready()
        return light.concurrent

    def run(self, *, files: dict[str, str], main: str, chunks: list[str],
            requests: list[Request], limits: Limits | None = None, max_restarts: int = 4) -> Outcome:
        """Evaluate ``requests`` against the submission; never raises for anything it does.

        Requests that forbid autograd are asked first, in processes of their own where autograd
        is banned before the submission's first line runs (``autograder._autograd_ban``), and
        before anything else of this submission has run: no other process of it can have
        computed their answers. The other requests follow, in processes without the ban. The
        output and import errors reported are the latter's (the same code ran in both).

        If the process dies or times out part-way, the request it was on is charged with it
        and the rest are asked again in a fresh process (at most ``max_restarts`` times, within
        the same wall-clock budget), so one hostile function cannot zero unrelated questions.
        """
        limits = limits or self.limits
        deadline = time.monotonic() + limits.wall
        banned = [r for r in requests if r.forbid_autograd]
        others = [r for r in requests if not r.forbid_autograd]
        phases = []
        if banned:
            phases.append(self._run_phase(files, main, chunks, banned, limits, deadline, max_restarts, ban=True))
        if others or not banned:
            phases.append(self._run_phase(files, main, chunks, others, limits, deadline, max_restarts, ban=False))
        if len(phases) == 1:
            return phases[0]
        first, last = phases
        return replace(last, answers={**first.answers, **last.answers}, finished=first.finished and last.finished,
                       timed_out=first.timed_out or last.timed_out, wall=first.wall + last.wall,
                       cpu=first.cpu + last.cpu, problem=first.problem or last.problem,
                       incidents=first.incidents + last.incidents)

    def _run_phase(self, files: dict[str, str], main: str, chunks: list[str], requests: list[Request],
                   limits: Limits, deadline: float, max_restarts: int, *, ban: bool) -> Outcome:
        remaining = deadline - time.monotonic()
        if remaining < 1:
            return Outcome(answers={}, finished=False, timed_out=True, problem="timeout", incidents=("timeout",))
        limits = replace(limits, wall=min(limits.wall, remaining))
        outcome = self._run_once(files, main, chunks, requests, limits, ban=ban)
        if outcome.problem and outcome.problem.startswith("worker_died") and not outcome.answers:
            # the server went away, not (as far as we know) the student's process: once more on a
            # fresh server before anyone is charged (a submission that kills servers is, next time)
            outcome = self._run_once(files, main, chunks, requests, limits, ban=ban)
        answers: dict[str, Answer] = {}
        incidents = []
        wall = cpu = 0.0
        for attempt in range(max_restarts + 1):
            answers.update(outcome.answers)
            wall, cpu = wall + outcome.wall, cpu + outcome.cpu
            pending = [r for r in requests if r.id not in answers]
            if outcome.finished or not pending or outcome.problem == "result_too_large":
                break
            culprit = pending[0]
            kind = "timeout" if outcome.timed_out else "died"
            incidents.append(kind)
            answers[culprit.id] = Answer(error_type=kind, error_message=_death_reason(outcome, limits))
            for r in pending[1:]:
                if r.group is not None and r.group == culprit.group:
                    answers[r.id] = Answer(error_type="skipped")
            rest = [r for r in pending if r.id not in answers]
            remaining = deadline - time.monotonic()
            if not rest or remaining < 1 or attempt == max_restarts:
                break
            outcome = self._run_once(files, main, chunks, rest, replace(limits, wall=remaining), ban=ban)
        if outcome.problem == "result_too_large" or outcome.problem and outcome.problem.startswith("worker_died"):
            incidents.append(outcome.problem.split(":")[0])
        return replace(outcome, answers=answers, incidents=tuple(incidents), wall=wall, cpu=cpu)

    def _run_once(self, files: dict[str, str], main: str, chunks: list[str], requests: list[Request],
                  limits: Limits, *, ban: bool = False) -> Outcome:
        # the ban needs torch in the process before the student's code runs: the full server has it
        pool = self._pools["full" if ban or needs_torch(files, requests) else "light"]
        channel = pool.acquire()
        # the header the server reads, and the body only the student's process reads
        body = (f'{{"files": {json.dumps(files)}, "chunks": {json.dumps(chunks)}, '
                f'"requests": [{", ".join(r.encoded for r in requests)}]}}').encode()
        job = {"main": main, "limits": limits.wire(), "body_bytes": len(body), "ban": ban}
        if self._users:
            uid, gid = self._users[(pool.first_slot + channel.index) % len(self._users)]
            if uid not in self._reapers:
                self._reapers[uid] = reaper_for(uid)
            job["run_as"] = {"uid": uid, "gid": gid, "reaper": self._reapers[uid],
                             "unshare_net": self.isolation.mode == "user"}
        try:
            reply, lines = channel.request(job, body=body, timeout=limits.wall + 15)
        except _ServerDied as e:
            pool.replace(channel)
            return Outcome(answers={}, finished=False, problem=f"worker_died:{e}")
        pool.release(channel)
        return _outcome_from_reply(reply, lines, requests, answer_bytes=limits.answer_bytes)


#: the modules that load torch, and the ways of importing one by a computed name
_TORCH_MODULES = r"(?:torch\w*|functorch|jax)"
_DYNAMIC_IMPORT = r"\b(?:__import__|importlib)\b"
#: a submission that imports torch (or autograd tools) runs on the server that preloaded it; a
#: mention in a docstring does not count. An import this misses (built from strings) still
#: works, on the light server, at the cost of importing torch in the child.
_TORCH = re.compile(rf"(?:^|;)[ \t]*(?:import[ \t][^\n#]*\b{_TORCH_MODULES}\b|from[ \t]+{_TORCH_MODULES}\b)"
                    rf"|{_DYNAMIC_IMPORT}", re.MULTILINE)
#: the same, loosely, in a file's raw bytes (a notebook's JSON included): a guess, never fewer
_TORCH_LOOSE = re.compile(rf"\b(?:import|from)\s[^\n\"#]*\b{_TORCH_MODULES}\b|{_DYNAMIC_IMPORT}".encode())
#: a word without which a line cannot match _TORCH (found fast: a set of literals)
_TORCH_WORD = re.compile(r"torch|jax|__import__|importlib")


def needs_torch(files: dict[str, str], requests: list[Request]) -> bool:
    """Whether a submission goes to the server that preloaded torch."""
    return any(r.convert == "torch" for r in requests) or any(_imports_torch(text) for text in files.values())


def _imports_torch(text: str) -> bool:
    """``_TORCH.search(text)``, 7x faster: a match lies within one line, which holds one of
    ``_TORCH_WORD``'s words, so only those lines are searched, each once (linear time, however
    many times a line says torch)."""
    searched_to = -1
    for word in _TORCH_WORD.finditer(text):
        if word.start() < searched_to:
            continue
        start = text.rfind("\n", 0, word.start()) + 1
        end = text.find("\n", word.end())
        end = len(text) if end < 0 else end
        if _TORCH.search(text, start, end):
            return True
        searched_to = end
    return False


def may_need_torch(raw: bytes) -> bool:
    """A cheap guess from a submission file's bytes, before it is read as a submission: true
    whenever :func:`needs_torch` could be (and sometimes when it is not)."""
    return bool(_TORCH_LOOSE.search(raw))


class _Pool:
    """The channels of one fork server (of one kind: what it preloads), started on first use.

    A server with several channels runs their jobs at the same time (see ``autograder._worker``);
    each channel carries one job at a time. A server that dies is replaced on the next acquire.
    """

    def __init__(self, isolation: Isolation, preload: tuple[str, ...], size: int, *, python: str | None = None) -> None:
        self.isolation = isolation
        self.preload = preload
        self.size = size
        self.python = python
        self._idle: queue.Queue[_Channel] = queue.Queue()
        self._server: _Server | None = None
        self._only: int | None = None
        #: the slot (of the sandbox's users) of this pool's channel 0: a process that keeps one
        #: channel of servers it shares, but starts this pool's server itself, has that
        #: server's channel 0 stand for the channel it kept
        self.first_slot = 0
        self._lock = threading.Lock()

    def start(self, *, wait: bool = True) -> None:
        with self._lock:
            if self._server is None:
                self._server = _Server(self.isolation, self.preload, self.size, wait=wait, python=self.python)
                for index, channel in enumerate(self._server.channels):
                    if self._only is None or index == self._only:
                        self._idle.put(channel)

    def keep_only(self, index: int) -> None:
        """Use channel ``index`` alone: a process forked after :meth:`start` shares the server.
        (A server not started yet will be this process's own, with one channel.)"""
        with self._lock:
            if self._server is None:
                self.size = 1
                self.first_slot = index
                return
            self._only = index
            kept = []
            while not self._idle.empty():
                channel = self._idle.get()
                if channel.index == index:
                    kept.append(channel)
            for channel in kept:
                self._idle.put(channel)

    def acquire(self) -> _Channel:
        self.start()
        return self._idle.get()

    def release(self, channel: _Channel) -> None:
        self._idle.put(channel)

    def replace(self, dead: _Channel) -> None:
        """The server behind ``dead`` is gone: stop it; the next acquire starts a fresh one."""
        with self._lock:
            if self._server is not None and dead.server is self._server:
                self._server.stop()
                self._server = None
                while not self._idle.empty():
                    self._idle.get()

    def close(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None


class _ServerDied(Exception):
    pass


class _Server:
    """One fork server process and its channels (pipe pairs); channel 0 is its stdin/stdout."""

    def __init__(self, isolation: Isolation, preload: tuple[str, ...], channels: int = 1, *, wait: bool = True,
                 python: str | None = None) -> None:
        """Start the server; ``wait=False`` returns at once, and each channel waits for the server
        to be ready the first time it is used (the torch server takes a second to start)."""
        self._stderr = tempfile.TemporaryFile()
        cmd, env = _server_command(isolation, preload, python=python)
        theirs, ours = [], []
        for _ in range(channels - 1):
            to_r, to_w = os.pipe()
            from_r, from_w = os.pipe()
            theirs += [to_r, from_w]
            ours.append((to_w, from_r))
        if ours:
            cmd += ["--channels", ",".join(f"{theirs[2 * i]}:{theirs[2 * i + 1]}" for i in range(len(ours)))]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                     env=env, cwd="/", pass_fds=theirs)
        for fd in theirs:
            os.close(fd)
        self.channels = [_Channel(self, 0, self.proc.stdin.fileno(), self.proc.stdout.fileno())]
        self.channels += [_Channel(self, i + 1, w, r) for i, (w, r) in enumerate(ours)]
        self.concurrent = False
        if wait:
            for channel in self.channels:
                channel.await_ready()

    def failed_to_start(self) -> SandboxError:
        self._stderr.seek(0)
        tail = self._stderr.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
        self.stop()
        return SandboxError(f"the sandbox worker did not start ({tail[-1] if tail else 'no output'})")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for channel in self.channels[1:]:
            channel.close()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except BrokenPipeError:
                pass  # the server is gone; nothing to flush
        self._stderr.close()


class _Channel:
    """One conversation with a server: a job goes out, its reply comes back, one at a time."""

    def __init__(self, server: _Server, index: int, write_fd: int, read_fd: int) -> None:
        self.server = server
        self.index = index
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.ready = False

    def await_ready(self) -> None:
        """Read the server's "ready" on this channel (once); a server that cannot start is an error."""
        if self.ready:
            return
        ready = self.read_message(time.monotonic() + 120)
        if ready is None or not ready.get("ready"):
            raise self.server.failed_to_start()
        self.server.concurrent = bool(ready.get("concurrent"))
        self.ready = True

    def request(self, job: dict, *, body: bytes = b"", timeout: float) -> tuple[dict, bytes]:
        """Send a job (its header, then ``body`` raw); the reply and the raw answer lines that follow it."""
        self.await_ready()
        data = json.dumps(job).encode()
        try:
            _write_all(self.write_fd, struct.pack(">I", len(data)) + data + body)
        except (BrokenPipeError, OSError):
            raise _ServerDied("pipe closed") from None
        deadline = time.monotonic() + timeout
        reply = self.read_message(deadline)
        if reply is None:
            raise _ServerDied("no reply")
        lines = _read_exact(self.read_fd, int(reply.get("lines_bytes", 0)), deadline)
        output = _read_exact(self.read_fd, int(reply.get("output_bytes", 0)), deadline)
        if lines is None or output is None:
            raise _ServerDied("no reply")
        reply["output"] = output.decode("utf-8", "replace")
        return reply, lines

    def read_message(self, deadline: float) -> dict | None:
        header = _read_exact(self.read_fd, 4, deadline)
        if header is None:
            return None
        (n,) = struct.unpack(">I", header)
        body = _read_exact(self.read_fd, n, deadline)
        return None if body is None else json.loads(body)

    def close(self) -> None:
        for fd in (self.write_fd, self.read_fd):
            try:
                os.close(fd)
            except OSError:
                continue  # already closed with the server's own pipes


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int, deadline: float) -> bytes | None:
    if n == 0:
        return b""
    buf = bytearray()
    while len(buf) < n:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _server_command(isolation: Isolation, preload: tuple[str, ...], *,
                    python: str | None = None) -> tuple[list[str], dict[str, str]]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "MPLBACKEND": "Agg", "HOME": "/tmp", "PYTHONHASHSEED": "0"}
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            env[var] = os.environ[var]
    worker = ["-m", "autograder._worker", "serve", "--preload", ",".join(preload)]
    interpreter = python or sys.executable
    if isolation.mode != "bwrap":
        env["PYTHONPATH"] = str(PACKAGE_DIR.parent)
        return [interpreter, "-s", *worker], env
    inside_pkg = "/opt/autograder-code"
    env["PYTHONPATH"] = inside_pkg
    # CAP_SYS_ADMIN (over the sandbox's own namespaces) lets the server give each channel a PID
    # namespace, /tmp and /proc of its own; children never keep it (they change uid, or drop it)
    if isolation.run_as:
        # real root: no user namespace, so children can setuid to the sandbox user; the server
        # keeps only the capabilities to do that and to kill what they leave behind
        ns = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
              "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL",
              "--cap-add", "CAP_SYS_ADMIN"]
    else:
        ns = ["--unshare-all", "--cap-drop", "ALL", "--cap-add", "CAP_SYS_ADMIN"]
    args = ["bwrap", *ns, "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
            # scratch places as on any Linux: everyone may write, nobody may remove another's files
            "--perms", "01777", "--tmpfs", "/tmp", "--perms", "01777", "--tmpfs", "/dev/shm",
            "--perms", "01777", "--dir", "/var/tmp", "--chdir", "/tmp"]
    for top in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for etc in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    roots = sorted(_python_roots(python=python))
    # mount points bwrap creates on its own are 0700 (root's): the student's uid could not
    # traverse them to the libraries it imports
    parents = sorted({str(p) for r in roots for p in Path(r).parents if str(p) != "/"} | {inside_pkg},
                     key=lambda p: p.count("/"))
    for parent in parents:
        args += ["--perms", "0755", "--dir", parent]
    for path in roots:
        args += ["--ro-bind", path, path]
    args += ["--ro-bind", str(PACKAGE_DIR), f"{inside_pkg}/autograder"]
    return [*args, interpreter, "-s", *worker, "--own-pid-namespace"], env


def _python_roots(*, check_secrets: bool = True, python: str | None = None) -> set[str]:
    """Directories the interpreter and its numeric libraries live in, and nothing above them;
    with ``python`` (an environment layered on ours: ``ENV/bin/python``), its folder as well."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    if python is not None:
        roots |= {str(Path(python).parent.parent), os.path.dirname(os.path.realpath(python))}
    for mod in ("numpy", "torch"):
        spec = __import__("importlib.util").util.find_spec(mod)
        if spec and spec.origin:
            roots.add(str(Path(spec.origin).resolve().parent.parent))
    # a source checkout keeps assignments and solutions beside the package: never bind above them
    secret = [str(PACKAGE_DIR.parent / d) for d in ("assignments", "solutions") if (PACKAGE_DIR.parent / d).exists()]
    keep = set()
    for root in roots:
        root = os.path.realpath(root)
        if root in ("/", "/usr") or root.startswith("/usr/"):
            continue
        if check_secrets and any(s.startswith(root + os.sep) for s in secret):
            raise SandboxError(f"Python is installed in {root}, which contains the grader's assignments; "
                               "use a virtualenv outside it")
        keep.add(root)
    # drop nested roots: binding the parent is enough
    return {r for r in keep if not any(r != o and r.startswith(o + os.sep) for o in keep)}


def _death_reason(outcome: Outcome, limits: Limits) -> str:
    if outcome.timed_out:
        return f"{limits.wall:g}"
    status = outcome.exit
    if "signal" in status:
        return f"killed by signal {status['signal']}"
    return f"exit code {status.get('code', '?')}"


def _outcome_from_reply(reply: dict, lines: bytes, requests: list[Request], *,
                        answer_bytes: int = Limits.answer_bytes) -> Outcome:
    answers: dict[str, Answer] = {}
    exec_errors = []
    finished = False
    wanted = {r.id for r in requests}
    for rid, msg, wire in _messages(lines, answer_bytes=answer_bytes):
        if rid is not None:
            if rid in wanted and rid not in answers:
                answers[rid] = _answer(msg, wire, answer_bytes=answer_bytes)
            continue
        kind = msg.get("kind")
        if kind == "exec_error":
            error = msg.get("error") if isinstance(msg.get("error"), dict) else {}
            # which chunk (notebook cell) raised: the grader names the cell, and the answers it would have defined
            exec_errors.append({**error, "chunk": msg.get("chunk")})
        elif kind == "done":
            finished = True
    problem = None
    if reply.get("result_overflow"):
        problem = "result_too_large"
    elif reply.get("timed_out"):
        problem = "timeout"
    elif not finished:
        problem = "died"
    return Outcome(answers=answers, exec_errors=tuple(exec_errors), finished=finished,
                   timed_out=bool(reply.get("timed_out")), exit=reply.get("exit") or {},
                   output=str(reply.get("output", "")), output_dropped=int(reply.get("output_dropped", 0)),
                   wall=float(reply.get("wall", 0.0)), cpu=float(reply.get("cpu", 0.0)), problem=problem)


#: the start of a value's line as the child writes it (``plaindata.dumps``): its id is read from
#: there, and the rest of the line only when the value is (see :class:`_LineAnswer`)
_VALUE_HEAD = re.compile(rb'\{"id":("(?:[^"\\]|\\.){0,400}"),"value":')
_ID_HEAD = re.compile(rb'\{"id":("(?:[^"\\]|\\.){0,400}")')


def _messages(lines: bytes, *, answer_bytes: int) -> list[tuple[str | None, dict | None, bytes]]:
    """The child's answer lines as (request id, message, line): a value's line is not decoded
    here (``message`` is None), nor is any line longer than ``answer_bytes``; other messages
    (errors, import errors, "done") are. Up to the first line that is not a message: the
    child scribbled over its area, and what follows cannot be trusted."""
    messages = []
    for line in lines.split(b"\n"):
        if not line:
            continue
        if len(line) > answer_bytes or _VALUE_HEAD.match(line, 0, 512):
            rid = _request_id(line)
            if rid is None:
                break
            messages.append((rid, None, line))
            continue
        try:
            msg = json.loads(line)
        except (ValueError, RecursionError) as e:
            del e  # not JSON, or nested beyond what the parser takes: scribbled
            break
        if not isinstance(msg, dict):
            break
        rid = msg.get("id") if "id" in msg else None
        if rid is not None and not isinstance(rid, str):
            break
        messages.append((rid, msg, line))
    return messages


def _request_id(line: bytes) -> str | None:
    """The id a line starts with (``{"id":"...",``), read without decoding the rest; or None."""
    match = _ID_HEAD.match(line, 0, 512)
    if match is None:
        return None
    try:
        rid = json.loads(match.group(1))
    except ValueError:
        return None
    return rid if isinstance(rid, str) else None


def _answer(msg: dict | None, wire: bytes, *, answer_bytes: int) -> Answer:
    if len(wire) > answer_bytes:
        return Answer(error_type="too_large", error_message=f"{len(wire) / 2**20:.1f} MB > {answer_bytes / 2**20:g} MB",
                      wire=wire[:0])
    if msg is None:
        return _LineAnswer(wire)
    if "error" in msg:
        err = msg["error"] if isinstance(msg["error"], dict) else {}
        line, chunk = err.get("line"), err.get("chunk")
        return Answer(error_type=str(err.get("type", "error"))[:80], error_message=str(err.get("message", ""))[:400],
                      error_line=line if type(line) is int and line > 0 else None,
                      error_chunk=chunk if type(chunk) is int and chunk >= 0 else None, wire=wire)
    return Answer(error_type="bad_data", error_message="an answer without a value", wire=wire)


def _decoded(wire: bytes) -> Answer:
    try:
        return Answer(value=from_plain(json.loads(wire)["value"]), wire=wire)
    except (PlainDataError, ValueError, TypeError, KeyError, RecursionError, MemoryError) as e:
        # whatever a line says, it is this answer's problem: a wrong type, too deep, not JSON
        return Answer(error_type="bad_data", error_message=f"{type(e).__name__}: {str(e)[:200]}", wire=wire)


class _LineAnswer(Answer):
    """A value as it came in, decoded and validated (:func:`from_plain`) when first read: a
    batch that already judged the same line (``grading.Verdicts``) never reads it, most of a
    class's answers are such lines, and a submission's answers are never all decoded at once."""

    __slots__ = ("_answer",)

    def __init__(self, wire: bytes) -> None:
        object.__setattr__(self, "_answer", None)
        object.__setattr__(self, "wire", wire)

    def _read(self) -> Answer:
        if self._answer is None:
            object.__setattr__(self, "_answer", _decoded(self.wire))
        return self._answer

    value = property(lambda self: self._read().value)
    error_type = property(lambda self: self._read().error_type)
    error_message = property(lambda self: self._read().error_message)
    error_line = property(lambda self: self._read().error_line)
    error_chunk = property(lambda self: self._read().error_chunk)

    def __eq__(self, other: object) -> bool:
        return self._read() == (other._read() if isinstance(other, _LineAnswer) else other)

    def __hash__(self) -> int:
        return hash(self._read())
