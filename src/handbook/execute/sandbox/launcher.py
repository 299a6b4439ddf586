"""First process inside a sandbox: limits, stand-in forwarders, then the driver.

Usage: python -I -S launcher.py SPEC.json -- COMMAND [ARG ...]
   or: python -I -S launcher.py --network -- BWRAP ...   (outside, see below)

SPEC holds {"rlimits": {"RLIMIT_NPROC": n, ...}, "forward": [[port, "/run/.../x.sock"], ...],
"fds": [control, ack]}.
The limits are set here, inside the sandbox's own user namespace, so a process limit counts
the sandbox's processes only. Each forward listens on 127.0.0.1:port (and [::1]:port) and
relays every connection to a Unix socket that the build bound into the sandbox; the build's
end of that socket connects to the stand-in. The command then runs as a child with file
descriptors 1-4 inherited (stdout, stderr, control, acknowledgement); its exit status is ours.

With --network it runs before bubblewrap, as root of a fresh user and network namespace
(`unshare --user --map-root-user --net`): it brings loopback up, lets unprivileged processes
bind ports below 1024 in this namespace only (a stand-in shown on port 443), and execs the
sandbox, which then runs without any capability.

Standard library only: the build's host side imports `Relay` from here too.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


class Relay:
    """Copy bytes both ways between accepted connections and new outgoing ones, in one thread.

    listeners: [(listening socket, connect)] where connect() returns a connected socket.
    """

    def __init__(self, listeners):
        self.sel = selectors.DefaultSelector()
        self.peers = {}
        self.pending = {}
        self.stopping = False
        self.wake_r, self.wake_w = socket.socketpair()
        self.sel.register(self.wake_r, selectors.EVENT_READ, ("wake", None))
        for sock, connect in listeners:
            sock.setblocking(False)
            self.sel.register(sock, selectors.EVENT_READ, ("listen", connect))
        self.thread = threading.Thread(target=self._loop, name="handbook-relay", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopping = True
        with contextlib.suppress(OSError):
            self.wake_w.send(b"x")
        self.thread.join(timeout=5)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()
        self.wake_w.close()

    def _loop(self):
        while not self.stopping:
            for key, _ in self.sel.select(timeout=1.0):
                kind, data = key.data
                if kind == "listen":
                    self._accept(key.fileobj, data)
                elif kind == "pipe":
                    self._pump(key.fileobj)

    def _accept(self, listener, connect):
        try:
            inbound, _ = listener.accept()
        except OSError:
            return
        try:
            outbound = connect()
        except OSError:
            inbound.close()
            return
        for a, b in ((inbound, outbound), (outbound, inbound)):
            a.setblocking(False)
            self.peers[a] = b
            self.sel.register(a, selectors.EVENT_READ, ("pipe", None))

    def _pump(self, sock):
        peer = self.peers.get(sock)
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data and peer is not None:
            try:
                peer.setblocking(True)
                peer.settimeout(30)
                peer.sendall(data)
                peer.setblocking(False)
                return
            except OSError:
                pass
        self._close(sock)

    def _close(self, sock):
        for s in (sock, self.peers.pop(sock, None)):
            if s is None:
                continue
            self.peers.pop(s, None)
            with contextlib.suppress(KeyError, ValueError):
                self.sel.unregister(s)
            s.close()


def _unix_connector(path):
    def connect():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(path)
        return s
    return connect


def _listen(family, host, port):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(64)
    return s


def prepare_network(command):
    """In a new network namespace: loopback up, every port bindable; then exec `command`."""
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start", "w") as f:
        f.write("0")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))
    os.execvp(command[0], command)


def main(argv):
    if argv[:2] == ["--network", "--"]:
        prepare_network(argv[2:])
    spec_path, sep, *command = argv
    if sep != "--" or not command:
        print("usage: launcher.py SPEC.json -- COMMAND ...", file=sys.stderr)
        return 2
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    # The control and acknowledgement pipes arrive at any number; the drivers use 3 and 4.
    control, ack = (os.dup(fd) for fd in spec.get("fds", [3, 4]))
    os.dup2(control, 3)
    os.dup2(ack, 4)
    os.closerange(5, 65536)  # nothing else of the build's reaches the driver
    for name, value in spec.get("rlimits", {}).items():
        # CPU time: SIGXCPU at the limit (reported as such), SIGKILL 5 s later if it is ignored.
        hard = value + 5 if name == "RLIMIT_CPU" else value
        resource.setrlimit(getattr(resource, name), (value, hard))
    listeners = []
    for port, path in spec.get("forward", []):
        listeners.append((_listen(socket.AF_INET, "127.0.0.1", port), _unix_connector(path)))
        with contextlib.suppress(OSError):
            listeners.append((_listen(socket.AF_INET6, "::1", port), _unix_connector(path)))
    relay = Relay(listeners).start() if listeners else None
    try:
        child = subprocess.Popen(command, pass_fds=(3, 4), stdin=subprocess.DEVNULL)
    except OSError as exc:
        print(f"cannot start {command[0]}: {exc.strerror}", file=sys.stderr)
        return 127
    # Forward the usual termination signals to the driver.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
    status = child.wait()
    if relay is not None:
        relay.stopping = True
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
