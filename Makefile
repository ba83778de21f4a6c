# Two commands on a fresh machine: `make run` and `make test` (see README.md).
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: run test lint typecheck accuracy faults bench bench-stream docs readings system-deps clean

$(STAMP): pyproject.toml
	@PY=$$(scripts/find_python.sh) || exit 1; \
	  test -x $(BIN)/python || "$$PY" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/form-coach --server.address localhost --server.port $(PORT)

# Debian packages the end-to-end tests drive: a real Chromium, its driver, ffmpeg.
system-deps:
	@scripts/install_system_deps.sh

test: lint system-deps
	$(BIN)/python -m pytest

# Lint rules, the formatting and the types of the library (the [tool.mypy] section of
# pyproject.toml says what is checked).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: $(STAMP)
	$(BIN)/mypy

# The table of shipped exercises in docs/exercises.md, generated from coach/exercise/definitions/*.toml.
docs: $(STAMP)
	$(BIN)/python scripts/update_docs.py

# The table of what the model reads in standard positions (docs/exercises.md), from the
# shared clips: runs the pose model on each (a few minutes).
readings: $(STAMP)
	$(BIN)/python -m scripts.standard_readings --write

accuracy: $(STAMP)
	$(BIN)/python scripts/accuracy.py --write docs/accuracy.md

# Form rules scored on the clips whose every rep is labelled good or bad (../shared/fault-clips),
# beside the synthetic bench: docs/faults.md. Each clip's poses are kept under build/fault-poses
# (the model runs once per clip; `--no-cache` runs it every time).
faults: $(STAMP)
	$(BIN)/python -m scripts.faults --write docs/faults.md

# Speed and memory side by side, with the counts at full size and shrunk to 640 px
# (about 55 minutes on 2 cores): one JSON object on stdout, the tables in
# docs/benchmarks.md. The counts come first, so they never run beside a timed figure.
bench: $(STAMP)
	mkdir -p build
	$(BIN)/python scripts/accuracy.py --max-side 0 --write build/accuracy-full.md
	$(BIN)/python scripts/accuracy.py --max-side 640 --write build/accuracy-640.md
	$(BIN)/python scripts/bench.py --write docs/benchmarks.md \
		--accuracy build/accuracy-full.md build/accuracy-640.md

# The landmark stream under load: the largest number of live patients one server coaches
# at 30 frames/s each with p95 state latency under 100 ms and no frame dropped, and the
# server's CPU time per frame (docs/live-stream.md). One JSON object on stdout; run it on
# an idle machine (a few minutes).
bench-stream: $(STAMP)
	$(BIN)/python scripts/bench_stream.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
