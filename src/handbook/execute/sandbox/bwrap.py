"""The bubblewrap command line of one sandbox: what a session sees and nothing else.

Inside: its own user, PID, network (loopback only), IPC, UTS and cgroup namespaces and no
capabilities; a read-only
root with /usr, the Python environment and R; a minimal /etc written for the session (hosts,
passwd, a resolver that resolves nothing); its own /proc without /proc/sys; one size-limited
tmpfs for home, the working folder and /tmp; the job's inputs read-only under /opt/handbook-run;
declared data files copied (writable) into the working folder; stand-ins' sockets and files
read-only. The repository, the cache, the build's home and environment are not there.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from handbook.execute.limits import MB, Limits

HOME = "/home/jovyan"
WORK = f"{HOME}/work"
TMP = "/home/.tmp"                 # /tmp links here: one tmpfs holds home and temp files
TOOLS = "/opt/handbook"            # this package's drivers and launcher
RUN = "/opt/handbook-run"          # the job's inputs and the launcher's spec
SOCKETS = "/run/handbook"          # stand-ins' Unix sockets
UID = GID = 1000
USER = "jovyan"

# /etc entries a sample's tools need; everything else in /etc stays outside.
ETC_ALLOWLIST = ("alternatives", "ssl", "ca-certificates", "pki", "R", "fonts", "localtime", "timezone",
                 "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "protocols", "services", "mime.types",
                 "os-release", "debian_version", "magic", "mailcap")
# The JDK's own configuration (Debian: /usr/lib/jvm/*/conf links to /etc/java-17-openjdk): no secrets.
ETC_PATTERNS = ("java-*",)
MERGED_USR = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


class Files:
    """File descriptors bubblewrap copies into the sandbox; closed after the start."""

    def __init__(self):
        self.fds: list[int] = []

    def data(self, content: bytes, name: str = "handbook") -> int:
        fd = os.memfd_create(name)
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
        self.fds.append(fd)
        return fd

    def open(self, path: Path) -> int:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self.fds.append(fd)
        return fd

    def close(self) -> None:
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.fds.clear()


def etc_files(hosts: list[str]) -> dict[str, bytes]:
    """Generated /etc files: names of the stand-ins resolve to loopback, nothing else resolves."""
    host_lines = ["127.0.0.1 localhost sandbox", "::1 localhost ip6-localhost ip6-loopback"]
    host_lines += [f"127.0.0.1 {name}" for name in sorted(set(hosts)) if name not in ("localhost",)]
    return {
        "hosts": ("\n".join(host_lines) + "\n").encode(),
        "hostname": b"sandbox\n",
        "resolv.conf": b"# Code samples resolve no names beyond /etc/hosts.\noptions timeout:1 attempts:1\n",
        "nsswitch.conf": b"passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\n"
                         b"protocols: files\nservices: files\n",
        "passwd": (f"root:x:0:0:root:/root:/usr/sbin/nologin\n{USER}:x:{UID}:{GID}::{HOME}:/bin/bash\n"
                   "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n").encode(),
        "group": f"root:x:0:\n{USER}:x:{GID}:\nnogroup:x:65534:\n".encode(),
    }


def etc_names() -> list[str]:
    """The host's /etc entries a session sees: the allowlist and what ETC_PATTERNS match."""
    matched = {p.name for pattern in ETC_PATTERNS for p in Path("/etc").glob(pattern)}
    return [*ETC_ALLOWLIST, *sorted(matched - set(ETC_ALLOWLIST))]


def _copy(files: Files, limits: Limits, source: Path, target: str) -> list[str]:
    """A writable tmpfs at `target` holding a copy of the host folder `source`."""
    args = ["--size", str(limits.disk_mb * MB), "--perms", "0755", "--tmpfs", target]
    for folder, dirs, names in os.walk(source):
        rel = Path(folder).relative_to(source)
        for name in sorted(dirs):
            args += ["--perms", "0755", "--dir", f"{target}/{(rel / name).as_posix()}"]
        for name in sorted(names):
            args += ["--perms", "0644", "--file", str(files.open(Path(folder) / name)),
                     f"{target}/{(rel / name).as_posix()}"]
    return args


