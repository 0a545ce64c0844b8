#!/bin/bash
# SPDX-License-Identifier: MIT
# Apply overhead: one 4-head custom layout applied by three methods side by
# side on the X display $DISPLAY, each run from the same start state:
#   floor   bench-floor apply: the bare RandR requests of the layout
#   vmodes  vmodes apply 'HEAD SPEC right-of HEAD' ...
#   shell   what users type today, per head: cvt W H R, then xrandr
#           --newmode, --addmode and --output --mode --right-of
# Prints median wall times and their ratios, the X server's CPU time per
# run (when its pid is given), X requests and round trips counted from
# outside by xcount, the unchanged re-apply, and (with --callgrind) the
# client instructions. Figures, not a pass/fail test: the exit status is 1
# only when the benchmark cannot run.
#
#   bench-apply.sh [--rounds N] [--server-pid PID] [--label TEXT]
#                  [--base MODE] [--callgrind] HEAD1 HEAD2 HEAD3 HEAD4
#
# HEAD1 starts every run alone at MODE (default 1024x768, a mode the server
# has), the other heads off. Tools: $VMODES, $BENCH_FLOOR, $XCOUNT (default:
# vmodes, bench-floor and xcount from PATH), cvt and xrandr from PATH.
set -u -o pipefail
export LC_ALL=C

rounds=10 xpid= label=$DISPLAY base=1024x768 callgrind=false
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--server-pid) xpid=$2; shift 2 ;;
	--label) label=$2; shift 2 ;;
	--base) base=$2; shift 2 ;;
	--callgrind) callgrind=true; shift ;;
	-*) echo "bench-apply: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 4 ] || { echo "usage: bench-apply.sh [OPTIONS] HEAD1 HEAD2 HEAD3 HEAD4" >&2; exit 2; }
heads=("$@")
# the layout: custom CVT modes side by side, left to right
specs=(2560x1440@44 1920x1080@60 1680x1050@50 1280x1024@44)
VMODES=${VMODES:-vmodes} BENCH_FLOOR=${BENCH_FLOOR:-bench-floor} XCOUNT=${XCOUNT:-xcount}

fail() {
	echo "bench-apply: FAIL: $*" >&2
	exit 1
}
for t in "$VMODES" "$BENCH_FLOOR" "$XCOUNT" cvt xrandr; do
	command -v "$t" >/dev/null || fail "cannot run: $t not found"
done
[ -n "${DISPLAY:-}" ] || fail "cannot run: DISPLAY is not set"
xrandr --current >/dev/null 2>&1 || fail "cannot run: no X server answers on $DISPLAY"
[ -z "$xpid" ] || [ -r "/proc/$xpid/schedstat" ] || fail "no X server process $xpid (or no /proc/PID/schedstat)"

tmp=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

