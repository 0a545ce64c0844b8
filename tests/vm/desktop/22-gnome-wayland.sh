# GNOME on Wayland with GDM's Wayland greeter (gdm3 as Debian 12 ships it
# on QXL: WaylandEnable left on), installed from the package, two boots:
#
# boot 1  The display manager is stopped; `vmodes add Virtual-1 1280x800@60`
#         stores the layout through vmodesd, which writes the system-wide
#         /etc/xdg/monitors.xml (the kernel's 1280x800, 59.81 Hz).
#         Greeter: GDM's greeter is a Wayland gnome-shell and comes up at
#         1280x800 (its mutter, asked on its private bus; screendump).
#         Session: autologin into GNOME on Wayland (1280x800); `vmodes
#         session` runs from the XDG autostart entry in the Wayland session;
#         a change as GNOME's Displays panel makes it (ApplyMonitorsConfig,
#         1024x768), then vmodesd's Apply: the agent applies the stored
#         layout through mutter's DisplayConfig (1280x800; screendump), with
#         the temporary method: it is still there 25 s later (the persistent
#         one makes gnome-shell ask to keep it and go back after 20 s).
#         Live: `vmodes add Virtual-1 1600x900@60 --apply` as the user in
#         the session: stored through vmodesd (polkit) and applied
#         (screendump 1600x900; /etc/xdg/monitors.xml follows). A mode the
#         kernel does not list (2560x1440@44) with --apply --no-store: one
#         line listing the modes mutter offers, nothing changed.
#         Kernel route: kernel-cmdline on, `vmodes add Virtual-1
#         2560x1440@44 --apply` stored (the GRUB drop-in gets video=; the system
#         monitors.xml goes: the kernel does not list the mode yet); the
#         guest reboots as after update-grub (the harness boots the kernel
#         with the drop-in's arguments); `vmodes status` said the mode
#         comes with the next boot.
# boot 2  The kernel lists 2560x1440 at 43.99 Hz (video=; `vmodes status`
#         says so); vmodesd wrote /etc/xdg/monitors.xml with it at boot. Greeter: 2560x1440 at 44 Hz
#         (screendump). Session at the stored 2560x1440@44 (screendump).
# vm-image: gnome
# vm-boot: real
# vm-device: qxl
# vm-outputs: 4
# vm-memory: 3072
# vm-timeout: 1500

. /vmtest/guest/desktop.sh
DBUS=(org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1)
USER_BUS=unix:path=/run/user/$(id -u "$VM_DESKTOP_USER")/bus

# greeter_up: GDM's greeter runs as a Wayland gnome-shell and answers on
# its bus.
greeter_up() {
	local pid
	pid=$(pgrep -n -u Debian-gdm -x gnome-shell) || return 1
	[ "$(vm_session_env "$pid" XDG_SESSION_TYPE)" = wayland ] || return 1
	vm_mutter_current Debian-gdm "$(vm_greeter_bus)" | grep -q .
}

# greeter_expect W H RATE_RE: the greeter comes up with that mode; screendump.
greeter_expect() {
	local t0
	t0=$(vm_uptime)
	vm_wait_for 300 greeter_up || {
		journalctl -b --no-pager -o short-monotonic -u gdm | tail -n 20
		vm_fail "no Wayland greeter of GDM within 300 s"
	}
	pid=$(pgrep -n -u Debian-gdm -x gnome-shell)
	vm_log "GDM's greeter: XDG_SESSION_TYPE=$(vm_session_env "$pid" XDG_SESSION_TYPE) $(vm_since "$t0") s after the wait began"
	vm_wait_mutter_mode 60 Debian-gdm "$(vm_greeter_bus)" "^$1x$2@$3" ||
		vm_fail "GDM's greeter shows ${VM_MUTTER_MODE:-nothing}, not $1x$2 at $3 Hz"
	vm_log "GDM's greeter (mutter on its bus): Virtual-1 at $VM_MUTTER_MODE"
	shot "gnome-wayland-greeter-$1x$2" "$1x$2"
}

# shot NAME WxH: a screendump of that size once the device shows it.
shot() {
	local t0
	t0=$(vm_uptime)
	vm_wait_screen 120 "$2" || vm_fail "the screen is $VM_SCREEN, not $2, 120 s after mutter reported it"
	vm_log "the device shows $2 $(vm_since "$t0") s after mutter reported it"
	vm_screendump "$1" "$2"
}

