#!/usr/bin/env bash
# gitfleet console: a table of expressions and the output terraform console
# gives for them, evaluated in the context of a small module; then errors,
# variables from flags, files and the environment, and load failures.
. "$GF_E2E_LIB/common.sh"

mkdir "$T/mod" && cd "$T/mod"
cat >main.tf <<'TF'
variable "name" {
  type    = string
  default = "web"
}
variable "ports" {
  type    = list(number)
  default = [80, 443]
}
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
locals {
  greeting = "hello ${var.name}"
  by_port  = { for p in var.ports : tostring(p) => "${var.name}-${p}" }
}
resource "fleet_lb" "web" { name = var.name }
TF
printf 'Hello ${who}!\n' >hello.tftpl

# console EXPR EXPECTED: one expression through a pipe.
check() {
	local got
	got=$(printf '%s\n' "$1" | "$GITFLEET" console 2>&1) || fail "console failed on [$1]: $got"
	expect_eq "console [$1]" "$2" "$got"
}

check 'jsonencode([for i in range(3) : i * 2])' '"[0,2,4]"'
check '1 + 2 * 3' '7'
check '"1" + 1' '2'
check 'upper(var.name)' '"WEB"'
check 'local.greeting' '"hello web"'
check 'local.by_port["443"]' '"web-443"'
check 'var.ports' 'tolist([
  80,
  443,
])'
check '{a = 1, b = [true, null]}' '{
  "a" = 1
  "b" = [
    true,
    null,
  ]
}'
check 'fleet_lb.web.id' '(known after apply)'
check 'fleet_lb.web' '(known after apply)'
check 'var.secret' '(sensitive value)'
check 'path.module' '"."'
check 'terraform.workspace' '"default"'
check '"%{ for p in var.ports }${p};%{ endfor }"' '"80;443;"'
check 'templatefile("hello.tftpl", { who = "fox" })' '<<EOT
Hello fox!

EOT'
out=$(echo 'try(var.nope_nope_nope, "x")' | "$GITFLEET" console 2>&1)
expect_contains "undeclared inside try" "Error: Reference to undeclared input variable" "$out"

# A heredoc and an expression spanning lines.
got=$(printf '%s\n' '<<EOT' 'hi ${var.name}' 'EOT' '[' '  1,' '  2' ']' | "$GITFLEET" console)
expect_eq "multi-line input" '<<EOT
hi web

EOT
[
  1,
  2,
]' "$got"

# An error is a diagnostic on stderr, and the console goes on.
out=$(printf '%s\n' 'var.nmae' '"a" + 1' '42' | "$GITFLEET" console 2>"$T/err")
expect_eq "value after errors" "42" "$out"
err=$(cat "$T/err")
expect_contains "undeclared" "Error: Reference to undeclared input variable" "$err"
expect_contains "suggestion" '"nmae" has not been declared. Did you mean' "$err"
expect_contains "operand" "Unsuitable value for left operand: a number is required." "$err"
expect_contains "source line" '1: "a" + 1' "$err"

# exit ends the session; empty lines are skipped.
out=$(printf '\n1\nexit\n2\n' | "$GITFLEET" console 2>"$T/err")
expect_eq "exit" "1" "$out"
[ ! -s "$T/err" ] || fail "exit: unexpected errors: $(cat "$T/err")"

# Variables: -var (literal for strings, HCL for lists), -var-file, TF_VAR_,
# *.auto.tfvars, with -var and -var-file applied in command-line order.
echo 'name = "from-file"' >extra.tfvars
out=$(echo 'var.name' | "$GITFLEET" console -var name=flag)
expect_eq "-var" '"flag"' "$out"
out=$(echo 'var.ports[1]' | "$GITFLEET" console -var 'ports=[1, 2]')
expect_eq "-var list" '2' "$out"
out=$(echo 'var.name' | "$GITFLEET" console -var name=flag -var-file extra.tfvars)
expect_eq "-var-file after -var" '"from-file"' "$out"
out=$(echo 'var.name' | "$GITFLEET" console -var-file=extra.tfvars -var=name=flag)
expect_eq "-var after -var-file" '"flag"' "$out"
out=$(echo 'var.name' | TF_VAR_name=env "$GITFLEET" console)
expect_eq "TF_VAR_" '"env"' "$out"
echo 'name = "auto"' >a.auto.tfvars
out=$(echo 'var.name' | TF_VAR_name=env "$GITFLEET" console)
expect_eq "auto.tfvars over TF_VAR_" '"auto"' "$out"
rm a.auto.tfvars

# A module that fails to load, or a bad variable value: status 1.
rc=0
out=$(echo '1' | "$GITFLEET" console -var 'ports=oops' 2>&1) || rc=$?
expect_eq "bad -var status" 1 "$rc"
expect_contains "bad -var" "Variables not allowed" "$out"
mkdir "$T/broken" && cd "$T/broken"
echo 'resorce "a" "b" {}' >main.tf
rc=0
out=$(echo '1' | "$GITFLEET" console 2>&1) || rc=$?
expect_eq "broken module status" 1 "$rc"
expect_contains "broken module" 'Did you mean "resource"?' "$out"

# An empty directory is fine: functions and literals still work.
mkdir "$T/empty" && cd "$T/empty"
out=$(echo 'cidrsubnet("10.0.0.0/16", 8, 2)' | "$GITFLEET" console)
expect_eq "empty dir" '"10.0.2.0/24"' "$out"
echo "console: ok"
