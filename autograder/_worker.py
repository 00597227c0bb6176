"""The only code that runs inside the student's process.

Started by :mod:`autograder.sandbox` as ``python -m autograder._worker serve``, possibly inside
bubblewrap, this process is a *fork server*: it imports the heavy modules once (numpy, torch),
then for every job forks a fresh child that drops privileges, applies its limits, executes the
student's code and evaluates the grader's requests. The child streams one JSON line per
request to a private pipe; the server relays what arrived, whatever happened to the child.

Only the standard library, numpy and :mod:`autograder.plaindata` are imported here: nothing
that knows about checks, references or solutions, so none of that is in this process's memory
for a student to find.

Wire format between grader and server: 4-byte big-endian length, then UTF-8 JSON.
"""

from __future__ import annotations

import ast
import collections
import ctypes
import io
import json
import mmap
import os
import re
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import textwrap
import time
import traceback
import types
from typing import Any

from autograder.plaindata import convert, dumps, from_plain, to_plain

MAX_RESULT_BYTES = 256 * 1024 * 1024
#: where a submission may write besides its folder; emptied after each job where they are private
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
CLONE_NEWNET = 0x40000000
PR_SET_DUMPABLE = 4
PR_SET_PDEATHSIG = 1
CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
PR_SET_NO_NEW_PRIVS = 38
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x1000, 0x4000, 0x40000
MADV_HUGEPAGE = 14
MADV_COLLAPSE = 25
#: attributes whose use in a function marked "derive by hand" is refused, read from its source
AUTOGRAD_ATTRIBUTES = frozenset(
    {"backward", "autograd", "functorch", "jacrev", "jacfwd", "hessian", "vjp", "jvp",
     "grad_and_value", "make_dual", "vhp", "hvp", "requires_grad_"}
)


class _CallTimeout(BaseException):
    """Raised inside student code by the per-call alarm; BaseException so `except Exception` won't eat it."""


class _AutogradBanned(BaseException):
    """Raised when a function that must be derived by hand reaches automatic differentiation."""


# --------------------------------------------------------------------------- server side


def serve(preload: list[str], *, own_pid_namespace: bool, channels: list[tuple[int, int]] = ()) -> None:
    """Preload, then answer jobs on stdin/stdout and on every extra ``(read fd, write fd)`` channel.

    With one channel this process forks the children itself. With several, each channel gets
    its own server, forked from this one (so torch is imported once), in a PID and mount
    namespace of its own: jobs on different channels run at the same time, and what one
    submission leaves behind (processes, files in /tmp) can neither be seen nor killed by
    another's, nor cleaned up by killing everything of the sandbox's uid. Where the kernel
    refuses those namespaces, the channels are served one job at a time.
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    for name in preload:
        try:
            __import__(name)
        except ImportError:
            pass  # a preload is an optimisation: the student's own import will report it
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    # what every child would otherwise import for itself, at a few ms each
    import gc
    import inspect  # noqa: F401 - reading a "derive by hand" function's source
    import linecache  # noqa: F401

    # what is loaded now is shared with every child: keep the collector off those pages, or
    # each child's first collection would copy them all (copy-on-write)
    gc.freeze()
    _collapse_to_huge_pages()
    _set_not_dumpable()
    # fd 1 is our channel to the grader; nothing else may write to it
    main = (os.dup(0), os.dup(1))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    all_channels = [main, *channels]
    info = {"ready": True, "uid": os.getuid(), "preloaded": sorted(n for n in preload if n in sys.modules)}
    if len(all_channels) > 1 and _namespaces_work():
        for index, channel in enumerate(all_channels):
            others = [fd for i, c in enumerate(all_channels) if i != index for fd in c]
            _spawn_channel_server(channel, others, info)
        for fd in (fd for c in all_channels for fd in c):
            os.close(fd)
        _reap_until_none()
        return
    _serve_in_turn(all_channels, {**info, "concurrent": False}, own_pid_namespace=own_pid_namespace,
                   sweep_uid=True)


def _serve_in_turn(channels: list[tuple[int, int]], info: dict, *, own_pid_namespace: bool,
                   sweep_uid: bool) -> None:
    """Answer the channels' jobs one at a time, in the order they arrive, until all are closed."""
    streams = {r: os.fdopen(w, "wb") for r, w in channels}
    for out in streams.values():
        _write_msg(out, {**info, "pid": os.getpid()})
    while streams:
        ready, _, _ = select.select(list(streams), [], [])
        for fd in ready:
            out = streams[fd]
            job = _read_msg(fd)
            if job is None:
                del streams[fd]
                os.close(fd)
                out.close()
                continue
            reply, lines = run_job(job, own_pid_namespace=own_pid_namespace, sweep_uid=sweep_uid)
            # the child's lines follow the reply as raw bytes: the grader parses each once
            reply["lines_bytes"] = len(lines)
            _write_msg(out, reply, tail=lines)
            if os.getpid() == 1:
                _reap_orphans()


