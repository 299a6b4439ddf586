"""Runs the blocks of one Python session in order, in one namespace, like a notebook.

Usage: python driver.py BLOCKS_DIR OUT_DIR. Each block's stdout and stderr go to
OUT_DIR/NNN.stdout and NNN.stderr (file descriptors, so subprocess output is caught);
OUT_DIR/.current holds the index of the running block; on failure OUT_DIR/error.json.
"""

import ast
import json
import os
import sys
import traceback


def main(blocks_dir, out_dir):
    namespace = {"__name__": "__main__"}
    for index, name in enumerate(sorted(os.listdir(blocks_dir))):
        with open(os.path.join(out_dir, ".current"), "w") as f:
            f.write(str(index))
        with open(os.path.join(blocks_dir, name), encoding="utf-8") as f:
            source = f.read()
        filename = f"<sample {index}>"
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, stream in ((1, "stdout"), (2, "stderr")):
            target = os.open(os.path.join(out_dir, f"{index:03d}.{stream}"),
                             os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
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
                _fail(out_dir, index, exc, filename)
        except BaseException as exc:
            _fail(out_dir, index, exc, filename)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()


def _fail(out_dir, index, exc, filename):
    # Show the reader's code only, not this driver's frame.
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None
    traceback.print_exception(type(exc), exc, tb)
    line = None
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    with open(os.path.join(out_dir, "error.json"), "w") as f:
        json.dump({"block": index, "line": line,
                   "error": "".join(traceback.format_exception_only(exc)).strip()}, f)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
