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
