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
import ctypes
import io
import json
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
from typing import Any

from autograder.plaindata import convert, dumps, from_plain, to_plain

MAX_RESULT_BYTES = 256 * 1024 * 1024
CLONE_NEWNET = 0x40000000
PR_SET_DUMPABLE = 4
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


def serve(preload: list[str], *, own_pid_namespace: bool) -> None:
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
    _set_not_dumpable()
    # fd 1 is our channel to the grader; nothing else may write to it
    out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    inp = sys.stdin.buffer
    _write_msg(out, {"ready": True, "pid": os.getpid(), "uid": os.getuid(),
                     "preloaded": sorted(n for n in preload if n in sys.modules)})
    while True:
        job = _read_msg(inp)
        if job is None:
            return
        _write_msg(out, run_job(job, own_pid_namespace=own_pid_namespace))


def run_job(job: dict, *, own_pid_namespace: bool) -> dict:
    limits = job["limits"]
    workdir = tempfile.mkdtemp(prefix="submission-")
    os.chmod(workdir, 0o777)  # the child may run as another user and needs to write here
    for name, text in job["files"].items():
        if "/" in name or name.startswith(".") or not name:
            continue
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
            f.write(text)
    res_r, res_w = os.pipe()
    out_r, out_w = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(res_r)
            os.close(out_r)
            _child(job, workdir, res_w, out_w)
        except BaseException:  # noqa: BLE001 - the child must never return into the server loop
            code = 70
        os._exit(code)
    os.close(res_w)
    os.close(out_w)
    result, output, dropped, timed_out, overflow = _collect(
        pid, res_r, out_r, deadline=started + limits["wall"], output_cap=limits["output_bytes"]
    )
    status = _reap(pid, timed_out or overflow)
    _kill_leftovers(pid, own_pid_namespace=own_pid_namespace, uid=(job.get("run_as") or {}).get("uid"))
    shutil.rmtree(workdir, onerror=_ignore_missing)
    return {
        # the child's lines as they came: the grader parses them (once), torn last line included
        "lines": result.decode("utf-8", "replace"),
        "exit": status,
        "timed_out": timed_out,
        "result_overflow": overflow,
        "output": output.decode("utf-8", "replace"),
        "output_dropped": dropped,
        "wall": round(time.monotonic() - started, 4),
    }


def _collect(pid: int, res_r: int, out_r: int, *, deadline: float, output_cap: int):
    result = bytearray()
    output = bytearray()
    dropped = 0
    timed_out = overflow = False
    open_fds = {res_r, out_r}
    exited_at = None
    while open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        if exited_at is None and _exited(pid):
            exited_at = time.monotonic()
        elif exited_at is not None and time.monotonic() - exited_at > 0.05:
            # the child is gone but something it forked still holds the pipes open
            break
        ready, _, _ = select.select(list(open_fds), [], [], min(remaining, 0.02 if exited_at else 0.25))
        for fd in ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                open_fds.discard(fd)
            elif fd == res_r:
                result += chunk
                if len(result) > MAX_RESULT_BYTES:
                    overflow = True
                    open_fds.clear()
            else:
                room = output_cap - len(output)
                output += chunk[: max(room, 0)]
                dropped += max(len(chunk) - max(room, 0), 0)
    os.close(res_r)
    os.close(out_r)
    return bytes(result), bytes(output), dropped, timed_out, overflow


def _exited(pid: int) -> bool:
    """True once the child has ended (it stays a zombie, so _reap still gets its status)."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _reap(pid: int, kill: bool) -> dict:
    if kill:
        _killpg(pid)
    deadline = time.monotonic() + 2.0
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            _killpg(pid)
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.002)
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status)}
    return {"code": os.WEXITSTATUS(status)}


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
        # inside our own PID namespace every other process is the student's; orphans are
        # reaped by the namespace's init, not by us
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass  # nothing left to kill


def _ignore_missing(func, path, exc_info) -> None:
    if not isinstance(exc_info[1], FileNotFoundError):
        raise exc_info[1]


# --------------------------------------------------------------------------- child side


def _child(job: dict, workdir: str, res_w: int, out_w: int) -> None:
    os.setsid()
    limits = job["limits"]
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    keep = sorted({0, 1, 2, res_w})
    for lo, hi in zip(keep, keep[1:] + [65536]):
        os.closerange(lo + 1, hi)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing past the file-size limit fails, not kills
    user = job.get("run_as")
    if user:
        if user.get("unshare_net"):
            _unshare_network()
        os.setgroups([])
        os.setgid(user["gid"])
        os.setuid(user["uid"])
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
        data = (line + "\n").encode()
        view = memoryview(data)
        while view:
            n = os.write(res_w, view)
            view = view[n:]

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
        self._defs: dict[str, dict[int, ast.AST]] = {}

    def static_use(self, func: Any) -> str:
        """What the function's own source uses of autograd ('' when clean), from one parse per file."""
        code = getattr(func, "__code__", None)
        if code is None:
            return ""
        if code not in self.scanned:
            node = self._definition(code.co_filename, code.co_firstlineno)
            self.scanned[code] = _autograd_use(node) if node is not None else _source_uses_autograd(func)
        return self.scanned[code]

    def _definition(self, filename: str, line: int) -> ast.AST | None:
        if filename not in self._defs:
            defs: dict[int, ast.AST] = {}
            try:
                tree = ast.parse(self.sources.get(filename, ""))
            except SyntaxError:
                tree = ast.Module(body=[], type_ignores=[])
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    for at in [node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]:
                        defs.setdefault(at, node)
            self._defs[filename] = defs
        return self._defs[filename].get(line)

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


def _set_not_dumpable() -> None:
    # a child running as the same user must not be able to ptrace the server
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _read_msg(stream) -> dict | None:
    header = stream.read(4)
    if len(header) < 4:
        return None
    (n,) = struct.unpack(">I", header)
    return json.loads(stream.read(n))


def _write_msg(stream, obj: dict) -> None:
    data = json.dumps(obj, allow_nan=False).encode()
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def main(argv: list[str]) -> None:
    preload: list[str] = []
    own_ns = False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--preload":
            preload = [p for p in args.pop(0).split(",") if p]
        elif a == "--own-pid-namespace":
            own_ns = True
    serve(preload, own_pid_namespace=own_ns)


if __name__ == "__main__":
    main(sys.argv[2:] if len(sys.argv) > 1 and sys.argv[1] == "serve" else sys.argv[1:])