# login: autologin into GNOME on Wayland now; the agent runs in it.
login() {
	local t0 type
	vm_autologin on gnome
	t0=$(vm_uptime)
	systemctl restart display-manager
	vm_wait_for 400 pgrep -u "$VM_DESKTOP_USER" -x vmodes-session || {
		vm_session_diag
		vm_fail "no vmodes session in the GNOME session within 400 s: $(ps -u "$VM_DESKTOP_USER" -o args | tail -n 20)"
	}
	vm_check_agent_autostarted gnome-session-b
	vm_wayland_attach
	type=$(vm_session_env "$VM_AGENT_PID" XDG_SESSION_TYPE)
	[ "$type" = wayland ] || vm_fail "the session is not a Wayland session: XDG_SESSION_TYPE=${type:-(not set)}"
	vm_log "[time] GNOME on Wayland: the agent runs $(vm_since "$t0") s after the display manager's start"
}

agent_log() { journalctl -b --no-pager -o cat _COMM=vmodes-session | tail -n "${1:-15}"; }

# displays_panel W H: what GNOME's Displays panel does when its user picks
# WxH for Virtual-1: ApplyMonitorsConfig (method 1, temporary) with the
# mode of that size GetCurrentState lists.
displays_panel() {
	local state serial mode
	state=$(vm_mutter_state "$VM_DESKTOP_USER" "$USER_BUS") || vm_fail "GetCurrentState failed"
	serial=$(sed -n 's/^(uint32 \([0-9]*\),.*/\1/p' <<<"$state")
	mode=$(grep -o "'$1x$2@[0-9.]*'" <<<"$state" | head -n 1)
	[ -n "$serial" ] && [ -n "$mode" ] || vm_fail "no serial or no $1x$2 mode in GetCurrentState: ${state:0:400}"
	runuser -u "$VM_DESKTOP_USER" -- env DBUS_SESSION_BUS_ADDRESS="$USER_BUS" gdbus call --session --timeout 120 \
		--dest org.gnome.Mutter.DisplayConfig --object-path /org/gnome/Mutter/DisplayConfig \
		--method org.gnome.Mutter.DisplayConfig.ApplyMonitorsConfig \
		"$serial" 1 "[(0, 0, 1.0, uint32 0, true, [('Virtual-1', $mode, @a{sv} {})])]" "@a{sv} {}" >/dev/null ||
		vm_fail "ApplyMonitorsConfig $mode failed"
	vm_log "as GNOME's Displays panel: Virtual-1 $mode"
}