def _namespaces_work() -> bool:
    """Whether a channel server can have its own PID namespace, /tmp and /proc (tried in a throwaway child)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if _libc().unshare(CLONE_NEWPID | CLONE_NEWNS) == 0:
                inner = os.fork()
                if inner == 0:
                    os._exit(0 if _private_mounts() else 1)
                code = os.waitstatus_to_exitcode(os.waitpid(inner, 0)[1])
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def _spawn_channel_server(channel: tuple[int, int], others: list[int], info: dict) -> None:
    """Fork a keeper that enters new PID and mount namespaces, and in them the channel's server (PID 1)."""
    if os.fork() != 0:
        return
    code = 70
    try:
        for fd in others:
            os.close(fd)
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if _libc().unshare(CLONE_NEWPID | CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "unshare")
        server = os.fork()
        if server == 0:
            _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if not _private_mounts():
                raise OSError(ctypes.get_errno(), "mounting a private /tmp and /proc")
            # PID 1 of its own namespace: killing every process it can see is killing the
            # student's leftovers, and only those
            _serve_in_turn([channel], {**info, "concurrent": True}, own_pid_namespace=True, sweep_uid=False)
            os._exit(0)
        for fd in channel:
            os.close(fd)
        code = os.waitstatus_to_exitcode(os.waitpid(server, 0)[1])
    finally:
        os._exit(code)


def _private_mounts() -> bool:
    """Writable scratch places (/tmp, /var/tmp, /dev/shm) and a /proc of this process's own (it
    is PID 1 of a fresh namespace): submissions on other channels can neither see nor leave
    anything there."""
    libc = _libc()
    flags = MS_NOSUID | MS_NODEV
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    for place in SCRATCH:
        if not os.path.isdir(place):
            continue
        # what is mounted inside (a Python installed under /tmp, bound there by bubblewrap)
        # is put back on top of the fresh tmpfs, through descriptors opened before it hides them
        inside = {point: os.open(point, os.O_PATH) for point in _mount_points_under(place)}
        if libc.mount(b"tmpfs", place.encode(), b"tmpfs", flags, b"mode=1777") != 0:
            return False
        for point, fd in inside.items():
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                os.makedirs(point, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(point), exist_ok=True)
                open(point, "a").close()
            bound = libc.mount(f"/proc/self/fd/{fd}".encode(), point.encode(), None, MS_BIND | MS_REC, None)
            os.close(fd)
            if bound != 0:
                return False
    return libc.mount(b"proc", b"/proc", b"proc", flags | MS_NOEXEC, None) == 0


def _mount_points_under(place: str) -> list[str]:
    """The outermost mount points below ``place`` (from /proc/self/mountinfo)."""
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
            if point.startswith(place + "/"):
                points.append(point)
    return [p for p in points if not any(p != q and p.startswith(q + "/") for q in points)]


def _scratch_entries() -> set[str]:
    return {os.path.join(place, entry) for place in SCRATCH if os.path.isdir(place) for entry in os.listdir(place)}


def _clear_scratch(before: set[str]) -> None:
    """Remove what a job added to the private scratch places (what was there before, such as
    the mount points of a Python installed under /tmp, stays): the next submission finds
    nothing of this one's."""
    for place in SCRATCH:
        if os.path.isdir(place):
            for entry in os.listdir(place):
                path = os.path.join(place, entry)
                if path in before:
                    continue
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, onerror=_ignore_missing)
                else:
                    _remove_missing_ok(path)


