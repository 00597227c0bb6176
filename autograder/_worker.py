"""The only code that runs inside the student's process.

Started by :mod:`autograder.sandbox` as ``python -m autograder._worker serve``, possibly inside
bubblewrap, this process is a *fork server*: it imports the heavy modules once (numpy, torch),
then for every job forks a fresh child that drops privileges, applies its limits, executes the
student's code and evaluates the grader's requests. The child streams one JSON line per
request to a private pipe; the server relays what arrived, whatever happened to the child.

Only the standard library, numpy, :mod:`autograder.plaindata` and this module's two helpers
(:mod:`autograder._isolation`, the kernel's part; :mod:`autograder._autograd_ban`, the "derive
by hand" guard) are imported here: nothing that knows about checks, references or solutions,
so none of that is in this process's memory for a student to find.

Wire format between grader and server: 4-byte big-endian length, then UTF-8 JSON.
"""

from __future__ import annotations

import ctypes
import gc
import io
import json
import mmap
import os
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
import types

from autograder import _isolation as isolation
from autograder._autograd_ban import AutogradBan, banned_in, locate_entry_points
from autograder.plaindata import convert, dumps, from_plain, to_plain

MAX_RESULT_BYTES = 256 * 1024 * 1024


class _CallTimeout(BaseException):
    """Raised inside student code by the per-call alarm; BaseException so `except Exception` won't eat it."""


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
    ban_spots = None
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
        warm_up_torch()
        # where torch's autograd switches are held, found once here for every banned child
        ban_spots = locate_entry_points()
    # what every child would otherwise import for itself, at a few ms each
    import inspect  # noqa: F401 - reading a "derive by hand" function's source
    import linecache  # noqa: F401

    # what is loaded now is shared with every child: keep the collector off those pages, or
    # each child's first collection would copy them all (copy-on-write)
    gc.freeze()
    isolation.collapse_to_huge_pages()
    isolation.set_not_dumpable()
    # fd 1 is our channel to the grader; nothing else may write to it
    main = (os.dup(0), os.dup(1))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    all_channels = [main, *channels]
    info = {"ready": True, "uid": os.getuid(), "preloaded": sorted(n for n in preload if n in sys.modules)}
    if len(all_channels) > 1 and isolation.namespaces_work():
        for index, channel in enumerate(all_channels):
            others = [fd for i, c in enumerate(all_channels) if i != index for fd in c]
            _spawn_channel_server(channel, others, info, ban_spots=ban_spots)
        for fd in (fd for c in all_channels for fd in c):
            os.close(fd)
        isolation.reap_until_none()
        return
    _serve_in_turn(all_channels, {**info, "concurrent": False}, own_pid_namespace=own_pid_namespace,
                   ban_spots=ban_spots)


def warm_up_torch() -> None:
    """Run once, here, what most students' torch code runs (tensors from lists and numpy, in
    float32 and float64, matrix products, a convolution, a backward pass): torch initialises
    such paths lazily, and each child would otherwise do it again (~1 ms a submission).
    It starts no thread, which a process that forks must not have (tests check)."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    for dtype in (torch.float32, torch.float64):
        x = torch.tensor([[1.0, -2.0, 3.0]], dtype=dtype, requires_grad=True)
        y = F.conv1d(x.view(1, 1, -1), torch.ones(1, 1, 2, dtype=dtype)).sum() + (x @ x.T).sum()
        y = y + torch.tanh(x).sum() + torch.sigmoid(x).sum() + F.relu(x).sum() + torch.softmax(x, dim=1)[0, 0]
        y.backward()
        torch.from_numpy(np.ones(3, dtype=np.float64)).to(dtype).numpy()


def _serve_in_turn(channels: list[tuple[int, int]], info: dict, *, own_pid_namespace: bool,
                   ban_spots: list | None = None) -> None:
    """Answer the channels' jobs one at a time, in the order they arrive, until all are closed."""
    streams = {r: os.fdopen(w, "wb") for r, w in channels}
    users_seen: set[int] = set()
    for out in streams.values():
        _write_msg(out, {**info, "pid": os.getpid()})
    while streams:
        ready, _, _ = select.select(list(streams), [], [])
        for fd in ready:
            out = streams[fd]
            job = _read_msg(fd)
            body = _read_body(fd, int(job.get("body_bytes", 0))) if job is not None else None
            if job is None or body is None:
                del streams[fd]
                os.close(fd)
                out.close()
                continue
            try:
                reply, area, output = run_job(job, body, own_pid_namespace=own_pid_namespace, users_seen=users_seen,
                                              ban_spots=ban_spots)
            finally:
                body.close()
            # the child's lines, then its output, follow the reply as raw bytes (the grader
            # parses each line once), written from the mappings: none of it passes this heap
            lines = area.lines()
            printed = memoryview(output)[:reply["output_bytes"]]
            reply["lines_bytes"] = len(lines)
            _write_msg(out, reply)
            _write_all(out.fileno(), lines)
            _write_all(out.fileno(), printed)
            lines.release()
            printed.release()
            area.close()
            output.close()
            if os.getpid() == 1:
                isolation.reap_orphans()


