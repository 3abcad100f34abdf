# plan and apply when things go wrong, against a real daemon: a rollout
# that fails is reported with the daemon's reason and rolled back; a
# second apply meets the lock held by the first and names its holder (or
# waits for it with -lock-timeout); an apply killed with SIGKILL half-way
# leaves a state from which the next apply converges.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/iac.sh"

LB_PORT=$(free_port)
start_daemon
export GITFLEET_HOME="$HOME_DIR"
make_site "$T/ws/www" "version one"
write_stack "$T/ws" "$LB_PORT"
cd "$T/ws/infra"

# A slow first apply (health checks need 4 s) holds the lock: a second
# one fails at once with the holder's details, a third waits for it.
slow_checks() { sed -i 's/healthy_threshold   = 2/healthy_threshold   = 10/; s/interval            = 0.2/interval            = 0.4/' main.tf; }
fast_checks() { sed -i 's/healthy_threshold   = 10/healthy_threshold   = 2/; s/interval            = 0.4/interval            = 0.2/' main.tf; }
slow_checks
( timeout 120 "$GITFLEET" apply -auto-approve -no-color >"$T/first.out" 2>&1; echo $? >"$T/first.rc" ) &
GF_PIDS+=($!)
deadline=$((SECONDS + 20))
until grep -q "Creating..." "$T/first.out" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "the first apply did not start: $(cat "$T/first.out")"
	sleep 0.05
done
gf apply -auto-approve -no-color
expect_eq "locked exit" 1 "$RC"
expect_contains "lock error" "Error acquiring the state lock" "$ERR"
expect_contains "holder" "OperationTypeApply" "$ERR"
expect_contains "advice" "force-unlock" "$ERR"
gf plan -no-color -lock-timeout=60s
expect_eq "waited for the lock" 0 "$RC"
expect_eq "first apply" 0 "$(cat "$T/first.rc")"
expect_contains "first apply complete" "Apply complete! Resources: 5 added" "$(cat "$T/first.out")"
expect_contains "after the first: no changes" "No changes." "$OUT"

# A failed rollout: the new version answers 404, the group rolls back,
# apply fails with the daemon's reason and the old version keeps serving.
fast_checks
gf apply -auto-approve -no-color
rm "$T/ws/www/index.html"
echo "broken" >"$T/ws/www/other.html"
gf apply -auto-approve -no-color
expect_eq "rollout failure exit" 1 "$RC"
expect_contains "reason" "fleet_autoscaling_group.web: instance refresh failed:" "$ERR"
expect_contains "rolled back" "rolled back, the previous version (1) keeps serving" "$ERR"
expect_eq "old version serves" "version one" "$(curl -s "http://127.0.0.1:$LB_PORT/")"
echo "version three" >"$T/ws/www/index.html"
gf apply -auto-approve -no-color
expect_eq "recovered" 0 "$RC"
expect_eq "new version serves" "version three" "$(curl -s "http://127.0.0.1:$LB_PORT/")"

# kill -9 half-way: what was done is in the state, the rest is planned.
gf destroy -auto-approve -no-color
expect_eq "destroyed" 0 "$RC"
slow_checks
"$GITFLEET" apply -auto-approve -no-color >"$T/killed.out" 2>&1 &
KILLED=$!
GF_PIDS+=($KILLED)
deadline=$((SECONDS + 20))
until grep -q "fleet_autoscaling_group.web: Creating..." "$T/killed.out" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "the apply did not reach the group: $(cat "$T/killed.out")"
	sleep 0.05
done
kill -9 "$KILLED"
wait "$KILLED" 2>/dev/null || true
expect_contains "state kept" "fleet_target_group" "$(cat gitfleet.tfstate)"
gf apply -auto-approve -no-color
expect_eq "apply after kill" 0 "$RC"
gf plan -no-color -detailed-exitcode
expect_eq "converged" 0 "$RC"
expect_eq "served" "version three" "$(curl -s "http://127.0.0.1:$LB_PORT/")"

# Ctrl-C: the operation in flight finishes and is saved, nothing new
# starts, the exit status says it did not complete.
gf destroy -auto-approve -no-color
expect_eq "destroyed again" 0 "$RC"
"$GITFLEET" apply -auto-approve -no-color >"$T/int.out" 2>&1 &
INT=$!
GF_PIDS+=($INT)
deadline=$((SECONDS + 20))
until grep -q "fleet_autoscaling_group.web: Creating..." "$T/int.out" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "the apply did not reach the group: $(cat "$T/int.out")"
	sleep 0.05
done
kill -INT "$INT"
rc=0
wait "$INT" || rc=$?
expect_eq "interrupted exit" 1 "$rc"
expect_contains "interrupt" "Interrupt received." "$(cat "$T/int.out")"
expect_contains "in flight finished" "fleet_autoscaling_group.web: Creation complete" "$(cat "$T/int.out")"
expect_contains "group saved" "fleet_autoscaling_group" "$(cat gitfleet.tfstate)"
gf apply -auto-approve -no-color
expect_eq "apply after interrupt" 0 "$RC"
gf destroy -auto-approve -no-color
expect_eq "final destroy" 0 "$RC"
echo "ok"
