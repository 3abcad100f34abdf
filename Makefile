# A thin wrapper over CMake. `make` builds, `make test` installs what is
# missing, builds with ASan+UBSan and runs every test, `make demo` runs the
# demo.
BUILD      ?= build
TEST_BUILD ?= build-test
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps deps-browser test demo fuzz format clean install uninstall

all:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGF_TESTS=OFF >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	bash scripts/deps.sh

# The dashboard's browser test: chromium, node, and playwright-core in the
# test build tree (never in the repository).
deps-browser:
	bash scripts/deps.sh --browser $(TEST_BUILD)/node

test: deps deps-browser
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DGF_SANITIZE=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# libFuzzer binaries (clang): build-fuzz/tests/fuzz_<name> CORPUS_DIR
fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DGF_SANITIZE=ON -DGF_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS)

# Installs what is missing, builds, and runs examples/fox-or-bear in ./demo
# until Ctrl-C (scripts/demo.sh; PORT= and API_PORT= choose other ports).
demo:
	@bash scripts/demo.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# PREFIX (default /usr/local) and DESTDIR, as packagers expect:
# PREFIX/bin/gitfleet, PREFIX/lib/systemd/system/gitfleet.service,
# PREFIX/lib/sysusers.d/gitfleet.conf, PREFIX/share/doc/gitfleet/.
# As root and without DESTDIR, also the user builds run as
# (docs/pipeline.md, "Isolation"); packages get it from the sysusers file.
install: all
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && ! getent passwd gitfleet-build >/dev/null; then \
		useradd --system --user-group --no-create-home --shell /usr/sbin/nologin gitfleet-build && \
		echo "created the build user gitfleet-build"; \
	fi

# Removes what the last `make install` wrote (CMake's install manifest, which
# lists paths without DESTDIR: give the same DESTDIR and PREFIX).
uninstall:
	@test -f $(BUILD)/install_manifest.txt || \
		{ echo "make uninstall: $(BUILD)/install_manifest.txt is missing: nothing was installed from $(BUILD)" >&2; exit 1; }
	sed 's|^|$(DESTDIR)|' $(BUILD)/install_manifest.txt | xargs -r -d '\n' rm -f --
	-find "$(DESTDIR)$(PREFIX)/share/doc/gitfleet" -depth -type d -empty -delete 2>/dev/null

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-fuzz