# mode names (cvt's, the same vmodes and bench-floor give) and the layout
# in each method's words
names=() vmodes_args=() floor_args=() width=0 height=0 expect=()
for i in 0 1 2 3; do
	w=${specs[i]%%x*} r=${specs[i]#*@} h=${specs[i]#*x}
	h=${h%@*}
	names+=("${w}x${h}_$(printf '%.2f' "$r")")
	arg="${heads[i]} ${specs[i]}"
	floor_args+=("$arg")
	[ "$i" -eq 0 ] || arg="$arg right-of ${heads[i - 1]}"
	vmodes_args+=("$arg")
	expect+=("${heads[i]} ${w}x${h}+$width+0")
	width=$((width + w))
	[ "$h" -le "$height" ] || height=$h
done
# the shell routine as a script: cvt, then three xrandr calls per head
{
	echo 'set -e'
	prev=
	for i in 0 1 2 3; do
		w=${specs[i]%%x*} r=${specs[i]#*@} h=${specs[i]#*x}
		h=${h%@*}
		cat <<-EOF
		m=\$(cvt $w $h $r)
		eval "set -- \${m#*Modeline }"
		xrandr --newmode "\$@"
		xrandr --addmode ${heads[i]} "\$1"
		xrandr --output ${heads[i]} --mode "\$1"${prev:+ --right-of $prev}
		EOF
		prev=${heads[i]}
	done
} >"$tmp/shell-routine.sh"

# the command of each method
cmd_floor=("$BENCH_FLOOR" apply "${floor_args[@]}")
cmd_vmodes=("$VMODES" apply "${vmodes_args[@]}")
cmd_shell=(sh "$tmp/shell-routine.sh")
# the process start alone (no X): the floor's binary and vmodes
cmd_start_floor=("$BENCH_FLOOR" nop)
cmd_start_vmodes=("$VMODES" --version)
# run [WRAPPER...] METHOD: the method's command, output to the log
run() {
	local -n cmd=cmd_${*: -1}
	local st
	"${@:1:$#-1}" "${cmd[@]}" >>"$log" 2>&1
	st=$?
	[ $st -eq 0 ] || { tail -5 "$log" >&2; fail "${*: -1} exited with status $st: ${cmd[*]}"; }
}
reset() {
	"$BENCH_FLOOR" reset "${heads[0]}" "$base" "${names[@]}" >>"$log" 2>&1 ||
		{ tail -5 "$log" >&2; fail "resetting the layout failed"; }
}
# every head at its place in the layout (xrandr, independent of the methods)
verify() {
	local got
	got=$(xrandr --current | awk '$2 == "connected" || $2 == "disconnected" {
		for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+x[0-9]+\+[0-9]+\+[0-9]+$/) { print $1, $i; break } }')
	for e in "${expect[@]}"; do
		grep -qxF "$e" <<<"$got" || fail "$1 did not apply the layout: expected '$e', xrandr shows: $(echo $got)"
	done
}

# one timed run: appends "wall_us server_ns" to $tmp/time.METHOD (wall time
# from bash's clock, no process of its own; the server's CPU time from
# /proc/PID/schedstat, nanoseconds)
timed() {
	local m=$1 t0 t1 s0=0 s1=0 rest
	[ -z "$xpid" ] || read -r s0 rest <"/proc/$xpid/schedstat"
	t0=$EPOCHREALTIME
	run "${m%-again}"
	t1=$EPOCHREALTIME
	[ -z "$xpid" ] || read -r s1 rest <"/proc/$xpid/schedstat"
	echo "$(( ${t1/./} - ${t0/./} )) $((s1 - s0))" >>"$tmp/time.$m"
}

echo "== apply overhead: $label, 4 heads, $rounds rounds =="
echo "layout: $(IFS=,; echo "${floor_args[*]}" | sed 's/,/, /g'), side by side (${width}x$height)"
echo "each run starts from ${heads[0]} alone at $base, the other heads off, none of the layout's modes on the server"

# a first run of each method (not timed) checks that it works
for m in floor vmodes shell; do
	reset
	run "$m"
	verify "$m"
done

methods=(floor vmodes shell)
for ((r = 0; r < rounds; r++)); do
	for ((k = 0; k < 3; k++)); do
		m=${methods[(r + k) % 3]}
		reset
		timed "$m"
		verify "$m"
		# the same layout again: nothing to change
		[ "$m" != vmodes ] || timed vmodes-again
	done
	timed start_floor
	timed start_vmodes
done

# median of column COL of FILE
median() { sort -n -k"$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
	if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { sort -n -k1,1 "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f .. %.2f", lo / 1000, hi / 1000 }'; }
for m in floor vmodes shell vmodes-again start_floor start_vmodes; do
	eval "wall_${m//-/_}=\$(median \"\$tmp/time.$m\" 1) cpu_${m//-/_}=\$(median \"\$tmp/time.$m\" 2)"
done
echo
echo "wall time per run, median of $rounds (interleaved, order rotated each round) [min .. max]:"
show_time() { # KEY LABEL WHAT: the median, the range and (with a pid) the server's CPU
	local wall cpu
	eval "wall=\$wall_${1//-/_} cpu=\$cpu_${1//-/_}"
	printf '  %-14s %-34s %9.2f ms [%s ms]' "$2" "$3" "$(awk -v w="$wall" 'BEGIN { print w / 1000 }')" \
		"$(range "$tmp/time.$1")"
	[ -z "$xpid" ] || [ "${1#start}" != "$1" ] ||
		printf '   X server CPU %7.2f ms' "$(awk -v c="$cpu" 'BEGIN { print c / 1e6 }')"
	echo
}
show_time floor floor "bare RandR requests (C, Xlib)"
show_time vmodes vmodes "vmodes apply"
show_time shell shell "cvt + 3 xrandr per head"
show_time vmodes-again "vmodes again" "vmodes apply, unchanged layout"
show_time start_floor "start floor" "process start: bench-floor nop"
show_time start_vmodes "start vmodes" "process start: vmodes --version"
awk -v f="$wall_floor" -v v="$wall_vmodes" -v s="$wall_shell" -v a="$wall_vmodes_again" 'BEGIN {
	printf "ratios of the medians: vmodes/floor %.3f, shell/floor %.2f, shell/vmodes %.2f, re-apply/floor %.3f\n",
		v / f, s / f, s / v, a / f
	printf "goals: vmodes within 10%% of the floor: %s; vmodes faster than the shell routine: %s\n",
		v <= 1.10 * f ? "met" : sprintf("NOT MET (+%.0f%%)", (v / f - 1) * 100), v < s ? "met" : "NOT MET"
}'

# ---- X protocol counts, from outside ---------------------------------------
count() { # count NAME METHOD: xcount's figures in $tmp/count.NAME
	run "$XCOUNT" -o "$tmp/count.$1" "$2"
}
reset; count floor floor; verify floor
reset; count vmodes vmodes; verify vmodes
count vmodes-again vmodes
reset; count shell shell; verify shell
# vmodes' own counters, for comparison with the counts from outside
reset
self=$("$VMODES" apply -v "${vmodes_args[@]}" 2>>"$log" | grep 'round trips') || fail "vmodes apply -v failed"
reset

get() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$tmp/count.$1"; }
echo
echo "X protocol per run, counted between client and server by xcount. Round trips (RTs): waits for the"
echo "server, split into before the first RandR change (connecting, queries), apply (from the first change"
echo "to the first answer after the last one) and after (reading back, closing). Changes: RandR requests"
echo "that change the configuration; queries: GetScreenResources[Current]."
row() { printf '  %-13s %5s %8s %7s %5s %8s %7s %6s %6s %10s %7s %7s\n' "$@"; }
row "" conns requests replies RTs RTs/head before apply after apply/head changes queries
for m in floor vmodes shell vmodes-again; do
	row "$m" "$(get "$m" connections)" "$(get "$m" requests)" "$(get "$m" replies)" "$(get "$m" round_trips)" \
		"$(awk -v n="$(get "$m" round_trips)" 'BEGIN { printf "%.2f", n / 4 }')" "$(get "$m" round_trips_before)" \
		"$(get "$m" round_trips_apply)" "$(get "$m" round_trips_after)" \
		"$(awk -v n="$(get "$m" round_trips_apply)" 'BEGIN { printf "%.2f", n / 4 }')" \
		"$(get "$m" changes)" "$(get "$m" queries)"
done
echo "vmodes apply -v counts itself (queries and the plan only): $self"
echo "requests by name:"
for m in floor vmodes shell vmodes-again; do
	printf '  %s: %s\n' "$m" "$(awk '$1 == "request" { sub(/^RANDR\./, "", $2); printf "%s%s %s", s, $2, $3; s = ", " }' \
		"$tmp/count.$m")"
done | fold -s -w 110 | sed 's/^\([^ ]\)/      \1/'
awk -v rt="$(get vmodes round_trips)" -v apply="$(get vmodes round_trips_apply)" \
	-v ch="$(get vmodes-again changes)" -v q="$(get vmodes-again queries)" 'BEGIN {
	printf "goals: at most 3 round trips per head: %s in all (%.2f), %s in the apply part (%.2f); ",
		rt <= 12 ? "met" : "NOT MET", rt / 4, apply <= 12 ? "met" : "NOT MET", apply / 4
	printf "re-apply: one query and no changes: %s (%d queries, %d changes)\n",
		q == 1 && ch == 0 ? "met" : "NOT MET", q, ch
}'

