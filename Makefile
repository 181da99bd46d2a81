# corp.infra: set up, run on the local emulator, test.
#   make run    set up, start the emulator, converge the stack, print its outputs
#   make test   set up, then every gate: lint, sanity, unit, integration, molecule
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
# Every command below talks to the emulator only: botocore routes there, moto accepts any key, and a caller's
# profile or session (which amazon.aws would pass beside the keys, and refuse) stays out.
unexport AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
export AWS_ENDPOINT_URL := $(ENDPOINT)
export AWS_ACCESS_KEY_ID := testing
export AWS_SECRET_ACCESS_KEY := testing
export AWS_DEFAULT_REGION := us-east-1
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help setup run converge destroy outputs emulator-start emulator-stop test test-extras lint sanity unit integration molecule build ee ee-test bench lock clean

help:
	@sed -n '2,3p' Makefile | sed 's/^# *//'

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
	$(MAKE) --no-print-directory -j5 --output-sync=target lint sanity unit molecule integration
	@echo "make test: all gates passed"

# Rehearsals too slow for every run (marked extras: a converge killed at several points, three environments in three
# accounts converged and destroyed by one run). CI runs them after make test.
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

unit: setup
	$(BIN)/pytest -q -n 2 tests/unit

integration: setup
	$(BIN)/pytest -q -n 2 --maxschedchunk 1 --durations=12 -m "not extras" tests/integration

molecule: setup
	$(BIN)/molecule test -s default

build: setup
	$(BIN)/ansible-galaxy collection build --force --output-path .cache/build

# Benchmark against a hand-written baseline on a private emulator (docs/benchmark.md); BENCH_ARGS="--runs 1 --profile".
bench: setup
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

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

lock:
	@python=$$(scripts/find-python) && rm -rf .cache/lock && "$$python" -m venv .cache/lock && \
	  .cache/lock/bin/pip install --quiet -r requirements.in && \
	  { echo "# Generated by 'make lock' from requirements.in: every package pinned. Do not edit by hand."; \
	    .cache/lock/bin/pip freeze --exclude-editable; } > requirements.txt

clean:
	-scripts/emulator stop --port $(PORT)
	rm -rf .cache .collections .run outputs tests/output
