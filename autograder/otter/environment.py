"""An otter assignment's own Python packages: installed once, into an environment layered on ours.

An otter autograder zip lists the packages its tests need (``requirements.txt``, or the ``pip:``
part of ``environment.yml``, where ``otter generate`` puts them). ``otter run`` grades in an
environment that has them; so do we:

- requirements that this interpreter already satisfies (numpy, matplotlib..., or all of them
  in Gradescope's image, where ``setup.sh`` installed them at build time) need nothing;
- otherwise the grader makes an environment for that list, once, before any student code runs:
  a venv whose ``site-packages`` has a ``.pth`` adding ours (torch, numpy and the grader come
  from ours, never installed twice), where pip installs what is missing, every distribution of
  ours pinned by a constraints file (so pip adds packages and never replaces one of ours: a
  requirement that conflicts with them is an error, and torch is never resolved again);
- it lives in a cache (``AUTOGRADER_ENV_CACHE``; else ``/var/cache/dl-autograder/envs`` for
  root, whose home the sandbox users cannot reach; else ``$XDG_CACHE_HOME/dl-autograder/envs``
  or ``~/.cache/dl-autograder/envs``; never under ``/tmp``, which each sandboxed job has of its
  own), under a hash of the requirements and of our own installation; it is built in a
  temporary folder and renamed into place, under a lock, so two graders never build it at once
  and none ever sees half of one; later gradings reuse it.

The sandbox servers of that assignment then run the environment's interpreter (see
``Sandbox(python=...)``). Installing needs the network, which the sandbox never has: this runs
in the grader, never in the sandbox. A requirement that cannot be installed is one
:class:`~autograder.errors.ConfigError` line, naming it and pip's own last error, before any
grading starts.

``python -m autograder.otter.environment install FILE`` installs a requirements file into the
running interpreter's own environment, with the same pins: ``setup.sh`` runs it at Gradescope's
image build (``autograder build`` of an otter assignment writes the file).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterator

from autograder.errors import ConfigError, SandboxError, UsageError

CACHE_VARIABLE = "AUTOGRADER_ENV_CACHE"
#: otter's own runtime, which ``otter generate`` adds to every environment.yml: here ``import
#: otter`` in a notebook gets our stand-in (stub.py), and the real one must not be importable
_REPLACED = {"otter-grader"}
#: the file, in the environment's site-packages, that adds ours behind it
_BASE_PTH = "_dl_autograder_base.pth"
#: written last, inside the environment: what it was made from (its presence means complete)
_MADE = "dl-autograder-env.json"
#: pip's words when it could not reach the package index at all
_OFFLINE = re.compile(r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|"
                      r"Connection refused|No route to host|ConnectTimeoutError")
#: interpreters made (or found) in this process, by requirements and cache folder
_MADE_HERE: dict[tuple[tuple[str, ...], str], str] = {}


# --------------------------------------------------------------------------- what is required


def pip_requirements(requirements_txt: str, environment_yml: str, *, where: str) -> tuple[str, ...]:
    """The pip requirement lines of an otter assignment, in order, without duplicates.

    ``requirements_txt``: lines (comments and blank lines dropped, pip options kept);
    ``environment_yml``: the ``pip:`` entries of its ``dependencies`` (conda's own entries,
    ``python=3.x``, ``pip``..., are conda's business: the interpreter is ours). otter-grader
    itself is dropped: its place is taken by our stand-in.

    >>> pip_requirements("tqdm  # progress\\n", "dependencies: [pip, {pip: [otter-grader==7.0.0, seaborn]}]", where="x")
    ('tqdm', 'seaborn')
    """
    lines = _requirement_lines(requirements_txt) + _environment_pip(environment_yml, where=where)
    return tuple(dict.fromkeys(line for line in lines if _name(line) not in _REPLACED))


def _requirement_lines(text: str) -> list[str]:
    lines = []
    for raw in text.replace("\\\n", "").splitlines():
        # as pip reads a requirements file: "#" starts a comment at the line's start or after a space
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if line:
            lines.append(line)
    return lines


def _environment_pip(text: str, *, where: str) -> list[str]:
    if not text.strip():
        return []
    import yaml

    from autograder import yamldata

    try:
        data = yamldata.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{where}: environment.yml is not valid YAML ({str(e).splitlines()[0]})") from None
    deps = data.get("dependencies") if isinstance(data, dict) else None
    found = []
    for dep in deps if isinstance(deps, list) else []:
        if isinstance(dep, dict) and "pip" in dep:
            if not isinstance(dep["pip"], list) or not all(isinstance(p, str) for p in dep["pip"]):
                raise ConfigError(f"{where}: environment.yml's pip dependencies must be a list of strings")
            found += [p.strip() for p in dep["pip"] if p.strip()]
    return found


def _name(line: str) -> str | None:
    """The canonical project name a requirement line asks for; None for options and URLs."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    if line.startswith("-"):
        return None
    try:
        return canonicalize_name(Requirement(line).name)
    except InvalidRequirement:
        return None


def unmet(requirements: tuple[str, ...]) -> tuple[str, ...]:
    """The requirements this interpreter's installed distributions do not satisfy (versions,
    markers and extras considered). pip options (``--index-url ...``) are never unmet."""
    installed = _installed()
    return tuple(line for line in requirements if not line.startswith("-") and not _satisfied(line, installed))


@dataclass(frozen=True)
class _Installed:
    version: str
    requires: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _installed() -> dict[str, _Installed]:
    """This interpreter's distributions by canonical name (the first on the path, as imports).
    Read once per process, and only the three headers needed: the email parser that
    ``Distribution.metadata`` uses takes ~2 ms per distribution and per access."""
    from packaging.utils import canonicalize_name

    found: dict[str, _Installed] = {}
    for dist in metadata.distributions():
        text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
        headers = text.split("\n\n", 1)[0]
        name = re.search(r"^Name:[ \t]*(\S+)", headers, re.MULTILINE)
        version = re.search(r"^Version:[ \t]*(\S+)", headers, re.MULTILINE)
        if name and version:
            requires = tuple(m.strip() for m in re.findall(r"^Requires-Dist:(.*)$", headers, re.MULTILINE))
            found.setdefault(canonicalize_name(name.group(1)), _Installed(version.group(1), requires))
    return found


def _satisfied(line: str, installed: dict[str, _Installed], extra: str = "",
               seen: frozenset = frozenset()) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion

    try:
        req = Requirement(line)
    except InvalidRequirement:
        return False  # a URL, a path, -e: pip alone can tell; it is asked
    if req.marker is not None and not req.marker.evaluate({"extra": extra}):
        return True
    name = canonicalize_name(req.name)
    dist = installed.get(name)
    if dist is None:
        return False
    try:
        if req.url is None and not req.specifier.contains(dist.version, prereleases=True):
            return False
    except InvalidVersion:
        return False
    # an extra (seaborn[stats]) asks for the dependencies listed under it
    for wanted in req.extras:
        if (name, wanted) in seen:
            continue
        for dep in dist.requires:
            if "extra" in dep and not _satisfied(dep, installed, wanted, seen | {(name, wanted)}):
                return False
    return True


# --------------------------------------------------------------------------- the environment


def environment_python(requirements: tuple[str, ...], *, where: str, cache: Path | None = None) -> str | None:
    """The interpreter to grade with: None when this one has every requirement, else the
    environment's (made now, or found in the cache). Raises ConfigError, one line, when pip
    cannot install them; it runs in the grader, before any student code."""
    if not requirements:
        return None
    folder = cache_dir() if cache is None else Path(cache)
    known = (requirements, str(folder))
    if known in _MADE_HERE:
        return _MADE_HERE[known]
    missing = unmet(requirements)
    if not missing:
        return None
    constraints = _constraints()
    key = _key(requirements, constraints)
    _prepare_cache(folder)
    root = folder.resolve() / key
    if not _complete(root):
        with _locked(folder / f"{key}.lock"):
            if not _complete(root):  # another grader may have made it while this one waited
                _make(root, requirements, missing, constraints, where=where)
    _check_owned(root)
    _MADE_HERE[known] = str(root / "bin" / "python")
    return _MADE_HERE[known]


def cache_dir() -> Path:
    """Where environments are kept (see the module's docstring)."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    if os.geteuid() == 0:
        # root's home is closed to the sandbox users, who import from the environment
        return Path("/var/cache/dl-autograder/envs")
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "dl-autograder" / "envs"
    return Path.home() / ".cache" / "dl-autograder" / "envs"


def _constraints() -> str:
    """Every distribution of ours, pinned: pip may add packages, never replace one of these."""
    from packaging.version import InvalidVersion, Version

    lines = []
    for name, dist in sorted(_installed().items()):
        try:
            Version(dist.version)
        except InvalidVersion:
            continue  # pip could not read such a pin either; nothing would ask for it
        lines.append(f"{name}=={dist.version}")
    return "\n".join(lines) + "\n"


def _key(requirements: tuple[str, ...], constraints: str) -> str:
    """Same requirements on the same installation of ours: the same environment. Our prefix is
    in it because the environment's .pth points there; our pins because pip resolved against them."""
    blob = json.dumps({"format": 1, "requirements": sorted(set(requirements)), "python": sys.version,
                       "base": sys.prefix, "constraints": constraints})
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _prepare_cache(folder: Path) -> None:
    from autograder._isolation import SCRATCH

    resolved = os.path.realpath(folder)
    scratch = next((place for place in SCRATCH if resolved == place or resolved.startswith(place + os.sep)), None)
    if scratch is not None:
        # a sandbox job gets a /tmp (/var/tmp, /dev/shm) of its own: its process would not find the environment
        raise UsageError(f"assignments' environments cannot be kept under {scratch} ({folder}): each sandboxed "
                         f"job has a {scratch} of its own; set {CACHE_VARIABLE} to another folder")
    try:
        folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot make {folder}, where assignments' environments are kept ({e}); "
                         f"set {CACHE_VARIABLE} to a folder of yours") from None
    _check_owned(folder)


