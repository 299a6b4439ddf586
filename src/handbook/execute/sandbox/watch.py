"""Watch a running sandbox: read what it returns, within limits, block by block.

The driver inside talks over four file descriptors: stdout (1) and stderr (2), a control pipe (3)
on which it writes JSON lines ({"block": i} when block or cell i starts, {"error": ...},
{"cells": ...}), and an acknowledgement pipe (4) from which it reads one byte after each
{"block": i}, so output is split between blocks exactly. Everything is read as it comes; only
`output_cap` bytes of stdout and stderr and `message_cap` bytes of control messages are kept,
counted over all that was written (draining to the end after exit), so the caps do not depend
on timing. Timeouts run per block. Anything the sandbox sends is untrusted: malformed messages
are ignored, never trusted to be the driver's.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # run.py imports this module
    from handbook.execute.sandbox.run import Job

READ, EMPTY, CLOSED = "read", "empty", "closed"   # what one read of a stream found


@dataclass
class RawResult:
    ok: bool
    outputs: list[dict] = field(default_factory=list)   # per block: {"stdout": str, "stderr": str}
    messages: list[dict] = field(default_factory=list)  # control messages other than {"block": i}
    failed_block: int | None = None
    error: str = ""                                     # why it failed, for the author
    returncode: int | None = None
    limit: str = ""                                     # "timeout", "output", "memory", "processes", ...
    seconds: float = 0.0

    @property
    def stderr_tail(self) -> str:
        block = self.failed_block or 0
        text = self.outputs[block]["stderr"] if block < len(self.outputs) else ""
        return "\n".join(text.rstrip().splitlines()[-15:])


class Watch:
    """The read loop: splits output by block, enforces the caps and the timeouts."""

    def __init__(self, proc: subprocess.Popen, ctl: int, ack: int, job: Job):
        self.proc, self.ctl, self.ack, self.job = proc, ctl, ack, job
        self.outputs = [{"stdout": bytearray(), "stderr": bytearray()}]
        self.block = 0
        self.total = 0
        self.ctl_buffer = bytearray()
        self.ctl_total = 0
        self.messages: list[dict] = []
        self.deadline = time.monotonic() + job.startup_timeout
        self.started = False
        self.failure: RawResult | None = None

    def run(self) -> RawResult:
        sel = selectors.DefaultSelector()
        streams = {self.proc.stdout.fileno(): "stdout", self.proc.stderr.fileno(): "stderr", self.ctl: "ctl"}
        for fd in streams:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
        pidfd = os.pidfd_open(self.proc.pid)
        sel.register(pidfd, selectors.EVENT_READ)
        exited = False
        try:
            while self.failure is None and (streams or not exited):
                wait = self.deadline - time.monotonic()
                if wait <= 0:
                    self._fail("timeout", f"timed out after {self._timeout():g} s")
                    break
                if self.job.cancel is not None and self.job.cancel.is_set():
                    self._fail("cancelled", "stopped: the build was interrupted")
                    break
                for key, _ in sel.select(timeout=min(wait, 0.25)):
                    if key.fd == pidfd:
                        exited = True
                        sel.unregister(pidfd)
                    elif self._read(key.fd, streams[key.fd]) == CLOSED:
                        sel.unregister(key.fd)
                        del streams[key.fd]
                if exited and streams:  # gone, with everything it started: drain what is left
                    for fd in list(streams):
                        while self._read(fd, streams[fd]) == READ:
                            pass
                        sel.unregister(fd)
                        del streams[fd]
        finally:
            sel.close()
            os.close(pidfd)
        return self._result()

    def _timeout(self) -> float:
        if self.started and self.block < len(self.job.timeouts):
            return self.job.timeouts[self.block]
        return self.job.startup_timeout

    def _read(self, fd: int, stream: str) -> str:
        """READ, EMPTY (nothing yet: a drain at the next block may have taken it) or CLOSED."""
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return EMPTY
        except OSError:
            data = b""
        if not data:
            return CLOSED
        if stream == "ctl":
            self._control(data)
        else:
            self.total += len(data)
            kept = self.outputs[self.block][stream]
            room = self.job.output_cap - sum(len(o["stdout"]) + len(o["stderr"]) for o in self.outputs)
            kept += data[:max(room, 0)]
            if self.total > self.job.output_cap:
                self._fail("output", f"printed more than {self.job.output_cap // 1000} kB of output")
        return READ if self.failure is None else CLOSED

    def _control(self, data: bytes) -> None:
        self.ctl_total += len(data)
        if self.ctl_total > self.job.message_cap:
            self._fail("output", f"returned more than {self.job.message_cap // 1000} kB of output")
            return
        self.ctl_buffer += data
        while b"\n" in self.ctl_buffer:
            line, _, rest = bytes(self.ctl_buffer).partition(b"\n")
            self.ctl_buffer = bytearray(rest)
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if isinstance(message.get("block"), int) and len(message) == 1:
                self._next_block(message["block"])
            else:
                self.messages.append(message)

    def _next_block(self, block: int) -> None:
        for stream, fd in (("stdout", self.proc.stdout.fileno()), ("stderr", self.proc.stderr.fileno())):
            while self._read(fd, stream) == READ:
                pass
        block = max(0, min(block, max(len(self.job.timeouts) - 1, 0)))
        while len(self.outputs) <= block:
            self.outputs.append({"stdout": bytearray(), "stderr": bytearray()})
        self.block = block
        self.started = True
        self.deadline = time.monotonic() + self._timeout()
        with contextlib.suppress(OSError):
            os.write(self.ack, b"\n")

    def _fail(self, limit: str, error: str) -> None:
        if self.failure is None:
            self.failure = RawResult(False, failed_block=self.block, error=error, limit=limit)

    def _result(self) -> RawResult:
        outputs = [{k: bytes(v).decode("utf-8", "replace") for k, v in o.items()} for o in self.outputs]
        while len(outputs) < len(self.job.timeouts):
            outputs.append({"stdout": "", "stderr": ""})
        if self.failure is not None:
            self.failure.outputs, self.failure.messages = outputs, self.messages
            return self.failure
        code = self.proc.wait()
        if code == 0:
            return RawResult(True, outputs=outputs, messages=self.messages, returncode=0)
        if code > 128:
            name = _signal_name(code - 128)
            error, limit = f"killed by signal {name}", "exit"
            if name == "SIGXCPU":
                error, limit = "used more CPU time than allowed", "cpu"
            elif name == "SIGXFSZ":
                error, limit = "wrote a file larger than allowed", "file size"
        else:
            error, limit = f"exit status {code}", "exit"
        return RawResult(False, outputs=outputs, messages=self.messages, failed_block=self.block,
                         error=error, returncode=code, limit=limit)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
