# gofleet.golang: everything a fresh machine needs, from two commands.
#   make demo   the whole mission on local containers: bundle, mirror, build hosts, a service, drift repaired
#   make test   every test: unit, sanity, lint, integration, containers, Molecule
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV        := .venv
BIN         := $(VENV)/bin
PYTHON      ?= python3
COLLECTIONS := $(CURDIR)/.build
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
# molecule and ansible-test call ansible-* by name.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_PYTHON_INTERPRETER := /usr/bin/python3
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false
# Every recipe that touches containers first loads the engine settings (docker or podman).
ENGINE      := eval "$$(bash tests/harness/engine.sh env)"

.PHONY: help setup venv collection host tarballs images test test-unit test-sanity test-lint \
        test-integration test-containers test-molecule test-matrix ee-context demo bench clean

help:
	@echo "make demo   - the whole mission on local containers (DEMO_KEEP=1 keeps them, DEMO_ARM64=0 is faster)"
	@echo "make test   - run every test (installs what it needs)"
	@echo "make bench  - the four benchmark tables (BENCH_QUICK=1: a smoke run)"

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# The repository root is the collection root; Ansible finds it through this link.
collection:
	mkdir -p $(COLLECTIONS)/ansible_collections/gofleet
	ln -sfn ../../.. $(COLLECTIONS)/ansible_collections/gofleet/golang

host:
	bash tests/harness/host_deps.sh

# amd64 for every test, arm64 for the fleet bundle tests (repacked from Debian's arm64 packages).
tarballs: host
	bash tests/harness/go_tarballs.sh golang-1.22:arm64 golang-1.23:arm64

# arm64 last: it re-enables qemu-aarch64 (binfmt.sh) and takes a few minutes the first time.
images: host
	$(ENGINE); bash tests/harness/images.sh base base11 base13 selinux runit arm64

setup: venv collection host tarballs images

test: setup
	bash tests/run_all.sh

test-unit: venv collection
	$(BIN)/pytest tests/unit

test-sanity: venv
	bash tests/sanity.sh

# ansible-test sanity on the oldest and newest ansible-core claimed (meta/runtime.yml), each in its
# own venv under .cache/matrix/<version>/ (the shared .venv stays on requirements.txt's 2.19).
test-matrix: venv
	for v in 2.17 2.21; do GOFLEET_SANITY_VENV=$$(bash tests/matrix/venv.sh $$v) bash tests/sanity.sh; done

# The EE build context (ee/context/) from the built collection tarball; `ansible-builder build`
# on it needs the RPM base image (docs/execution_environment.md).
ee-context: venv
	rm -rf ee/collections ee/context && mkdir -p ee/collections
	$(BIN)/ansible-galaxy collection build --output-path ee/collections .
	mv ee/collections/gofleet-golang-*.tar.gz ee/collections/gofleet-golang.tar.gz
	cd ee && ../$(BIN)/ansible-builder create -f execution-environment.yml -c context

test-lint: venv collection
	$(BIN)/ansible-lint

test-integration: venv collection tarballs
	$(BIN)/pytest -m integration tests/integration

test-containers: setup
	$(ENGINE); $(BIN)/pytest tests/containers tests/harness

test-molecule: setup
	$(ENGINE); $(BIN)/pytest tests/molecule

demo: setup
	$(ENGINE); DEMO_KEEP='$(DEMO_KEEP)' DEMO_ARM64='$(DEMO_ARM64)' bash playbooks/demo/run.sh

# The four tables of bench/README.md; BENCH_QUICK=1 for a smoke run (sizes: bench/README.md).
bench: venv collection tarballs
	$(ENGINE); BENCH_QUICK='$(BENCH_QUICK)' $(BIN)/python bench/run.py

clean:
	-bash tests/harness/engine.sh stop
	rm -rf .build .cache/podman tests/output
