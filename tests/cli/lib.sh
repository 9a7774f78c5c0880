# lib.sh: helpers for the CLI tests. Each test prints "ok NAME" or "FAIL NAME: why" and the
# script ends with the plain summary line "N passed, N failed".
pass=0
failed=0
ok() { pass=$((pass + 1)); echo "ok $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
finish() {
	echo "$pass passed, $failed failed"
	[ "$failed" -eq 0 ]
}
# expect_status NAME WANT CMD...: run CMD, capture stdout/stderr in $out/$err, check the status.
expect_status() {
	local name=$1 want=$2
	shift 2
	set +e
	out=$("$@" 2>/tmp/mr_cli_err.$$)
	got=$?
	set -e
	err=$(cat /tmp/mr_cli_err.$$)
	rm -f /tmp/mr_cli_err.$$
	if [ "$got" -eq "$want" ]; then ok "$name"; else bad "$name" "exit $got, want $want; stderr: $err"; fi
}
