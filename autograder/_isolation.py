"""The kernel's part of the sandbox, for the fork server (:mod:`autograder._worker`): PID and
mount namespaces for the channel servers, private scratch places emptied between jobs,
capabilities, huge pages, and reaping. Standard library only (ctypes for what ``os`` lacks).
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import stat
import time

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x1000, 0x4000, 0x40000
MADV_HUGEPAGE = 14
MADV_COLLAPSE = 25
#: where a submission may write besides its folder; emptied after each job where they are private
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")


def namespaces_work() -> bool:
    """Whether a channel server can have its own PID namespace, /tmp and /proc (tried in a throwaway child)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if load_libc().unshare(CLONE_NEWPID | CLONE_NEWNS) == 0:
                inner = os.fork()
                if inner == 0:
                    os._exit(0 if private_mounts() else 1)
                code = os.waitstatus_to_exitcode(os.waitpid(inner, 0)[1])
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def private_mounts() -> bool:
    """Writable scratch places (/tmp, /var/tmp, /dev/shm) and a /proc of this process's own (it
    is PID 1 of a fresh namespace): submissions on other channels can neither see nor leave
    anything there."""
    libc = load_libc()
    flags = MS_NOSUID | MS_NODEV
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    for place in SCRATCH:
        if not os.path.isdir(place):
            continue
        # what is mounted inside (a Python installed under /tmp, bound there by bubblewrap)
        # is put back on top of the fresh tmpfs, through descriptors opened before it hides them
        inside = {point: os.open(point, os.O_PATH) for point in mount_points_under(place)}
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


def mount_points_under(place: str) -> list[str]:
    """The outermost mount points below ``place`` (from /proc/self/mountinfo)."""
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
            if point.startswith(place + "/"):
                points.append(point)
    return [p for p in points if not any(p != q and p.startswith(q + "/") for q in points)]


def scratch_entries() -> set[str]:
    return {os.path.join(place, entry) for place in SCRATCH if os.path.isdir(place) for entry in os.listdir(place)}


def clear_scratch(before: set[str]) -> None:
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
                    shutil.rmtree(path, onerror=ignore_missing)
                else:
                    remove_missing_ok(path)


def remove_missing_ok(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass  # gone already


def ignore_missing(func, path, exc_info) -> None:
    if not isinstance(exc_info[1], FileNotFoundError):
        raise exc_info[1]


def drop_capabilities() -> None:
    """Leave this process no capability and no way to gain one (a child that keeps its uid)."""
    libc = load_libc()
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    nothing = (ctypes.c_uint32 * 6)()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.capset(header, nothing) != 0:
        raise OSError(ctypes.get_errno(), "dropping capabilities")


def end_user(uid: int, gid: int, *, reaper: int | None = None, attempts: int = 50) -> None:
    """Leave no process of ``uid`` alive and none of its files in the scratch places (run as root).

    A process of that uid's own does it: it sends SIGKILL to every process it may signal
    (``kill(-1)``, which the kernel does in one pass that no fork escapes), then removes what
    the uid owns under /tmp, /var/tmp and /dev/shm, with the uid's rights only (a symlink the
    student planted leads nowhere root could be made to write). It runs with real and saved
    uid ``reaper`` (a uid no process has) and effective uid ``uid``: it may signal the
    student's processes, and they may not signal it. Root then checks /proc and starts again
    until nothing of the uid is alive; past ``attempts``, an error.
    """
    for _ in range(attempts):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setgroups([])
                os.setresgid(gid, gid, gid)
                keeper = reaper if reaper is not None else uid
                os.setresuid(keeper, uid, keeper)
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    pass  # nothing of the uid was running
                deadline = time.monotonic() + 2.0
                while processes_of(uid, skip=os.getpid()) and time.monotonic() < deadline:
                    time.sleep(0.001)  # SIGKILLed processes are still exiting
                _remove_owned(uid)
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        if not processes_of(uid):
            return
    raise OSError(f"processes of uid {uid} survive {attempts} rounds of SIGKILL")


def processes_of(uid: int, *, skip: int | None = None) -> list[int]:
    """The live processes whose real, effective or saved uid is ``uid`` (zombies are not alive).
    Read from /proc/PID/status: a process that made itself non-dumpable shows root as the owner
    of its /proc folder, not its uid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == skip:
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as f:
                status = f.read()
        except OSError:
            continue  # it ended meanwhile
        state = re.search(rb"^State:\s*(\S)", status, re.MULTILINE)
        uids = re.search(rb"^Uid:\s*(\d+)\s+(\d+)\s+(\d+)", status, re.MULTILINE)
        if uids and uid in (int(u) for u in uids.groups()) and not (state and state.group(1) in (b"Z", b"X")):
            found.append(int(entry))
    return found


def _remove_owned(uid: int) -> None:
    """Remove every entry of the scratch places that ``uid`` owns (run as that uid)."""
    for place in SCRATCH:
        try:
            entries = os.listdir(place)
        except OSError:
            continue  # not there, or not ours to list
        for entry in entries:
            path = os.path.join(place, entry)
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                continue
            if info.st_uid != uid:
                continue
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(path, onerror=_writable_then_retry)
            else:
                remove_missing_ok(path)


def _writable_then_retry(func, path, exc_info) -> None:
    """A folder the student made unreadable (chmod 000) is theirs: open it up, try again."""
    if isinstance(exc_info[1], FileNotFoundError):
        return
    if isinstance(exc_info[1], PermissionError):
        parent = path if func in (os.open, os.scandir, os.listdir) else os.path.dirname(path)
        try:
            os.chmod(parent, 0o700)
        except OSError:
            return  # not ours: leave it
        if func in (os.open, os.scandir, os.listdir):
            shutil.rmtree(path, onerror=_writable_then_retry)
        else:
            func(path)
        return
    raise exc_info[1]


def reap_orphans() -> None:
    """As PID 1 of its namespace, a channel server inherits what its children orphaned."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def reap_until_none() -> None:
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def load_libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def unshare_network() -> bool:
    """Leave the network where the platform allows it (Gradescope's containers usually don't)."""
    libc = load_libc()
    return libc.unshare(CLONE_NEWNET) == 0


def collapse_to_huge_pages() -> int:
    """Back the server's large anonymous mappings (the heap torch filled) with 2 MB pages.

    fork() copies one page-table entry per 4 KB page: for a server holding torch (~150 MB
    of heap) that is most of a submission's start-up. With huge pages it copies one entry
    per 2 MB, and fork+exit drops from ~9 ms to ~3 ms. Needs MADV_COLLAPSE (Linux 6.1);
    elsewhere madvise fails and the server simply stays on small pages. Returns the bytes
    collapsed.
    """
    libc = load_libc()
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


def set_not_dumpable() -> None:
    # a child running as the same user must not be able to ptrace the server
    libc = load_libc()
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
