# A real SPICE client in XFCE (one boot): vmodes from the package, auto-fit
# at 44 Hz and Virtual-1 1600x900@50 stored through vmodesd (so the
# session's X server starts with vmodesd's X config, which makes that mode
# X's preferred one), autologin into XFCE (spice-vdagentd and the session's
# spice-vdagent as the packages start them, `vmodes session` from its
# autostart entry). The client (spice-gtk's library, tests/vm/spice-client)
# sets its display 0 to 1440x900: Virtual-1 (not pinned) follows at 44 Hz;
# its second display at 1280x720 lights Virtual-2 right of Virtual-1
# (screendump 2720x900); no mode set in the 15 s after.
# The user has set XFCE's "When new displays are connected" to "Do nothing"
# (xfconf displays /Notify = 0), as README asks for auto-fit: with the
# default (show the dialog), xfsettingsd also switches a new head on, 1 s
# after the RandR event, at its own place (+0+0: mirrored); one run of 7
# ended that way (its change came after the agent's).
# vm-image: xfce
# vm-boot: real
# vm-device: qxl
# vm-outputs: 4
# vm-spice: glib
# vm-timeout: 900

. /vmtest/guest/desktop.sh
DBUS=(org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1)

vm_check_install
vm_wait_greeter 240
vm_wait_for 60 busctl get-property "${DBUS[@]}" Version || vm_fail "vmodesd does not answer on the system bus"
busctl call "${DBUS[@]}" SetOptions 'a{sv}' 2 auto-fit b true auto-fit-refresh d 44
out=$(env -u DISPLAY vmodes add Virtual-1 1600x900@50 2>&1) || vm_fail "vmodes add Virtual-1: $out"
echo "$out"
xfconf_dir=/home/$VM_DESKTOP_USER/.config/xfce4/xfconf/xfce-perchannel-xml
mkdir -p "$xfconf_dir"
cat >"$xfconf_dir/displays.xml" <<-'XML'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="displays" version="1.0">
  <property name="Notify" type="int" value="0"/>
</channel>
XML
chown -R "$VM_DESKTOP_USER:" "/home/$VM_DESKTOP_USER/.config"
vm_autologin on xfce
t0=$(vm_uptime)
systemctl restart display-manager
vm_wait_for 180 vm_session_pid xfdesktop || vm_fail "XFCE did not start"
vm_session_attach xfce4-session
vm_check_agent_autostarted xfce4-session
vm_log "XFCE session up $(vm_since "$t0") s after the display manager's restart"
vm_wait_for 60 pgrep -u "$VM_DESKTOP_USER" -x spice-vdagent || vm_fail "the session's spice-vdagent does not run"
sleep 5
vm_expect_layout 1600x900+0+0@50
vm_log "SPICE agents: $(pgrep -a spice-vdagent | tr '\n' '|')"

vm_host SPICE-CLIENT || vm_fail "no SPICE client: $VM_REPLY"
vm_spice_display 0 1440 900
vm_wait_geometry 30 Virtual-1 1440x900+0+0 || {
	vm_session_diag
	vm_fail "Virtual-1 did not follow the client's display 0 to 1440x900: at $(vm_output_geometry Virtual-1)"
}
vm_log "Virtual-1 followed the client to 1440x900 in $VM_WAITED s"
vm_spice_display 1 1280 720
vm_wait_geometry 30 Virtual-2 1280x720+1440+0 || {
	vm_session_diag
	vm_fail "Virtual-2 did not light at 1280x720 right of Virtual-1: at '$(vm_output_geometry Virtual-2)'"
}
vm_log "Virtual-2 lit right of Virtual-1 in $VM_WAITED s"
sleep 3
vm_expect_layout 1440x900+0+0@44 1280x720+1440+0@44
vm_screendump xfce-spice-2720x900 2720x900
vm_expect_idle 15 spice-second-display
vm_expect_layout 1440x900+0+0@44 1280x720+1440+0@44
