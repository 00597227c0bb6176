#!/usr/bin/env bash
# Set up the grader. One script for every place it runs, so they cannot drift apart:
#
#   ./setup.sh                     this repository: .venv/ with the package (editable) and test tools
#   /autograder/source/setup.sh    Gradescope's image build (from `autograder build`'s zip, or the Dockerfile):
#                                  /autograder/venv, the package installed from source/, hidden files locked
#
# It never touches the system python3 (Gradescope's harness runs on it). As root it also
# installs bubblewrap when apt-get can, and creates the unprivileged user student code runs as.
# Environment: AUTOGRADER_VENV (where the venv goes), AUTOGRADER_PYTHON (interpreter to build it
# from), AUTOGRADER_EXTRAS (pip extras: "dev" here, "" on Gradescope), TORCH_INDEX_URL.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
gradescope=0
if [ "$here" = "/autograder/source" ] || [ "${AUTOGRADER_GRADESCOPE:-0}" = 1 ]; then
    gradescope=1
fi
if [ "$gradescope" = 1 ]; then
    venv="${AUTOGRADER_VENV:-/autograder/venv}"
    extras="${AUTOGRADER_EXTRAS:-}"
    # PyPI's default torch wheel for Linux is the CUDA build (several GB): take the CPU one
    torch_index="${TORCH_INDEX_URL-https://download.pytorch.org/whl/cpu}"
else
    venv="${AUTOGRADER_VENV:-$here/.venv}"
    extras="${AUTOGRADER_EXTRAS:-dev}"
    torch_index="${TORCH_INDEX_URL:-}"
fi
python="${AUTOGRADER_PYTHON:-python3}"
say() { printf 'setup: %s\n' "$*"; }

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    missing=""
    command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
    # the test suite looks at the class report in a real browser
    case ",$extras," in *,dev,*) command -v chromium >/dev/null 2>&1 || missing="$missing chromium" ;; esac
    "$python" -c "import ensurepip, venv" >/dev/null 2>&1 || missing="$missing python3-venv"
    if [ -n "$missing" ]; then
        say "installing$missing"
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1; then
            apt-get update -qq >/dev/null 2>&1 || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 \
                || say "warning: could not install$missing; the sandbox will use the strongest mode left"
        fi
    fi
    # student code runs as these users: one per submission graded at the same time, so that
    # two side by side can neither signal nor wait on each other (autograder/sandbox.py: POOL_SIZE)
    for n in "" $(seq 1 15); do
        if ! id "autograder-student$n" >/dev/null 2>&1; then
            say "creating user autograder-student$n (student code runs as this user)"
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "autograder-student$n"
        fi
    done
fi

if [ ! -x "$venv/bin/python" ]; then
    say "creating virtual environment $venv"
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
if ! "$venv/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" >/dev/null 2>&1; then
    say "installing torch 2.13.0 (CPU)"
    if [ -n "$torch_index" ]; then
        "${pip[@]}" --extra-index-url "$torch_index" "torch==2.13.0"
    else
        "${pip[@]}" "torch==2.13.0"
    fi
fi
target="$here"
[ -n "$extras" ] && target="$here[$extras]"
if [ "$gradescope" = 1 ]; then
    say "installing the grader into $venv"
    "${pip[@]}" "$target"
else
    say "installing the grader (editable) into $venv"
    "${pip[@]}" -e "$target"
fi

# An assignment's own Python packages (an otter zip's requirements: `autograder build` writes
# them here): installed now, while the image is built with the network, every package already
# in the venv pinned (torch is never resolved again); grading then needs no network.
if [ -f "$here/assignment-requirements.txt" ]; then
    say "installing the assignment's requirements into $venv"
    "$venv/bin/python" -m autograder.otter.environment install "$here/assignment-requirements.txt"
fi

# Byte-compile the venv and the grader: every sandbox server imports torch and numpy, every
# batch pandas and matplotlib, and from source that costs twice the CPU (~2.8 s instead of
# ~1.4 s for torch). pip skips this step when PYTHONDONTWRITEBYTECODE is set.
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
if ! "$venv/bin/python" -m compileall -q -j 0 "$site" "$here/autograder" >/dev/null 2>&1; then
    say "note: a few files under $site do not byte-compile (templates, old tests); they stay source only"
fi

if [ "$gradescope" = 0 ] && [ "$(id -u)" = 0 ]; then
    # the sandbox users import from this Python and this venv (user mode, and its tests): a
    # folder closed to others above them (pyenv under /root, a checkout in a 0700 temporary
    # folder) would hide them. Opened to traversal only (o+x), not to listing.
    base="$("$venv/bin/python" -c 'import sys; print(sys.base_prefix)')"
    for start in "$base" "$(cd "$venv" && pwd)"; do
        dir="$start"
        while [ "$dir" != "/" ]; do
            if [ "$(( $(stat -c '%a' "$dir") % 10 & 1 ))" = 0 ]; then
                say "letting the sandbox users reach Python: chmod o+x $dir"
                chmod o+x "$dir"
            fi
            dir="$(dirname "$dir")"
        done
    done
fi

if [ "$gradescope" = 1 ] && [ "$(id -u)" = 0 ]; then
    # hidden checks and solutions: readable by root (the grader) only, never by the student's user
    chmod -R go-rwx "$here"
    chmod 755 "$(dirname "$here")"
    chmod -R a+rX "$venv"
fi
say "done: $("$venv/bin/python" -m autograder --version 2>/dev/null || echo "$venv/bin/autograder")"
