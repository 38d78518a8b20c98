# `make html` builds the course, `make test` runs the test suite.
# Both bootstrap a private virtualenv in .venv on first use, so a fresh
# machine needs only python3 (3.11+) and make.

PYTHON      ?= python3
VENV        ?= .venv
SPHINXOPTS  ?= -W --keep-going
SOURCEDIR   = .
BUILDDIR    = _build
PYTESTOPTS  ?=

BIN         = $(VENV)/bin
SPHINXBUILD = $(BIN)/sphinx-build
STAMP       = $(VENV)/.installed

.PHONY: help venv test check lint mutation clean

help: $(STAMP)
	@echo "make html     build the course into $(BUILDDIR)/html"
	@echo "make test     run the test suite"
	@echo "make check    replay every transcript of the course against a mail server"
	@echo "make lint     ruff and mypy on sphinxext/"
	@echo "make mutation mutation-test the matcher (mutmut; slow, not run in CI)"
	@echo "make latexpdf / text / epub   other formats"
	@$(SPHINXBUILD) -M help "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS)

venv: $(STAMP)

# Never remade by the catch-all rule below.
pyproject.toml Makefile: ;

# Re-install whenever the project's dependencies change. The course needs
# everything: the replay (make check, make test) and the linters (make lint).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[docs,test,replay,lint]'
	touch $@

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTESTOPTS)

# Replay every transcript of the course against the embedded mail server.
check: $(STAMP)
	$(SPHINXBUILD) -b transcripts "$(SOURCEDIR)" "$(BUILDDIR)/transcripts" $(SPHINXOPTS) $(O)

lint: $(STAMP)
	$(BIN)/ruff check sphinxext
	$(BIN)/mypy

# Mutation testing of the matcher against its pure tests ([tool.mutmut] in
# pyproject.toml): a developer's tool, too slow for CI. mutmut 3 names a
# mutant after its path less "src/", so src links to sphinxext. Results are
# kept in mutants/ and reused (bench/mutation.py --fresh forgets them);
# MUTMUT_JOBS workers, 2 by default: the machines are shared.
MUTMUT_JOBS ?= 2
mutation: $(STAMP)
	$(BIN)/python -m pip show --quiet mutmut >/dev/null 2>&1 || $(BIN)/python -m pip install --quiet 'mutmut>=3.8,<4'
	test -e src || ln -s sphinxext src
	$(BIN)/python bench/mutation.py --max-children $(MUTMUT_JOBS)

clean:
	rm -rf $(BUILDDIR)

# Everything else (html, latexpdf, text, epub, ...) goes to sphinx-build.
%: Makefile $(STAMP)
	$(SPHINXBUILD) -M $@ "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)