def _check_owned(path: Path) -> None:
    """The grader runs what is in an environment (as root, on Gradescope): one that anyone
    else could have written is never used."""
    info = path.lstat()
    if info.st_uid != os.geteuid() or info.st_mode & 0o022 or stat.S_ISLNK(info.st_mode):
        raise UsageError(f"{path} must be a folder of this user's that others cannot write "
                         f"(set {CACHE_VARIABLE} to another place)")


def _complete(root: Path) -> bool:
    return (root / _MADE).is_file()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks while another grader makes the same environment
        yield
    finally:
        os.close(fd)


def _make(root: Path, requirements: tuple[str, ...], missing: tuple[str, ...], constraints: str, *,
          where: str) -> None:
    print(f"note: installing what {where} requires ({', '.join(missing)}) into an environment of its own, "
          f"once: {root}", file=sys.stderr)
    if root.exists():
        shutil.rmtree(root)  # without the record written last, it is not one of ours: made again
    work = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    try:
        done = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work)], capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            raise SandboxError(f"cannot make a virtual environment with {sys.executable} for {where}'s requirements: "
                               f"{_last_error(done.stdout + done.stderr)}")
        python = work / "bin" / "python"
        site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True, timeout=60).stdout.strip())
        # addsitedir, not a bare path: .pth files of ours (editable installs) are read as well
        ours = [p for p in _our_site_dirs() if Path(p).is_dir()]
        (site / _BASE_PTH).write_text("".join(f"import site; site.addsitedir({p!r})\n" for p in ours))
        _pip_install(str(python), requirements, constraints, where=where)
        # byte-compiled here with the final paths (tracebacks show where the files will be); a
        # file that does not compile (a template, an old test) stays source only, as with pip
        subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", "-s", str(work), "-p", str(root), str(site)],
                       capture_output=True, timeout=900)
        (work / _MADE).write_text(json.dumps({"requirements": list(requirements), "base": sys.prefix}, indent=1))
        _open_to_readers(work)
        work.rename(root)
    finally:
        if work.exists():
            # a build that failed: a hidden folder of our cache (".KEY-..."), never used; what
            # cannot be removed now stays there, harmless
            shutil.rmtree(work, ignore_errors=True)


