# Two entry points on a fresh machine (Python 3.10+ and make):
#   make build   set up, execute every notebook and render the HTML pages into build/
#   make test    set up and run the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup build test update validate bench audit clean

$(STAMP): requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

build: setup
	$(PY) -m cmocio build

test: setup
	$(PY) -m pytest

update: setup
	$(PY) -m cmocio build --update

validate: setup
	$(PY) -m cmocio validate

# The anonymity attacker of the tests on 300 generated datasets instead of 30 (about a minute).
audit: setup
	CMOCIO_ATTACK_EXAMPLES=300 $(PY) -m pytest -n 0 -p no:nbval -o addopts= tests/test_disclosure.py tests/test_insights.py -q

bench: setup
	$(PY) benchmarks/build_speed.py --with-tests
	$(PY) benchmarks/aggregate_scale.py
	$(PY) benchmarks/convert_scale.py
	$(PY) benchmarks/insight_scale.py
	$(PY) benchmarks/portfolio_scale.py

clean:
	rm -rf build results