def command(bwrap: str, *, limits: Limits, files: Files, toolchain: tuple[Path, ...], tools_dir: Path,
            inputs: dict[str, bytes], data_files: dict[str, Path], binds: dict[str, Path],
            sockets_dir: Path | None, hosts: list[str], launcher: list[str],
            copies: dict[str, Path] | None = None) -> list[str]:
    """The command line up to (not including) the command to run inside.

    `unshare` makes the user and network namespaces, `launcher --network` prepares the network
    (loopback only) and execs bwrap, which makes the rest and drops every capability.
    """
    args = ["unshare", "--user", "--map-root-user", "--net", "--", *launcher, "--network", "--",
            bwrap, "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--disable-userns", "--die-with-parent", "--new-session",
            "--uid", str(UID), "--gid", str(GID), "--hostname", "sandbox", "--cap-drop", "ALL"]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in MERGED_USR:
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            args += ["--ro-bind", str(host), f"/{name}"]
    # A toolchain under /tmp (a clone or a test's virtual environment) needs a real /tmp to sit in;
    # the folders leading to it are empty and read-only, so a sample cannot write "into the clone".
    tmp_tops = _tmp_tops(toolchain)
    tmp_holds_toolchain = any(Path(folder).is_relative_to("/tmp") for folder in toolchain)
    if tmp_holds_toolchain:
        args += ["--size", str(limits.disk_mb * MB), "--perms", "1777", "--tmpfs", "/tmp"]
    for top in tmp_tops:
        args += ["--size", str(MB), "--perms", "0755", "--tmpfs", top]
    for folder in toolchain:
        args += ["--ro-bind", str(folder), str(folder)]
    for top in tmp_tops:
        args += ["--remount-ro", top]
    args += ["--dir", "/etc"]
    for name in etc_names():
        if os.path.lexists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for name, content in etc_files(hosts).items():
        args += ["--ro-bind-data", str(files.data(content, name)), f"/etc/{name}"]
    args += ["--proc", "/proc", "--tmpfs", "/proc/sys", "--remount-ro", "/proc/sys",
             "--dev", "/dev", "--size", str(limits.shm_mb * MB), "--tmpfs", "/dev/shm",
             "--size", str(limits.disk_mb * MB), "--perms", "0755", "--tmpfs", "/home",
             "--dir", HOME, "--dir", WORK, "--perms", "0700", "--dir", TMP]
    if not tmp_holds_toolchain:
        args += ["--symlink", TMP, "/tmp"]
    args += ["--ro-bind", str(tools_dir), TOOLS]
    for name, content in inputs.items():
        args += ["--perms", "0644", "--ro-bind-data", str(files.data(content, name)), f"{RUN}/{name}"]
    for name, path in data_files.items():
        args += ["--perms", "0644", "--file", str(files.open(path)), f"{WORK}/{name}"]
    if sockets_dir is not None:
        args += ["--ro-bind", str(sockets_dir), SOCKETS]
    for target, source in sorted(binds.items()):
        args += ["--ro-bind", str(source), target]
    for target, source in sorted((copies or {}).items()):
        if Path(source).is_file():   # one file (a ~/.gitconfig): a writable copy at that path
            args += ["--perms", "0644", "--file", str(files.open(Path(source))), target]
        else:
            args += _copy(files, limits, Path(source), target)
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", WORK]
    return args


def _tmp_tops(toolchain: tuple[Path, ...]) -> list[str]:
    """/tmp/<name> folders that hold a toolchain folder without being one."""
    folders = {Path(folder) for folder in toolchain}
    tops = {Path("/tmp", Path(folder).relative_to("/tmp").parts[0]) for folder in folders
            if Path(folder).is_relative_to("/tmp") and Path(folder) != Path("/tmp")}
    return sorted(str(top) for top in tops if top not in folders)
