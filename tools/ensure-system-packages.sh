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
[ -e /usr/lib/R/site-library/RSQLite/DESCRIPTION ] || [ -e /usr/local/lib/R/site-library/RSQLite/DESCRIPTION ] \
    || need+=(r-cran-rsqlite)
# haven reads the SAS file of the bakke chapter's R sample; PySpark (local mode) needs a Java runtime.
[ -e /usr/lib/R/site-library/haven/DESCRIPTION ] || [ -e /usr/local/lib/R/site-library/haven/DESCRIPTION ] \
    || need+=(r-cran-haven)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v hunspell >/dev/null 2>&1 || need+=(hunspell)
[ -e /usr/share/hunspell/nb_NO.dic ] || need+=(hunspell-no)
[ -e /usr/share/hunspell/sv_SE.dic ] || need+=(hunspell-sv)
# The PDF editions embed DejaVu (handbook.editions.pdf); Chromium alone may bring other fonts.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# renv (R's project environments; the cran stand-in serves it too). Debian 12 has no binary
# package: build Debian 13's source package (renv 1.1.2, pure R, runs on R 4.2) into the site
# library. Debian 13 and Ubuntu have r-cran-renv.
install_renv() {
    command -v Rscript >/dev/null 2>&1 || return 0
    local lib
    for lib in /usr/lib/R/site-library /usr/local/lib/R/site-library /usr/lib/R/library; do
        [ -e "$lib/renv/DESCRIPTION" ] && return 0
    done
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        echo "Installing the R package renv"
        apt-get install -y -qq --no-install-recommends r-cran-renv >/dev/null 2>&1 && return 0
        if grep -qs '^ID=debian' /etc/os-release; then
            local src=/etc/apt/sources.list.d/handbook-src.sources tmp
            [ -e "$src" ] || printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
                'Suites: trixie' 'Components: main' \
                'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' > "$src"
            tmp=$(mktemp -d)
            apt-get update -qq >/dev/null 2>&1
            (cd "$tmp" && apt-get source --download-only -qq r-cran-renv=1.1.2-1 >/dev/null 2>&1)
            if ls "$tmp"/r-cran-renv_1.1.2.orig.tar.* >/dev/null 2>&1 \
                && R CMD INSTALL -l /usr/local/lib/R/site-library "$tmp"/r-cran-renv_1.1.2.orig.tar.* \
                    >/dev/null 2>&1; then
                rm -rf "$tmp"
                return 0
            fi
            rm -rf "$tmp"
        fi
    fi
    echo "Missing R package renv: apt-get install r-cran-renv (Debian 13, Ubuntu) or, in R," \
        "install.packages('renv'); renv samples are skipped without it" >&2
}

if [ ${#need[@]} -eq 0 ]; then
    install_renv
    exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
        && install_renv && exit 0
    echo "apt-get could not install: ${need[*]}" >&2
fi
install_renv
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