def _remove_missing_ok(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass  # gone already


def _drop_capabilities() -> None:
    """Leave this process no capability and no way to gain one (a child that keeps its uid)."""
    libc = _libc()
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    nothing = (ctypes.c_uint32 * 6)()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.capset(header, nothing) != 0:
        raise OSError(ctypes.get_errno(), "dropping capabilities")


def _reap_orphans() -> None:
    """As PID 1 of its namespace, a channel server inherits what its children orphaned."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _reap_until_none() -> None:
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def run_job(job: dict, *, own_pid_namespace: bool, sweep_uid: bool = True) -> tuple[dict, bytes]:
    limits = job["limits"]
    before = _scratch_entries() if own_pid_namespace else set()
    workdir = tempfile.mkdtemp(prefix="submission-")
    os.chmod(workdir, 0o777)  # the child may run as another user and needs to write here
    for name, text in job["files"].items():
        if "/" in name or name.startswith(".") or not name:
            continue
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
            f.write(text)
    area = _ResultArea.create(min(int(limits.get("result_bytes", MAX_RESULT_BYTES)), MAX_RESULT_BYTES))
    out_r, out_w = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(out_r)
            _child(job, workdir, area, out_w)
        except BaseException:  # noqa: BLE001 - the child must never return into the server loop
            code = 70
        os._exit(code)
    os.close(out_w)
    output, dropped, timed_out = _collect(pid, out_r, deadline=started + limits["wall"],
                                          output_cap=limits["output_bytes"])
    status, cpu = _reap(pid, timed_out)
    _kill_leftovers(pid, own_pid_namespace=own_pid_namespace,
                    uid=(job.get("run_as") or {}).get("uid") if sweep_uid else None)
    # read only now: nothing the student started is left to write to the area
    lines, overflow = area.read_and_close()
    if own_pid_namespace:
        _clear_scratch(before)  # a private /tmp (bubblewrap's, or the channel's)
    else:
        shutil.rmtree(workdir, onerror=_ignore_missing)
    return {
        "exit": status,
        "timed_out": timed_out,
        "result_overflow": overflow,
        "output": output.decode("utf-8", "replace"),
        "output_dropped": dropped,
        "wall": round(time.monotonic() - started, 4),
        "cpu": round(cpu, 4),
    }, lines


class _ResultArea:
    """Where the child puts its answers: a shared anonymous mapping, not a pipe.

    One JSON line per request, appended after a 16-byte header (length of the complete lines,
    overflow flag). The length is updated after each line is in place, so a child that dies
    mid-write leaves every earlier answer readable and no torn line. Writing costs no system
    call and does not wake the server for each of a submission's hundreds of answers. Pages
    are only allocated as they are written.
    """

    HEADER = struct.Struct("<QQ")

    def __init__(self, memory: mmap.mmap, capacity: int) -> None:
        self.memory = memory
        self.capacity = capacity
        self.used = 0

    @classmethod
    def create(cls, capacity: int) -> "_ResultArea":
        return cls(mmap.mmap(-1, cls.HEADER.size + capacity), capacity)

    def append(self, data: bytes) -> bool:
        """Add one line (child side); False when there is no room left, which is recorded."""
        begin = self.HEADER.size + self.used
        if self.used + len(data) > self.capacity:
            self.HEADER.pack_into(self.memory, 0, self.used, 1)
            return False
        self.memory[begin:begin + len(data)] = data
        self.used += len(data)
        self.HEADER.pack_into(self.memory, 0, self.used, 0)
        return True

    def read_and_close(self) -> tuple[bytes, bool]:
        """The complete lines and whether the child ran out of room (server side, after the child)."""
        used, overflow = self.HEADER.unpack_from(self.memory, 0)
        used = min(used, self.capacity)  # the header is the student's to scribble on
        data = self.memory[self.HEADER.size:self.HEADER.size + used]
        self.memory.close()
        return data, bool(overflow)


def _collect(pid: int, out_r: int, *, deadline: float, output_cap: int) -> tuple[bytes, int, bool]:
    """Relay the child's output (capped) until it ends or its time is up."""
    output = bytearray()
    dropped = 0
    timed_out = False
    exited_at = None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        if exited_at is None and _exited(pid):
            exited_at = time.monotonic()
        elif exited_at is not None and time.monotonic() - exited_at > 0.05:
            # the child is gone but something it forked still holds the pipe open
            break
        ready, _, _ = select.select([out_r], [], [], min(remaining, 0.02 if exited_at else 0.25))
        if ready:
            chunk = os.read(out_r, 1 << 16)
            if not chunk:
                break
            room = max(output_cap - len(output), 0)
            output += chunk[:room]
            dropped += max(len(chunk) - room, 0)
    os.close(out_r)
    return bytes(output), dropped, timed_out


def _exited(pid: int) -> bool:
    """True once the child has ended (it stays a zombie, so _reap still gets its status)."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _reap(pid: int, kill: bool) -> tuple[dict, float]:
    """The child's exit status, and the CPU seconds it used (user + system)."""
    if kill:
        _killpg(pid)
    deadline = time.monotonic() + 2.0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            _killpg(pid)
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.002)
    cpu = usage.ru_utime + usage.ru_stime
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status)}, cpu
    return {"code": os.WEXITSTATUS(status)}, cpu


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the group is already gone


