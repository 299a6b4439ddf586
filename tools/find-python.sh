#!/usr/bin/env bash
# Print a working Python >= 3.12 (mkdocs-jupyter 0.27 needs it) or explain how to get one.
set -u
root="${PYENV_ROOT:-$HOME/.pyenv}"
for candidate in python3.12 python3.13 "$root"/versions/3.12*/bin/python3 "$root"/versions/3.13*/bin/python3 python3; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    # pyenv shims exist for versions that are not active: check that it really runs.
    if "$path" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
        echo "$path"
        exit 0
    fi
done
cat >&2 <<'MSG'
No working Python 3.12 or newer found (the default python3 is older).
Install one, e.g. `pyenv install 3.12` or your system's python3.12 package, then run make again.
MSG
exit 1