export VM_GDM_WAYLAND=true
case $VM_BOOT in
1)
	systemctl stop display-manager || true
	vm_check_install
	# the image boots its kernel from the harness, without GRUB; on a Debian
	# with GRUB this folder exists before vmodesd starts (its sandbox can
	# write only folders that existed then)
	mkdir -p /etc/default/grub.d
	systemctl restart vmodesd
	vm_wait_for 60 busctl get-property "${DBUS[@]}" Version || vm_fail "vmodesd does not answer on the system bus"
	out=$(env -u DISPLAY vmodes add Virtual-1 1280x800@60 2>&1) || vm_fail "vmodes add Virtual-1: $out"
	echo "$out"
	grep -q '<width>1280</width>' /etc/xdg/monitors.xml && grep -q '<rate>59.81' /etc/xdg/monitors.xml ||
		vm_fail "vmodesd did not write 1280x800 at 59.81 Hz into /etc/xdg/monitors.xml: $(cat /etc/xdg/monitors.xml 2>&1)"
	vm_log "/etc/xdg/monitors.xml: Virtual-1 $(grep -o '<rate>[0-9.]*' /etc/xdg/monitors.xml | head -n 1)"
	vm_autologin off gnome
	systemctl start display-manager
	greeter_expect 1280 800 '59\.8'

	login
	vm_wait_mutter_mode 120 "$VM_DESKTOP_USER" "$USER_BUS" '^1280x800@59\.8' || {
		agent_log
		vm_fail "the session shows ${VM_MUTTER_MODE:-nothing}, not the stored 1280x800"
	}
	vm_log "GNOME on Wayland: Virtual-1 at $VM_MUTTER_MODE"
	displays_panel 1024 768
	vm_wait_mutter_mode 60 "$VM_DESKTOP_USER" "$USER_BUS" '^1024x768@' ||
		vm_fail "mutter did not take 1024x768: ${VM_MUTTER_MODE:-nothing}"
	sleep 2
	[ "$(vm_mutter_current "$VM_DESKTOP_USER" "$USER_BUS")" = "$VM_MUTTER_MODE" ] ||
		vm_fail "Virtual-1 left 1024x768 by itself: Virtual-1 is not pinned, the agent must leave it"
	busctl call "${DBUS[@]}" Apply
	vm_wait_mutter_mode 120 "$VM_DESKTOP_USER" "$USER_BUS" '^1280x800@59\.8' || {
		agent_log
		vm_fail "after vmodesd's Apply the session shows ${VM_MUTTER_MODE:-nothing}, not the stored 1280x800"
	}
	agent_log 5
	agent_log 5 | grep -q 'Virtual-1: 1280x800' || vm_fail "the agent did not log its change"
	shot gnome-wayland-session-1280x800 1280x800
	# the temporary method: no "Keep these display settings?" question
	# whose 20 s timeout would take the layout back
	sleep 25
	[ "$(vm_mutter_current "$VM_DESKTOP_USER" "$USER_BUS")" = "$VM_MUTTER_MODE" ] ||
		vm_fail "the session went back from 1280x800 to $(vm_mutter_current "$VM_DESKTOP_USER" "$USER_BUS")"

	out=$(vm_as_user vmodes add Virtual-1 1600x900@60 --apply 2>&1) || vm_fail "vmodes add as $VM_DESKTOP_USER: $out"
	echo "$out"
	vm_wait_mutter_mode 60 "$VM_DESKTOP_USER" "$USER_BUS" '^1600x900@' ||
		vm_fail "the session shows ${VM_MUTTER_MODE:-nothing} after vmodes add 1600x900@60"
	shot gnome-wayland-session-1600x900 1600x900
	grep -q '<width>1600</width>' /etc/xdg/monitors.xml || vm_fail "/etc/xdg/monitors.xml did not follow: $(cat /etc/xdg/monitors.xml)"

	before=$VM_MUTTER_MODE
	if out=$(vm_as_user vmodes add Virtual-1 2560x1440@44 --apply --no-store 2>&1); then
		vm_fail "a mode mutter does not offer was accepted: $out"
	fi
	echo "$out"
	[ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "GNOME's mutter offers no 2560x1440 mode" <<<"$out" ||
		vm_fail "not one line naming the mode: $out"
	[ "$(vm_mutter_current "$VM_DESKTOP_USER" "$USER_BUS")" = "$before" ] || vm_fail "the refused mode changed the session"

	busctl call "${DBUS[@]}" SetOptions 'a{sv}' 1 kernel-cmdline b true
	out=$(env -u DISPLAY vmodes add Virtual-1 2560x1440@44 --apply 2>&1) || vm_fail "vmodes add Virtual-1 2560x1440@44 --apply: $out"
	echo "$out"
	grep -q 'video=Virtual-1:2560x1440' /etc/default/grub.d/vmodes.cfg ||
		vm_fail "no video= for Virtual-1 in the GRUB drop-in: $(cat /etc/default/grub.d/vmodes.cfg 2>&1)"
	[ ! -e /etc/xdg/monitors.xml ] || vm_fail "/etc/xdg/monitors.xml stayed with a mode the kernel does not list yet"
	journalctl -b --no-pager -o cat -u vmodesd | grep -F "GDM's login screen keeps its own layout" | tail -n 1 |
		grep -q 'kernel lists no 2560x1440' || vm_fail "no notice of the mode the kernel does not list"
	out=$(vmodes status --no-x 2>&1 | grep -E '^  Virtual-1 +2560x1440_44.00 ') || true
	echo "vmodes status: $out"
	grep -q 'not listed: listed after the next boot' <<<"$out" ||
		vm_fail "vmodes status does not say that 2560x1440@44 comes with the next boot: $out"
	vm_autologin off gnome
	vm_reboot_boot_loader
	;;
2)
	grep -q 'video=Virtual-1:2560x1440' /proc/cmdline || vm_fail "the kernel did not get video=: $(cat /proc/cmdline)"
	grep -qx 2560x1440 /sys/class/drm/card0-Virtual-1/modes || vm_fail "the kernel does not list 2560x1440"
	vm_connectors_diag
	grep -q '<width>2560</width>' /etc/xdg/monitors.xml ||
		vm_fail "vmodesd did not write 2560x1440 into /etc/xdg/monitors.xml at boot: $(cat /etc/xdg/monitors.xml 2>&1)"
	vm_log "/etc/xdg/monitors.xml: Virtual-1 2560x1440, $(grep -o '<rate>[0-9.]*' /etc/xdg/monitors.xml | head -n 1)"
	out=$(vmodes status --no-x 2>&1 | grep -E '^  Virtual-1 +2560x1440_44.00 ') || true
	echo "vmodes status: $out"
	grep -q 'listed (2560x1440@43\.9' <<<"$out" || vm_fail "vmodes status does not find 2560x1440@44 in the kernel's list: $out"
	greeter_expect 2560 1440 '43\.9'

	login
	vm_wait_mutter_mode 120 "$VM_DESKTOP_USER" "$USER_BUS" '^2560x1440@43\.9' || {
		agent_log
		vm_fail "the session shows ${VM_MUTTER_MODE:-nothing}, not the stored 2560x1440 at 44 Hz"
	}
	vm_log "GNOME on Wayland: Virtual-1 at $VM_MUTTER_MODE"
	agent_log 5
	shot gnome-wayland-session-2560x1440 2560x1440
	;;
*)
	vm_fail "unexpected boot $VM_BOOT"
	;;
esac
