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
import hashlib
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
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.errors import SandboxError
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
    #: all the answers of one run together (the shared area they are written to)
    result_bytes: int = 256 * 1024 * 1024

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
    #: asked of other submissions too, with the same arguments (a kept plan, see
    #: ``grading.Plans``): the server may keep the arguments between jobs (:class:`_KeptArguments`)
    reused: bool = False

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
    def args_key(self) -> str:
        """The arguments' name when the server keeps them: a digest of their encoding."""
        return hashlib.blake2b(self.encoded_args.encode(), digest_size=16).hexdigest()

    @functools.cached_property
    def encoded_by_reference(self) -> str:
        """:attr:`encoded`, with the arguments named by :attr:`args_key` instead of carried."""
        return f'{self._header_json}, "args_ref": "{self.args_key}"}}'

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
    run_as: tuple[int, int] | None = None

    def describe(self) -> str:
        return {
            "bwrap": "bubblewrap namespaces (no network, private filesystem) + rlimits",
            "user": f"separate user {SANDBOX_USER} + rlimits, no privileges",
            "rlimits": "resource limits only (no separate user, no namespaces)",
        }[self.mode]


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
        return Isolation("bwrap", run_as=_sandbox_ids() if os.geteuid() == 0 else None)
    if requested == "bwrap":
        raise SandboxError("bubblewrap is not usable here (install the 'bubblewrap' package, or allow user namespaces)")
    if requested in ("auto", "user") and os.geteuid() == 0:
        try:
            entry = pwd.getpwnam(SANDBOX_USER)
        except KeyError:
            if requested == "user":
                raise SandboxError(f"user {SANDBOX_USER!r} does not exist: run setup.sh as root") from None
        else:
            return Isolation("user", run_as=(entry.pw_uid, entry.pw_gid))
    if requested == "user":
        raise SandboxError("isolation 'user' needs root to switch users")
    return Isolation("rlimits")


def check_hidden_unreadable(isolation: Isolation, paths: list[Path]) -> None:
    """In ``user`` mode, hidden material must be closed to the sandbox user; refuse to grade otherwise.

    (In ``bwrap`` mode it is absent from the student's filesystem; in ``rlimits`` mode there
    is no separate user to hide it from, which is why that mode is for public checks.)
    """
    if isolation.mode != "user" or isolation.run_as is None:
        return
    uid, gid = isolation.run_as
    for path in paths:
        if path.exists() and _readable_by(path, uid, gid):
            raise SandboxError(f"{path} is readable by {SANDBOX_USER}; run 'chmod -R go-rwx {path.parent}' "
                               "(setup.sh does this on Gradescope)")


def _readable_by(path: Path, uid: int, gid: int) -> bool:
    def allowed(p: Path, want: int) -> bool:
        st = p.stat()
        if st.st_uid == uid:
            return bool(st.st_mode & (want << 6))
        if st.st_gid == gid:
            return bool(st.st_mode & (want << 3))
        return bool(st.st_mode & want)

    path = path.resolve()
    if not all(allowed(parent, 1) for parent in reversed(path.parents)):
        return False
    if path.is_dir():
        return allowed(path, 4) or any(_readable_by(child, uid, gid) for child in path.iterdir())
    return allowed(path, 4)


