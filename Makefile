# corp.infra: set up, run on the local emulator, test.
#   make run    set up, start the emulator, converge the stack, print its outputs
#   make test   set up, then every gate: lint, sanity, unit, integration, molecule, importer, docs-lint
#   make docs   the docs site (antsibull-docs, Sphinx) in .cache/docs/site/build/html
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
ENDPOINT := http://127.0.0.1:$(PORT)
COLLECTION_LINK := .collections/ansible_collections/corp/infra
SANITY_TOP := $(or $(TMPDIR),/tmp)/corp-infra-sanity/ansible_collections
SANITY_ROOT := $(SANITY_TOP)/corp/infra
# The importer and the docs tools each pin what .venv's pins clash with (galaxy-importer attrs<24, Sphinx and
# antsibull-docs their docutils): each runs from a venv of its own, built from requirements/<tool>.txt.
TOOLS := .cache/tools
# The collections corp.infra depends on (galaxy.yml), as the pinned `ansible` package installed them in .venv.
DEPS = $(shell $(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"] + "/ansible_collections")')
# Every command below talks to the emulator only: botocore routes there, moto accepts any key, and a caller's
# profile or session (which amazon.aws would pass beside the keys, and refuse) stays out.
unexport AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
export AWS_ENDPOINT_URL := $(ENDPOINT)
export AWS_ACCESS_KEY_ID := testing
export AWS_SECRET_ACCESS_KEY := testing
export AWS_DEFAULT_REGION := us-east-1
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help setup run converge destroy outputs emulator-start emulator-stop test test-extras lint sanity unit integration molecule build ee ee-test bench bench-reads lock lock-tools clean mermaid report-png
.PHONY: importer docs-lint docs docs-rst

help:
	@sed -n '2,4p' Makefile | sed 's/^# *//'

setup: $(VENV)/.installed $(COLLECTION_LINK)

$(VENV)/.installed: requirements.txt
	@# A .venv left by something else (another Python, a removed interpreter) is rebuilt, not reused.
	@if [ -e $(VENV) ] && ! $(BIN)/python -c 'import sys; sys.exit(not (3, 12) <= sys.version_info[:2] <= (3, 14))' 2>/dev/null; then \
	  echo "setup: $(VENV) does not run a Python 3.12-3.14; rebuilding it"; rm -rf $(VENV); fi
	@python=$$(scripts/find-python) && echo "setup: building $(VENV) with $$python" && \
	  { [ -x $(BIN)/python ] || "$$python" -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@# No byte-compiling of every installed file: the modules a run imports are compiled when first imported.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt
	@touch $@

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../.. $@

emulator-start: setup
	@scripts/emulator start --port $(PORT)

emulator-stop:
	@scripts/emulator stop --port $(PORT)

converge: setup
	$(BIN)/ansible-playbook site.yml -i inventories/local

outputs:
	@echo "== outputs/local.json"; cat outputs/local.json

run: emulator-start converge outputs

destroy: setup
	$(BIN)/ansible-playbook playbooks/destroy.yml -i inventories/local -e corp_destroy_confirmation=local -e s3_force_destroy=true

# Every gate at once (molecule on its own emulator port, integration on free ones): each leaves idle what another
# fills on the two cores. Each gate's output comes out whole, when it ends.
test: setup
	$(MAKE) --no-print-directory -j5 --output-sync=target lint sanity unit molecule integration importer docs-lint
	@echo "make test: all gates passed"

# Rehearsals too slow for every run (marked extras: a converge killed at several points, three environments in three
# accounts converged and destroyed by one run, a converge through throttling and eventual consistency, a converge and
# destroy as AWX launches them). CI runs them after make test.
test-extras: setup
	$(BIN)/pytest -q -n 2 --maxschedchunk 1 -m extras tests/integration

lint: setup
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --offline
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# ansible-test needs the collection under ansible_collections/<namespace>/<name>, outside this checkout
# (it reads the enclosing git repo's file list): stage a copy of the tracked files there, as a repo of its
# own. --venv installs each test's pinned requirements in its own venv.
sanity: setup
	rm -rf $(SANITY_TOP) && mkdir -p $(SANITY_ROOT)
	git ls-files -co --exclude-standard -z | xargs -0 tar -cf - | tar -xf - -C $(SANITY_ROOT)
	cd $(SANITY_ROOT) && git init -q && git add -A
	@# The collections our modules import (amazon.aws, community.aws) sit beside it, from the pinned venv.
	@deps=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"] + "/ansible_collections")') && \
	  ln -sfn $$deps/amazon $(SANITY_TOP)/amazon && ln -sfn $$deps/community $(SANITY_TOP)/community && ln -sfn $$deps/ansible $(SANITY_TOP)/ansible
	@pip_version=$$($(BIN)/python -c 'from ansible_test._internal.python_requirements import get_venv_packages; import types; print(get_venv_packages(types.SimpleNamespace(version=None))["pip"])') && \
	  cache=$$HOME/.ansible/test/cache/get_pip_$${pip_version//./_}.py && mkdir -p $$(dirname $$cache) && \
	  { [ -f $$cache ] || cp scripts/ansible-test-get-pip.py $$cache; }
	cd $(SANITY_ROOT) && $(CURDIR)/$(BIN)/ansible-test sanity --venv --python $$($(CURDIR)/$(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])') --color no

unit: setup mermaid
	$(BIN)/pytest -q -n 2 tests/unit

# No `mermaid` prerequisite here: test_stack_drift needs the parser minutes in, by when unit's install (or its own,
# under the same lock: tests/mermaid) is done; integration, the longest gate, starts at once.
integration: setup
	$(BIN)/pytest -q -n 2 --maxschedchunk 1 --durations=12 -m "not extras" tests/integration

molecule: setup
	$(BIN)/molecule test -s default

$(TOOLS)/%/.installed: requirements/%.txt
	@python=$$(scripts/find-python) && rm -rf $(@D) && echo "setup: building $(@D) with $$python" && "$$python" -m venv $(@D)
	$(@D)/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r $<
	@touch $@

# galaxy-importer on the tarball `ansible-galaxy collection build` makes, as Galaxy runs it (tests/galaxy-importer.cfg:
# ansible-doc and ansible-lint, no ansible-test, nothing fetched), with the collections galaxy.yml depends on
# installed beside it (Galaxy's importer finds them the same way, on the Python path). Any ERROR or WARNING fails.
importer: setup $(TOOLS)/importer/.installed
	@rm -rf .cache/importer && mkdir -p .cache/importer/run
	@purelib=$$($(TOOLS)/importer/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') && \
	  for dep in $$($(BIN)/python -c 'import yaml; print(*yaml.safe_load(open("galaxy.yml"))["dependencies"])'); do \
	    mkdir -p $$purelib/ansible_collections/$${dep%%.*} && ln -sfn $(DEPS)/$${dep/.//} $$purelib/ansible_collections/$${dep/.//}; done
	$(BIN)/ansible-galaxy collection build --force --output-path .cache/importer
	@tarball=$$(ls .cache/importer/corp-infra-*.tar.gz) && \
	  echo "importer: $$tarball: $$(tar -tzf $$tarball | grep -vc '/$$') files, $$(stat -c %s $$tarball) bytes" && \
	  cd .cache/importer/run && status=0 && \
	  env -u ANSIBLE_CONFIG PATH=$(CURDIR)/$(TOOLS)/importer/bin:$$PATH GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/galaxy-importer.cfg \
	    GALAXY_IMPORTER_TMP_ROOT_DIR=$(CURDIR)/.cache/importer/run GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=$(CURDIR)/.cache/importer/run/ansible \
	    $(CURDIR)/$(TOOLS)/importer/bin/python -m galaxy_importer.main $(CURDIR)/$$tarball > importer.log 2>&1 || status=$$?; \
	  grep -v '^Loading ' importer.log; \
	  if [ $$status -ne 0 ] || grep -Eq '^(ERROR|WARNING|CRITICAL)' importer.log || ! grep -q '^Importer processing completed successfully' importer.log; then \
	    echo "importer: galaxy-importer refused the tarball or warned (exit $$status): see above"; exit 1; fi

# antsibull-docs' linter on the collection, its plugin and role docs and the extra docs (docs/docsite), with ansible-doc
# from .venv. It copies the collection and its dependencies out of the checkout, with git's file list where a path is
# in a git work tree: .venv's collections are in this one, ignored, so git is kept from looking above them.
docs-lint: setup $(TOOLS)/docs/.installed
	$(TOOLS)/docs/bin/python scripts/docs_rst.py --check
	GIT_CEILING_DIRECTORIES=$(DEPS) $(TOOLS)/docs/bin/antsibull-docs lint-collection-docs --plugin-docs \
	  --validate-collection-refs dependent --disallow-unknown-collection-refs --check-extra-docs-refs .
	@echo "docs-lint: clean"

# docs/docsite/rst from docs/*.md (scripts/docs_rst.py); docs-lint fails while they differ.
docs-rst: $(TOOLS)/docs/.installed
	$(TOOLS)/docs/bin/python scripts/docs_rst.py

# The docs site: antsibull-docs' Sphinx project for corp.infra, built offline (no intersphinx inventories fetched).
docs: setup $(TOOLS)/docs/.installed
	rm -rf .cache/docs && mkdir -m 700 -p .cache/docs/site
	PATH=$(CURDIR)/$(TOOLS)/docs/bin:$$PATH antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error \
	  --dest-dir .cache/docs/site --project corp.infra --copyright "corp.infra contributors" \
	  --title "corp.infra" corp.infra
	@# Offline: no intersphinx inventory (docs.python.org, docs.ansible.com) is fetched, so references to amazon.aws,
	@# community.aws and Ansible's own docs stay plain text; one to corp.infra that does not resolve still fails.
	printf '%s\n' 'intersphinx_mapping = {}' \
	  "nitpick_ignore_regex = [('std:ref', r'(?!ansible_collections\.corp\.infra\.).*')]" >> .cache/docs/site/conf.py
	PATH=$(CURDIR)/$(TOOLS)/docs/bin:$$PATH .cache/docs/site/build.sh
	@# Every module, role and guide has its page.
	@html=.cache/docs/site/build/html && pages="index.html" && \
	  for f in plugins/modules/*.py; do pages+=" $$(basename $$f .py)_module.html"; done && \
	  for d in roles/*/; do pages+=" $$(basename $$d)_role.html"; done && \
	  for f in docs/*.md; do pages+=" docsite/$$(basename $$f .md).html"; done && \
	  for page in $$pages; do [ -s $$html/$$page ] || { echo "docs: $$html/$$page missing"; exit 1; }; done && \
	  echo "docs: $$(find $$html -name '*.html' | wc -l) pages in $$html, $$(wc -w <<<"$$pages") checked"

# Mermaid's own parser (npm, pinned by tests/mermaid/package-lock.json) for the tests of the stack report's diagram.
MERMAID := .cache/mermaid/.installed
mermaid: $(MERMAID)
$(MERMAID): tests/mermaid/package.json tests/mermaid/package-lock.json tests/mermaid/parse.mjs | setup
	$(BIN)/python -c 'import tests.mermaid as m; m.install()'

# The stack report's diagram as a picture (outputs/<ENV>.png), the way GitHub shows it: mermaid-cli with Debian's
# chromium (apt-get install chromium). Not part of make test.
ENV ?= local
MMDC := .cache/mmdc/node_modules/.bin/mmdc
report-png: setup
	@command -v chromium >/dev/null || { echo "report-png: needs chromium (apt-get install chromium)"; exit 1; }
	@[ -x $(MMDC) ] || { mkdir -p .cache/mmdc && cd .cache/mmdc && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error @mermaid-js/mermaid-cli@11.17.0; }
	@printf '%s\n' '{"executablePath": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]}' > .cache/mmdc/puppeteer.json
	$(BIN)/python -c 'import sys, tests.mermaid as m; print(m.diagram_of(open(sys.argv[1]).read()), end="")' outputs/$(ENV).md > .cache/mmdc/$(ENV).mmd
	$(MMDC) -q -p .cache/mmdc/puppeteer.json -i .cache/mmdc/$(ENV).mmd -o outputs/$(ENV).png -w 1800 -b white
	@echo "report-png: outputs/$(ENV).png"

build: setup
	$(BIN)/ansible-galaxy collection build --force --output-path .cache/build

# Benchmark against a hand-written baseline on a private emulator (docs/benchmark.md); BENCH_ARGS="--runs 1 --profile".
bench: setup
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# Each read with its requests side by side against one at a time, at a real round trip (docs/benchmark.md); after make run.
bench-reads: setup
	$(BIN)/python benchmarks/reads.py $(BENCH_ARGS)

# The execution environment's build context (no container engine needed); see docs/awx.md for the build. The
# definition names the tarball without its version (corp-infra.tar.gz), so a version bump touches galaxy.yml alone.
ee: build
	@version=$$($(BIN)/python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])') && \
	  cp .cache/build/corp-infra-$$version.tar.gz .cache/build/corp-infra.tar.gz
	rm -rf .cache/ee
	$(BIN)/ansible-builder create --file execution-environment.yml --context .cache/ee --output-filename Containerfile

# The execution environment built and used (docs/awx.md): ansible-builder and podman on a local Debian base image
# (scripts/ee-base-image), then site.yml converged twice inside the image with ansible-navigator on an emulator at
# $(PORT). Needs root, podman, debootstrap and PyPI; not in `make test` (minutes of image builds).
NAVIGATOR := .cache/navigator/bin/ansible-navigator
ee-test: ee $(NAVIGATOR)
	$(BIN)/python scripts/ee-test --port $(PORT)

# ansible-navigator in a venv of its own (it is no part of the project's lock), its shared dependencies at the lock's pins.
$(NAVIGATOR):
	@python=$$(scripts/find-python) && rm -rf .cache/navigator && "$$python" -m venv .cache/navigator
	.cache/navigator/bin/pip install --quiet --disable-pip-version-check -c requirements.txt ansible-navigator==26.11.0

lock: lock-tools
	@python=$$(scripts/find-python) && rm -rf .cache/lock && "$$python" -m venv .cache/lock && \
	  .cache/lock/bin/pip install --quiet -r requirements.in && \
	  { echo "# Generated by 'make lock' from requirements.in: every package pinned. Do not edit by hand."; \
	    .cache/lock/bin/pip freeze --exclude-editable; } > requirements.txt

lock-tools:
	@python=$$(scripts/find-python) && for tool in importer docs; do \
	  rm -rf .cache/lock-$$tool && "$$python" -m venv .cache/lock-$$tool && \
	  .cache/lock-$$tool/bin/pip install --quiet -r requirements/$$tool.in && \
	  { echo "# Generated by 'make lock' from requirements/$$tool.in: every package pinned. Do not edit by hand."; \
	    .cache/lock-$$tool/bin/pip freeze --exclude-editable; } > requirements/$$tool.txt; done

clean:
	-scripts/emulator stop --port $(PORT)
	rm -rf .cache .collections .run outputs tests/output
