# {comment}
import shlex
import subprocess
import tempfile
import uuid

from IPython.core.magic import register_cell_magic

_bash = subprocess.Popen(["bash", "--noprofile", "--norc"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)


@register_cell_magic
def bash_session(line, cell):
    mark = uuid.uuid4().hex
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as script:
        script.write("set -o pipefail\ntrap 'return $?' ERR\n" + cell + "\n")
    name = shlex.quote(script.name)
    _bash.stdin.write(f"source {name} < /dev/null; status=$?; trap - ERR; rm -f {name}; "
                      f"printf '\\n{mark} %d\\n' $status\n")
    _bash.stdin.flush()
    held = None
    for text in iter(_bash.stdout.readline, ""):
        if text.startswith(mark):
            if held not in (None, "\n"):
                print(held, end="")
            status = int(text.split()[1])
            if status:
                raise subprocess.CalledProcessError(status, "bash")
            return
        if held is not None:
            print(held, end="")
        held = text
    raise RuntimeError("bash stopped")
