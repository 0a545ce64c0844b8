# sway 1.7 (one boot, the "sway" image): no display manager, the user's
# tty1 login starts sway, whose config (tests/vm/guest/sway-config)
# includes /etc/sway/config.d, where the package's 50-vmodes.conf starts
# `vmodes session`; vmodes drives sway's outputs over its IPC
# socket. As the user, in the sway session (SWAYSOCK and WAYLAND_DISPLAY
# set, the session's cgroup):
# - `vmodes add Virtual-1 2560x1440@44 --apply --no-store`: get_outputs
#   shows Virtual-1 at 2560x1440, 43.9-44.0 Hz (sway takes the CVT
#   modeline: 43.986 Hz); host screendump 2560x1440; nothing stored;
# - the same without --no-store: stored through vmodesd (polkit: the active
#   tty1 session), the output stays so;
# - the SPICE client (spice-gtk, tests/vm/spice-client) shows display 0 at
#   2560x1440 and switches display 1 on at 1280x720: sway lights Virtual-2;
#   `vmodes add Virtual-2 1280x720@44 --right-of Virtual-1` puts it at
#   +2560+0, 43.84 Hz, Virtual-1 staying at +0+0 (screendump 3840x1440);
# - auto-fit at 44 Hz (vmodesd's SetOptions): the client's display 0 goes
#   to 1440x900; Virtual-1 follows at 43.9-44.0 Hz and Virtual-2 moves to
#   +1440+0 (screendump 2720x900); no mode set in the 10 s after.
# The QXL screendump under sway (kernel qxl driver) is the heads side by
# side in head order, whatever sway's layout (doc/kms-routes.md).
# vm-image: sway
# vm-boot: real
# vm-device: qxl
# vm-outputs: 4
# vm-spice: glib
# vm-timeout: 600

. /vmtest/guest/desktop.sh
DBUS=(org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1)
CONF=/etc/vmodes/vmodes.conf

# agent_log: the session agent's lines (it writes to sway's stderr, which
# the login sends to the journal as "sway")
agent_log() { journalctl -b --no-pager -o cat -t sway 2>/dev/null | grep -F 'vmodes' || true; }

virtual2_on() { [ -n "$(vm_sway_geometry Virtual-2)" ]; }

# user_vmodes ARGS: `vmodes ARGS` as the user in the sway session; its
# output in $VM_OUT, the seconds it took in $VM_TOOK.
user_vmodes() {
	local t0 rc=0
	t0=$(vm_uptime)
	VM_OUT=$(vm_sway_as_user vmodes "$@" 2>&1) || rc=$?
	VM_TOOK=$(vm_since "$t0")
	vm_log "vmodes $* ($VM_TOOK s, status $rc): $(tr '\n' '|' <<<"$VM_OUT")"
	[ "$rc" -eq 0 ] || {
		vm_sway_diag
		agent_log | tail -n 20
		vm_fail "vmodes $* failed: $VM_OUT"
	}
}

vm_check_install
vm_wait_for 60 busctl get-property "${DBUS[@]}" Version || vm_fail "vmodesd does not answer on the system bus"
# the boot's sway may have started before the package was installed
vm_sway_login 120
vm_check_sway_agent
vm_expect_sway_output Virtual-1 1024x768+0+0
vm_screendump sway-1024x768 1024x768

# live only
vm_sway_log_mark
user_vmodes add Virtual-1 2560x1440@44 --apply --no-store
vm_expect_sway_output Virtual-1 2560x1440+0+0 43.9 44.0
vm_log "sway: $(vm_sway_log_new | grep -E 'Handling command|Registered custom|Modesetting with' | tr '\n' '|')"
[ ! -e "$CONF" ] || ! grep -q 2560x1440 "$CONF" || vm_fail "--no-store stored: $(cat "$CONF")"
vm_screendump sway-2560x1440 2560x1440

# stored through vmodesd, and live
vm_sway_log_mark
user_vmodes add Virtual-1 2560x1440@44 --apply
grep -q '^stored: Virtual-1 2560x1440_44.00' <<<"$VM_OUT" || vm_fail "vmodes add did not report it stored: $VM_OUT"
grep -qx 'mode = 2560x1440@44' "$CONF" || vm_fail "$CONF lacks the mode: $(cat "$CONF" 2>&1)"
vm_expect_sway_output Virtual-1 2560x1440+0+0 43.9 44.0
n=$(vm_sway_modesets)
vm_log "for the stored mode, already live: $(vm_sway_output_commands) output command(s), $n mode set(s)"
[ "$n" -eq 0 ] || vm_fail "$n mode set(s) for a mode sway already showed"

# a second head from the SPICE client, placed right of the first
vm_host SPICE-CLIENT || { vm_sway_diag; vm_fail "no SPICE client: $VM_REPLY"; }
vm_spice_display 0 2560 1440
vm_spice_display 1 1280 720
vm_wait_for 30 virtual2_on || {
	vm_sway_diag
	vm_fail "Virtual-2 did not come on in sway when the client switched display 1 on: '$(vm_sway_geometry Virtual-2)'"
}
vm_log "Virtual-2 on in sway: $(vm_sway_brief | tr '\n' '|')"
vm_sway_log_mark
user_vmodes add Virtual-2 1280x720@44 --right-of Virtual-1
vm_expect_sway_output Virtual-1 2560x1440+0+0 43.9 44.0
vm_expect_sway_output Virtual-2 1280x720+2560+0 43.8 44.0
vm_log "sway: $(vm_sway_log_new | grep -E 'Handling command|Modesetting with' | tr '\n' '|')"
vm_screendump sway-two-heads-3840x1440 3840x1440

# auto-fit: the heads follow the client's displays at 44 Hz
busctl call "${DBUS[@]}" SetOptions 'a{sv}' 2 auto-fit b true auto-fit-refresh d 44
vm_sway_log_mark
t0=$(vm_uptime)
vm_spice_display 0 1440 900
vm_wait_sway_geometry 30 Virtual-1 1440x900+0+0 && vm_wait_sway_geometry 10 Virtual-2 1280x720+1440+0 || {
	vm_sway_diag
	agent_log | tail -n 20
	vm_fail "auto-fit: the heads did not follow the client's 1440x900 display 0: $(vm_sway_brief | tr '\n' '|')"
}
vm_log "auto-fit: Virtual-1 at 1440x900, Virtual-2 right of it, $(vm_since "$t0") s after the client asked"
vm_expect_sway_output Virtual-1 1440x900+0+0 43.9 44.0
vm_expect_sway_output Virtual-2 1280x720+1440+0 43.8 44.0
vm_log "sway: $(vm_sway_log_new | grep -E 'Handling command|Modesetting with' | tr '\n' '|')"
vm_screendump sway-autofit-2720x900 2720x900
vm_sway_expect_idle 10 auto-fit
vm_expect_sway_output Virtual-1 1440x900+0+0 43.9 44.0
vm_expect_sway_output Virtual-2 1280x720+1440+0 43.8 44.0
agent_log | tail -n 10
