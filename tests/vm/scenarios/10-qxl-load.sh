# Boot with the qxl driver not loaded (fast boot: nothing loads modules), get
# it loaded by `vmodes status --load-module`, and check that the four QXL heads appear with Virtual-1
# connected, seen both in sysfs and in a host-side screendump.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast

vm_check_install
if vm_module_loaded qxl || [ -e /dev/dri/card0 ]; then
	vm_fail "qxl is already loaded at boot; this scenario needs it unloaded"
fi
# Without a KMS driver the device shows the VGA text console.
vm_screendump before-load

if command -v vmodes >/dev/null; then
	# The discovery + loading path of vmodes, as a user runs it.
	vm_log "vmodes status --load-module"
	vmodes status --load-module || vm_fail "vmodes status --load-module failed ($?)"
else
	echo "WARNING: vmodes is not installed in the guest; loading qxl with modprobe"
	modprobe qxl
fi
vm_wait_for 30 test -e /dev/dri/card0 || vm_fail "/dev/dri/card0 did not appear"
vm_module_loaded qxl || vm_fail "qxl is not in /proc/modules"

heads=$(vm_drm_heads | tr '\n' ' ')
vm_log "DRM connectors: $heads"
[ "$heads" = "Virtual-1 Virtual-2 Virtual-3 Virtual-4 " ] ||
	vm_fail "expected the connectors Virtual-1..4, got: $heads"
for h in 1 2 3 4; do
	echo "  card0-Virtual-$h: $(cat /sys/class/drm/card0-Virtual-$h/status)," \
		"$(head -n 1 /sys/class/drm/card0-Virtual-$h/modes | grep . || echo "no modes")"
done
[ "$(cat /sys/class/drm/card0-Virtual-1/status)" = connected ] || vm_fail "Virtual-1 is not connected"

if command -v vmodes >/dev/null; then
	out=$(vmodes status --no-x)
	for h in 1 2 3 4; do
		grep -q "Virtual-$h" <<<"$out" || vm_fail "vmodes status does not list Virtual-$h"
	done
fi

# The kernel's fbdev console now drives Virtual-1 at its preferred mode.
mode=$(head -n 1 /sys/class/drm/card0-Virtual-1/modes)
vm_screendump after-load "$mode"
