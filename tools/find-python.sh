#!/usr/bin/env bash
# Print a Python >= 3.12 (mkdocs-jupyter 0.27 needs it) or explain how to get one.
set -u
candidates=(python3.13 python3.12)
for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; exit 0; fi
done
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13* "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*; do
    if [ -x "$dir/bin/python3" ]; then echo "$dir/bin/python3"; exit 0; fi
done
if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    command -v python3; exit 0
fi
cat >&2 <<'MSG'
No Python 3.12 or newer found (the default python3 is older).
Install one, e.g. `pyenv install 3.12` or your system's python3.12 package, then run make again.
MSG
exit 1
