"""Runs the blocks of one Python session in order, in one namespace, like a notebook.

Usage: python driver.py INPUT_DIR (blocks NNN.py). Before each block it writes {"block": i} on
file descriptor 3 and waits for one byte on 4, so the build splits stdout and stderr by block;
a failure is reported as {"error": {"block": i, "line": n, "error": "..."}} before exiting 1.
"""

import ast
import contextlib
import ctypes
import json
import os
import sys
import traceback


def main(input_dir):
    namespace = {"__name__": "__main__"}
    names = sorted(n for n in os.listdir(input_dir) if n.endswith(".py"))
    for index, name in enumerate(names):
        with open(os.path.join(input_dir, name), encoding="utf-8") as f:
            source = f.read()
        _start(index)
        filename = f"<sample {index}>"
        try:
            tree = ast.parse(source, filename=filename)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, filename, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
                if value is not None:
                    print(repr(value))
        except SystemExit as exc:
            if exc.code not in (None, 0):
                _fail(index, exc, filename)
        except BaseException as exc:
            _fail(index, exc, filename)
    _flush()
    _end()


def _start(index):
    _flush()
    os.write(3, (json.dumps({"block": index}) + "\n").encode())
    os.read(4, 1)


def _end():
    """End as a notebook kernel's session does, without the interpreter's teardown: libraries with
    C++ thread pools (pyarrow's among them) can abort in their static destructors while those
    threads still run ('terminate called without an active exception'), after the code is done.
    C's own output buffers are flushed first; an exit after a failure skips the teardown too."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).fflush(None)
    os._exit(0)


def _flush():
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def _fail(index, exc, filename):
    # Show the reader's code only, not this driver's frame.
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None
    traceback.print_exception(type(exc), exc, tb)
    line = None
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    _flush()
    error = "".join(traceback.format_exception_only(exc)).strip()
    os.write(3, (json.dumps({"error": {"block": index, "line": line, "error": error}}) + "\n").encode())
    os._exit(1)


if __name__ == "__main__":
    main(sys.argv[1])
