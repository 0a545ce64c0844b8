# The idle cost of `vmodes session` beside spice-vdagent in a QXL guest
# (tests/vm/run scenario, `make bench-session-vm`): Xorg on the qxl DDX,
# spice-vdagentd and spice-vdagent as a desktop session runs them (the
# SPICE virtio port is QEMU's), and the session agent with auto-fit. After
# they settle: wakeups and context switches over an idle interval, and
# VmRSS / Pss / private memory of each, as tests/bench/bench-session.py
# measures them on the host.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast
# vm-spice: yes
# vm-timeout: 300

IDLE=60

vm_start_udev
vm_start_xorg qxl
vm_start_vdagent
mkdir -p /etc/vmodes
printf '[general]\nauto-fit = true\nauto-fit-refresh = 44\n' >/etc/vmodes/vmodes.conf
vmodes session --config /etc/vmodes/vmodes.conf >"$VM_RUN/session.log" 2>&1 &
session=$!
sleep 5
kill -0 "$session" || vm_fail "vmodes session exited: $(cat "$VM_RUN/session.log")"
vdagent=$(pidof spice-vdagent) || vm_fail "spice-vdagent is not running: $(tail -n 3 "$VM_RUN/spice-vdagent.log")"
vdagentd=$(pidof spice-vdagentd) || vm_fail "spice-vdagentd is not running"

# times scheduled and context switches, summed over the threads
counts() {
	local runs=0 sw=0 t
	for t in /proc/"$1"/task/*; do
		runs=$((runs + $(cut -d' ' -f3 "$t/schedstat")))
		sw=$((sw + $(awk '/ctxt_switches/ { n += $2 } END { print n }' "$t/status")))
	done
	echo "$runs $sw"
}
mem() {
	awk '/^(VmRSS|RssAnon|RssFile|Threads):/ { v[$1] = $2 }
		END { printf "VmRSS %5d kB (anonymous %4d, files %5d), %d thread(s)", v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["Threads:"] }' \
		"/proc/$1/status"
	awk '/^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { q += $2 }
		END { printf ", Pss %5d kB, private %5d kB\n", p, q }' "/proc/$1/smaps_rollup"
}

set -- "vmodes-session:$session" "spice-vdagent:$vdagent" "spice-vdagentd:$vdagentd"
declare -A before
for p in "$@"; do before[$p]=$(counts "${p#*:}"); done
sleep "$IDLE"
echo "idle for $IDLE s in the QXL guest (Xorg, qxl DDX):"
for p in "$@"; do
	read -r r0 s0 <<<"${before[$p]}"
	read -r r1 s1 <<<"$(counts "${p#*:}")"
	printf '  %-15s %4d wakeups, %4d context switches\n' "${p%%:*}" $((r1 - r0)) $((s1 - s0))
	[ "${p%%:*}" = vmodes-session ] && session_wakeups=$((r1 - r0))
done
# the largest resident mappings of a process
largest() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { n = NF > 5 ? $6 : "[anonymous]"; sub(".*/", "", n) }
		/^Rss:/ { r[n] += $2 } END { for (n in r) print r[n], n }' "/proc/$1/smaps" |
		sort -rn | head -n 3 | awk '{ printf "%s%s %d kB", (NR > 1 ? ", " : ""), $2, $1 }'
}
echo "memory:"
for p in "$@"; do
	printf '  %-15s %s' "${p%%:*}" "$(mem "${p#*:}")"
	echo
	printf '  %-15s largest: %s\n' "" "$(largest "${p#*:}")"
done
# the targets of the idle session agent
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$session/status")
met() { if [ "$1" -le "$2" ]; then echo met; else echo "NOT met"; fi; }
echo "  vmodes session: target 0 wakeups in $IDLE s: $(met "$session_wakeups" 0) ($session_wakeups)"
echo "  vmodes session: target VmRSS <= 4096 kB: $(met "$rss" 4096) ($rss kB)"
kill "$session"
