# The apply-overhead benchmark in the QXL VM (`make bench-vm`): Xorg on the
# qxl DDX (kernel qxl driver loaded by udev), four heads Virtual-1..4, and
# bench-apply.sh on them. Not a check-vm scenario: tests/vm/run boots it with
# the benchmark tools installed next to vmodes (tests/bench/bench-vm-install.mk).
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast
# vm-timeout: 1800

bench=/usr/local/libexec/vmodes-bench
[ -x "$bench/bench-floor" ] && [ -x "$bench/xcount" ] ||
	vm_fail "the benchmark tools are not installed in the guest (run this with make bench-vm)"
command -v vmodes >/dev/null || vm_fail "vmodes is not installed in the guest"
vm_start_udev
# first, in the same boot: vmodesd's start to READY=1 (no X server yet)
. "$bench/bench-daemon-vm.sh"
vmodesd_bench "$bench" "$(cat "$bench/rounds" 2>/dev/null || echo 7)"
vm_start_xorg qxl
heads=$(xrandr --current | awk '/^Virtual-[1-4] /' | wc -l)
[ "$heads" -eq 4 ] || vm_fail "the qxl DDX shows $heads heads Virtual-1..4, the benchmark needs 4"
# the server itself, not a wrapper that started it
xpid=$VM_XORG_PID
[ "$(cat "/proc/$xpid/comm" 2>/dev/null)" = Xorg ] || xpid=$(pidof Xorg)
VMODES=$(command -v vmodes) BENCH_FLOOR=$bench/bench-floor XCOUNT=$bench/xcount \
	bash "$bench/bench-apply.sh" --rounds "$(cat "$bench/rounds" 2>/dev/null || echo 7)" --server-pid "$xpid" \
	--label "QXL VM (qxl DDX, kernel qxl driver, QEMU TCG)" Virtual-1 Virtual-2 Virtual-3 Virtual-4 ||
	vm_fail "bench-apply.sh failed"
vm_stop_xorg