def _kill_leftovers(pid: int, *, own_pid_namespace: bool, uid: int | None) -> None:
    """Whatever the child started (daemons, forks that left its group) dies with the job."""
    _killpg(pid)
    if uid is not None and uid != os.getuid():
        # the sandbox user runs nothing but student code: every process it owns goes
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == uid:
                        os.kill(int(entry), signal.SIGKILL)
                except (FileNotFoundError, ProcessLookupError):
                    continue  # it ended on its own meanwhile
    if own_pid_namespace:
        # inside our own PID namespace every other process is the student's
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass  # nothing left to kill


def _ignore_missing(func, path, exc_info) -> None:
    if not isinstance(exc_info[1], FileNotFoundError):
        raise exc_info[1]


# --------------------------------------------------------------------------- child side


def _child(job: dict, workdir: str, area: _ResultArea, out_w: int) -> None:
    os.setsid()
    limits = job["limits"]
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.closerange(3, 65536)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing past the file-size limit fails, not kills
    user = job.get("run_as")
    if user:
        if user.get("unshare_net"):
            _unshare_network()
        os.setgroups([])
        os.setgid(user["gid"])
        os.setuid(user["uid"])  # from root to another uid: every capability goes with it
    else:
        _drop_capabilities()  # keeping its uid, the child must not keep the server's capabilities
    _apply_limits(limits)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), line_buffering=True, errors="replace")
    sys.stderr = sys.stdout
    sys.stdin = io.StringIO("")
    os.chdir(workdir)
    os.environ["HOME"] = workdir
    sys.path.insert(0, workdir)
    sys.argv = [job["main"]]

    def emit(obj: dict) -> None:
        emit_line(dumps(obj))

    def emit_line(line: str) -> None:
        if not area.append((line + "\n").encode()):
            os._exit(0)  # no room for more answers: the grader reports the result as too large

    module = types.ModuleType("submission")
    module.__file__ = os.path.join(workdir, job["main"])
    sys.modules["submission"] = module
    signal.signal(signal.SIGALRM, _fire_alarm)
    ban = _AutogradBan()
    chunks = job["chunks"]
    for index, chunk in enumerate(chunks):
        # a notebook's cells keep their own line numbers, as in Jupyter
        filename = module.__file__ if len(chunks) == 1 else f"{module.__file__}:cell{index + 1}"
        ban.sources[filename] = chunk
        error = _exec_chunk(chunk, module, filename=filename, timeout=limits["exec"])
        if error is not None:
            emit({"kind": "exec_error", "chunk": index, "error": error})
            if error["type"] == "SyntaxError" and len(chunks) == 1:
                break
    failed_groups = set()
    for request in job["requests"]:
        group = request.get("group")
        if group is not None and group in failed_groups:
            # all-or-nothing checks: once one case erred, its siblings cannot change the verdict
            emit({"id": request["id"], "error": {"type": "skipped", "message": ""}})
            continue
        reply = _evaluate(module, request, ban=ban, call_timeout=limits["call"])
        if isinstance(reply, dict):  # an error; a value comes back already encoded
            if group is not None:
                failed_groups.add(group)
            emit(reply)
        else:
            emit_line(reply)
    emit({"kind": "done"})
    sys.stdout.flush()
    os._exit(0)


def _exec_chunk(source: str, module: types.ModuleType, *, filename: str, timeout: float) -> dict | None:
    import linecache

    # tracebacks and inspect find the cell's lines by this name
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as e:
        return {"type": "SyntaxError", "message": f"{e.msg} (line {e.lineno})", "line": e.lineno}
    try:
        with _alarm(timeout):
            exec(code, module.__dict__)
    except BaseException as e:  # noqa: BLE001 - whatever the student raises is reported, not fatal
        return _describe(e, filename)
    return None