def _sandbox_ids() -> tuple[int, int]:
    """The dedicated sandbox user when setup.sh created it, else nobody."""
    try:
        entry = pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        return (65534, 65534)
    return (entry.pw_uid, entry.pw_gid)


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
                 preload: tuple[str, ...] = ("numpy", "torch"), limits: Limits = Limits()) -> None:
        self.isolation = isolation or detect_isolation()
        self.preload = preload
        self.limits = limits
        # Forking a process that holds torch costs ~12 ms (its page tables), one with numpy
        # ~1 ms: submissions that never mention torch go to a light server.
        self._pools = {"full": _Pool(self.isolation, preload, workers),
                       "light": _Pool(self.isolation, tuple(m for m in preload if m != "torch"), workers)}

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()

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

        If the process dies or times out part-way, the request it was on is charged with it
        and the rest are asked again in a fresh process (at most ``max_restarts`` times, within
        the same wall-clock budget), so one hostile function cannot zero unrelated questions.
        """
        limits = limits or self.limits
        deadline = time.monotonic() + limits.wall
        outcome = self._run_once(files, main, chunks, requests, limits)
        if outcome.problem and outcome.problem.startswith("worker_died") and not outcome.answers:
            # the server went away, not (as far as we know) the student's process: once more on a
            # fresh server before anyone is charged (a submission that kills servers is, next time)
            outcome = self._run_once(files, main, chunks, requests, limits)
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
            outcome = self._run_once(files, main, chunks, rest, replace(limits, wall=remaining))
        if outcome.problem == "result_too_large" or outcome.problem and outcome.problem.startswith("worker_died"):
            incidents.append(outcome.problem.split(":")[0])
        return replace(outcome, answers=answers, incidents=tuple(incidents), wall=wall, cpu=cpu)

    def _run_once(self, files: dict[str, str], main: str, chunks: list[str], requests: list[Request],
                  limits: Limits) -> Outcome:
        pool = self._pools["full" if needs_torch(files, requests) else "light"]
        channel = pool.acquire()
        # the header the server reads (with the arguments it is to keep), and the body only
        # the student's process reads
        encoded, definitions = channel.kept.encode(requests)
        body = (f'{{"files": {json.dumps(files)}, "chunks": {json.dumps(chunks)}, '
                f'"requests": [{", ".join(encoded)}]}}').encode()
        job = {"main": main, "limits": limits.wire(), "body_bytes": len(body)}
        if self.isolation.run_as:
            job["run_as"] = {"uid": self.isolation.run_as[0], "gid": self.isolation.run_as[1],
                             "unshare_net": self.isolation.mode == "user"}
        try:
            reply, lines = channel.request(job, body=body, definitions=definitions, timeout=limits.wall + 15)
        except _ServerDied as e:
            pool.replace(channel)
            return Outcome(answers={}, finished=False, problem=f"worker_died:{e}")
        pool.release(channel)
        return _outcome_from_reply(reply, lines, requests)


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

    def __init__(self, isolation: Isolation, preload: tuple[str, ...], size: int) -> None:
        self.isolation = isolation
        self.preload = preload
        self.size = size
        self._idle: queue.Queue[_Channel] = queue.Queue()
        self._server: _Server | None = None
        self._only: int | None = None
        self._lock = threading.Lock()

    def start(self, *, wait: bool = True) -> None:
        with self._lock:
            if self._server is None:
                self._server = _Server(self.isolation, self.preload, self.size, wait=wait)
                for index, channel in enumerate(self._server.channels):
                    if self._only is None or index == self._only:
                        self._idle.put(channel)

    def keep_only(self, index: int) -> None:
        """Use channel ``index`` alone: a process forked after :meth:`start` shares the server.
        (A server not started yet will be this process's own, with one channel.)"""
        with self._lock:
            if self._server is None:
                self.size = 1
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

    def __init__(self, isolation: Isolation, preload: tuple[str, ...], channels: int = 1, *, wait: bool = True) -> None:
        """Start the server; ``wait=False`` returns at once, and each channel waits for the server
        to be ready the first time it is used (the torch server takes a second to start)."""
        self._stderr = tempfile.TemporaryFile()
        cmd, env = _server_command(isolation, preload)
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


class _KeptArguments:
    """The arguments the server behind one channel keeps between jobs, as the grader knows them.

    A batch asks every submission that gets the same set of draws the same calls, ~100 KB of
    encoded arrays for devoir3: decoding them cost each student process ~1 ms of its ~18. A
    reused request's arguments are sent in full the first time, and the second time with an
    order to keep them (decoded, in the server, before it forks); from then on a job names
    them and each child takes fresh copies. Waiting for the second time keeps what is used once
    (a regrade of one submission) out of the server; ``limit`` bounds what one server keeps
    (its size is copied into every fork's page tables). A replaced server comes with new
    channels, and so with an empty record.
    """

    #: arguments shorter than this, encoded, are sent every time (a name would save nothing)
    MIN_BYTES = 256

    def __init__(self, limit: int = 32 * 1024 * 1024) -> None:
        self.limit = limit
        self.size = 0
        self.seen: set[str] = set()
        self.kept: set[str] = set()

    def encode(self, requests: list[Request]) -> tuple[list[str], dict[str, str]]:
        """Each request's encoding for the next job, and the arguments that job orders kept."""
        encoded, definitions = [], {}
        for r in requests:
            if not r.reused or len(r.encoded_args) < self.MIN_BYTES:
                encoded.append(r.encoded)
                continue
            key = r.args_key
            if key not in self.kept:
                if key not in self.seen or self.size + len(r.encoded_args) > self.limit:
                    self.seen.add(key)
                    encoded.append(r.encoded)
                    continue
                definitions[key] = r.encoded_args
                self.kept.add(key)
                self.size += len(r.encoded_args)
            encoded.append(r.encoded_by_reference)
        return encoded, definitions


class _Channel:
    """One conversation with a server: a job goes out, its reply comes back, one at a time."""

    def __init__(self, server: _Server, index: int, write_fd: int, read_fd: int) -> None:
        self.server = server
        self.index = index
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.ready = False
        self.kept = _KeptArguments()

    def await_ready(self) -> None:
        """Read the server's "ready" on this channel (once); a server that cannot start is an error."""
        if self.ready:
            return
        ready = self.read_message(time.monotonic() + 120)
        if ready is None or not ready.get("ready"):
            raise self.server.failed_to_start()
        self.server.concurrent = bool(ready.get("concurrent"))
        self.ready = True

    def request(self, job: dict, *, body: bytes = b"", definitions: dict[str, str] | None = None,
                timeout: float) -> tuple[dict, bytes]:
        """Send a job (its header, then ``body`` raw); the reply and the raw answer lines that follow it.
        ``definitions`` (name: encoded arguments) go in the header, for the server to keep."""
        self.await_ready()
        header = json.dumps(job)
        if definitions:
            kept = ", ".join(f'"{key}": {args}' for key, args in definitions.items())
            header = f'{header[:-1]}, "keep": {{{kept}}}}}'
        data = header.encode()
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


def _server_command(isolation: Isolation, preload: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "MPLBACKEND": "Agg", "HOME": "/tmp", "PYTHONHASHSEED": "0"}
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            env[var] = os.environ[var]
    worker = ["-m", "autograder._worker", "serve", "--preload", ",".join(preload)]
    if isolation.mode != "bwrap":
        env["PYTHONPATH"] = str(PACKAGE_DIR.parent)
        return [sys.executable, "-s", *worker], env
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
            "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--dir", "/var/tmp", "--chdir", "/tmp"]
    for top in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for etc in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    roots = sorted(_python_roots())
    # mount points bwrap creates on its own are 0700 (root's): the student's uid could not
    # traverse them to the libraries it imports
    parents = sorted({str(p) for r in roots for p in Path(r).parents if str(p) != "/"} | {inside_pkg},
                     key=lambda p: p.count("/"))
    for parent in parents:
        args += ["--perms", "0755", "--dir", parent]
    for path in roots:
        args += ["--ro-bind", path, path]
    args += ["--ro-bind", str(PACKAGE_DIR), f"{inside_pkg}/autograder"]
    return [*args, sys.executable, "-s", *worker, "--own-pid-namespace"], env


