# Runs the blocks of one shell session in order, in one bash process.
# Usage: bash driver.sh BLOCKS_DIR OUT_DIR. Same file protocol as driver.py.
set -eo pipefail
__out=$2
__i=0
trap 'echo "$LINENO" > "$__out/.line"' ERR
for __block in "$1"/*; do
    echo "$__i" > "$__out/.current"
    __n=$(printf '%03d' "$__i")
    exec 1>"$__out/$__n.stdout" 2>"$__out/$__n.stderr"
    # shellcheck disable=SC1090
    source "$__block"
    __i=$((__i + 1))
done
