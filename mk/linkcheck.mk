# Link checks. Internal links are also checked by every `make build` / `make test`
# (handbook build calls handbook.checks.links.check_site); external links only on demand
# and on a schedule (.github/workflows/linkcheck-external.yml), since they need the network.

.PHONY: linkcheck linkcheck-external

linkcheck: $(VENV_STAMP) ## Check every internal link, anchor and file of the built site (both languages)
	@test -f $(SITE)/index.html || $(MAKE) --no-print-directory build
	$(HB) check links $(SITE)

linkcheck-external: $(VENV_STAMP) ## Check external links (network; a day's cache; allowlist in data/link-allowlist.yml)
	@test -f $(SITE)/index.html || $(MAKE) --no-print-directory build
	$(HB) check external-links $(SITE)
