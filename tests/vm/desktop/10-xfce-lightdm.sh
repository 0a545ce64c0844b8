# XFCE + LightDM, installed from the package, three boots and one SPICE client:
#
# boot 1  LightDM's greeter comes up at the X default; `vmodes add Virtual-1
#         2560x1440@44 --apply` and `vmodes add Virtual-2 1920x1080
#         --right-of Virtual-1` in the greeter's X server store the layout
#         through vmodesd and show it at once; the user's xfsettingsd gets a
#         stale display profile (Virtual-1 1024x768, Virtual-2 off).
# boot 2  Greeter: the greeter shows 4480x1440 from the X config alone.
#         Autostart: autologin into XFCE; `vmodes session` runs from the XDG
#         autostart entry (its ancestor is xfce4-session); the stored layout
#         is live, the stale profile did not undo it; no mode set in 15 s.
#         Coexistence: the display dialog's change (xfconf "displays" +
#         /Schemes/Apply, which xfsettingsd applies with XRandR) is kept:
#         Virtual-1 is not pinned; no mode set in 15 s. Pinned: with
#         Virtual-1 pinned, the same change is undone by vmodes, once, and
#         nothing loops (0 mode sets in 15 s). Persistence: `vmodes add
#         Virtual-1 1920x1200@50 --apply` by the user in the session.
# boot 3  The greeter and then the session come back with 1920x1200 +
#         1920x1080 (the dialog's Default profile, now stale, does not undo
#         it); no mode set in 15 s.
# vm-image: xfce
# vm-boot: real
# vm-device: qxl
# vm-outputs: 4
# vm-timeout: 1200

. /vmtest/guest/desktop.sh
DBUS=(org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1)
XFCONF_DIR=/home/$VM_DESKTOP_USER/.config/xfce4/xfconf/xfce-perchannel-xml

# xfce_login: autologin the user into XFCE now; waits until xfsettingsd and
# the desktop run, and attaches to the session.
xfce_login() {
	local t0
	t0=$(vm_uptime)
	vm_autologin on xfce
	systemctl restart display-manager
	vm_wait_for 120 vm_session_pid xfdesktop || vm_fail "XFCE did not start: $(ps -u "$VM_DESKTOP_USER" -o args | tail -n 20)"
	vm_wait_for 60 vm_session_pid xfsettingsd || vm_fail "xfsettingsd did not start"
	vm_session_attach xfce4-session
	vm_log "XFCE session up $(vm_since "$t0") s after the display manager's restart (DISPLAY $DISPLAY)"
	vm_check_agent_autostarted xfce4-session
	# let xfsettingsd and the agent finish what they do at login
	sleep 8
	vm_log "xsession-errors: $(grep -i 'vmodes' "/home/$VM_DESKTOP_USER/.xsession-errors" 2>/dev/null | tail -n 8 | tr '\n' '|')"
}

# xfce_dialog_change W H X2: what the Display dialog does when its user picks
# WxH (60 Hz) for Virtual-1: the "Default" profile in xfconf, then
# /Schemes/Apply, which xfsettingsd applies with XRandR (Virtual-2 moves to
# X2 to stay right of it).
xfce_dialog_change() {
	# the dialog writes every property of every output it shows, then asks
	# xfsettingsd to apply the profile (one shell: runuser is slow here)
	vm_as_user bash -c 'set -e
		q() { xfconf-query -c displays -n "$@"; }
		for o in Virtual-1 Virtual-2; do
			q -p "/Default/$o" -t string -s "$o"
			q -p "/Default/$o/Active" -t bool -s true
			q -p "/Default/$o/RefreshRate" -t double -s 60.0
			q -p "/Default/$o/Position/Y" -t int -s 0
		done
		q -p /Default/Virtual-1/Resolution -t string -s "$1x$2"
		q -p /Default/Virtual-1/Position/X -t int -s 0
		q -p /Default/Virtual-2/Resolution -t string -s 1920x1080
		q -p /Default/Virtual-2/Position/X -t int -s "$3"
		q -p /Schemes/Apply -t string -s Default' xfconf "$1" "$2" "$3"
	vm_log "display dialog: Virtual-1 ${1}x$2 at 60 Hz, applied through xfsettingsd"
}

stale_profile() {
	mkdir -p "$XFCONF_DIR"
	cat >"$XFCONF_DIR/displays.xml" <<-'XML'
	<?xml version="1.0" encoding="UTF-8"?>
	<channel name="displays" version="1.0">
	  <property name="ActiveProfile" type="string" value="Default"/>
	  <property name="Default" type="empty">
	    <property name="Virtual-1" type="string" value="Virtual-1">
	      <property name="Active" type="bool" value="true"/>
	      <property name="EDID" type="string" value=""/>
	      <property name="Resolution" type="string" value="1024x768"/>
	      <property name="RefreshRate" type="double" value="60.000000"/>
	      <property name="Rotation" type="int" value="0"/>
	      <property name="Reflection" type="string" value="0"/>
	      <property name="Primary" type="bool" value="true"/>
	      <property name="Scale" type="empty">
	        <property name="X" type="double" value="1.000000"/>
	        <property name="Y" type="double" value="1.000000"/>
	      </property>
	      <property name="Position" type="empty">
	        <property name="X" type="int" value="0"/>
	        <property name="Y" type="int" value="0"/>
	      </property>
	    </property>
	    <property name="Virtual-2" type="string" value="Virtual-2">
	      <property name="Active" type="bool" value="false"/>
	      <property name="EDID" type="string" value=""/>
	      <property name="Resolution" type="string" value="1024x768"/>
	      <property name="RefreshRate" type="double" value="60.000000"/>
	      <property name="Position" type="empty">
	        <property name="X" type="int" value="1024"/>
	        <property name="Y" type="int" value="0"/>
	      </property>
	    </property>
	  </property>
	</channel>
	XML
	chown -R "$VM_DESKTOP_USER:" "/home/$VM_DESKTOP_USER/.config"
	vm_log "stale xfsettingsd profile: Virtual-1 1024x768, Virtual-2 off ($XFCONF_DIR/displays.xml)"
}