def _evaluate(module: types.ModuleType, request: dict, *, ban: "_AutogradBan", call_timeout: float) -> dict | str:
    """An error as a dict, or the answer as its encoded JSON line (encoded here, where a
    value that cannot be encoded is still the student's error, not the child's crash)."""
    if request.get("kind") == "otter":  # otter-grader test cases: see the section below
        return _otter_request(module, request, call_timeout=call_timeout)
    rid = request["id"]
    name = request["name"]
    if name not in module.__dict__:
        return {"id": rid, "error": {"type": "missing", "message": name}}
    obj = module.__dict__[name]
    started = time.perf_counter()
    try:
        if request.get("call"):
            if not callable(obj):
                return {"id": rid, "error": {"type": "not_callable", "message": type(obj).__name__}}
            if request.get("forbid_autograd"):
                offending = ban.static_use(obj)
                if offending:
                    return {"id": rid, "error": {"type": "autograd_forbidden", "message": offending}}
            args = [convert(from_plain(a), request.get("as", "numpy")) for a in request.get("args", [])]
            with _alarm(request.get("timeout", call_timeout)), ban.active(request.get("forbid_autograd", False)):
                value = obj(*args)
        else:
            value = obj
        line = dumps({"id": rid, "value": to_plain(value), "seconds": round(time.perf_counter() - started, 6)})
    except _CallTimeout:
        return {"id": rid, "error": {"type": "timeout", "message": str(request.get("timeout", call_timeout))}}
    except _AutogradBanned as e:
        return {"id": rid, "error": {"type": "autograd_forbidden", "message": str(e)}}
    except BaseException as e:  # noqa: BLE001 - student exceptions are grading results
        return {"id": rid, "error": _describe(e, module.__file__)}
    return line


