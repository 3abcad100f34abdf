# gitfleet fmt: canonical formatting of a directory, its flags and exit
# codes (0 done, 1 usage, 2 syntax errors, 3 -check found changes).
. "$GF_E2E_LIB/common.sh"

d="$T/mod"
mkdir -p "$d/sub"
printf 'resource aws_lb lb {\nname="web"\n  port   = 8080\n}\n' >"$d/main.tf"
printf 'a = 1\n' >"$d/ok.tf"
printf 'region="here"\n' >"$d/vars.tfvars"
printf 'x=1\n' >"$d/sub/x.tf"
printf 'x=1\n' >"$d/.hidden.tf"
printf 'not=hcl at all {\n' >"$d/notes.txt"
cp "$d/main.tf" "$T/main.orig"

cd "$d"
set +e
out=$("$GITFLEET" fmt -check)
rc=$?
set -e
expect_eq "-check exits 3 when files would change" 3 "$rc"
expect_eq "-check lists them, in order" "main.tf
vars.tfvars" "$out"
cmp -s main.tf "$T/main.orig" || fail "-check must not write"

set +e
out=$("$GITFLEET" fmt -check -list=false)
rc=$?
set -e
expect_eq "-check -list=false exits 3" 3 "$rc"
expect_eq "-check -list=false prints nothing" "" "$out"

out=$("$GITFLEET" fmt -diff -write=false -list=false main.tf)
expect_contains "-diff names the old file" "--- old/main.tf" "$out"
expect_contains "-diff names the new file" "+++ new/main.tf" "$out"
expect_contains "-diff shows the quoted labels" '+resource "aws_lb" "lb" {' "$out"
cmp -s main.tf "$T/main.orig" || fail "-write=false must not write"

out=$("$GITFLEET" fmt -write=false -list=false main.tf)
expect_eq "-write=false -list=false prints the result" 'resource "aws_lb" "lb" {
  name = "web"
  port = 8080
}' "$out"

out=$(printf 'a=1\nbb   =2\n' | "$GITFLEET" fmt -)
expect_eq "stdin is formatted to stdout" 'a  = 1
bb = 2' "$out"

out=$("$GITFLEET" fmt)
expect_eq "default run lists what it rewrote" "main.tf
vars.tfvars" "$out"
expect_eq "main.tf rewritten" 'resource "aws_lb" "lb" {
  name = "web"
  port = 8080
}' "$(cat main.tf)"
expect_eq "subdirectories untouched without -recursive" "x=1" "$(cat sub/x.tf)"
expect_eq "hidden files untouched" "x=1" "$(cat .hidden.tf)"
out=$("$GITFLEET" fmt)
expect_eq "second run changes nothing" "" "$out"
"$GITFLEET" fmt -check >/dev/null || fail "-check must pass once formatted"

out=$("$GITFLEET" fmt -recursive)
expect_eq "-recursive reaches subdirectories" "sub/x.tf" "$out"
cd "$T"
out=$("$GITFLEET" fmt -check mod)
expect_eq "a directory argument" "" "$out"

printf 'a = \nb=1\n' >"$d/broken.tf"
set +e
err=$("$GITFLEET" fmt -no-color "$d" 2>&1 >/dev/null)
rc=$?
set -e
expect_eq "syntax errors exit 2" 2 "$rc"
expect_contains "syntax errors are reported" "Error: Invalid expression" "$err"
expect_contains "with the file and line" "on $d/broken.tf line 1:" "$err"
expect_eq "a broken file is left untouched" 'a = 
b=1' "$(cat "$d/broken.tf")"
rm "$d/broken.tf"

set +e
err=$("$GITFLEET" fmt "$d/notes.txt" 2>&1)
rc=$?
set -e
expect_eq "non-configuration files exit 1" 1 "$rc"
expect_contains "and say why" "only .tf and .tfvars files" "$err"
set +e
err=$("$GITFLEET" fmt "$T/nowhere" 2>&1)
rc=$?
set -e
expect_eq "missing paths exit 1" 1 "$rc"
expect_contains "and say so" "no file or directory at $T/nowhere" "$err"
set +e
"$GITFLEET" fmt -bogus >/dev/null 2>&1
rc=$?
set -e
expect_eq "unknown flags exit 1" 1 "$rc"

out=$("$GITFLEET" help fmt)
expect_contains "help fmt" "Usage: gitfleet fmt" "$out"
echo "fmt: ok"