vm_wait_vmodesd() {
	vm_wait_for 60 busctl get-property "${DBUS[@]}" Version || vm_fail "vmodesd does not answer on the system bus"
}

case $VM_BOOT in
1)
	vm_check_install
	vm_wait_greeter 240
	vm_screendump xfce-greeter-default
	vm_wait_vmodesd
	vm_log "in the greeter's X server ($DISPLAY): vmodes add, stored through vmodesd and live"
	out=$(vmodes add Virtual-1 2560x1440@44 --apply 2>&1) || vm_fail "vmodes add Virtual-1: $out"
	echo "$out"
	out=$(vmodes add Virtual-2 1920x1080 --right-of Virtual-1 2>&1) || vm_fail "vmodes add Virtual-2: $out"
	echo "$out"
	! grep -qi warning <<<"$out" || vm_fail "vmodes add warned: $out"
	vm_expect_layout 2560x1440+0+0@44 1920x1080+2560+0@60
	vm_screendump xfce-greeter-live 4480x1440
	stale_profile
	vm_reboot
	;;
2)
	vm_wait_greeter 240
	vm_log "[time] greeter at uptime $VM_GREETER_AT s"
	vm_expect_layout 2560x1440+0+0@44 1920x1080+2560+0@60
	vm_screendump xfce-greeter-4480x1440 4480x1440

	xfce_login
	vm_expect_layout 2560x1440+0+0@44 1920x1080+2560+0@60
	vm_screendump xfce-session-4480x1440 4480x1440
	vm_expect_idle 15 login

	# the Display dialog's change of a head that is not pinned stays
	xfce_dialog_change 1920 1080 1920
	vm_wait_geometry 20 Virtual-1 1920x1080+0+0 ||
		vm_fail "xfsettingsd did not apply the dialog's change: Virtual-1 at $(vm_output_geometry Virtual-1)"
	sleep 3
	vm_expect_layout 1920x1080+0+0@60 1920x1080+1920+0@60
	vm_screendump xfce-dialog-3840x1080 3840x1080
	vm_expect_idle 15 dialog-change

	# pinned: vmodes gives Virtual-1 its mode back (the config change
	# itself re-applies the layout), and again after the dialog's change
	busctl call "${DBUS[@]}" SetHeadOptions 'sa{sv}' Virtual-1 1 pinned b true
	vm_wait_geometry 20 Virtual-1 2560x1440+0+0 || vm_fail "pinning Virtual-1 did not bring its mode back"
	xfce_dialog_change 1920 1080 1920
	sleep 5
	vm_wait_geometry 20 Virtual-1 2560x1440+0+0 ||
		vm_fail "vmodes did not give the pinned Virtual-1 its mode back: at $(vm_output_geometry Virtual-1)"
	vm_expect_layout 2560x1440+0+0@44
	# Virtual-2 (not pinned) keeps the size and place the dialog gave it:
	# only the pinned head is set back, so it overlaps Virtual-1 now
	v2=$(vm_output_geometry Virtual-2)
	[ "${v2%%+*}" = 1920x1080 ] || vm_fail "Virtual-2 is at '$v2' after the pinned head came back, expected 1920x1080"
	vm_log "Virtual-2 stays where the dialog put it: $v2 (screen $(vm_screen_size))"
	vm_screendump xfce-pinned "$(vm_screen_size)"
	vm_expect_idle 15 pinned-dialog-change

	# the user changes the layout in the session; it must survive a reboot
	out=$(vm_as_user vmodes add Virtual-1 1920x1200@50 --apply 2>&1) || vm_fail "vmodes add as $VM_DESKTOP_USER: $out"
	echo "$out"
	! grep -qi warning <<<"$out" || vm_fail "vmodes add warned: $out"
	vm_expect_layout 1920x1200+0+0@50 1920x1080+1920+0@60
	vm_autologin off
	vm_reboot
	;;
3)
	vm_wait_greeter 240
	vm_log "[time] greeter at uptime $VM_GREETER_AT s"
	vm_expect_layout 1920x1200+0+0@50 1920x1080+1920+0@60
	vm_screendump xfce-greeter-3840x1200 3840x1200
	xfce_login
	vm_expect_layout 1920x1200+0+0@50 1920x1080+1920+0@60
	vm_screendump xfce-session-3840x1200 3840x1200
	vm_expect_idle 15 login-after-reboot
	;;
*)
	vm_fail "unexpected boot $VM_BOOT"
	;;
esac
