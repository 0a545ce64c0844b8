# vmodesd from exec to READY=1 in the QXL guest with its driver module
# already loaded (what a boot after the first costs before the display
# manager may start): sourced by bench-apply-vm.sh after vm_start_udev, in
# the same boot. vmodesd serves a private dbus-daemon and keeps its files
# in $VM_RUN; the config has two heads, so the start parses it, scans the
# devices and compares the X config it would write with the one on disk.
# tests/bench/daemon-ready measures each start as systemd's Type=notify
# sees it (exec to the READY=1 datagram) and stops it again; beside it, two
# floors: a program that only sends READY=1 (exec and libc), and the same
# program with vmodesd's shared libraries loaded.
VMODESD_TARGET_MS=50
vmodesd_median() { "$@" | tee -a "$VM_RUN/vmodesd-bench/rounds.log" | awk '/^median/ { print $2 }'; }
vmodesd_bench() {
	local bench=$1 rounds=$2 dir=$VM_RUN/vmodesd-bench vmodesd exec_ms libs_ms ms
	vmodesd=$(command -v vmodesd || echo /usr/sbin/vmodesd)
	[ -x "$vmodesd" ] || vm_fail "vmodesd is not installed in the guest"
	vm_module_loaded qxl || vm_fail "the qxl module is not loaded (vm_start_udev loads it)"
	mkdir -p "$dir"
	printf '[head Virtual-1]\nmode = 2560x1440@44\n\n[head Virtual-2]\nmode = 1920x1080\nposition = right-of Virtual-1\n' \
		>"$dir/vmodes.conf"
	dbus-daemon --session --fork --address="unix:path=$dir/bus" --print-pid=3 3>"$dir/bus.pid" ||
		vm_fail "cannot start a dbus-daemon for vmodesd"
	set -- "$vmodesd" --address="unix:path=$dir/bus" --config="$dir/vmodes.conf" \
		--xorg-config="$dir/40-vmodes.conf" --grub-dropin=
	# the first start writes the X config and fills the page cache: not counted
	"$bench/daemon-ready" 1 "$@" >/dev/null 2>&1 || vm_fail "vmodesd did not start"
	"$bench/daemon-ready" 1 "$bench/daemon-ready-libs" --floor >/dev/null
	exec_ms=$(vmodesd_median "$bench/daemon-ready" "$rounds" "$bench/daemon-ready" --floor)
	libs_ms=$(vmodesd_median "$bench/daemon-ready" "$rounds" "$bench/daemon-ready-libs" --floor)
	ms=$(vmodesd_median "$bench/daemon-ready" "$rounds" "$@" 2>/dev/null)
	kill "$(cat "$dir/bus.pid")"
	[ -n "$exec_ms" ] && [ -n "$libs_ms" ] && [ -n "$ms" ] || vm_fail "vmodesd did not start"
	echo "vmodesd from exec to READY=1 (QXL VM, QEMU TCG, qxl loaded, a 2-head config), median of $rounds starts:"
	awk -v e="$exec_ms" -v l="$libs_ms" -v m="$ms" -v t="$VMODESD_TARGET_MS" 'BEGIN {
		printf "  exec and libc (a program that only sends READY=1)  %7.1f ms\n", e
		printf "  + vmodesd'"'"'s shared libraries loaded                 %7.1f ms\n", l
		printf "  vmodesd                                            %7.1f ms (its own work: %.1f ms)\n", m, m - l
		printf "  target: at most %d ms: %s\n", t, m <= t ? "met" : "NOT MET" }'
}
