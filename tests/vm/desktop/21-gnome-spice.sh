# A real SPICE client in GNOME on Xorg (one boot): vmodes from the package,
# auto-fit at 44 Hz stored through vmodesd, autologin into GNOME on Xorg
# (gdm3 with WaylandEnable=false; spice-vdagent and `vmodes session` from
# their autostart entries). mutter follows the host itself: the QXL
# outputs carry the hotplug_mode_update property, and mutter takes a
# hotplug on such an output as the host's word and picks the size the
# host asks. So vmodes' auto-fit leaves those heads to it (README "Desktops:
# who owns the layout"). The client (spice-gtk's library,
# tests/vm/spice-client) sets its display 0 to 1440x900: Virtual-1 ends at
# 1440x900, set once, and no mode set comes in the 15 s after; its second
# display at 1280x720 lights Virtual-2 right of Virtual-1 (screendump
# 2720x900), again with no mode set in the 15 s after.
# vm-image: gnome
# vm-boot: real
# vm-device: qxl
# vm-outputs: 4
# vm-memory: 3072
# vm-spice: glib
# vm-timeout: 1500

. /vmtest/guest/desktop.sh
DBUS=(org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1)

# agent_log: what the session agent logged in this session (the session's
# journal: gnome-session runs autostart programs in scopes of their own).
agent_log() { journalctl -b --no-pager -o cat _UID="$(id -u "$VM_DESKTOP_USER")" 2>/dev/null | grep -F 'vmodes session' || true; }

systemctl stop display-manager || true
vm_check_install
vm_wait_for 60 busctl get-property "${DBUS[@]}" Version || vm_fail "vmodesd does not answer on the system bus"
busctl call "${DBUS[@]}" SetOptions 'a{sv}' 2 auto-fit b true auto-fit-refresh d 44
vm_autologin on gnome-xorg
t0=$(vm_uptime)
systemctl start display-manager
vm_wait_for 400 vm_session_ready gnome-shell || vm_fail "GNOME did not start within 400 s"
vm_session_attach gnome-shell
vm_check_agent_autostarted gnome-session-b
vm_wait_for 120 pgrep -u "$VM_DESKTOP_USER" -x spice-vdagent || vm_fail "the session's spice-vdagent does not run"
vm_log "GNOME session up $(vm_since "$t0") s after the display manager's start (DISPLAY $DISPLAY)"
# let the session finish what it does at login (mutter renders with
# llvmpipe under TCG)
sleep 20
vm_log "SPICE agents: $(pgrep -a spice-vdagent | tr '\n' '|')"

vm_host SPICE-CLIENT || vm_fail "no SPICE client: $VM_REPLY"
vm_watch_randr resize
vm_spice_display 0 1440 900
vm_wait_geometry 60 Virtual-1 1440x900+0+0 || {
	vm_session_diag
	agent_log | tail -n 20
	vm_fail "Virtual-1 did not follow the client's display 0 to 1440x900: at $(vm_output_geometry Virtual-1)"
}
vm_log "Virtual-1 at 1440x900 $VM_WAITED s after the client asked"
sleep 10
vm_unwatch_randr resize
vm_log "Virtual-1: $(vm_output_mode Virtual-1); CRTC changes from the request until 10 s after: $VM_MODESETS"
agent_log | tail -n 10
vm_expect_idle 15 spice-resize
# mutter's mode from the kernel's list (60 Hz), not auto-fit's 44 Hz: the
# agent saw hotplug_mode_update on the output and left it to mutter
vm_expect_layout 1440x900+0+0@60

vm_watch_randr second
vm_spice_display 1 1280 720
vm_wait_geometry 60 Virtual-2 1280x720+1440+0 || {
	vm_session_diag
	agent_log | tail -n 20
	vm_fail "Virtual-2 did not light at 1280x720 right of Virtual-1: at '$(vm_output_geometry Virtual-2)'"
}
vm_log "Virtual-2 lit right of Virtual-1 $VM_WAITED s after the client asked"
sleep 10
vm_unwatch_randr second
vm_log "Virtual-2: $(vm_output_mode Virtual-2); CRTC changes from the request until 10 s after: $VM_MODESETS"
vm_screendump gnome-spice-2720x900 2720x900
vm_expect_idle 15 spice-second-display
vm_expect_layout 1440x900+0+0@60 1280x720+1440+0@60
agent_log | tail -n 10