# ---- where vmodes' time over the floor goes -----------------------------------
rtt=$("$BENCH_FLOOR" rtt 200) || fail "bench-floor rtt failed"
echo
awk -v f="$wall_floor" -v v="$wall_vmodes" -v sf="$wall_start_floor" -v sv="$wall_start_vmodes" \
	-v cf="$cpu_floor" -v cv="$cpu_vmodes" -v rf="$(get floor round_trips)" -v rv="$(get vmodes round_trips)" \
	-v rtt="$rtt" -v pid="$xpid" 'BEGIN {
	d = v - f; st = sv - sf; rt = (rv - rf) * rtt; cpu = pid == "" ? 0 : (cv - cf) / 1000
	printf "vmodes over the floor: %+.2f ms (%+.1f%%), an estimate from the medians above and one X round trip = %.1f us:\n", \
		d / 1000, d / f * 100, rtt
	printf "  process start (libraries)          %+9.2f ms\n", st / 1000
	printf "  %3d more round trips               %+9.2f ms\n", rv - rf, rt / 1000
	if (pid != "")
		printf "  X server CPU                       %+9.2f ms\n", cpu / 1000
	printf "  the rest                           %+9.2f ms (client work of vmodes: device discovery, planning, D-Bus; noise)\n", \
		(d - st - rt - cpu) / 1000
}'

# ---- client instructions ------------------------------------------------------
if $callgrind; then
	command -v valgrind >/dev/null || fail "cannot run: --callgrind needs valgrind"
	echo
	# instructions of every process: the first summary/totals line of each file
	ir_sum() {
		local f n s=0
		for f in "$tmp"/cg.*; do
			n=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
			s=$((s + ${n:-0}))
		done
		echo "$s"
	}
	echo "client instructions per run (callgrind, every process of the method, one run each):"
	for m in floor shell vmodes vmodes-again start_floor start_vmodes; do
		[ "$m" = vmodes-again ] || [ "${m#start}" != "$m" ] || reset
		rm -f "$tmp"/cg.*
		run valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$tmp/cg.%p" "${m%-again}"
		eval "ir_${m//-/_}=$(ir_sum)"
	done
	reset
	awk -v f="$ir_floor" -v v="$ir_vmodes" -v s="$ir_shell" -v a="$ir_vmodes_again" -v sf="$ir_start_floor" \
		-v sv="$ir_start_vmodes" 'BEGIN {
		printf "  floor %.0f, vmodes %.0f, shell %.0f, vmodes re-apply %.0f\n", f, v, s, a
		printf "  of which the process start (exec, dynamic linking; bench-floor nop, vmodes --version): "
		printf "floor %.0f, vmodes %.0f\n", sf, sv
		printf "  ratios: vmodes/floor %.2f, shell/floor %.1f, shell/vmodes %.1f; ", v / f, s / f, s / v
		printf "without the process start: vmodes/floor %.2f\n", (v - sv) / (f - sf)
	}'
fi
