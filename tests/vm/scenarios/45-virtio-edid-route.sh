# The kernel route with an EDID on virtio-gpu (its driver reads the
# device's EDID, so it takes drm.edid_firmware=), two boots:
# boot 1  vmodesd stores Virtual-1 with 2560x1440@44 and 1600x900@44 (two
#         sizes virtio-gpu's own list lacks at those rates); with
#         kernel-cmdline on, it writes the GRUB drop-in (video= and the EDID
#         override) and the EDID blob; `vmodes status` says the modes come
#         with the next boot; the initramfs-tools hook copies the blob into
#         an initramfs tree; the guest reboots as after update-grub.
# boot 2  The connector's EDID is vmodesd's blob; the kernel lists both
#         modes and the common 60 Hz sizes; `vmodes status` finds the
#         stored mode listed at its rate.
# vm-device: virtio
# vm-outputs: 2
# vm-boot: real
# vm-timeout: 420

DBUS=(org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1)
BLOB=/var/lib/vmodes/firmware/vmodes-edid-Virtual-1.bin
DROPIN=/etc/default/grub.d/vmodes.cfg

# stored_status: the `vmodes status` line of the stored mode of Virtual-1.
stored_status() { vmodes status --no-x 2>&1 | grep -E '^  Virtual-1 +2560x1440_44.00 ' || true; }

vm_check_install
case $VM_BOOT in
1)
	vm_module_loaded virtio_gpu || vm_fail "udev did not load virtio_gpu at boot"
	# the image boots its kernel from the harness, without GRUB; on a
	# Debian with GRUB this folder exists before vmodesd starts
	mkdir -p /etc/default/grub.d
	systemctl restart vmodesd
	vm_wait_for 60 busctl get-property "${DBUS[@]}" Version || vm_fail "vmodesd does not answer on the system bus"
	[ -n "$(od -A n -N 8 -t x1 /sys/class/drm/card0-Virtual-1/edid)" ] || vm_fail "virtio-gpu offers no EDID on Virtual-1"
	vm_log "QEMU's EDID: $(od -A n -N 12 -t x1 /sys/class/drm/card0-Virtual-1/edid | tr -s ' ')"
	grep -qx 2560x1440 /sys/class/drm/card0-Virtual-1/modes && vm_fail "the kernel lists 2560x1440 before anything was done"
	for spec in 2560x1440@44 1600x900@44; do  # the first is the head's mode
		out=$(env -u DISPLAY vmodes add Virtual-1 "$spec" 2>&1) || vm_fail "vmodes add Virtual-1 $spec: $out"
		echo "$out"
	done
	busctl call "${DBUS[@]}" SetOptions 'a{sv}' 1 kernel-cmdline b true
	cat "$DROPIN"
	grep -q 'video=Virtual-1:2560x1440M@44 firmware_class.path=/var/lib/vmodes/firmware drm.edid_firmware=Virtual-1:vmodes-edid-Virtual-1.bin"' "$DROPIN" ||
		vm_fail "the drop-in lacks video= and the EDID override: $(cat "$DROPIN")"
	[ -s "$BLOB" ] || vm_fail "no EDID blob $BLOB: $(journalctl -b --no-pager -u vmodesd | tail -n 5)"
	vm_log "EDID blob: $(stat -c '%s bytes, mode %a' "$BLOB")"
	out=$(stored_status)
	echo "vmodes status: $out"
	grep -q 'not listed: listed after the next boot: kernel-cmdline writes video= and an EDID' <<<"$out" ||
		vm_fail "vmodes status does not say the EDID brings the mode with the next boot: $out"
	if [ -e /usr/share/initramfs-tools/hook-functions ]; then
		tree=$(mktemp -d)
		DESTDIR=$tree verbose=n /usr/share/initramfs-tools/hooks/vmodes || vm_fail "the initramfs hook failed"
		cmp "$BLOB" "$tree$BLOB" || vm_fail "the initramfs hook did not copy $BLOB: $(find "$tree" -type f)"
		vm_log "the initramfs hook copies the blob to $BLOB in the image"
	else
		vm_log "initramfs-tools is not installed in this image: its hook not run"
	fi
	sync
	vm_reboot_boot_loader
	;;
2)
	grep -q 'drm.edid_firmware=Virtual-1:vmodes-edid-Virtual-1.bin' /proc/cmdline ||
		vm_fail "the kernel did not get the EDID override: $(cat /proc/cmdline)"
	cmp "$BLOB" /sys/class/drm/card0-Virtual-1/edid || vm_fail "the connector's EDID is not vmodesd's blob"
	dmesg | grep -i 'edid' | head -n 3
	out=$(stored_status)  # opens the card: the kernel probes the connector
	echo "vmodes status: $out"
	modes=$(tr '\n' ' ' </sys/class/drm/card0-Virtual-1/modes)
	vm_log "the kernel lists: $modes"
	grep -qx 2560x1440 /sys/class/drm/card0-Virtual-1/modes && grep -qx 1600x900 /sys/class/drm/card0-Virtual-1/modes ||
		vm_fail "the kernel does not list 2560x1440 and 1600x900: $modes"
	grep -qx 1920x1080 /sys/class/drm/card0-Virtual-1/modes || vm_fail "the common 1920x1080 is gone: $modes"
	grep -q 'listed (2560x1440@43\.98' <<<"$out" || vm_fail "vmodes status does not find 2560x1440@44 in the kernel's list: $out"
	;;
esac
