# vmodesd persistence (real boot, systemd, D-Bus): the udev rule starts
# vmodesd; `vmodes add Virtual-1 2560x1440@44` (no display: stored only)
# goes through vmodesd into /etc/vmodes/vmodes.conf and
# /etc/X11/xorg.conf.d/40-vmodes.conf; another user is refused; after a
# reboot Xorg starts at 2560x1440 from that file alone, before any client or
# session agent runs (host-side screendump). Then, in that running X
# session, `vmodes add 2 1920x1080@60 --right-of 1` stores the second head
# and lights it at once (4480x1440); after the next reboot X starts so.
# Then xorg.conf.d is deleted and vmodesd restarted: the folder and the
# file come back, and a change is written there.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: real
# vm-timeout: 420

CONF=/etc/vmodes/vmodes.conf
XCONF=/etc/X11/xorg.conf.d/40-vmodes.conf
DBUS=(org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1)

vm_daemon_up() {
	vm_wait_for 60 systemctl is-active --quiet vmodesd.service || {
		systemctl status --no-pager vmodesd.service || true
		journalctl -b --no-pager -u vmodesd.service | tail -n 30 || true
		vm_fail "vmodesd.service is not active"
	}
	vm_wait_for 10 busctl get-property "${DBUS[@]}" Version || vm_fail "vmodesd does not answer on the system bus"
	local err
	err=$(busctl get-property "${DBUS[@]}" ConfigError)
	[ "$err" = 's ""' ] || vm_fail "vmodesd reports a config error: $err"
	vm_log "vmodesd is active: $(systemctl show -p MainPID --value vmodesd.service), $(journalctl -b -u vmodesd.service --no-pager | wc -l) journal lines"
}

# The X server started by nothing but its config: no xrandr, no session agent.
vm_expect_x_starts_at() {
	vm_start_xorg qxl
	vm_screendump "$1" "$2"
	vm_expect_current Virtual-1 "$3"
	vm_stop_xorg
}

vm_check_install
case $VM_BOOT in
1)
	vm_module_loaded qxl || vm_fail "udev did not load qxl at boot"
	vm_daemon_up
	[ ! -e "$CONF" ] || vm_fail "$CONF exists before anything was configured"
	out=$(env -u DISPLAY vmodes add Virtual-1 2560x1440@44 2>&1) || {
		journalctl -b --no-pager -u vmodesd.service | tail -n 20 || true
		vm_fail "vmodes add Virtual-1 2560x1440@44 failed: $out"
	}
	vm_log "vmodes add: $out"
	grep -q '^stored: Virtual-1 2560x1440_44.00' <<<"$out" || vm_fail "vmodes add did not report it stored: $out"
	grep -qx 'mode = 2560x1440@44' "$CONF" || vm_fail "$CONF lacks the mode: $(cat "$CONF")"
	grep -q 'Modeline "2560x1440_44.00"  222.75  2560 2720 2992 3424  1440 1443 1448 1479 -hsync +vsync' "$XCONF" ||
		vm_fail "$XCONF lacks the modeline: $(cat "$XCONF")"
	# another user is refused (no polkit in this image), through the CLI and the bus
	if setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		env -u DISPLAY vmodes add Virtual-1 640x480 2>"$VM_RUN/denied.err"; then
		vm_fail "nobody could change the config with vmodes add"
	fi
	grep -q 'not stored: not authorized' "$VM_RUN/denied.err" ||
		vm_fail "unexpected error for nobody: $(cat "$VM_RUN/denied.err")"
	if setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		busctl call "${DBUS[@]}" AddMode 'ssa{sv}' Virtual-1 640x480 0 2>"$VM_RUN/denied.err"; then
		vm_fail "nobody could change the config"
	fi
	grep -q 'not authorized' "$VM_RUN/denied.err" || vm_fail "unexpected error for nobody: $(cat "$VM_RUN/denied.err")"
	grep -q 640x480 "$CONF" && vm_fail "$CONF changed by a refused caller"
	sync
	vm_reboot
	;;
2)
	vm_daemon_up
	grep -qx 'mode = 2560x1440@44' "$CONF" || vm_fail "$CONF lost the mode over the reboot"
	vm_start_xorg qxl
	vm_screendump persist-one-head 2560x1440
	vm_expect_current Virtual-1 2560x1440
	# stored and made live in this X session at once
	out=$(vmodes add 2 1920x1080@60 --right-of 1 2>&1) || vm_fail "vmodes add 2 failed: $out"
	vm_log "vmodes add: $out"
	grep -q '^stored: Virtual-2 1920x1080_60.00' <<<"$out" || vm_fail "vmodes add did not report it stored: $out"
	vm_screendump live-two-heads 4480x1440
	vm_expect_current Virtual-2 1920x1080+2560+0
	vm_stop_xorg
	grep -q 'Option "RightOf" "Virtual-1"' "$XCONF" || vm_fail "$XCONF lacks Virtual-2 right of Virtual-1"
	sync
	vm_reboot
	;;
3)
	vm_daemon_up
	vm_expect_x_starts_at persist-two-heads 4480x1440 2560x1440
	# a deleted xorg.conf.d comes back (the unit creates it before its
	# ProtectSystem=strict sandbox, which would drop a missing folder)
	rm -rf /etc/X11/xorg.conf.d
	systemctl restart vmodesd.service
	vm_daemon_up
	[ -f "$XCONF" ] || vm_fail "$XCONF not re-created at start: $(journalctl -b --no-pager -u vmodesd.service | tail -n 5)"
	out=$(env -u DISPLAY vmodes add Virtual-3 1280x720 2>&1) || vm_fail "vmodes add after rm -rf xorg.conf.d: $out"
	grep -q 'Identifier "Virtual-3"' "$XCONF" || vm_fail "$XCONF lacks Virtual-3: $(cat "$XCONF")"
	vm_log "xorg.conf.d deleted, vmodesd restarted: $XCONF re-created and written"
	;;
*)
	vm_fail "unexpected boot number $VM_BOOT"
	;;
esac
