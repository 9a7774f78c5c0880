#!/usr/bin/env bash
# test_compare_golden.sh: `meridian compare` on the fixture network (tests/fixtures/mini) with the
# shipped corridor file, in every format, with scenarios and --vs, against golden files in
# tests/cli/golden/. UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
set -euo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" build "$src/tests/fixtures/mini" -o "$work/mini.mnet" --quiet
export MERIDIAN_NETWORK="$work/mini.mnet" MERIDIAN_CORRIDORS="$src/data/eurasia/corridors.ini"
export MERIDIAN_CLAIMS="$src/data/eurasia/claims.ini"
scn=$src/tests/fixtures/scenarios

# name | arguments ($scn is replaced by the fixture scenario folder)
cases=(
	"compare-mumbai-moscow|Mumbai Moscow"
	"compare-vs-close-suez|Mumbai Moscow --vs \$scn/close-suez.scn"
	"compare-scenario-cost|INNSA RUMOW --by cost --teu 2 --scenario \$scn/rasht-astara.scn --corridors best,suez,instc-west"
	"compare-composed-vs|Mumbai Moscow --scenario \$scn/rasht-astara.scn --vs \$scn/close-suez.scn --corridors best,suez-baltic,instc-west"
)
formats=(table json geojson csv)
for c in "${cases[@]}"; do
	name=${c%%|*}
	line=${c#*|}
	read -r -a args <<<"${line//\$scn/$scn}"
	for f in "${formats[@]}"; do
		golden="$here/golden/$name.$f"
		set +e
		NO_COLOR=1 "$bin" compare "${args[@]}" --format "$f" >"$work/out" 2>"$work/err"
		st=$?
		set -e
		if [ $st -ne 0 ]; then
			bad "$name.$f" "exit $st: $(cat "$work/err")"
			continue
		fi
		if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
			cp "$work/out" "$golden"
			ok "$name.$f (updated)"
		elif [ ! -f "$golden" ]; then
			bad "$name.$f" "no golden file $golden"
		elif diff -u "$golden" "$work/out" >"$work/diff"; then
			ok "$name.$f"
		else
			bad "$name.$f" "differs from golden:
$(head -40 "$work/diff")"
		fi
	done
done
finish
