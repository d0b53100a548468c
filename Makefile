# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint dist bench bench-more clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment: on Debian/Ubuntu run 'sudo apt-get install python3-venv'"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/dossier-gui

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

# `make dist` builds the one-folder app (dist/Dossier: both commands) from build.spec with PyInstaller and packs
# it with the .desktop file and the icon into dist/Dossier-<version>-linux-x86_64.tar.gz.
DIST_STAMP := $(VENV)/.installed-dist
VERSION = $(shell $(BIN)/python -c 'import importlib.metadata as m; print(m.version("dossier"))')
TARBALL = dist/Dossier-$(VERSION)-linux-$(shell uname -m).tar.gz

$(DIST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,dist]'
	@touch $(DIST_STAMP)

dist: $(DIST_STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build build.spec
	find dist/Dossier/_internal -name '*.so*' -type f -not -path '*.libs/*' -exec strip --strip-unneeded {} +
	ln -sf dossier-gui dist/Dossier/dossier
	cp resources/dossier.desktop resources/install-desktop-entry resources/icons/dossier.svg dist/Dossier/
	tar -C dist -czf $(TARBALL) Dossier
	@echo "$(TARBALL): $$(du -sh --apparent-size dist/Dossier | cut -f1) unpacked, $$(du -h $(TARBALL) | cut -f1) packed"

# `make bench` prints issue 12's figures beside their peers in one table (about 10 minutes at the default size);
# `make bench BENCH_SIZES=10000,50000,100000` adds the 50k and 100k rows (about 20 minutes more on 2 cores).
# `make bench-more` runs the extraction-quality, per-format import, OCR and GUI-responsiveness benchmarks.
BENCH_SIZES ?= 10000
BENCH_OUT := bench/out
BENCH_ENV := QT_QPA_PLATFORM=offscreen

bench: $(STAMP)
	@mkdir -p $(BENCH_OUT)
	-$(BIN)/python bench/peers.py
	$(BENCH_ENV) $(BIN)/python bench/import_search.py --out $(BENCH_OUT)/import_search.json
	$(BIN)/python bench/pdf_text.py --out $(BENCH_OUT)/pdf_text.json
	$(BIN)/python bench/relevance.py --out $(BENCH_OUT)/relevance.json
	$(BENCH_ENV) $(BIN)/python bench/scale.py --sizes $(BENCH_SIZES) --out $(BENCH_OUT)/scale.json
	@$(BIN)/python bench/report.py --dir $(BENCH_OUT)

bench-more: $(STAMP)
	$(BIN)/python bench/extraction_quality.py
	$(BIN)/python bench/format_rates.py
	$(BIN)/python bench/ocr.py
	$(BENCH_ENV) $(BIN)/python bench/gui_responsiveness.py

clean:
	rm -rf $(VENV) build dist *.egg-info