def _describe(e: BaseException, filename: str) -> dict:
    line = None
    for frame in traceback.extract_tb(e.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    message = str(e)
    if len(message) > 300:
        message = message[:300] + "..."
    return {"type": type(e).__name__, "message": message, "line": line}


def _fire_alarm(signum, frame):
    raise _CallTimeout()


class _alarm:
    """Per-call wall-clock limit inside the child (the server's deadline is the backstop).

    The SIGALRM handler is installed once per child (``_fire_alarm``); this only arms the timer.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)


class _AutogradBan:
    """Make every road to torch's autograd raise while a "derive by hand" function runs.

    Backward passes (``.backward()``, ``torch.autograd.grad``, ``torch.func.grad``/``vjp``/
    ``jacrev``, ``torch.autograd.functional``) all go through the engine object; forward mode
    (``jacfwd``, ``jvp``) goes through ``make_dual``. Both are replaced by guards. A function
    that puts the originals back is caught when the call returns.
    """

    def __init__(self) -> None:
        self.enabled = False
        self.installed = False
        #: what reading each function's source found, by code object (read once per job)
        self.scanned: dict = {}
        #: the submission's sources by the filename their code was compiled under
        self.sources: dict[str, str] = {}
        #: per file: its tree (until fully indexed) and its definitions by first line
        self._defs: dict[str, tuple[ast.AST | None, dict[int, ast.AST]]] = {}

    def static_use(self, func: Any) -> str:
        """What the function's own source uses of autograd ('' when clean), from one parse per file."""
        code = getattr(func, "__code__", None)
        if code is None:
            return ""
        if code not in self.scanned:
            node = self._own_lines(code)
            if node is None:
                node = self._definition(code.co_filename, code.co_firstlineno)
            self.scanned[code] = _autograd_use(node) if node is not None else _source_uses_autograd(func)
        return self.scanned[code]

    def _own_lines(self, code: types.CodeType) -> ast.AST | None:
        """The function's lines alone, parsed: a few lines instead of the whole file (a file
        parse costs ~3 ms). None when they do not parse on their own (then the file is)."""
        source = self.sources.get(code.co_filename)
        if source is None:
            return None
        last = _last_line(code)
        lines = source.splitlines(keepends=True)[code.co_firstlineno - 1:last]
        try:
            return ast.parse(textwrap.dedent("".join(lines)))
        except SyntaxError:
            return None

    def _definition(self, filename: str, line: int) -> ast.AST | None:
        if filename not in self._defs:
            try:
                tree = ast.parse(self.sources.get(filename, ""))
            except SyntaxError:
                tree = ast.Module(body=[], type_ignores=[])
            self._defs[filename] = (tree, _statement_definitions(tree))
        tree, defs = self._defs[filename]
        if line not in defs and tree is not None:
            # a lambda inside some expression: only then is every node of the file visited
            defs.update((at, node) for at, node in _all_definitions(tree) if at not in defs)
            self._defs[filename] = (None, defs)
        return defs.get(line)

    def active(self, enabled: bool) -> "_AutogradBan":
        self.enabled = enabled
        if enabled:
            self._install()
        return self

    def __enter__(self) -> None:
        if self.enabled:
            for mod in ("jax", "functorch"):
                if mod in sys.modules and mod != "functorch":
                    raise _AutogradBanned(f"{mod} is not allowed here")

    def __exit__(self, exc_type, exc, tb) -> None:
        was = self.enabled
        self.enabled = False
        if was and self.installed and not self._intact():
            raise _AutogradBanned("the function tampered with the autograd guard")

    def _install(self) -> None:
        if self.installed or "torch" not in sys.modules:
            return
        import torch
        from torch.autograd import forward_ad
        from torch.autograd.variable import Variable

        ban = self
        real_engine = Variable._execution_engine

        class GuardedEngine:
            def __getattr__(self, attr):
                if ban.enabled:
                    raise _AutogradBanned(f"automatic differentiation ({attr})")
                return getattr(real_engine, attr)

        real_make_dual = forward_ad.make_dual

        def guarded_make_dual(*args, **kwargs):
            if ban.enabled:
                raise _AutogradBanned("forward-mode automatic differentiation")
            return real_make_dual(*args, **kwargs)

        self.engine = GuardedEngine()
        self.make_dual = guarded_make_dual
        Variable._execution_engine = self.engine
        forward_ad.make_dual = guarded_make_dual
        self.torch = torch
        self.installed = True

    def _intact(self) -> bool:
        from torch.autograd import forward_ad
        from torch.autograd.variable import Variable

        return Variable._execution_engine is self.engine and forward_ad.make_dual is self.make_dual


def _source_uses_autograd(func: Any) -> str:
    """Read the function's own source for automatic differentiation; '' when clean.

    Only what reaches autograd counts (``x.backward()``, ``torch.autograd``, ``torch.func``,
    ``functorch``, ``jax``, their imports): a local variable that happens to be called
    ``jacobian`` is fine. The runtime guard is the real enforcement; this names the line.
    """
    import inspect

    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return ""
    try:
        tree = ast.parse(inspect.cleandoc("\n" + source) if source[:1].isspace() else source)
    except SyntaxError:
        return ""
    return _autograd_use(tree)


def _last_line(code: types.CodeType) -> int:
    """The last source line of a code object and of the functions defined inside it."""
    last = code.co_firstlineno
    if hasattr(code, "co_positions"):  # 3.11: end lines of multi-line expressions too
        last = max([last, *(end for _, end, _, _ in code.co_positions() if end is not None)])
    last = max([last, *(line for _, _, line in code.co_lines() if line is not None)])
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            last = max(last, _last_line(const))
    return last


def _lines_of(node: ast.AST) -> list[int]:
    """A definition's line and its decorators' lines: a code object starts at either."""
    return [node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]


def _statement_definitions(tree: ast.AST) -> dict[int, ast.AST]:
    """Functions, and lambdas assigned by a statement, found without visiting every expression."""
    defs: dict[int, ast.AST] = {}
    queue = collections.deque(getattr(tree, "body", []))  # in source order, as ast.walk would
    while queue:
        node = queue.popleft()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for at in _lines_of(node):
                defs.setdefault(at, node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Lambda):
            defs.setdefault(node.value.lineno, node.value)
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, block, None)
            if isinstance(inner, list):
                queue.extend(inner)
    return defs


def _all_definitions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for at in _lines_of(node):
                yield at, node


