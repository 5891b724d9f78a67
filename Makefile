# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= build/demo

.PHONY: demo test lint format figures bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs the package (not editable, with the statistical models' extra) and runs the main
# job on the bundled sample data.
demo: $(BIN)/python
	$(BIN)/python -m pip install --quiet ".[stats]"
	$(BIN)/forecast fit data/airline.csv --model-dir $(OUT)/model --horizon 12 --quiet
	$(BIN)/forecast predict --model-dir $(OUT)/model --output $(OUT)/forecast.csv
	$(BIN)/forecast plot --model-dir $(OUT)/model --output $(OUT)/forecast.png
	@echo "Forecast CSV: $(OUT)/forecast.csv"
	@echo "Plot:         $(OUT)/forecast.png"
	@echo "Model:        $(OUT)/model"

# Installs the package with the dev and stats extras (editable) and runs lint + the whole
# test suite, on two worker processes (pytest-xdist; the tests share no files or ports).
test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,stats]"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2

format: $(BIN)/python
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerates the PNGs the README shows (docs/img/).
figures: $(BIN)/python
	$(BIN)/python scripts/make_figures.py

bench: $(BIN)/python
	$(BIN)/python benchmarks/lstm_speed.py
	$(BIN)/python benchmarks/members_axis.py
	$(BIN)/python benchmarks/windowing.py
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/protocol.py --lstm
	$(BIN)/python benchmarks/holdout.py
	$(BIN)/python benchmarks/panel_coverage.py --output benchmarks/results/panel_coverage_defaults.md
	$(BIN)/python benchmarks/fit_time.py
	$(BIN)/python benchmarks/panel_scale.py
	$(BIN)/python benchmarks/multi_worker.py
	$(BIN)/python benchmarks/part_memory.py
	$(BIN)/python benchmarks/combination.py
	$(BIN)/python benchmarks/long_horizon.py --half tuning
	$(BIN)/python benchmarks/long_horizon.py --half reporting
	$(BIN)/python benchmarks/long_horizon.py --half holdout

# Long fuzz runs (CI runs short ones): random CSV files at the loader, random resealed manifests
# at Forecaster.load. Figures in benchmarks/results/fuzz.md.
fuzz: $(BIN)/python
	$(BIN)/python benchmarks/fuzz_data.py 5000 --seed 0
	FORECAST_FUZZ_EXAMPLES=5000 $(BIN)/python -m pytest -q tests/test_trust.py -k random_manifests --hypothesis-show-statistics

clean:
	rm -rf build forecast-model .pytest_cache .ruff_cache
