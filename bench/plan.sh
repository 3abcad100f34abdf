#!/usr/bin/env bash
# The IaC engine on a large configuration, and Terraform on the same one:
#
#   1. gitfleet: a generated root module of 1,000 resources (terraform_data
#      chains, random_id, and two fleet stacks of 5 resources each served by
#      a real daemon): first apply, then no-op plans and a no-op apply,
#      refresh included (every fleet object is read from the daemon);
#   2. gitfleet vs terraform on 1,000 terraform_data resources (Terraform's
#      built-in type needs no provider download), no-op plan, side by side.
#
# Each timed command runs RUNS times; the median is reported. Builds the
# optimised binary (`make`, build/gitfleet) first, unless GITFLEET names
# one already built.
#
#   bench/plan.sh                 # RUNS=5 N=1000
#   GITFLEET=/path/to/gitfleet bench/plan.sh
set -euo pipefail

RUNS=${RUNS:-5}
N=${N:-1000}

cd "$(dirname "$0")/.."
if [ -z "${GITFLEET:-}" ]; then
	make >/dev/null
	GITFLEET=$PWD/build/gitfleet
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/gf-bench-plan.XXXXXX")
DAEMON=
cleanup() {
	[ -z "$DAEMON" ] || { kill "$DAEMON" 2>/dev/null; wait "$DAEMON" 2>/dev/null || true; }
	rm -rf "$T"
}
trap cleanup EXIT

# median_of CMD...: runs CMD RUNS times (output discarded), prints the
# median wall time in seconds.
median_of() {
	local times=() i start
	for ((i = 0; i < RUNS; i++)); do
		start=$EPOCHREALTIME
		"$@" >"$T/run.out" 2>&1 || { echo "failed: $*" >&2; tail -40 "$T/run.out" >&2; exit 1; }
		times+=("$(echo "$EPOCHREALTIME - $start" | bc -l)")
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p" | xargs printf '%.3f'
}

# gen_data DIR COUNT: COUNT terraform_data resources in chains of 10.
gen_data() {
	mkdir -p "$1"
	local i
	for ((i = 0; i < $2; i++)); do
		if ((i % 10 == 0)); then
			echo "resource \"terraform_data\" \"d$i\" { input = \"v$i\" }"
		else
			echo "resource \"terraform_data\" \"d$i\" { input = terraform_data.d$((i - 1)).output }"
		fi
	done >"$1/data.tf"
}

# 1. gitfleet, mixed 1,000-resource module against a daemon.
HOME_DIR="$T/home"
export GITFLEET_HOME="$HOME_DIR"
# Ports below the kernel's ephemeral range (32768 and up), so that no
# client connection of another program can hold one when it is bound.
"$GITFLEET" daemon --home "$HOME_DIR" --instance-ports 27000-27099 >"$T/daemon.log" 2>&1 &
DAEMON=$!
for _ in $(seq 200); do [ -S "$HOME_DIR/run/gitfleet.sock" ] && break; sleep 0.05; done
M="$T/mixed"
gen_data "$M" $((N - 300))
for ((i = 0; i < 290; i++)); do
	echo "resource \"random_id\" \"r$i\" { byte_length = 8 }"
done >"$M/random.tf"
mkdir -p "$T/www"
echo hello >"$T/www/index.html"
for s in 0 1; do
	cat >>"$M/fleet.tf" <<EOF
resource "fleet_lb" "s$s" { name = "bench-$s" }
resource "fleet_target_group" "s$s" { name = "bench-$s-tg" }
resource "fleet_launch_template" "s$s" {
  name   = "bench-$s"
  source = "$T/www"
}
resource "fleet_autoscaling_group" "s$s" {
  name             = "bench-$s"
  min_size         = 1
  max_size         = 1
  launch_template  = fleet_launch_template.s$s.id
  target_group_ids = [fleet_target_group.s$s.id]
}
resource "fleet_lb_listener" "s$s" {
  load_balancer_id = fleet_lb.s$s.id
  port             = $((27200 + s))
  default_action {
    type            = "forward"
    target_group_id = fleet_target_group.s$s.id
  }
}
EOF
done
cd "$M"
start=$EPOCHREALTIME
"$GITFLEET" apply -auto-approve -no-color >"$T/apply.out"
first=$(echo "$EPOCHREALTIME - $start" | bc -l | xargs printf '%.3f')
count=$(grep -c ': Creation complete' "$T/apply.out")
noop_plan=$(median_of "$GITFLEET" plan -no-color -detailed-exitcode)
noop_apply=$(median_of "$GITFLEET" apply -auto-approve -no-color)
"$GITFLEET" plan -no-color -detailed-exitcode | grep -q 'No changes.'
echo "gitfleet, $count resources ($((N - 300)) terraform_data, 290 random_id, 10 fleet_*):"
echo "  first apply          ${first} s"
echo "  no-op plan (median)  ${noop_plan} s"
echo "  no-op apply (median) ${noop_apply} s"
"$GITFLEET" destroy -auto-approve -no-color >/dev/null

# 2. gitfleet vs terraform, N terraform_data resources.
D="$T/data"
gen_data "$D" "$N"
cd "$D"
"$GITFLEET" apply -auto-approve -no-color >/dev/null
gf_plan=$(median_of "$GITFLEET" plan -no-color -detailed-exitcode)
echo "$N terraform_data, no-op plan (median of $RUNS):"
echo "  gitfleet   ${gf_plan} s"
if command -v terraform >/dev/null; then
	TD="$T/tf"
	gen_data "$TD" "$N"
	cd "$TD"
	terraform init -input=false >/dev/null 2>&1
	terraform apply -auto-approve -input=false >/dev/null 2>&1
	tf_plan=$(median_of terraform plan -input=false -no-color -detailed-exitcode)
	echo "  terraform  ${tf_plan} s   ($(terraform version 2>/dev/null | head -1))"
else
	echo "  terraform  not available on this machine"
fi
