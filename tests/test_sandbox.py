"""The isolation: whatever student code does, the grader gets plain data and finishes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.plaindata import to_plain
from autograder.sandbox import Limits, Request, Sandbox


def run(box, source, *requests, limits=None):
    return box.run(files={"sub.py": source}, main="sub.py", chunks=[source], requests=list(requests),
                   limits=limits)


def call(rid, name, *args, **kw):
    return Request(rid, name, call=True, args=args, **kw)


def test_values_and_calls_come_back_as_plain_data(sandbox):
    src = "import numpy as np, torch\nX = 3\ndef f(a): return torch.tensor(a) * 2\n"
    out = run(sandbox, src, Request("x", "X"), call("f", "f", np.array([1.0, 2.0])))
    assert out.finished and out.answers["x"].value == 3
    np.testing.assert_array_equal(out.answers["f"].value, [2.0, 4.0])
    assert type(out.answers["f"].value) is np.ndarray


def test_missing_name_and_not_callable(sandbox):
    out = run(sandbox, "X = 1\n", call("a", "nope"), call("b", "X"))
    assert out.answers["a"].error_type == "missing"
    assert out.answers["b"].error_type == "not_callable"


def test_exception_in_student_function_is_an_answer(sandbox):
    out = run(sandbox, "def f():\n    raise ValueError('boom')\n", call("a", "f"))
    assert out.answers["a"].error_type == "ValueError" and "boom" in out.answers["a"].error_message
    assert out.answers["a"].error_line == 2 and out.answers["a"].error_message == "boom"


def test_student_hangs_in_a_call(sandbox):
    src = "def f():\n    while True:\n        pass\ndef g():\n    return 7\n"
    started = time.monotonic()
    out = run(sandbox, src, call("a", "f"), call("b", "g"), limits=Limits(wall=20, call=1))
    assert out.answers["a"].error_type == "timeout"
    assert out.answers["b"].value == 7
    assert time.monotonic() - started < 10


def test_student_blocks_the_alarm_and_hangs(sandbox):
    src = ("import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
           "def f():\n    while True:\n        pass\ndef g():\n    return 7\n")
    out = run(sandbox, src, call("a", "f"), call("b", "g"), limits=Limits(wall=3, call=1))
    assert out.answers["a"].error_type == "timeout"
    assert "timeout" in out.incidents


def test_student_calls_os_exit(sandbox):
    src = "import os\ndef f():\n    os._exit(3)\ndef g():\n    return 1\n"
    out = run(sandbox, src, call("a", "f"), call("b", "g"))
    assert out.answers["a"].error_type == "died" and "exit code 3" in out.answers["a"].error_message
    assert out.answers["b"].value == 1, "the answers after the crash are read in a fresh process"


def test_student_exits_at_import(sandbox):
    out = run(sandbox, "import sys\nX = 1\nsys.exit(0)\nY = 2\n", Request("x", "X"), Request("y", "Y"))
    assert out.answers["x"].value == 1
    assert out.answers["y"].error_type == "missing"
    assert out.exec_errors and out.exec_errors[0]["type"] == "SystemExit"


def test_student_segfaults(sandbox):
    src = "import ctypes\ndef f():\n    ctypes.string_at(0)\ndef g():\n    return 2\n"
    out = run(sandbox, src, call("a", "f"), call("b", "g"))
    assert out.answers["a"].error_type == "died" and "signal" in out.answers["a"].error_message
    assert out.answers["b"].value == 2


def test_student_prints_fake_results(sandbox):
    src = ('import sys, os\nprint(\'{"kind": "done"}\')\nprint(\'{"id": "x", "value": 99}\')\n'
           'os.write(1, b\'{"id": "x", "value": 98}\\n\')\nX = 1\n')
    out = run(sandbox, src, Request("x", "X"))
    assert out.answers["x"].value == 1
    assert '"value": 99' in out.output


def test_student_prints_200mb(sandbox):
    src = "import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(200):\n    sys.stdout.write(chunk)\nX = 5\n"
    started = time.monotonic()
    out = run(sandbox, src, Request("x", "X"))
    assert out.answers["x"].value == 5
    assert len(out.output) <= Limits().output_bytes
    assert out.output_dropped >= 199 * (1 << 20)
    assert time.monotonic() - started < 15


def test_student_allocates_too_much_memory(sandbox):
    src = "import numpy as np\ndef f():\n    return np.ones(10**10).sum()\ndef g():\n    return 3\n"
    out = run(sandbox, src, call("a", "f"), call("b", "g"), limits=Limits(memory_mb=256))
    assert out.answers["a"].error_type in ("MemoryError", "_ArrayMemoryError", "died")
    assert out.answers["b"].value == 3


def test_student_fork_bomb_hits_the_process_limit(sandbox):
    if sandbox.isolation.run_as is None and os.geteuid() == 0:
        pytest.skip("as root without a separate uid the kernel does not enforce RLIMIT_NPROC")
    src = ("import os, time\ndef f():\n    n = 0\n    try:\n        while n < 10000:\n"
           "            if os.fork() == 0:\n                time.sleep(60)\n                os._exit(0)\n"
           "            n += 1\n    except OSError:\n        return n\n    return n\n")
    out = run(sandbox, src, call("a", "f"), limits=Limits(processes=16))
    assert out.answers["a"].ok and out.answers["a"].value < 100


def test_leftover_processes_are_killed(sandbox):
    src = ("import os, time\ndef f():\n    if os.fork() == 0:\n        os.setsid()\n        time.sleep(300)\n"
           "        os._exit(0)\n    return os.getpid()\n")
    started = time.monotonic()
    out = run(sandbox, src, call("a", "f"))
    assert out.answers["a"].ok
    assert time.monotonic() - started < 5, "a daemonised child must not keep the grading waiting"


def test_files_written_stay_in_the_sandbox(sandbox, tmp_path):
    target = tmp_path / "planted.txt"
    src = (f"import os\nopen('results.json', 'w').write('{{\"score\": 100}}')\n"
           f"def f():\n    try:\n        open({str(target)!r}, 'w').write('x')\n        return 'written'\n"
           f"    except OSError as e:\n        return type(e).__name__\n")
    out = run(sandbox, src, call("a", "f"))
    assert out.answers["a"].value != "written" or sandbox.isolation.mode == "rlimits"
    assert not target.exists() or sandbox.isolation.mode == "rlimits"


def test_hidden_files_are_not_readable(sandbox):
    from autograder.assignment import load_assignment

    assignment = load_assignment("ift6135-h20-hw1")
    paths = [str(p) for p in (assignment.root / "checks" / "hidden.yaml", assignment.solution_file)]
    src = ("def f(paths):\n    out = []\n    for p in paths:\n        try:\n            open(p).read()\n"
           "            out.append('read')\n        except OSError as e:\n            out.append(type(e).__name__)\n"
           "    return out\n")
    out = run(sandbox, src, call("a", "f", paths))
    # absent from the sandbox's filesystem (bwrap), or closed to its user
    assert set(out.answers["a"].value) <= {"FileNotFoundError", "PermissionError"}


def test_no_network(sandbox):
    """A service listening on the grader's loopback is out of the student's reach."""
    import socket

    if sandbox.isolation.mode == "rlimits":
        pytest.skip("rlimits mode has no network isolation (by design: for students' own machines)")

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    src = ("import socket\ndef f(port):\n    s = socket.socket()\n    s.settimeout(2)\n    try:\n"
           "        s.connect(('127.0.0.1', port))\n        return 'connected'\n    except OSError as e:\n"
           "        return type(e).__name__\n")
    try:
        out = run(sandbox, src, call("a", "f", port))
    finally:
        server.close()
    assert out.answers["a"].value != "connected"


def test_student_cannot_ptrace_or_kill_the_worker_without_losing_only_itself(sandbox):
    src = "import os, signal\ndef f():\n    os.kill(os.getppid(), signal.SIGKILL)\n    return 1\ndef g():\n    return 2\n"
    out = run(sandbox, src, call("a", "f"), call("b", "g"))
    assert out.answers["b"].value == 2
    again = run(sandbox, "X = 4\n", Request("x", "X"))
    assert again.answers["x"].value == 4, "the pool replaces a killed worker"


def test_returning_student_objects_is_refused(sandbox):
    src = ("class AlwaysEqual:\n    def __eq__(self, o):\n        return True\n"
           "X = AlwaysEqual()\nF = lambda: 1\n")
    out = run(sandbox, src, Request("x", "X"), Request("f", "F"))
    from autograder.plaindata import Unsupported

    assert out.answers["x"].value == Unsupported("AlwaysEqual")
    assert isinstance(out.answers["f"].value, Unsupported)


def test_autograd_is_refused_when_forbidden(sandbox):
    src = ("import torch\ndef g(x):\n    t = torch.tensor(x, requires_grad=True)\n    (t ** 2).sum().backward()\n"
           "    return t.grad\n"
           "def sneaky(x):\n    f = getattr(torch, 'autograd')\n    t = torch.tensor(x, requires_grad=True)\n"
           "    return f.grad((t ** 2).sum(), t)[0]\n"
           "def honest(x):\n    return 2 * x\n")
    x = np.array([1.0, 2.0])
    out = run(sandbox, src, call("a", "g", x, forbid_autograd=True), call("b", "sneaky", x, forbid_autograd=True),
              call("c", "honest", x, forbid_autograd=True), call("d", "g", x))
    assert out.answers["a"].error_type == "autograd_forbidden"
    assert out.answers["b"].error_type == "autograd_forbidden"
    np.testing.assert_allclose(out.answers["c"].value, [2.0, 4.0])
    np.testing.assert_allclose(out.answers["d"].value, [2.0, 4.0]), "allowed where not forbidden"


def test_autograd_ban_survives_runtime_tricks(sandbox):
    src = ("import torch, importlib\n"
           "def jac(x):\n    fn = importlib.import_module('torch.' + 'fu' + 'nc')\n"
           "    return getattr(fn, 'jac' + 'fwd')(lambda t: (t ** 2).sum())(torch.tensor(x))\n"
           "def restore(x):\n    from torch.autograd import variable\n    variable.Variable._execution_engine = torch._C._ImperativeEngine()\n"
           "    return 2 * x\n")
    x = np.array([1.0, 2.0])
    out = run(sandbox, src, call("a", "jac", x, forbid_autograd=True), call("b", "restore", x, forbid_autograd=True))
    assert out.answers["a"].error_type == "autograd_forbidden"
    assert out.answers["b"].error_type == "autograd_forbidden"


def test_rlimits_mode_runs_too(rlimits_sandbox):
    out = run(rlimits_sandbox, "X = [1, 2]\n", Request("x", "X"))
    assert out.answers["x"].value == [1, 2]
    assert rlimits_sandbox.isolation.describe().startswith("resource limits only")


def test_user_mode_switches_uid_and_refuses_readable_hidden_files(user_sandbox, tmp_path):
    from autograder.errors import SandboxError
    from autograder.sandbox import check_hidden_unreadable

    out = run(user_sandbox, "import os\ndef f():\n    return os.getuid()\n", call("a", "f"))
    assert out.answers["a"].value == user_sandbox.users[0][0] != 0
    assert user_sandbox.users[0] in user_sandbox.isolation.uids
    import tempfile

    folder = tempfile.mkdtemp(dir="/tmp")
    os.chmod(folder, 0o755)
    secret = Path(folder) / "hidden.yaml"
    secret.write_text("answer: 42")
    secret.chmod(0o644)
    with pytest.raises(SandboxError, match="readable by"):
        check_hidden_unreadable(user_sandbox.isolation, [secret])
    secret.chmod(0o600)
    check_hidden_unreadable(user_sandbox.isolation, [secret])
    src = "def f(p):\n    try:\n        return open(p).read()\n    except OSError as e:\n        return type(e).__name__\n"
    out = run(user_sandbox, src, call("a", "f", str(secret)))
    assert out.answers["a"].value == "PermissionError"


def test_answers_beyond_the_result_limit_end_the_run_and_keep_the_earlier_ones(sandbox):
    src = "import numpy as np\nA = 1\nBIG = np.zeros(300_000)\nB = 2\n"
    out = run(sandbox, src, Request("a", "A"), Request("big", "BIG"), Request("b", "B"),
              limits=Limits(result_bytes=1 << 20))
    assert out.answers["a"].value == 1
    assert out.problem == "result_too_large" and "big" not in out.answers and "b" not in out.answers


def test_answers_written_before_the_child_dies_are_kept(sandbox):
    src = "import os\nA = [1, 2, 3]\ndef boom():\n    os._exit(3)\ndef after():\n    return 'fresh child'\n"
    out = run(sandbox, src, Request("a", "A"), call("boom", "boom"), call("c", "after"))
    assert out.answers["a"].value == [1, 2, 3]
    assert out.answers["boom"].error_type == "died" and out.answers["c"].value == "fresh child"


def test_the_torch_server_is_for_submissions_that_import_torch():
    from autograder.sandbox import needs_torch

    assert needs_torch({"a.py": "import numpy as np, torch.nn as nn\n"}, [])
    assert needs_torch({"a.py": "x = 1; from torch import nn\n"}, [])
    assert needs_torch({"a.py": "import torchvision\n"}, [])
    assert needs_torch({"a.py": "import importlib\nm = importlib.import_module('tor' + 'ch')\n"}, [])
    # a mention is not an import: these run on the light server, which forks ten times faster
    assert not needs_torch({"a.py": '"""Checked against torch.autograd."""\n# import torch\nmytorch = 1\n'}, [])
    assert needs_torch({"a.py": "x = 1\n"}, [Request("r", "f", call=True, args=([1.0],), convert="torch")])


@pytest.mark.parametrize("text", [
    "import numpy as np, torch.nn as nn\n", "x = 1; from torch import nn\n", "import torchvision\n",
    "# import torch\nimport numpy\n", "y = torch_like  # torch\n", "from jax import grad", "s = 'import torch'",
    "def f():\n    import torch\n    return torch\n", "a = 1;import  functorch\n", "x = __import__('os')",
    "import importlib\n", "mytorch = 1\nimport numpy\n", "\n\ntorch\n\n", "", "import torch # trailing",
    "from   torch.func import grad\r\n", "import os, sys\nimport numpy as np, torch\n",
])
def test_the_fast_torch_scan_answers_as_the_pattern_does(text):
    from autograder import sandbox as sandbox_module

    assert sandbox_module._imports_torch(text) == bool(sandbox_module._TORCH.search(text))


def test_the_torch_scan_searches_each_line_once_however_often_it_says_torch(monkeypatch):
    from autograder import sandbox as sandbox_module

    searched = []
    pattern = sandbox_module._TORCH

    class Counting:
        def search(self, text, start, end):
            searched.append((start, end))
            return pattern.search(text, start, end)

    monkeypatch.setattr(sandbox_module, "_TORCH", Counting())
    text = ("x = '" + "torch " * 50_000 + "'\n") * 3 + "import numpy\n"  # a hostile file: 150,000 mentions
    assert not sandbox_module._imports_torch(text)
    assert len(searched) == 3 and len(set(searched)) == 3


def test_the_batch_guess_of_torch_never_misses_an_import():
    import json

    from autograder.sandbox import may_need_torch, needs_torch

    sources = ["import numpy as np, torch.nn as nn\n", "x = 1; from torch import nn\n", "import torchvision\n",
               "import importlib\n", "m = __import__('tor' + 'ch')\n", '"""Against torch."""\nmytorch = 1\n',
               "import numpy as np\n"]
    for src in sources:
        notebook = json.dumps({"cells": [{"cell_type": "code", "source": src.splitlines(keepends=True)}]})
        for raw in (src.encode(), notebook.encode()):
            assert may_need_torch(raw) or not needs_torch({"a.py": src}, []), src
    assert not may_need_torch(b"import numpy as np\n")


# --------------------------------------------------------------------------- channels: submissions side by side

SIDE_BY_SIDE = (
    "import os, time, subprocess\n"
    "open('/tmp/mine-' + str(os.getpid()), 'w').write('x')\n"
    "def probe(seconds):\n"
    "    start = time.monotonic()\n"
    "    time.sleep(seconds)\n"
    "    caps = open('/proc/self/status').read().split('CapEff:')[1].split()[0]\n"
    "    return [start, time.monotonic(), sorted(os.listdir('/tmp')), os.getpid(), caps,\n"
    "            sorted(int(p) for p in os.listdir('/proc') if p.isdigit())]\n"
)


@pytest.fixture(scope="module")
def channels():
    """A sandbox whose servers have three channels, started the way a batch starts them."""
    with Sandbox(workers=3, limits=Limits(wall=30, call=5, exec=10)) as box:
        box.start(torch=False)
        if not box.concurrent:
            pytest.skip(f"{box.isolation.mode}: the kernel refuses a PID namespace per channel here")
        yield box


def _side_by_side(box, n, seconds=0.6):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(n) as pool:
        outs = list(pool.map(lambda _: run(box, SIDE_BY_SIDE, call("p", "probe", seconds)), range(n)))
    return [o.answers["p"].value for o in outs]


def test_channels_run_submissions_at_the_same_time(channels):
    probes = _side_by_side(channels, 3)
    starts, ends = [p[0] for p in probes], [p[1] for p in probes]
    assert max(starts) < min(ends), "three sleeping submissions on three channels must overlap"


def test_a_submission_sees_nothing_of_the_ones_running_beside_it(channels):
    for tmp, pid, caps, pids in (p[2:] for p in _side_by_side(channels, 3)):
        # its own /tmp (its workdir and its own file only), its own PID namespace, no capability
        assert [f for f in tmp if f.startswith("mine-")] == [f"mine-{pid}"]
        assert len([f for f in tmp if f.startswith("submission-")]) == 1
        assert pid < 50 and len(pids) < 10, "the other channels' processes must not be visible"
        assert int(caps, 16) == 0


def test_leftovers_die_with_their_own_submission_only(channels):
    daemon = ("import os, time\ndef f():\n    if os.fork() == 0:\n        os.setsid()\n        time.sleep(300)\n"
              "        os._exit(0)\n    return 1\n")
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(run, channels, SIDE_BY_SIDE, call("p", "probe", 1.5))
        time.sleep(0.3)
        started = time.monotonic()
        quick = run(channels, daemon, call("a", "f"))
        assert quick.answers["a"].value == 1 and time.monotonic() - started < 5
        # the neighbour's cleanup (its daemon killed) did not touch the submission still running
        assert slow.result().answers["p"].ok


SCRATCH_WRITER = (
    "import os\n"
    "def write(tag):\n"
    "    done = []\n"
    "    for place in ('/tmp', '/var/tmp', '/dev/shm'):\n"
    "        try:\n"
    "            open(os.path.join(place, 'left-by-' + tag), 'w').write(tag)\n"
    "            done.append(place)\n"
    "        except OSError:\n"
    "            pass\n"
    "    return done\n"
    "def look():\n"
    "    return sorted(f for place in ('/tmp', '/var/tmp', '/dev/shm') if os.path.isdir(place)\n"
    "                  for f in os.listdir(place) if f.startswith('left-by-'))\n"
)


@pytest.mark.parametrize("box_name", ["sandbox", "channels"])
def test_the_next_submission_finds_nothing_the_previous_one_left(box_name, request):
    box = request.getfixturevalue(box_name)
    if box.isolation.mode not in ("bwrap",):
        pytest.skip("only a private /tmp can be emptied between submissions")
    for tag in ("first", "second", "third"):
        out = run(box, SCRATCH_WRITER, call("w", "write", tag), call("l", "look"))
        # a channel's scratch places are writable (mode 1777, its own tmpfs); as another uid
        # under bubblewrap's own /tmp they may not be: then there is nothing to leave behind
        assert box_name == "sandbox" or len(out.answers["w"].value) == 3
        assert out.answers["l"].value == [f"left-by-{tag}"] * len(out.answers["w"].value)


def test_python_stays_read_only_and_importable_on_a_channel(channels):
    # wherever Python is installed (a CI checkout under /tmp included: the channel's fresh
    # /tmp puts it back on top), a submission imports from it and cannot write into it
    src = ("import sys, os\nimport numpy.linalg\ndef f():\n    try:\n"
           "        open(os.path.join(sys.prefix, 'planted'), 'w').write('x')\n        return 'written'\n"
           "    except OSError as e:\n        return e.errno\n")
    out = run(channels, src, call("a", "f"))
    assert out.answers["a"].ok and out.answers["a"].value != "written"


def test_a_server_that_dies_is_replaced_without_charging_the_next_submission():
    import signal as signals

    with Sandbox(workers=2, limits=Limits(wall=30, call=5, exec=10)) as box:
        box.start(torch=False)
        assert run(box, "X = 1\n", Request("x", "X")).answers["x"].value == 1
        server = box._pools["light"]._server
        os.kill(server.proc.pid, signals.SIGKILL)  # the whole server tree goes (bwrap takes it along)
        out = run(box, "X = 2\n", Request("x", "X"))
        assert out.answers["x"].value == 2 and not out.incidents
        assert box._pools["light"]._server is not server


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    children.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _memory_holds(pid: int, needle: bytes) -> bool:
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            fields = line.split()
            if not fields[1].startswith("rw"):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            try:
                mem.seek(start)
                if needle in mem.read(end - start):
                    return True
            except (OSError, ValueError, OverflowError):
                continue  # a region that cannot be read (guard pages, vsyscall)
    return False


def test_no_trace_of_a_submission_stays_in_the_server_its_successors_are_forked_from():
    # a later child starts as a copy of the server: the server must never have held an earlier
    # student's code, answers or output in its own memory (they travel through mappings it unmaps)
    if os.geteuid() != 0:
        pytest.skip("reading another process's memory needs root")
    marker = "CODE_OF_ANOTHER_STUDENT_" + "7f3a9c"  # built here so the test's own text differs
    with Sandbox(workers=1, preload=("numpy",), limits=Limits(wall=30, call=5, exec=10)) as box:
        src = f"SECRET = {marker!r}\nprint(SECRET)\ndef f():\n    return SECRET * 3\n"
        out = run(box, src, Request("s", "SECRET"), call("f", "f"))
        assert out.answers["s"].value == marker and marker in out.output
        servers = [p for p in _descendants(box._pools["light"]._server.proc.pid)
                   if b"autograder._worker" in open(f"/proc/{p}/cmdline", "rb").read()]
        assert servers
        assert not any(_memory_holds(p, marker.encode()) for p in servers)


def test_a_server_started_after_the_fork_is_the_process_own_with_one_channel():
    with Sandbox(workers=4, limits=Limits(wall=30, call=5, exec=10)) as box:
        box.start(torch=False)  # the batch guessed no torch
        box.keep_only(2)        # as a forked grading process does
        out = run(box, "import torch\nX = int(torch.ones(3).sum())\n", Request("x", "X"))
        assert out.answers["x"].value == 3
        assert len(box._pools["full"]._server.channels) == 1


@pytest.mark.parametrize("body, found", [
    ("    return 2 * x\n", ""),
    ("    if False:\n        x.backward()\n    return 2 * x\n", ".backward"),  # read, never run
    ("    if False:\n        x.\uff42\uff41\uff43\uff4b\uff57\uff41\uff52\uff44()\n    return 2 * x\n", ".backward"),  # fullwidth: the same name
    ("    from torch import func\n    return 2 * x\n", "import torch.func"),
    ("    import jax\n    return 2 * x\n", "import jax"),
])
def test_the_source_scan_names_autograd_whatever_letters_spell_it(body, found):
    from autograder._autograd_ban import AutogradBan

    source = "def f(x):\n" + body
    namespace: dict = {}
    exec(compile(source, "sub.py", "exec"), namespace)
    ban = AutogradBan()
    ban.sources["sub.py"] = source
    assert ban.static_use(namespace["f"]) == found


@pytest.mark.parametrize("lines, kept", [
    (b'{"id":"a","error":{"type":"X"}}\n{"kind":"done"}\n', ["a", None]),
    (b'{"id":"a","value":1}\nnot json\n{"id":"b","value":2}\n', ["a"]),  # nothing after a scribble counts
    (b'{"id":"a","value":1}\n1, 2\n{"id":"b","value":2}\n', ["a"]),  # not a message: still a scribble
    (b'{"id":"a","v":[1\n2]}\n', []),  # one message split over two lines: neither line is one
    (b'{"kind":' + b'[' * 100_000 + b'\n{"id":"b","value":2}\n', []),  # deeper than json can parse: a scribble
    (b'{"id":7,"value":1}\n', []),  # an id that is not a string
])
def test_answer_lines_are_read_one_message_per_line(lines, kept):
    from autograder.sandbox import _messages

    decoded = _messages(lines, answer_bytes=1 << 20)
    assert [rid for rid, _, _ in decoded] == kept
    assert [line for _, _, line in decoded] == lines.split(b"\n")[:len(kept)]  # each with its line


def test_a_value_line_nested_past_what_json_parses_is_that_answers_bad_data_not_a_crash():
    from autograder.sandbox import _outcome_from_reply

    deep = b'{"id":"d","value":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    out = _outcome_from_reply({}, b'{"id":"a","value":1}\n' + deep + b'{"kind":"done"}\n',
                              [Request("a", "A"), Request("d", "D")], answer_bytes=1 << 20)
    assert out.finished and out.answers["a"].value == 1
    assert out.answers["d"].error_type == "bad_data" and "Recursion" in out.answers["d"].error_message


def test_an_answer_larger_than_the_limit_is_refused_unread(monkeypatch):
    from autograder import sandbox as sandbox_module
    from autograder.sandbox import _outcome_from_reply

    monkeypatch.setattr(sandbox_module.json, "loads", _refuse_big(sandbox_module.json.loads))
    big = b'{"id":"b","value":[' + b"0.5," * 300_000 + b"1]}\n"
    out = _outcome_from_reply({}, big + b'{"id":"s","value":2}\n{"kind":"done"}\n',
                              [Request("b", "B"), Request("s", "S")], answer_bytes=1 << 20)
    assert out.answers["b"].error_type == "too_large" and "MB" in out.answers["b"].error_message
    assert out.answers["s"].value == 2


def _refuse_big(loads):
    def checked(text, *args, **kwargs):
        assert len(text) < 1 << 20, "a line past the answer limit was parsed"
        return loads(text, *args, **kwargs)

    return checked


def test_answers_past_the_per_answer_limit_come_back_from_a_real_run_as_too_large(sandbox):
    src = "import numpy as np\nBIG = np.zeros(300_000).tolist()\nSMALL = [1, 2]\n"
    out = run(sandbox, src, Request("big", "BIG"), Request("small", "SMALL"),
              limits=Limits(wall=30, call=3, exec=10, answer_bytes=1 << 20))
    assert out.answers["big"].error_type == "too_large" and out.answers["small"].value == [1, 2]


def test_the_torch_warm_up_leaves_the_server_without_threads():
    """The server forks a child per submission: a thread it started would not exist in the
    child, and a lock it held would stay held there forever."""
    import subprocess
    import sys

    code = ("import os, torch\ntorch.set_num_threads(1)\nfrom autograder._worker import warm_up_torch\n"
            "warm_up_torch()\nprint(len(os.listdir('/proc/self/task')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"}, cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "1"


def test_a_request_is_sent_as_its_wire_form_whatever_its_kind():
    import json

    from autograder.otter.model import OtterRequest

    plain = Request("a#0", "f", call=True, args=(np.arange(3.0), [1, 2], "x"), forbid_autograd=True, timeout=2.0,
                    group="a")
    otter = OtterRequest("t#0", "q1", payload={"cases": [{"code": ">>> 1"}]})
    for request in (plain, otter):
        assert json.loads(request.encoded) == json.loads(json.dumps(request.wire()))
    assert json.loads(otter.encoded)["kind"] == "otter"


# f edits its argument in place; g, asked on the same arguments, must not see it, in this job or the next
_EDITS = "def f(x):\n    x += 1\n    return float(x.sum())\ndef g(x):\n    return float(x.sum())\n"


def test_each_call_gets_its_own_copy_of_the_arguments_in_this_job_and_the_next():
    x = np.arange(200.0)
    requests = [Request(f"f#{i}", name, call=True, args=(x,)) for i, name in enumerate("fg")]
    with Sandbox(workers=1, preload=("numpy",), limits=Limits(wall=30, call=5, exec=10)) as box:
        for _ in range(3):
            out = run(box, _EDITS, *requests)
            assert out.answers["f#0"].value == x.sum() + 200 and out.answers["f#1"].value == x.sum()
    assert x.sum() == 19900.0  # and the grader's own array is untouched


def test_an_answer_line_is_decoded_and_validated_when_first_read(monkeypatch):
    import json

    from autograder import sandbox as sandbox_module
    from autograder.sandbox import _answer

    decoded = []
    real = sandbox_module.from_plain
    monkeypatch.setattr(sandbox_module, "from_plain", lambda v: decoded.append(v) or real(v))
    line_a = json.dumps({"id": "a", "value": to_plain(np.arange(3.0))}, separators=(",", ":")).encode()
    line_b = json.dumps({"id": "b", "value": {"__ndarray__": {"dtype": "|O", "shape": [1], "data": ""}}},
                        separators=(",", ":")).encode()
    good = _answer(None, line_a, answer_bytes=1 << 20)
    bad = _answer(None, line_b, answer_bytes=1 << 20)
    assert decoded == [] and good.wire == line_a  # nothing decoded until read
    assert good.ok and np.array_equal(good.value, [0.0, 1.0, 2.0]) and len(decoded) == 1
    good.value
    assert len(decoded) == 1  # once
    assert not bad.ok and bad.error_type == "bad_data" and bad.value is None  # refused, as before


def test_the_command_line_other_users_read_names_no_students_files():
    """In the user mode, student code runs beside the grader as another uid and reads
    /proc/PID/cmdline of every process: a TA's `autograder grade ... alice.py` names the class."""
    import subprocess
    import sys

    code = "import time\nfrom autograder.sandbox import hide_command_line\nprint(hide_command_line('autograder grade'), flush=True)\ntime.sleep(5)\n"
    proc = subprocess.Popen([sys.executable, "-c", code, "secret_alice.py", "bob.ipynb"], stdout=subprocess.PIPE,
                            text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert proc.stdout.readline().strip() == "True"
        shown = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert shown.rstrip(b"\0") == b"autograder grade" and b"alice" not in shown
    finally:
        proc.kill()
        proc.wait()
