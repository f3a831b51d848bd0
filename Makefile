# Two commands do all set-up: `make demo` and `make test`. The first target that
# needs Python creates .venv from uv.lock (nothing is installed by hand).
PY := .venv/bin/python
UV := .venv/bin/uv
VENV_STAMP := .venv/.synced

.PHONY: demo serve test lint typecheck bench fidelity clean-data readme

$(VENV_STAMP): uv.lock pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	test -x $(UV) || .venv/bin/pip install --quiet --disable-pip-version-check uv==0.13.8
	UV_PROJECT_ENVIRONMENT=.venv $(UV) sync --frozen --quiet
	touch $(VENV_STAMP)

demo: $(VENV_STAMP)
	$(PY) -m flows.demo

serve: $(VENV_STAMP)
	$(PY) -m flows.serve

# Two workers (pytest-xdist), each with its own Prefect server and PostgreSQL database; a worker
# that runs out of tests takes queued ones from the other (worksteal). PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
test: $(VENV_STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(VENV_STAMP)
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: $(VENV_STAMP)
	.venv/bin/mypy

bench: $(VENV_STAMP)
	$(PY) -m bench.cli_startup
	$(PY) -m bench.latency
	$(PY) -m bench.throughput
	$(PY) -m bench.waiting
	$(PY) -m bench.render
	$(PY) -m bench.numbering
	$(PY) -m bench.delivery
	$(PY) -m bench.web_pages

# How many fields the document reader reads exactly off tests/documents/corpus (bench/fidelity.py,
# with the assignments), then the PDF rule check on the same documents (bench/layout.py).
fidelity: $(VENV_STAMP)
	$(PY) -m bench.fidelity
	$(PY) -m bench.layout

readme: $(VENV_STAMP)
	$(PY) -m cli.readme README.md
