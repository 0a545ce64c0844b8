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
timings=$(count 'bench_loop_vmodes')
named=$(count 'bench_loop_vmodes_named')
xcvt=$(count 'bench_loop_xcvt')
# bench_loop_vmodes runs twice over the inputs (VESA, then xcvt-0.1.2 compat).
awk -v v="$timings" -v nm="$named" -v x="$xcvt" -v n="$n" 'BEGIN {
        pv = v / (2 * n); pn = nm / n; px = x / n;
        printf "CVT instructions per mode over %d inputs (callgrind, one run each):\n", n;
        printf "  vmodes_cvt_timings (VESA + compat passes, mean): %8.1f\n", pv;
        printf "  vmodes_cvt_compute (timings + mode name):        %8.1f\n", pn;
        printf "  libxcvt_gen_mode_info (incl. its calloc/free):   %8.1f\n", px;
        printf "  ratio vmodes / libxcvt, same work (timings): %.3f (target <= 1)\n", pv / px;
        printf "  ratio vmodes / libxcvt, with the name:       %.3f\n", pn / px;
}'
