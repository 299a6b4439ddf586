# Quality gates on the built site and the sources. Each one also runs inside `make test`
# (tests/test_accessibility.py, test_privacy.py, test_spelling.py, test_secrets.py,
# test_notebook_hygiene.py); these targets run one gate alone and write .cache/reports/<gate>.json.

.PHONY: quality a11y privacy spelling spelling-words secrets notebook-hygiene notebook-hygiene-fix

quality: secrets notebook-hygiene spelling privacy a11y ## All quality gates (a11y, privacy, spelling, secrets, notebooks)

a11y: $(VENV_STAMP) $(NODE_STAMP) ## axe-core (WCAG 2.x A/AA) on every built page, light and dark palette
	@test -f $(SITE)/index.html || $(MAKE) --no-print-directory build
	$(HB) check a11y --site-dir $(SITE)

privacy: $(VENV_STAMP) ## No external scripts/styles/fonts/frames/images; no requests to other hosts
	@test -f $(SITE)/index.html || $(MAKE) --no-print-directory build
	$(HB) check privacy --site-dir $(SITE)

spelling: $(VENV_STAMP) ## hunspell nb/sv over the page text, with data/wordlist-{nb,sv}.txt
	@test -f $(SITE)/index.html || $(MAKE) --no-print-directory build
	$(HB) check spelling --site-dir $(SITE)

spelling-words: $(VENV_STAMP) ## List unknown words per language with counts (to review the word lists)
	@test -f $(SITE)/index.html || $(MAKE) --no-print-directory build
	$(HB) check spelling --site-dir $(SITE) --words

secrets: $(VENV_STAMP) ## Scan docs/, notebooks/ and kunskapsbibliotek/ for tokens, keys and passwords
	$(HB) check secrets

notebook-hygiene: $(VENV_STAMP) ## Committed notebooks: no outputs, no execution counts, cell ids
	$(HB) check notebooks

notebook-hygiene-fix: $(VENV_STAMP) ## Strip outputs and counts from committed notebooks, add cell ids
	$(HB) check notebooks --fix
