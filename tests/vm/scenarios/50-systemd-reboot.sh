# Real boot (systemd as PID 1, udevd, D-Bus): udev loads qxl by itself, and a
# file written before a reboot is still there after it.  This is the base of
# the persistence scenarios (a mode added once survives the reboot).
# vm-device: qxl
# vm-outputs: 4
# vm-boot: real

vm_check_install
[ "$(cat /proc/1/comm)" = systemd ] || vm_fail "PID 1 is $(cat /proc/1/comm), not systemd"
state=$(systemctl is-system-running --wait || true)
vm_log "boot $VM_BOOT: system is $state"
if [ "$state" != running ]; then
	systemctl --failed --no-pager || true
	vm_fail "the system did not reach 'running'"
fi
vm_module_loaded qxl || vm_fail "udev did not load qxl at boot"
[ "$(cat /sys/class/drm/card0-Virtual-1/status)" = connected ] || vm_fail "Virtual-1 is not connected"
systemctl is-active --quiet dbus.service || vm_fail "dbus is not running"

# The installed udev rule tagged the QXL device and asks for vmodesd.service;
# the installed modules-load.d drop-in names qxl.
first_file() { local f; for f; do [ -f "$f" ] && { echo "$f"; return 0; }; done; return 0; }
rules=$(first_file /lib/udev/rules.d/70-vmodes.rules /usr/lib/udev/rules.d/70-vmodes.rules)
[ -n "$rules" ] || vm_fail "70-vmodes.rules is not installed in a udev rules directory"
pci=$(readlink -f /sys/class/drm/card0/device)
props=$(udevadm info -q property "$pci")
grep -qx 'VMODES_GPU=qxl' <<<"$props" || vm_fail "$rules did not mark $pci as a QXL device"
grep -q '^SYSTEMD_WANTS=.*vmodesd.service' <<<"$props" || vm_fail "$rules did not add SYSTEMD_WANTS=vmodesd.service"
unit=$(systemd-escape --path --suffix=device "$pci")
systemctl show -p Wants "$unit" | grep -q vmodesd.service || vm_fail "$unit does not want vmodesd.service"
conf=$(first_file /usr/lib/modules-load.d/qxl.conf /usr/local/lib/modules-load.d/qxl.conf /etc/modules-load.d/qxl.conf)
[ -n "$conf" ] && grep -qx qxl "$conf" || vm_fail "qxl.conf is not installed in a modules-load.d directory"
vm_log "udev rule $rules and $conf in place; $unit wants vmodesd.service"

case $VM_BOOT in
1)
	cat /proc/sys/kernel/random/boot_id >/var/lib/vmtest/first-boot-id
	vm_reboot
	;;
2)
	[ -s /var/lib/vmtest/first-boot-id ] || vm_fail "the file written before the reboot is gone"
	if [ "$(cat /var/lib/vmtest/first-boot-id)" = "$(cat /proc/sys/kernel/random/boot_id)" ]; then
		vm_fail "same boot id after the reboot: the guest did not reboot"
	fi
	vm_log "rebooted: first boot $(cat /var/lib/vmtest/first-boot-id), now $(cat /proc/sys/kernel/random/boot_id)"
	;;
*)
	vm_fail "unexpected boot number $VM_BOOT"
	;;
esac
