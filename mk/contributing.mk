# Contributing: new pages, translation status and parity, markdownlint, pre-commit.
# See CONTRIBUTING.md / CONTRIBUTING.sv.md.

.PHONY: new-page translations check-translations stamp parity lint-markdown pre-commit-install

new-page: $(VENV_STAMP) ## New page in both languages + nav: make new-page SLUG=dapla/x TITLE_NB="..." TITLE_SV="..."
	@test -n "$(SLUG)" -a -n "$(TITLE_NB)" -a -n "$(TITLE_SV)" || { \
	  echo 'usage: make new-page SLUG=section/name TITLE_NB="Tittel" TITLE_SV="Titel" [DESC_NB="..." DESC_SV="..."]' >&2; \
	  exit 2; }
	$(HB) new-page "$(SLUG)" --title-nb "$(TITLE_NB)" --title-sv "$(TITLE_SV)" \
	  --description-nb "$(DESC_NB)" --description-sv "$(DESC_SV)"

translations: $(VENV_STAMP) ## Print every page's translation status (translated, outdated, missing)
	$(HB) translations

check-translations: $(VENV_STAMP) ## Fail on a missing or outdated translation or a parity break
	$(HB) translations --check

stamp: $(VENV_STAMP) ## Record the original's version in a translation: make stamp FILE=docs/sv/dapla/x.md
	@test -n "$(FILE)" || { echo 'usage: make stamp FILE=docs/sv/<page>.md' >&2; exit 2; }
	$(HB) translations --stamp $(FILE)

parity: $(VENV_STAMP) ## Same heading ids, code blocks, links and images in both languages
	$(HB) parity

lint-markdown: $(NODE_STAMP) ## markdownlint-cli2 with .markdownlint.yaml (add --fix: make lint-markdown FIX=--fix)
	npx --no -- markdownlint-cli2 $(FIX) "docs/**/*.md" "*.md" ".github/**/*.md" "#node_modules" "#docs/*/kunskapsbibliotek"

pre-commit-install: $(VENV_STAMP) ## Run the checks of .pre-commit-config.yaml on every git commit
	$(VENV)/bin/pre-commit install
