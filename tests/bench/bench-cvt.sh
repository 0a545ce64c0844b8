#!/bin/sh
# Instructions per computed CVT mode, vmodes vs libxcvt, counted by callgrind
# in one run over the same inputs. Usage: bench-cvt.sh [BENCH-BINARY] [N]
set -eu
bin=${1:-./tests/bench/bench-cvt}
n=${2:-20000}
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {
        valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1" --toggle-collect="$1" \
                "$bin" "$n" >/dev/null 2>"$out/log.$1"
        # "summary: N" is the instruction count inside the toggled function.
        awk '/^(summary|totals):/ { print $2; exit }' "$out/cg.$1"
}
vesa=$(count 'bench_loop_vmodes')
xcvt=$(count 'bench_loop_xcvt')
# bench_loop_vmodes runs twice (VESA, then compat): split by running compat alone is not
# possible with one symbol, so report the mean of both passes.
awk -v v="$vesa" -v x="$xcvt" -v n="$n" 'BEGIN {
        pv = v / (2 * n); px = x / n;
        printf "CVT instructions per mode over %d inputs (callgrind):\n", n;
        printf "  vmodes_cvt_compute (VESA + compat passes, mean): %8.1f\n", pv;
        printf "  libxcvt_gen_mode_info (incl. its calloc/free):   %8.1f\n", px;
        printf "  ratio vmodes / libxcvt: %.3f (target <= 1)\n", pv / px;
}'
