#!/usr/bin/env bash
# Installs the Debian packages that building and testing gitfleet need.
# Idempotent: asks apt-get only for what is missing, and runs `apt-get update`
# once, only when something has to be installed.
#
#   scripts/deps.sh            build + test dependencies
#   scripts/deps.sh --bench    also the peers the benchmarks compare against
set -euo pipefail

packages=(
	build-essential cmake pkg-config clang clang-format
	libuv1-dev libgit2-dev libyaml-dev libpcre2-dev libjansson-dev
	libsqlite3-dev libssl-dev libarchive-dev libcmocka-dev
	zlib1g-dev libcrypt-dev
	git curl ca-certificates
)
if [ "${1:-}" = "--bench" ]; then
	packages+=(wrk nginx-light haproxy hyperfine)
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "deps: missing packages: ${missing[*]}" >&2
		echo "deps: run this script as root, or install them with apt-get" >&2
		exit 1
	fi
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
