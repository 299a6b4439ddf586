# Runs the blocks of one shell session in order, in one bash process.
# Usage: bash driver.sh INPUT_DIR (blocks NNN.sh). Same protocol as driver.py: {"block": i} on
# fd 3 and one byte read from fd 4 before each block; {"line": n} on fd 3 when a command fails.
set -eo pipefail
__i=0
trap 'printf "{\"line\": %d}\n" "$LINENO" >&3' ERR
for __block in "$1"/*.sh; do
    printf '{"block": %d}\n' "$__i" >&3
    read -r -u 4 __ack || true
    # shellcheck disable=SC1090
    source "$__block"
    __i=$((__i + 1))
done