def _our_site_dirs() -> list[str]:
    import site

    return list(dict.fromkeys(site.getsitepackages()))


def _open_to_readers(root: Path) -> None:
    """The sandbox users run the environment (``user`` mode): everything readable, folders and
    programs traversable, whatever the grader's umask; nothing writable but by its owner."""
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                continue
            mode = info.st_mode & 0o1777 & ~0o022  # no set-id bit, nothing writable by others
            mode |= 0o444 | (0o111 if stat.S_ISDIR(info.st_mode) or info.st_mode & 0o100 else 0)
            os.chmod(path, mode)
    os.chmod(root, 0o755)


def _pip_install(python: str, requirements: tuple[str, ...], constraints: str, *, where: str) -> None:
    """pip install ``requirements`` with ``python``, every distribution of ours pinned."""
    with tempfile.TemporaryDirectory(prefix="autograder-pip-") as tmp:
        req_file, con_file = Path(tmp) / "requirements.txt", Path(tmp) / "constraints.txt"
        req_file.write_text("\n".join(requirements) + "\n")
        con_file.write_text(constraints)
        cmd = [python, "-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--progress-bar", "off",
               "--no-compile", "--retries", "2", "-r", str(req_file), "-c", str(con_file)]
        # what would send pip's files elsewhere than the environment is left out
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PIP_TARGET", "PIP_PREFIX", "PIP_ROOT",
                            "PIP_USER", "PIP_REQUIRE_VIRTUALENV")}
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env=env, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise ConfigError(f"{where}: installing its requirements ({', '.join(requirements)}) took over 30 "
                              "minutes") from None
    if done.returncode != 0:
        output = done.stdout + "\n" + done.stderr
        raise ConfigError(f"{where}: cannot install its requirements ({', '.join(requirements)}): "
                          f"{_pip_failure(output)}")


