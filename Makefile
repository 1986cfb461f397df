# The quick start: `make demo` (set up, scan the seed articles) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench bench-quick clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/dedup scan seeds/ --out results/seeds/scan --format table
	$(BIN)/dedup passages seeds/ --out results/seeds/passages --strip --format table
	$(BIN)/dedup farm seeds/ --out results/seeds/farm --format table
	$(BIN)/dedup report results/seeds/scan results/seeds/passages results/seeds/farm \
		--input seeds/ --html results/seeds/report.html --format markdown
	@echo "Open results/seeds/report.html in a browser for the full report."

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check dedup tests benchmarks
	$(BIN)/ruff format --check dedup tests benchmarks
	$(BIN)/mypy dedup

# The suite writes benchmarks/RESULTS.md and the plots; it runs the Reuters
# accuracy benchmark itself. Full: 100k and 1M generated articles (about an
# hour on 2 cores); quick: 20k and 100k, few peers' documents.
bench: install
	$(BIN)/python -m benchmarks.signatures
	$(BIN)/python -m benchmarks.suite
	$(BIN)/python -m benchmarks.passages
	$(BIN)/python -m benchmarks.farm

# Quick runs write passages and farm figures under benchmarks/.work/ so they do
# not replace the committed full results.
bench-quick: install
	$(BIN)/python -m benchmarks.signatures --quick --skip-memory
	$(BIN)/python -m benchmarks.suite --quick
	$(BIN)/python -m benchmarks.passages --docs 5000 --scale --repeat 1 --rounds 1 \
		--out benchmarks/.work/passages-quick.md
	$(BIN)/python -m benchmarks.farm --repeat 1 --out benchmarks/.work/farm-quick.md

clean:
	rm -rf results/ benchmarks/.work/ .pytest_cache .mypy_cache .ruff_cache
