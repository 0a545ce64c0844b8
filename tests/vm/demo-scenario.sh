# `make demo`: the main job end to end, as a user meets it: a QXL guest with
# XFCE and LightDM (systemd boot) gets vmodes from its Debian package; at
# LightDM's login screen, `vmodes add Virtual-1 2560x1440@44 --apply` stores
# the mode through vmodesd and switches the screen at once; after a reboot
# the login screen comes back at 2560x1440 by itself (the X config vmodesd
# wrote).  The host takes a screendump at each step.
# vm-image: xfce
# vm-boot: real
# vm-device: qxl
# vm-outputs: 4
# vm-timeout: 900

. /vmtest/guest/desktop.sh
case $VM_BOOT in
1)
	vm_check_install
	vm_wait_greeter 240
	vm_screendump demo-1-login-screen
	vm_wait_for 60 busctl get-property org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1 Version ||
		vm_fail "vmodesd does not answer on the system bus"
	vm_log "vmodes add Virtual-1 2560x1440@44 --apply   (in the login screen's X server, $DISPLAY)"
	out=$(vmodes add Virtual-1 2560x1440@44 --apply 2>&1) || vm_fail "vmodes add failed: $out"
	printf '%s\n' "$out"
	! grep -qi 'warning' <<<"$out" || vm_fail "vmodes add printed a warning"
	vm_expect_current Virtual-1 2560x1440
	vm_screendump demo-2-applied-2560x1440 2560x1440
	vm_reboot
	;;
2)
	vm_wait_greeter 240
	vm_log "[time] login screen at uptime $VM_GREETER_AT s after the reboot"
	xrandr --current | sed -n '1,3p'
	vm_expect_current Virtual-1 2560x1440
	vm_screendump demo-3-after-reboot-2560x1440 2560x1440
	;;
esac