def _autograd_use(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.module == "torch":
                modules += [f"torch.{a.name}" for a in node.names]
            for m in modules:
                if m.split(".")[0] in ("jax", "functorch") or m.startswith(("torch.autograd", "torch.func")):
                    return f"import {m}"
        elif isinstance(node, ast.Attribute):
            if node.attr in AUTOGRAD_ATTRIBUTES:
                return f".{node.attr}"
            if node.attr == "func" and isinstance(node.value, ast.Name) and node.value.id == "torch":
                return "torch.func"
        elif isinstance(node, ast.Name) and node.id in ("jax", "functorch"):
            return node.id
    return ""


# --------------------------------------------------------------------------- otter-grader test cases


def _otter_request(module: types.ModuleType, request: dict, *, call_timeout: float) -> dict | str:
    """Run the cases of one otter test file (request kind "otter"); see autograder/otter/runner.py.

    The runner executes test code next to the student's and returns what it printed, raised or
    (for exception-based tests) whether it passed, as plain data; the grader decides doctest
    verdicts. Each case runs under its own alarm, so a hanging case times out alone.
    """
    rid = request["id"]
    started = time.perf_counter()
    try:
        from autograder.otter import runner

        value = runner.run(module, request.get("otter") or {}, timeout=float(request.get("timeout", call_timeout)),
                           timeout_error=_CallTimeout)
        return dumps({"id": rid, "value": to_plain(value), "seconds": round(time.perf_counter() - started, 6)})
    except BaseException as e:  # noqa: BLE001 - reported like any other request's error
        return {"id": rid, "error": _describe(e, module.__file__)}


def _apply_limits(limits: dict) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    cpu = int(limits["wall"]) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # counted from what the fork server already maps (torch reserves a lot of address space),
    # so the limit is on what the student's code adds
    mem = _vm_size() + limits["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    if os.getuid() != 0:
        # RLIMIT_NPROC counts every process of the uid; leave room for the ones already there
        nproc = _processes_of(os.getuid()) + limits["processes"]
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def _vm_size() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def _processes_of(uid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry}/task"))
            except OSError:
                continue  # the process ended while we counted
    return count


def _unshare_network() -> bool:
    """Leave the network where the platform allows it (Gradescope's containers usually don't)."""
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(CLONE_NEWNET) == 0


def _collapse_to_huge_pages() -> int:
    """Back the server's large anonymous mappings (the heap torch filled) with 2 MB pages.

    fork() copies one page-table entry per 4 KB page: for a server holding torch (~150 MB
    of heap) that is most of a submission's start-up. With huge pages it copies one entry
    per 2 MB, and fork+exit drops from ~9 ms to ~3 ms. Needs MADV_COLLAPSE (Linux 6.1);
    elsewhere madvise fails and the server simply stays on small pages. Returns the bytes
    collapsed.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    huge = 2 << 20
    collapsed = 0
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        start, end = (int(x, 16) for x in fields[0].split("-"))
        anonymous = len(fields) < 6 or fields[5] == "[heap]"
        if not anonymous or "w" not in fields[1] or fields[1].endswith("s"):
            continue
        first, last = (start + huge - 1) & ~(huge - 1), end & ~(huge - 1)
        if last - first < huge:
            continue
        if libc.madvise(first, last - first, MADV_HUGEPAGE) == 0 and \
                libc.madvise(first, last - first, MADV_COLLAPSE) == 0:
            collapsed += last - first
    return collapsed


def _set_not_dumpable() -> None:
    # a child running as the same user must not be able to ptrace the server
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _read_msg(fd: int) -> dict | None:
    """One length-prefixed JSON message from a raw descriptor (select() sees no hidden buffer)."""
    header = _read_exact(fd, 4)
    if header is None:
        return None
    (n,) = struct.unpack(">I", header)
    body = _read_exact(fd, n)
    return None if body is None else json.loads(body)


def _read_exact(fd: int, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _write_msg(stream, obj: dict, tail: bytes = b"") -> None:
    data = json.dumps(obj, allow_nan=False).encode()
    stream.write(struct.pack(">I", len(data)) + data)
    if tail:
        stream.write(tail)
    stream.flush()


def main(argv: list[str]) -> None:
    preload: list[str] = []
    own_ns = False
    channels: list[tuple[int, int]] = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--preload":
            preload = [p for p in args.pop(0).split(",") if p]
        elif a == "--own-pid-namespace":
            own_ns = True
        elif a == "--channels":
            channels = [tuple(int(fd) for fd in pair.split(":")) for pair in args.pop(0).split(",") if pair]
    serve(preload, own_pid_namespace=own_ns, channels=channels)


if __name__ == "__main__":
    main(sys.argv[2:] if len(sys.argv) > 1 and sys.argv[1] == "serve" else sys.argv[1:])
