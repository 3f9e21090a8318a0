# tap.sh: sourced by the test scripts; the one way they count and report checks.
# pass NAME / fail NAME REASON print "ok - NAME" / "FAIL - NAME: REASON"; finish prints "N passed, N failed" and
# exits 1 when anything failed.
passed=0
failed=0
pass() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1: $2"; failed=$((failed + 1)); }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}
