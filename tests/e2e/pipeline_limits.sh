# Resource limits of a build, from the project's environment: a build that
# allocates past memory_limit_mib FAILS and its reason says memory ran out
# under that limit; a file past file_size_limit_mib and forks past
# process_limit fail the build too; the limits are logged at its start.
source "$GF_E2E_LIB/common.sh"
source "$GF_E2E_LIB/cloud.sh"
source "$GF_E2E_LIB/pipeline.sh"

start_daemon
api PUT /v1/projects/lim -d '{"source": {"type": "GITFLEET"},
  "environment": {"memory_limit_mib": 64, "file_size_limit_mib": 1, "process_limit": 64}}' >/dev/null
expect_eq "project with limits" 200 "$(status)"
expect_eq "limits kept" 64 "$(jq_ 'd["environment"]["memory_limit_mib"]' <"$T/body")"
api PUT /v1/projects/bad -d '{"source": {"type": "GITFLEET"}, "environment": {"memory_limit_mib": "lots"}}' >/dev/null
expect_eq "bad limit" 422 "$(status)"
expect_contains "bad limit message" "environment.memory_limit_mib: a whole number" "$(cat "$T/body")"

git init -q -b master "$T/work"
cd "$T/work"
git remote add fleet "$("$GITFLEET" repo url lim --home "$HOME_DIR")"
# push_spec COMMANDS...: a buildspec of these build commands, pushed; prints the build id.
push_spec() {
	{
		printf 'version: 0.2\nphases:\n  build:\n    commands:\n'
		for c in "$@"; do printf '      - %s\n' "$c"; done
	} >buildspec.yaml
	git add . && git commit -qm "$1" && git push -q fleet master 2>/dev/null
	latest_build lim
}

# Under the limit: fine. Over it: FAILED, and the reason says why.
ID=$(push_spec "python3 -c 'b = bytearray(16 << 20); print(\"small-ok\")'")
ST=$(wait_build "$ID")
[ "$ST" = SUCCEEDED ] || fail "small allocation $ST: $(api GET "/v1/builds/$ID/log")"
LOG=$(api GET "/v1/builds/$ID/log")
expect_contains "limits logged" "limits per process: memory 64 MiB, files 1 MiB" "$LOG"
ID=$(push_spec "python3 -c 'b = bytearray(512 << 20); print(\"never\")'" "echo not-reached")
expect_eq "over the memory limit" FAILED "$(wait_build "$ID")"
REASON=$(build_field "$ID" 'd["reason"]')
expect_contains "reason" "phase build failed: command \"python3 -c 'b = bytearray(512 << 20); print(\"never\")'\" exited with status 1 after running out of memory" "$REASON"
expect_contains "reason quotes the output" "per process: raise the project's environment.memory_limit_mib): MemoryError" "$REASON"
expect_contains "reason names the limit" "memory limit is 64 MiB per process" "$REASON"
case $(api GET "/v1/builds/$ID/log") in *not-reached*) fail "a command after the failure ran" ;; esac

# A file over file_size_limit_mib: the writer is stopped (SIGXFSZ).
ID=$(push_spec 'head -c 3000000 /dev/zero >big.bin')
expect_eq "over the file size limit" FAILED "$(wait_build "$ID")"
expect_eq "killed by SIGXFSZ" 153 "$(build_field "$ID" 'd["phases"][0]["exit_code"]')"

# More processes than process_limit (it counts every process of the user).
ID=$(push_spec 'for i in $(seq 100); do sleep 30 & done; wait')
expect_eq "over the process limit" FAILED "$(wait_build "$ID")"
expect_contains "fork refused" "Resource temporarily unavailable" "$(api GET "/v1/builds/$ID/log")"
stop_daemon