def _pip_failure(output: str) -> str:
    """What went wrong, in one line, from pip's output."""
    conflict = re.findall(r"The user requested \(constraint\) (\S+)", output)
    if "ResolutionImpossible" in output and conflict:
        return (f"they conflict with the grader's own {', '.join(dict.fromkeys(conflict))}, which stay as they are "
                "(pip: ResolutionImpossible)")
    line = _last_error(output)
    if _OFFLINE.search(output):
        line += " (the package index could not be reached: is this machine online?)"
    return line


def _last_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:")]
    last = (errors or lines or ["no output"])[-1]
    return last[:400]


# --------------------------------------------------------------------------- setup.sh's step


def install(requirements_file: Path) -> None:
    """Install a requirements file into this interpreter's own environment, ours pinned
    (Gradescope's image build: ``setup.sh``)."""
    try:
        text = Path(requirements_file).read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot read {requirements_file} ({e})") from None
    requirements = tuple(dict.fromkeys(_requirement_lines(text)))
    if requirements and unmet(requirements):
        _pip_install(sys.executable, requirements, _constraints(), where=str(requirements_file))


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "install":
        print("usage: python -m autograder.otter.environment install REQUIREMENTS_FILE", file=sys.stderr)
        return 2
    try:
        install(Path(argv[1]))
    except (ConfigError, UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
