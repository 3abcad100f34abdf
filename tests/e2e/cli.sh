# The command line itself: help, version, unknown commands and flags.
. "$GF_E2E_LIB/common.sh"

out=$("$GITFLEET" --help)
expect_contains "--help lists commands" "version" "$out"
expect_contains "--help explains" "Commands:" "$out"

out=$("$GITFLEET" version)
expect_contains "version" "gitfleet v" "$out"

out=$("$GITFLEET" help version)
expect_contains "help version" "Usage: gitfleet version" "$out"

set +e
err=$("$GITFLEET" verison 2>&1)
rc=$?
set -e
expect_eq "unknown command exits 1" 1 "$rc"
expect_contains "unknown command suggests" 'Did you mean "version"?' "$err"

set +e
"$GITFLEET" >/dev/null 2>&1
rc=$?
set -e
expect_eq "no command exits 1" 1 "$rc"
echo "cli: ok"
