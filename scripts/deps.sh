#!/usr/bin/env bash
# Installs the Debian packages that building and testing gitfleet need.
# Idempotent: asks apt-get only for what is missing, and runs `apt-get update`
# once, only when something has to be installed.
#
#   scripts/deps.sh            build + test dependencies
#   scripts/deps.sh --bench    also the peers the benchmarks compare against
#   scripts/deps.sh --browser NODE_DIR
#                              also what the dashboard's browser test needs:
#                              Debian's chromium and nodejs, and playwright-core
#                              from npm installed into NODE_DIR (a directory of
#                              the build tree, e.g. build-test/node; never
#                              committed). When they cannot be installed it
#                              says so loudly and exits 0: the test then skips,
#                              loudly too.
set -euo pipefail

# The version the test is written against; bump it on purpose.
PLAYWRIGHT_CORE=1.65.1
browser_dir=""

packages=(
	build-essential cmake pkg-config clang clang-format
	libuv1-dev libgit2-dev libyaml-dev libpcre2-dev libjansson-dev
	libsqlite3-dev libssl-dev libarchive-dev libcmocka-dev
	zlib1g-dev libcrypt-dev
	git curl ca-certificates
)
case "${1:-}" in
--bench) packages+=(wrk nginx-light haproxy hyperfine) ;;
--browser)
	browser_dir=${2:?"usage: scripts/deps.sh --browser NODE_DIR"}
	;;
esac

# loud MESSAGE...: a warning nobody scrolls past.
loud() {
	{
		echo "################################################################"
		printf 'deps: %s\n' "$@"
		echo "################################################################"
	} >&2
}

# browser: chromium, node and playwright-core, each only if missing.
browser() {
	local want=() p status
	for p in chromium nodejs; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || want+=("$p")
	done
	# nodejs from another source than Debian may come without npm.
	command -v npm >/dev/null 2>&1 || want+=(npm)
	if [ ${#want[@]} -gt 0 ]; then
		echo "deps: installing ${want[*]} for the dashboard's browser test" >&2
		if ! { $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends "${want[@]}"; }; then
			loud "cannot install ${want[*]}: the dashboard's browser test will be SKIPPED"
			return 0
		fi
	fi
	if [ -f "$browser_dir/node_modules/playwright-core/package.json" ] &&
		grep -q "\"version\": \"$PLAYWRIGHT_CORE\"" "$browser_dir/node_modules/playwright-core/package.json"; then
		return 0
	fi
	mkdir -p "$browser_dir"
	echo "deps: npm install playwright-core@$PLAYWRIGHT_CORE into $browser_dir" >&2
	# Only the library: it drives Debian's chromium, so no browser download.
	if ! PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$browser_dir" --no-audit --no-fund \
		--no-save "playwright-core@$PLAYWRIGHT_CORE" >&2; then
		loud "npm could not install playwright-core: the dashboard's browser test will be SKIPPED"
	fi
}

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
		echo "deps: missing packages: ${missing[*]}" >&2
		echo "deps: run this script as root, or install them with apt-get" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}" >&2
	$sudo apt-get update -q
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ -n "$browser_dir" ]; then
	browser
fi
