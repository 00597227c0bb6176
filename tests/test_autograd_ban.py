"""The "derive by hand" ban, attacked as a student who has read the grader's code would.

Every function a check marks ``forbid_autograd`` is graded in a process of its own where the
ban is in place before the submission's first line: each test below is a way around it that
worked, or could have, against a ban that was switched on and off around each call. The
gradient these attacks want is ``2 * x``: an attack wins if that value comes back.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.sandbox import Limits, Request

X = np.array([1.0, 2.0, 3.0])
GRADIENT = 2 * X


def run(box, source, *requests):
    return box.run(files={"sub.py": source}, main="sub.py", chunks=[source], requests=list(requests),
                   limits=Limits(wall=30, call=5, exec=10))


def by_hand(rid="f", name="f"):
    return Request(rid, name, call=True, args=(X,), forbid_autograd=True)


def assert_refused(answer):
    """No gradient came back: the call was refused, or failed, or returned something else."""
    if answer.ok:
        assert not np.allclose(np.asarray(answer.value, dtype=float), GRADIENT), "autograd got through"
    else:
        assert answer.error_type in ("autograd_forbidden", "RuntimeError", "missing"), answer


HONEST = """
import collections, warnings, torch, numpy as np
Pair = collections.namedtuple("Pair", "a b")
def f(x):
    t = torch.as_tensor(x)
    with torch.no_grad():
        y = 2 * t
    with torch.inference_mode():
        z = torch.tanh(y) * 0
    warnings.warn("just a warning")
    return (y + z + Pair(0, 0).a).numpy()
"""


def test_an_honest_function_that_uses_torch_forward_ops_passes(sandbox):
    out = run(sandbox, HONEST, by_hand())
    np.testing.assert_allclose(out.answers["f"].value, GRADIENT)


ROUTES = {
    # the plain ways, refused as before
    "backward": "def f(x):\n    t = torch.tensor(x, requires_grad=True)\n    (t ** 2).sum().backward()\n"
                "    return t.grad\n",
    "autograd.grad": "def f(x):\n    g = getattr(torch, 'auto' + 'grad')\n    t = torch.tensor(x, requires_grad=True)\n"
                     "    return g.grad((t ** 2).sum(), t)[0]\n",
    "enable_grad": "def f(x):\n    with torch.enable_grad():\n        t = torch.tensor(x, requires_grad=True)\n"
                   "        return torch.autograd.grad((t ** 2).sum(), t)[0]\n",
    "set_grad_enabled": "def f(x):\n    torch.set_grad_enabled(True)\n    t = torch.tensor(x, requires_grad=True)\n"
                        "    (t ** 2).sum().backward()\n    return t.grad\n",
    "torch.func.grad": "import importlib\ndef f(x):\n    fn = importlib.import_module('torch.' + 'fu' + 'nc')\n"
                       "    return getattr(fn, 'gr' + 'ad')(lambda t: (t ** 2).sum())(torch.tensor(x))\n",
    "jacfwd": "def f(x):\n    return torch.func.jacfwd(lambda t: (t ** 2).sum())(torch.tensor(x))\n",
    "forward_ad": "import torch.autograd.forward_ad as fw\ndef f(x):\n    with fw.dual_level():\n"
                  "        d = fw.make_dual(torch.tensor(x), torch.ones(3, dtype=torch.float64))\n"
                  "        return fw.unpack_dual(d * d).tangent\n",
    # a reference to the real engine saved at import and swapped back in
    "saved engine": "from torch.autograd import variable\nREAL = variable.Variable._execution_engine\n"
                    "def f(x):\n    variable.Variable._execution_engine = REAL\n"
                    "    t = torch.tensor(x, requires_grad=True)\n    (t ** 2).sum().backward()\n    return t.grad\n",
    # a new engine, or torch's module run again to make one
    "new engine": "def f(x):\n    from torch.autograd import variable\n"
                  "    variable.Variable._execution_engine = torch._C._ImperativeEngine()\n    return 2 * x\n",
    "reload": "import importlib, torch.autograd.variable as v\ndef f(x):\n    importlib.reload(v)\n"
              "    t = torch.tensor(x, requires_grad=True)\n    (t ** 2).sum().backward()\n    return t.grad\n",
    # recording turned back on by a class found by walking the type tree: leaves a trace
    "subclass walk": "def walk(c, seen):\n    for s in type.__subclasses__(c):\n        if s not in seen:\n"
                     "            seen.add(s)\n            walk(s, seen)\n    return seen\n"
                     "def f(x):\n    mode = [c for c in walk(object, set()) if c.__name__ == '_InferenceMode'][0]\n"
                     "    guard = mode(False)\n    t = torch.tensor(x, requires_grad=True)\n    y = (t ** 2).sum()\n"
                     "    node, grads = y.grad_fn, None\n    g = node(torch.ones((), dtype=torch.float64))\n"
                     "    g = g[0] if isinstance(g, tuple) else g\n    nxt = node.next_functions[0][0]\n"
                     "    g = nxt(g)\n    g = g[0] if isinstance(g, tuple) else g\n"
                     "    g = nxt.next_functions[0][0](g)\n    del guard\n    return 2 * x\n",
    # other threads start with recording on; other processes have a torch of their own
    "thread": "import threading\ndef f(x):\n    out = []\n    def work():\n"
              "        t = torch.tensor(x, requires_grad=True)\n        (t ** 2).sum().backward()\n        out.append(t.grad)\n"
              "    th = threading.Thread(target=work)\n    th.start()\n    th.join()\n    return out[0]\n",
    "subprocess": "import subprocess, sys, json\ndef f(x):\n    code = ('import torch, json; t = torch.tensor(%r, requires_grad=True);'\n"
                  "            '(t ** 2).sum().backward(); print(json.dumps(t.grad.tolist()))' % (x.tolist(),))\n"
                  "    return json.loads(subprocess.run([sys.executable, '-c', code], capture_output=True, text=True).stdout)\n",
    "fork": "import os\ndef f(x):\n    pid = os.fork()\n    if pid == 0:\n        os._exit(0)\n    return 2 * x\n",
    # C++'s own switches through a foreign-function call; objects found through the collector
    "ctypes": "import ctypes\ndef f(x):\n    ctypes.CDLL(None)\n    return 2 * x\n",
    "gc": "import gc\ndef f(x):\n    gc.get_objects()\n    return 2 * x\n",
    "socket": "import socket\ndef f(x):\n    socket.socket(socket.AF_UNIX)\n    return 2 * x\n",
    "functorch import": "def f(x):\n    import functorch\n    return 2 * x\n",
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_every_route_to_autograd_is_refused_or_flagged(sandbox, route):
    source = "import torch, numpy as np\n" + ROUTES[route]
    out = run(sandbox, source, by_hand(), Request("g", "f", call=True, args=(X,)))
    answer = out.answers["f"]
    if route in ("new engine", "fork", "ctypes", "gc", "socket", "functorch import", "subclass walk"):
        # these return the right value by honest arithmetic after trying: the attempt alone is refused
        assert answer.error_type == "autograd_forbidden", answer
    else:
        assert_refused(answer)
    if route not in ("new engine", "reload", "subclass walk"):
        # the same function, asked where autograd is allowed, works: the ban is only where it must be
        assert out.answers["g"].ok or route in ("subprocess", "fork", "socket"), out.answers["g"]


@pytest.mark.parametrize("returned", ["Listed(x)", "Items(x=x)", "Real(x)"])
def test_a_conversion_of_the_returned_value_runs_under_the_ban_too(sandbox, returned):
    """The returned object's conversion (``__iter__``, ``items``, ``__float__``) is the
    student's code as well: it used to run after the ban was switched off."""
    source = ("import torch\ndef grad(x):\n    t = torch.tensor(x, requires_grad=True)\n"
              "    (t ** 2).sum().backward()\n    return t.grad.tolist()\n"
              "class Listed(list):\n    def __init__(self, x):\n        self.x = x\n"
              "    def __iter__(self):\n        return iter(grad(self.x))\n"
              "class Items(dict):\n    def items(self):\n        return {'g': grad(self['x'])}.items()\n"
              "class Real(float):\n    def __new__(cls, x):\n        r = float.__new__(cls, 0.0)\n"
              "        r.x = x\n        return r\n    def __float__(self):\n        return float(sum(grad(self.x)))\n"
              f"def f(x):\n    return {returned}\n")
    answer = run(sandbox, source, by_hand()).answers["f"]
    assert answer.error_type == "autograd_forbidden", answer


