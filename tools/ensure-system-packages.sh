#!/usr/bin/env bash
# Install what the tests need from Debian where we may (root with apt-get); elsewhere say what is missing.
set -u
need=()
# Code samples and notebooks run in a bubblewrap sandbox (handbook.execute.sandbox).
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
    || command -v google-chrome >/dev/null 2>&1 || [ -n "${CHROMIUM:-}" ] || need+=(chromium)
command -v Rscript >/dev/null 2>&1 || need+=(r-base-core)
[ -e /usr/share/jupyter/kernels/ir/kernel.json ] || [ -e /usr/local/share/jupyter/kernels/ir/kernel.json ] \
    || need+=(r-cran-irkernel)
command -v hunspell >/dev/null 2>&1 || need+=(hunspell)
[ -e /usr/share/hunspell/nb_NO.dic ] || need+=(hunspell-no)
[ -e /usr/share/hunspell/sv_SE.dic ] || need+=(hunspell-sv)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
        && exit 0
    echo "apt-get could not install: ${need[*]}" >&2
fi
echo "Missing system packages: ${need[*]}" >&2
echo "  Debian/Ubuntu: sudo apt-get install ${need[*]}" >&2
case " ${need[*]} " in
    *" chromium "*) echo "  Chromium without root: .venv/bin/playwright install chromium, or export CHROMIUM=/path/to/chrome" >&2 ;;
esac
echo "  R samples are skipped (with that reason) where R is missing; the browser and spelling tests need the rest." >&2
case " ${need[*]} " in
    *" bubblewrap "*) echo "  Without bubblewrap the build refuses to run code samples (see CONTRIBUTING.md)." >&2 ;;
esac
exit 0