def _spawn_channel_server(channel: tuple[int, int], others: list[int], info: dict, *,
                          ban_spots: list | None = None) -> None:
    """Fork a keeper that enters new PID and mount namespaces, and in them the channel's server (PID 1)."""
    if os.fork() != 0:
        return
    code = 70
    try:
        for fd in others:
            os.close(fd)
        isolation.load_libc().prctl(isolation.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if isolation.load_libc().unshare(isolation.CLONE_NEWPID | isolation.CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "unshare")
        server = os.fork()
        if server == 0:
            isolation.load_libc().prctl(isolation.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if not isolation.private_mounts():
                raise OSError(ctypes.get_errno(), "mounting a private /tmp and /proc")
            # PID 1 of its own namespace: killing every process it can see is killing the
            # student's leftovers, and only those
            _serve_in_turn([channel], {**info, "concurrent": True}, own_pid_namespace=True, ban_spots=ban_spots)
            os._exit(0)
        for fd in channel:
            os.close(fd)
        code = os.waitstatus_to_exitcode(os.waitpid(server, 0)[1])
    finally:
        os._exit(code)


def run_job(job: dict, body: mmap.mmap, *, own_pid_namespace: bool, users_seen: set[int] | None = None,
            ban_spots: list | None = None) -> tuple[dict, "_ResultArea", mmap.mmap]:
    """Run one job: ``job`` is its header (limits, main file, the uid to run as), ``body`` its
    files, cells and requests, read by the child alone. What a submission sends or answers
    never enters this process's heap, so no later child, forked from it, inherits a trace of
    an earlier one.

    As root (``run_as``), this process never touches what the student's uid can write: the
    child drops to that uid before it makes its folder and writes the submission's files, and
    what the job left is removed by a process of that uid's own
    (:func:`autograder._isolation.end_user`). In a PID namespace of our own, one ``kill(-1)``
    ends every other process in it first; without one (the ``user`` mode on Gradescope),
    that process of the uid ends them, and it also runs before the first job of a uid in
    this server (``users_seen``: a server that died may have left some).
    """
    limits = job["limits"]
    user = job.get("run_as")
    shared_pids = user and not own_pid_namespace
    if shared_pids and users_seen is not None and user["uid"] not in users_seen:
        isolation.end_user(user["uid"], user["gid"], reaper=user.get("reaper"))
        users_seen.add(user["uid"])
    before = isolation.scratch_entries() if own_pid_namespace and not user else set()
    # without a uid to switch to, the child is this process's uid: its folder can be made here
    workdir = None if user else tempfile.mkdtemp(prefix="submission-")
    area = _ResultArea.create(min(int(limits.get("result_bytes", MAX_RESULT_BYTES)), MAX_RESULT_BYTES))
    out_r, out_w = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(out_r)
            _child(job, body, workdir, area, out_w, ban_spots)
        except BaseException:  # noqa: BLE001 - the child must never return into the server loop
            code = 70
        os._exit(code)
    os.close(out_w)
    output = mmap.mmap(-1, max(int(limits["output_bytes"]), 1))
    output_used, dropped, timed_out = _collect(pid, out_r, deadline=started + limits["wall"], sink=output)
    status, cpu = _reap(pid, timed_out)
    _killpg(pid)
    if own_pid_namespace:
        # inside our own PID namespace every other process is the student's: one kill(-1),
        # which no fork escapes
        _kill_all_others()
    if user:
        isolation.end_user(user["uid"], user["gid"], reaper=user.get("reaper"))
    # read only now: nothing the student started is left to write to the area
    overflow = area.overflowed()
    if own_pid_namespace and not user:
        isolation.clear_scratch(before)  # a private /tmp (bubblewrap's, or the channel's)
    elif workdir is not None:
        shutil.rmtree(workdir, onerror=isolation.ignore_missing)
    return {
        "exit": status,
        "timed_out": timed_out,
        "result_overflow": overflow,
        "output_bytes": output_used,
        "output_dropped": dropped,
        "wall": round(time.monotonic() - started, 4),
        "cpu": round(cpu, 4),
    }, area, output


def _write_files(workdir: str, files: dict) -> None:
    """The submission's files, in the child's own folder (as the student's uid when there is one):
    created, never followed nor overwritten."""
    for name, text in files.items():
        if not isinstance(name, str) or "/" in name or "\0" in name or name.startswith(".") or not name:
            continue
        fd = os.open(os.path.join(workdir, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with open(fd, "w", encoding="utf-8") as f:
            f.write(text)


def _read_body(fd: int, n: int) -> mmap.mmap | None:
    """``n`` bytes from the channel, straight into a fresh mapping (None at end of input)."""
    body = mmap.mmap(-1, max(n, 1))
    view = memoryview(body)
    got = 0
    while got < n:
        k = os.readv(fd, [view[got:n]])
        if k == 0:
            view.release()
            body.close()
            return None
        got += k
    view.release()
    return body


def _write_all(fd: int, data) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


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

    def lines(self) -> memoryview:
        """The complete lines, in place (server side, after the child); release before close."""
        used = min(self.HEADER.unpack_from(self.memory, 0)[0], self.capacity)  # the student's to scribble on
        return memoryview(self.memory)[self.HEADER.size:self.HEADER.size + used]

    def overflowed(self) -> bool:
        return bool(self.HEADER.unpack_from(self.memory, 0)[1])

    def close(self) -> None:
        self.memory.close()


def _collect(pid: int, out_r: int, *, deadline: float, sink: mmap.mmap) -> tuple[int, int, bool]:
    """Relay the child's output into ``sink`` (what does not fit is counted and dropped) until
    it ends or its time is up. Read straight into mappings: none of it enters this heap."""
    used = dropped = 0
    timed_out = False
    exited_at = None
    view = memoryview(sink)
    discard = memoryview(bytearray(1 << 16))  # one buffer, overwritten: what it holds is dropped
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
            room = len(view) - used
            n = os.readv(out_r, [view[used:] if room else discard])
            if n == 0:
                break
            if room:
                used += n
            else:
                dropped += n
    view.release()
    os.close(out_r)
    return used, dropped, timed_out


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


def _kill_all_others() -> None:
    """PID 1 of its own namespace kills every process it can see: the student's leftovers, and only those."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass  # nothing left to kill


# --------------------------------------------------------------------------- child side


def _child(job: dict, body: mmap.mmap, workdir: str | None, area: _ResultArea, out_w: int,
           ban_spots: list | None = None) -> None:
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
            isolation.unshare_network()
        os.setgroups([])
        os.setresgid(user["gid"], user["gid"], user["gid"])
        os.setresuid(user["uid"], user["uid"], user["uid"])  # from root to another uid: every capability goes with it
    else:
        isolation.drop_capabilities()  # keeping its uid, the child must not keep the server's capabilities
    # the job's files and requests, read only now: as root, nothing of the student's is touched
    job = {**job, **json.loads(body[:int(job.get("body_bytes", 0))] or b"{}")}
    body.close()
    if workdir is None:
        workdir = tempfile.mkdtemp(prefix="submission-")
    _write_files(workdir, job.get("files", {}))
    banned = bool(job.get("ban"))
    _apply_limits(limits, new_processes=not banned)
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
    ban = AutogradBan()
    if banned:
        # before the first line of the student's: nothing they run, at import included, finds autograd
        ban.install(ban_spots)
    chunks = job["chunks"]
    stopped_by_ban = ""
    stopped_chunk = None
    for index, chunk in enumerate(chunks):
        # a notebook's cells keep their own line numbers, as in Jupyter
        filename = module.__file__ if len(chunks) == 1 else f"{module.__file__}:cell{index + 1}"
        ban.sources[filename] = chunk
        error = _exec_chunk(chunk, module, filename=filename, timeout=limits["exec"])
        if error is not None:
            emit({"kind": "exec_error", "chunk": index, "error": error})
            if error["type"] == "AutogradBanned" and not stopped_by_ban:
                # in a notebook, the chunk too: the grader names its cell (autograder.messages.autograd_refusal)
                chunk_at = f"chunk {index}, " if len(chunks) > 1 else ""
                where = f" ({chunk_at}line {error['line']})" if error.get("line") else ""
                stopped_by_ban = f"{error['message']}, at import{where}"
                stopped_chunk = index if len(chunks) > 1 else None
            if error["type"] == "SyntaxError" and len(chunks) == 1:
                break
    failed_groups = set()
    for request in job["requests"]:
        group = request.get("group")
        if group is not None and group in failed_groups:
            # all-or-nothing checks: once one case erred, its siblings cannot change the verdict
            emit({"id": request["id"], "error": {"type": "skipped", "message": ""}})
            continue
        reply = _evaluate(module, request, ban=ban, call_timeout=limits["call"], stopped_by_ban=stopped_by_ban,
                          stopped_chunk=stopped_chunk)
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
        # the line apart: the grader says it in the assignment's language, with the cell's number
        return {"type": "SyntaxError", "message": str(e.msg), "line": e.lineno}
    try:
        with _alarm(timeout):
            exec(code, module.__dict__)
    except BaseException as e:  # noqa: BLE001 - whatever the student raises is reported, not fatal
        refusal = banned_in(e)
        return _describe(refusal or e, filename)
    return None


def _evaluate(module: types.ModuleType, request: dict, *, ban: AutogradBan, call_timeout: float,
              stopped_by_ban: str = "", stopped_chunk: int | None = None) -> dict | str:
    """An error as a dict, or the answer as its encoded JSON line (encoded here, where a
    value that cannot be encoded is still the student's error, not the child's crash)."""
    if request.get("kind") == "otter":  # otter-grader test cases: see the section below
        return _otter_request(module, request, call_timeout=call_timeout)
    rid = request["id"]
    name = request["name"]
    if name not in module.__dict__:
        if stopped_by_ban:
            # the chunk: a report names its cell, so the same line in two notebooks is not the same answer
            return {"id": rid, "error": {"type": "autograd_forbidden", "message": stopped_by_ban, "chunk": stopped_chunk}}
        return {"id": rid, "error": {"type": "missing", "message": name}}
    obj = module.__dict__[name]
    try:
        if request.get("call"):
            if not callable(obj):
                return {"id": rid, "error": {"type": "not_callable", "message": type(obj).__name__}}
            if request.get("forbid_autograd"):
                offending = ban.static_use(obj)
                if offending:
                    return {"id": rid, "error": {"type": "autograd_forbidden", "message": offending}}
            args = [convert(from_plain(a), request.get("as", "numpy")) for a in request.get("args", [])]
        # the call and the conversion of what it gives (``__iter__``, ``items``, a list of 30
        # million floats): both the student's, both under the call's time limit
        signal.setitimer(signal.ITIMER_REAL, request.get("timeout", call_timeout))
        try:
            value = obj(*args) if request.get("call") else obj
            line = dumps({"id": rid, "value": to_plain(value)})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        trace = ban.traces()
        if trace:
            return {"id": rid, "error": {"type": "autograd_forbidden", "message": trace}}
    except _CallTimeout:
        return {"id": rid, "error": {"type": "timeout", "message": str(request.get("timeout", call_timeout))}}
    except BaseException as e:  # noqa: BLE001 - student exceptions are grading results
        refusal = banned_in(e)
        if refusal is not None:
            return {"id": rid, "error": {"type": "autograd_forbidden", "message": str(refusal)}}
        return {"id": rid, "error": _describe(e, module.__file__)}
    return line


def _describe(e: BaseException, filename: str) -> dict:
    """The exception's name and message, and where in the student's code it was raised: the
    line of the last frame that is theirs and, for a notebook, the chunk (its code cell) that
    frame belongs to, from the name the chunk was compiled under (``<file>:cell<k>``)."""
    line = chunk = None
    base = filename.split(":cell")[0]
    for frame in traceback.extract_tb(e.__traceback__):
        if frame.filename == base:
            line, chunk = frame.lineno, None
        elif frame.filename.startswith(base + ":cell") and frame.filename[len(base) + 5:].isdigit():
            line, chunk = frame.lineno, int(frame.filename[len(base) + 5:]) - 1
    message = str(e)
    if len(message) > 300:
        message = message[:300] + "..."
    return {"type": type(e).__name__, "message": message, "line": line, "chunk": chunk}


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


def _apply_limits(limits: dict, *, new_processes: bool = True) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    cpu = int(limits["wall"]) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # counted from what the fork server already maps (torch reserves a lot of address space),
    # so the limit is on what the student's code adds
    mem = _vm_size() + limits["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    if os.getuid() != 0:
        # RLIMIT_NPROC counts every process (and thread) of the uid; leave room for the ones
        # already there. None at all where functions are derived by hand: a new thread starts
        # with gradient recording on, a new process with a torch of its own
        nproc = _processes_of(os.getuid()) + limits["processes"] if new_processes else 0
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


def _write_msg(stream, obj: dict) -> None:
    data = json.dumps(obj, allow_nan=False).encode()
    stream.write(struct.pack(">I", len(data)) + data)
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