def test_answers_computed_at_import_from_the_jobs_own_arguments_are_not_available(sandbox):
    """At import, the job's requests are reachable (frames, the collector, the process's memory):
    the gradient could be computed before the ban existed. Now the ban exists before import."""
    source = ("import sys, torch, numpy as np\nCACHE = None\ntry:\n"
              "    t = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)\n"
              "    CACHE = torch.autograd.grad((t ** 2).sum(), t)[0].numpy()\n"
              "except BaseException:\n    pass\n"
              "def f(x):\n    return CACHE if CACHE is not None else np.zeros(3)\n")
    out = run(sandbox, source, by_hand())
    np.testing.assert_allclose(out.answers["f"].value, np.zeros(3))


def test_autograd_at_import_is_named_where_it_stops_the_file(sandbox):
    """A student who checks their work with autograd at the top of the file: in the process that
    grades derived-by-hand functions, that line stops the file, and the answer says so (the
    other questions are graded where autograd is allowed, and are not affected)."""
    source = ("import torch\nt = torch.ones(2, requires_grad=True)\n(t * t).sum().backward()\n"
              "def f(x):\n    return 2 * x\n")
    out = run(sandbox, source, by_hand(), Request("g", "f", call=True, args=(X,)))
    answer = out.answers["f"]
    assert answer.error_type == "autograd_forbidden" and "at import" in answer.error_message
    assert "line 3" in answer.error_message
    np.testing.assert_allclose(out.answers["g"].value, GRADIENT)
    assert not out.exec_errors, "the import errors reported are those of the process without the ban"


def test_the_ban_leaves_no_working_original_in_any_loaded_module():
    """In a process of its own: after the guards are installed, no loaded module holds torch's
    grad-mode setter, engine class or forward-mode entry (directly, or in a list, set or tuple)."""
    import subprocess
    import sys

    code = (
        "import sys, gc, torch, torch.func, torch.fx\n"
        "originals = [torch._C._set_grad_enabled, torch._C._enter_dual_level, torch._C._ImperativeEngine,\n"
        "             torch._C._functorch._grad_increment_nesting]\n"
        "ids = {id(o) for o in originals}\n"
        "from autograder._autograd_ban import install_guards\n"
        "traces = install_guards()\n"
        "left = []\n"
        "for m in list(sys.modules.values()):\n"
        "    for k, v in list(getattr(m, '__dict__', {}).items()):\n"
        "        if id(v) in ids or (type(v) in (list, set, tuple) and any(id(i) in ids for i in v)):\n"
        "            left.append((getattr(m, '__name__', '?'), k))\n"
        "print(left, torch.is_grad_enabled(), repr(traces()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] False ''", out.stdout + out.stderr
