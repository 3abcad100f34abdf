# make install / make uninstall: the binary, the systemd unit (ExecStart
# rewritten for the prefix, checked with systemd-analyze verify when the
# tool exists), the sysusers entry and the docs land under DESTDIR/PREFIX
# and nowhere else; uninstall removes them again.
source "$GF_E2E_LIB/common.sh"

SRC=$(cd "$GF_E2E_LIB/../../.." && pwd)
BUILD=$(cd "$(dirname "$GITFLEET")" && pwd)
PREFIX=/opt/gitfleet-e2e
DEST="$BUILD/e2e-install-root"
rm -rf "$DEST"

# The Makefile passes PREFIX (default /usr/local) and DESTDIR to cmake.
OUT=$(make -s -n -C "$SRC" install BUILD="$BUILD")
expect_contains "default prefix" "DESTDIR=\"\" cmake --install $BUILD --prefix \"/usr/local\"" "$OUT"
OUT=$(make -s -n -C "$SRC" install BUILD="$BUILD" PREFIX=/p DESTDIR=/d)
expect_contains "prefix and destdir" "DESTDIR=\"/d\" cmake --install $BUILD --prefix \"/p\"" "$OUT"

# What `make install` runs once the build is done.
DESTDIR="$DEST" cmake --install "$BUILD" --prefix "$PREFIX" >"$T/install.out" ||
	fail "cmake --install: $(cat "$T/install.out")"
R="$DEST$PREFIX"
[ -x "$R/bin/gitfleet" ] || fail "no executable $R/bin/gitfleet"
expect_contains "installed binary runs" "gitfleet v" "$("$R/bin/gitfleet" version)"
UNIT="$R/lib/systemd/system/gitfleet.service"
[ -f "$UNIT" ] || fail "no unit in lib/systemd/system"
expect_eq "ExecStart" "ExecStart=$PREFIX/bin/gitfleet daemon --home /var/lib/gitfleet" "$(grep '^ExecStart=' "$UNIT")"
expect_eq "Documentation" "Documentation=file://$PREFIX/share/doc/gitfleet/contrib/systemd/README.md" \
	"$(grep '^Documentation=' "$UNIT")"
grep -q /usr/local "$UNIT" && fail "the unit still names /usr/local: $(grep /usr/local "$UNIT")"
expect_eq "unit otherwise as in contrib" "" \
	"$(diff <(sed "s|/usr/local/|$PREFIX/|" "$SRC/contrib/systemd/gitfleet.service") "$UNIT")"
expect_eq "sysusers" "$(cat "$SRC/contrib/systemd/gitfleet.sysusers")" "$(cat "$R/lib/sysusers.d/gitfleet.conf")"
DOC="$R/share/doc/gitfleet"
cmp -s "$SRC/README.md" "$DOC/README.md" || fail "README.md not installed"
cmp -s "$SRC/contrib/systemd/README.md" "$DOC/contrib/systemd/README.md" || fail "systemd README not installed"
for f in "$SRC"/docs/*.md; do
	cmp -s "$f" "$DOC/docs/${f##*/}" || fail "docs/${f##*/} not installed"
done
# Nothing outside the prefix.
OUTSIDE=$(find "$DEST" -mindepth 1 -not -path "$R" -not -path "$R/*" -not -path "$DEST/opt")
expect_eq "files outside the prefix" "" "$OUTSIDE"

# The installed unit passes systemd-analyze verify (the binary it names is
# looked up in DESTDIR, since verify checks that it is executable).
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/units"
	sed "s|^ExecStart=$PREFIX/|ExecStart=$R/|" "$UNIT" >"$T/units/gitfleet.service"
	systemd-analyze verify "$T/units/gitfleet.service" >"$T/verify.out" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$T/verify.out")"
	expect_eq "systemd-analyze verify says nothing" "" "$(cat "$T/verify.out")"
else
	echo "systemd-analyze is not installed: the unit was not verified" >&2
fi

# make uninstall removes every installed file (same DESTDIR and PREFIX).
make -s -C "$SRC" uninstall BUILD="$BUILD" PREFIX="$PREFIX" DESTDIR="$DEST" >"$T/uninstall.out" 2>&1 ||
	fail "make uninstall: $(cat "$T/uninstall.out")"
expect_eq "files left after uninstall" "" "$(find "$DEST" -type f)"
[ ! -d "$DOC" ] || fail "the doc directory is left after uninstall"
rm -rf "$DEST"
echo ok
