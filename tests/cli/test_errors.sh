#!/usr/bin/env bash
# test_errors.sh: bad input gets a clear message and its own exit status; nothing crashes.
set -euo pipefail
bin=$(realpath "$1")
src=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" build "$src/tests/fixtures/mini" -o "$work/mini.mnet" --quiet
export MERIDIAN_NETWORK="$work/mini.mnet"

expect_status "help" 0 "$bin" --help
expect_status "route help" 0 "$bin" route --help
[[ $out == *"--avoid"* ]] && ok "route help lists --avoid" || bad "route help lists --avoid" "$out"
expect_status "no command" 2 "$bin"
expect_status "unknown command" 2 "$bin" fly Mumbai Moscow
expect_status "unknown option" 2 "$bin" route Mumbai Moscow --fast
expect_status "bad objective" 2 "$bin" route Mumbai Moscow --by speed
[[ $err == *"unknown objective 'speed'"* ]] && ok "bad objective message" || bad "bad objective message" "$err"
expect_status "bad format" 2 "$bin" route Mumbai Moscow --format xml
expect_status "bad mode" 2 "$bin" route Mumbai Moscow --modes rail,air
[[ $err == *"unknown mode 'air'"* ]] && ok "bad mode message" || bad "bad mode message" "$err"
expect_status "bad teu" 2 "$bin" route Mumbai Moscow --teu -3
expect_status "teu not a number" 2 "$bin" route Mumbai Moscow --teu 1e400
expect_status "teu and tonnes" 2 "$bin" route Mumbai Moscow --teu 2 --tonnes 20
expect_status "one place" 2 "$bin" route Mumbai
expect_status "empty list item" 2 "$bin" route Mumbai Moscow --avoid suez,,hormuz
expect_status "unknown place" 4 "$bin" route Mumbaj Moscow
[[ $err == *"did you mean"*"Mumbai"* ]] && ok "unknown place suggests" || bad "unknown place suggests" "$err"
expect_status "unknown avoid" 4 "$bin" route Mumbai Moscow --avoid panama-canal-x
[[ $err == *"'panama-canal-x' is not a passage"* ]] && ok "unknown avoid message" || bad "unknown avoid message" "$err"
expect_status "unknown allow" 4 "$bin" route Mumbai Moscow --allow atlantis-strait
[[ $err == *"'atlantis-strait' is not a passage, border or link"* ]] && ok "unknown allow message" || bad "unknown allow message" "$err"
expect_status "bad sea speed" 2 "$bin" route Mumbai Moscow --sea-speed 0
expect_status "sea speed too high" 2 "$bin" route Mumbai Moscow --sea-speed 90
expect_status "sea speed" 0 "$bin" route Mumbai Moscow --sea-speed 12 --format json
[[ $out == *'"sea_speed_kn": 12.0'* ]] && ok "sea speed in options" || bad "sea speed in options" "$out"
expect_status "no route explained" 3 "$bin" route Mumbai Moscow --avoid IRN,suez
[[ $err == *"a route exists without avoiding 'IRN', or without avoiding 'suez'"* ]] && ok "no route names the restrictions" || bad "no route names the restrictions" "$err"
expect_status "no route explained by modes" 3 "$bin" route Mumbai Moscow --modes road,rail
[[ $err == *"with every mode"* ]] && ok "no route names --modes" || bad "no route names --modes" "$err"
expect_status "coordinate too far" 4 "$bin" route 0,0 Moscow
expect_status "coordinate out of range" 2 "$bin" route 200,10 Moscow
expect_status "negative longitude is a place" 4 "$bin" route -0.12,51.5 Moscow
[[ $err == *"no node within"* ]] && ok "negative longitude parsed" || bad "negative longitude parsed" "$err"
expect_status "negative coordinate snaps" 0 "$bin" route 72.95,18.95 -- 37.6,55.75
expect_status "option value not taken for a place" 2 "$bin" route Mumbai Moscow --teu -1
expect_status "no route" 3 "$bin" route Mumbai Moscow --modes rail
[[ $err == *"no route"* ]] && ok "no route message" || bad "no route message" "$err"
expect_status "no route when everything avoided" 3 "$bin" route Mumbai Moscow --avoid IRN,suez
expect_status "missing network" 5 "$bin" route Mumbai Moscow --network "$work/none.mnet"
printf 'not a network at all, just some text that is long enough for a header......\n' >"$work/text.mnet"
expect_status "foreign file" 5 "$bin" route Mumbai Moscow --network "$work/text.mnet"
[[ $err == *"bad magic"* ]] && ok "foreign file message" || bad "foreign file message" "$err"
head -c 1000 "$work/mini.mnet" >"$work/short.mnet"
expect_status "truncated file" 5 "$bin" info "$work/short.mnet"
[[ $err == *"truncated"* ]] && ok "truncated message" || bad "truncated message" "$err"
cp "$work/mini.mnet" "$work/flip.mnet"
printf '\x55' | dd of="$work/flip.mnet" bs=1 seek=3000 conv=notrunc status=none
expect_status "flipped byte" 5 "$bin" info "$work/flip.mnet"
[[ $err == *"checksum"* ]] && ok "flipped byte message" || bad "flipped byte message" "$err"
MERIDIAN_NETWORK="$work/none.mnet" expect_status "missing built-in network" 5 "$bin" route Mumbai Moscow
expect_status "info" 0 "$bin" info
[[ $out == *"virtual"* ]] && ok "info prints counts" || bad "info prints counts" "$out"
expect_status "info json" 0 "$bin" info --format json
expect_status "build without -o" 2 "$bin" build "$src/tests/fixtures/mini"
expect_status "build missing folder" 5 "$bin" build "$work/nothere" -o "$work/x.mnet"
[ ! -e "$work/x.mnet" ] && ok "nothing written on failure" || bad "nothing written on failure" "x.mnet exists"
expect_status "validate fixture" 0 "$bin" validate "$src/tests/fixtures/mini"
[[ $out == *"0 errors"* ]] && ok "fixture has no error" || bad "fixture has no error" "$out"

# The malformed corpus through the CLI: exit 1 and the expected first error line.
cd "$src/tests/malformed"
for d in */; do
	d=${d%/}
	[ -f "$d/expected" ] || continue
	want=$(head -n 1 "$d/expected")
	set +e
	"$bin" validate "$d" >/dev/null 2>"$work/err"
	st=$?
	set -e
	first=$(grep -m1 '^error: ' "$work/err" | sed 's/^error: //' || true)
	if [ $st -eq 1 ] && [ "$first" = "$want" ]; then
		ok "validate $d"
	else
		bad "validate $d" "exit $st, first error '$first', want '$want'"
	fi
	# build refuses it and writes nothing
	set +e
	"$bin" build "$d" -o "$work/m.mnet" --quiet 2>/dev/null
	st=$?
	set -e
	if [ $st -ne 0 ] && [ ! -e "$work/m.mnet" ]; then ok "build refuses $d"; else bad "build refuses $d" "exit $st"; fi
done
finish
