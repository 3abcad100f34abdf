#!/usr/bin/env bash
# gitfleet validate against golden files: every case directory under
# tests/data/hcl/validate/ holds a module (main.tf, maybe child modules),
# expected.txt (the -no-color output, stdout and stderr together) and
# expected.json (the -json output). The exit status must be 0 exactly when
# the expected output reports success. Every module of the shared corpus
# (tests/data/hcl/modules/, when present) must validate.
. "$GF_E2E_LIB/common.sh"

cases="$GF_TEST_DATA/hcl/validate"
n=0
for dir in "$cases"/*/; do
	name=$(basename "$dir")
	want_rc=1
	grep -q '^Success!' "$dir/expected.txt" && want_rc=0

	rc=0
	(cd "$dir" && "$GITFLEET" validate -no-color) >"$T/out.txt" 2>&1 || rc=$?
	diff -u "$dir/expected.txt" "$T/out.txt" || fail "$name: human output differs"
	expect_eq "$name: exit status" "$want_rc" "$rc"

	rc=0
	(cd "$dir" && "$GITFLEET" validate -json) >"$T/out.json" || rc=$?
	diff -u "$dir/expected.json" "$T/out.json" || fail "$name: -json output differs"
	expect_eq "$name: -json exit status" "$want_rc" "$rc"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["error_count"]==sum(1 for x in d["diagnostics"] if x["severity"]=="error")' "$T/out.json" ||
		fail "$name: -json is not consistent JSON"
	n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n validate cases found in $cases"

# A directory argument: file names are given relative to the current directory.
out=$(cd "$cases" && "$GITFLEET" validate -no-color undeclared_references 2>&1) && fail "expected failure"
expect_contains "DIR argument" "on undeclared_references/main.tf line 4" "$out"

# Without -no-color and not on a terminal: the box, without escape codes.
out=$(cd "$cases/duplicates" && "$GITFLEET" validate 2>&1) && fail "expected failure"
expect_contains "boxed output" "│ Error: Duplicate resource \"fleet_lb\" configuration" "$out"
case "$out" in *$'\033'*) fail "escape codes written to a pipe" ;; esac

# An empty directory is a valid (empty) configuration, as for terraform.
mkdir "$T/empty"
out=$("$GITFLEET" validate -no-color "$T/empty")
expect_eq "empty dir" "Success! The configuration is valid." "$out"

out=$("$GITFLEET" validate -no-color "$T/nope" 2>&1) && fail "expected failure"
expect_contains "missing dir" "is not a directory" "$out"

if [ -d "$GF_TEST_DATA/hcl/modules" ]; then
	for dir in "$GF_TEST_DATA"/hcl/modules/*/; do
		out=$(cd "$dir" && "$GITFLEET" validate -no-color 2>&1) ||
			fail "corpus module $(basename "$dir") does not validate: $out"
	done
fi
echo "validate: $n golden cases passed"