def _python_roots() -> set[str]:
    """Directories the interpreter and its numeric libraries live in, and nothing above them."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
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
        if any(s.startswith(root + os.sep) for s in secret):
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


def _outcome_from_reply(reply: dict, lines: bytes, requests: list[Request]) -> Outcome:
    answers: dict[str, Answer] = {}
    exec_errors = []
    finished = False
    wanted = {r.id for r in requests}
    for msg, wire in _messages(lines):
        if not isinstance(msg, dict):
            continue
        kind = msg.get("kind")
        if kind == "exec_error":
            exec_errors.append(msg.get("error") or {})
        elif kind == "done":
            finished = True
        elif msg.get("id") in wanted and msg["id"] not in answers:
            answers[msg["id"]] = _answer(msg, wire)
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


def _messages(lines: bytes) -> list[tuple[Any, bytes]]:
    """The child's answer lines, each decoded and with the line it came in, up to the first that
    is not JSON (the child scribbled over its area: what follows cannot be trusted)."""
    split = [line for line in lines.split(b"\n") if line]
    try:
        # one parse for all (~200 lines for devoir3), when it reads as one message per line
        messages = json.loads(b"[" + b",".join(split) + b"]")
        if len(messages) == len(split):
            return list(zip(messages, split))
    except ValueError:
        pass  # some line is not JSON: found line by line below
    decoded = []
    for line in split:
        try:
            decoded.append((json.loads(line), line))
        except ValueError:
            break
    return decoded


def _answer(msg: dict, wire: bytes = b"") -> Answer:
    if "error" in msg:
        err = msg["error"] if isinstance(msg["error"], dict) else {}
        line = err.get("line")
        text = str(err.get("message", ""))[:400]
        if line:
            text = f"{text} (line {line})"
        return Answer(error_type=str(err.get("type", "error"))[:80], error_message=text, wire=wire)
    return _LineAnswer(msg.get("value"), wire)


def _decoded(plain: Any, wire: bytes) -> Answer:
    try:
        return Answer(value=from_plain(plain), wire=wire)
    except (PlainDataError, ValueError, TypeError) as e:
        return Answer(error_type="bad_data", error_message=str(e)[:200], wire=wire)


class _LineAnswer(Answer):
    """A value as it came in, decoded and validated (:func:`from_plain`) when first read: a
    batch that already judged the same line (``grading.Verdicts``) never reads it, and most of
    a class's answers are such lines."""

    __slots__ = ("_plain", "_answer")

    def __init__(self, plain: Any, wire: bytes) -> None:
        object.__setattr__(self, "_plain", plain)
        object.__setattr__(self, "_answer", None)
        object.__setattr__(self, "wire", wire)

    def _read(self) -> Answer:
        if self._answer is None:
            object.__setattr__(self, "_answer", _decoded(self._plain, self.wire))
            object.__setattr__(self, "_plain", None)
        return self._answer

    value = property(lambda self: self._read().value)
    error_type = property(lambda self: self._read().error_type)
    error_message = property(lambda self: self._read().error_message)

    def __eq__(self, other: object) -> bool:
        return self._read() == (other._read() if isinstance(other, _LineAnswer) else other)

    def __hash__(self) -> int:
        return hash(self._read())
