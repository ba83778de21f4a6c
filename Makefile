# Two commands on a fresh machine: `make run` and `make test` (see README.md).
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: run test lint typecheck accuracy robustness faults bench bench-live bench-stream bench-rooms docs readings system-deps web clean

$(STAMP): pyproject.toml
	@PY=$$(scripts/find_python.sh) || exit 1; \
	  test -x $(BIN)/python || "$$PY" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The browser's pose model code (web/package.json, pinned with its sha512 in
# web/package-lock.json): fetched from the npm registry once, checked against the lock file,
# then served by the app; reinstalled only when the lock file changes, so later runs work
# offline. No install scripts run. Without npm the live pages say so and use the server path.
WEB_STAMP := web/node_modules/.package-lock.json

$(WEB_STAMP): web/package.json web/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd web && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error; \
	else \
	  echo "warning: no npm here: the live pages will run the pose model on the server" >&2; \
	fi

web: $(WEB_STAMP)

run: $(STAMP) $(WEB_STAMP)
	$(BIN)/form-coach --server.address localhost --server.port $(PORT)

# Debian packages the end-to-end tests drive: a real Chromium, its driver, ffmpeg.
system-deps:
	@scripts/install_system_deps.sh

test: lint system-deps $(WEB_STAMP)
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

# The same clips and probes as `make accuracy`, filmed differently (re-encoded only, as a
# control; mirrored; 15 frames/s; a tilted camera; the person low and off-centre; half the
# resolution): docs/robustness.md.
# The variants are made with ffmpeg in a temporary folder outside the repository; the poses
# the model sees in each are kept under build/robustness-poses, so the first run takes the
# model's time (tens of minutes a variant on 2 cores) and a rerun seconds.
robustness: $(STAMP)
	$(BIN)/python -m scripts.robustness --write docs/robustness.md

# Form rules scored on the clips whose every rep is labelled good or bad (../shared/fault-clips),
# beside the synthetic bench: docs/faults.md. Each clip's poses are kept under build/fault-poses
# (the model runs once per clip; `--no-cache` runs it every time). Then, from the same poses,
# what the push-up's hip measures read per rep on every side-on push-up clip:
# docs/push-up-signals.md.
faults: $(STAMP)
	$(BIN)/python -m scripts.faults --write docs/faults.md
	$(BIN)/python -m scripts.push_up_signals --write docs/push-up-signals.md

# Speed and memory side by side, with the counts at full size and shrunk to 640 px
# (about 55 minutes on 2 cores): one JSON object on stdout, the tables in
# docs/benchmarks.md. The counts come first, so they never run beside a timed figure.
bench: $(STAMP)
	mkdir -p build
	$(BIN)/python scripts/accuracy.py --max-side 0 --write build/accuracy-full.md
	$(BIN)/python scripts/accuracy.py --max-side 640 --write build/accuracy-640.md
	$(BIN)/python scripts/bench.py --write docs/benchmarks.md \
		--accuracy build/accuracy-full.md build/accuracy-640.md

# The live coach on both paths in one run (about 25 minutes): WebRTC with the model on the
# server, then the model in headless Chromium (CPU) with landmarks to the server. One JSON
# object on stdout. Needs ../shared/videos (the default clip), Chromium and ffmpeg.
bench-live: $(STAMP) $(WEB_STAMP) system-deps
	$(BIN)/python scripts/bench_live.py

# The landmark stream under load: the largest number of live patients one server coaches
# at 30 frames/s each with p95 state latency under 100 ms and no frame dropped, and the
# server's CPU time per frame (docs/live-stream.md). One JSON object on stdout; run it on
# an idle machine (a few minutes).
bench-stream: $(STAMP)
	$(BIN)/python scripts/bench_stream.py

# A room across two app processes over PostgreSQL LISTEN/NOTIFY (docs/rooms.md): the time
# from publish in one process to the message in the other, at 30 messages/s. One JSON
# object on stdout; needs PostgreSQL (make system-deps).
bench-rooms: $(STAMP) system-deps
	$(BIN)/python scripts/bench_rooms.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache web/node_modules
