# Every command's help through the real binary: for each command that
# `gitfleet --help` lists, `gitfleet CMD --help` (and -h, -help, and after
# other arguments) exits 0 and prints exactly `gitfleet help CMD`, which
# is the command's section of docs/cli.md. Subcommand and flag mistakes
# point at the help. (tests/unit/test_cli_help.c checks the content.)
source "$GF_E2E_LIB/common.sh"

DOC="$GF_E2E_LIB/../../../docs/cli.md"
CMDS=$("$GITFLEET" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
[ "$(echo "$CMDS" | wc -l)" -ge 20 ] || fail "too few commands listed: $CMDS"
mkdir "$T/help"
for c in $CMDS; do
	"$GITFLEET" help "$c" >"$T/help/$c" || fail "gitfleet help $c exited $?"
	want=$(cat "$T/help/$c")
	case $want in "Usage: gitfleet $c"*) ;; *) fail "help $c: no usage line: $want" ;; esac
	got=$("$GITFLEET" "$c" --help) || fail "gitfleet $c --help exited $?"
	expect_eq "gitfleet $c --help" "$want" "$got"
done
# The other spellings, and --help after other arguments (before `--`).
for args in "plan -h" "state -help" "build start x --help" "lb --listen 127.0.0.1:1 -h"; do
	set -- $args
	got=$("$GITFLEET" "$@") || fail "gitfleet $args exited $?"
	expect_eq "gitfleet $args" "$(cat "$T/help/$1")" "$got"
done
# docs/cli.md holds the same text in each command's section.
python3 - "$DOC" "$T/help" $CMDS <<'PY' || fail "docs/cli.md does not hold the commands' help"
import sys
doc, d = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
for cmd in sys.argv[3:]:
    want = open(f"{d}/{cmd}", encoding="utf-8").read()
    parts = doc.split("\n### gitfleet %s\n" % cmd, 1)
    if len(parts) != 2 or parts[1].split("```\n", 2)[1] != want:
        sys.exit(f"docs/cli.md: the section of {cmd} is not its help")
PY

# Mistakes name the fix.
if "$GITFLEET" state 2>"$T/err"; then fail "state without a subcommand succeeded"; fi
expect_contains "state" "expected a subcommand: gitfleet state <list|show|rm|mv|pull|push>" "$(cat "$T/err")"
if "$GITFLEET" state lis 2>"$T/err"; then fail "state lis succeeded"; fi
expect_contains "state lis" 'unknown subcommand "lis". Did you mean "list"? Use one of list|show|rm|mv|pull|push.' "$(cat "$T/err")"
if "$GITFLEET" build stat x 2>"$T/err"; then fail "build stat succeeded"; fi
expect_contains "build stat" 'Did you mean "start"?' "$(cat "$T/err")"
if "$GITFLEET" state list -idd=x 2>"$T/err"; then fail "state list -idd succeeded"; fi
expect_contains "subcommand flag" "gitfleet state list: unknown flag -idd. Did you mean -id? See 'gitfleet help state list'." "$(cat "$T/err")"
# apply has no -out (terraform's neither): an unknown flag, with the help.
mkdir "$T/cfg" && cd "$T/cfg"
if "$GITFLEET" apply -out=x 2>"$T/err"; then fail "apply -out succeeded"; fi
expect_contains "apply -out" "gitfleet apply: unknown flag -out." "$(cat "$T/err")"
echo ok
