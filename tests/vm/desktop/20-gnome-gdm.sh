# GNOME + GDM on Xorg (gdm3 with WaylandEnable=false, the "GNOME on Xorg"
# session), installed from the package, two boots:
#
# boot 1  The display manager is stopped (its Wayland greeter is not part of
#         this run); `vmodes add Virtual-1 2560x1440@44` and `vmodes add
#         Virtual-2 1920x1080 --right-of Virtual-1` store the layout through
#         vmodesd (no X server: stored only); gdm3 gets WaylandEnable=false;
#         the user gets a stale ~/.config/monitors.xml (Virtual-1 1024x768
#         alone).
# boot 2  Greeter: GDM's greeter (its own Xorg) comes up at 4480x1440.
#         Autostart and login time: autologin into GNOME on Xorg; the
#         session reaches its applications phase (a marker entry of that
#         phase runs) without waiting for vmodes: `vmodes session` runs from
#         the XDG autostart entry, its ancestor is the session, and the
#         journal has no "failed to register" line for it; the time from
#         the display manager's start to the marker is printed (a login
#         without vmodes is not repeated in every run: see tests/vm/README.md).
#         Coexistence: the stored layout is live after login (the stale
#         monitors.xml did not undo it); no mode set in 15 s; a change made
#         as GNOME's Displays panel makes it (org.gnome.Mutter.DisplayConfig
#         ApplyMonitorsConfig, Virtual-1 1920x1080) stays: Virtual-1 is not
#         pinned; no mode set in 15 s.
# vm-image: gnome
# vm-boot: real
# vm-device: qxl
# vm-outputs: 4
# vm-memory: 3072
# vm-timeout: 1500

. /vmtest/guest/desktop.sh
MARKER=/etc/xdg/autostart/vmtest-marker.desktop
# mutter answers slowly while it renders a 4480x1440 screen with llvmpipe
# under TCG: gdbus' default of 25 s once timed out
MUTTER=(--timeout 120 --session --dest org.gnome.Mutter.DisplayConfig --object-path /org/gnome/Mutter/DisplayConfig)

# gnome_login: autologin into GNOME on Xorg now (the display manager starts
# again); waits for the marker entry of the applications phase, sets
# VM_LOGIN_S to the seconds from the restart until it ran.
gnome_login() {
	local t0 type
	rm -f /tmp/vmtest-marker
	vm_autologin on gnome-xorg
	t0=$(vm_uptime)
	systemctl restart display-manager
	vm_wait_for 400 test -s /tmp/vmtest-marker ||
		vm_fail "the GNOME session did not reach its applications phase in 400 s: $(ps -u "$VM_DESKTOP_USER" -o args | tail -n 20)"
	VM_LOGIN_S=$(awk -v a="$(cat /tmp/vmtest-marker)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
	# read once gnome-shell's environment has them (a read right after
	# login once came back empty)
	vm_wait_for 60 vm_session_ready gnome-shell ||
		vm_fail "gnome-shell has no DISPLAY or XDG_SESSION_TYPE: $(ps -u "$VM_DESKTOP_USER" -o pid,args | grep gnome-shell)"
	vm_session_attach gnome-shell
	type=$(vm_session_env "$(vm_session_pid gnome-shell)" XDG_SESSION_TYPE)
	[ "$type" = x11 ] || vm_fail "the session is not an X11 session: XDG_SESSION_TYPE=${type:-(not set)}"
	vm_log "[time] GNOME on Xorg: applications phase $VM_LOGIN_S s after the display manager's start (DISPLAY $DISPLAY)"
}

stale_monitors_xml() {
	local dir=/home/$VM_DESKTOP_USER/.config
	mkdir -p "$dir"
	cat >"$dir/monitors.xml" <<-'XML'
	<monitors version="2">
	  <configuration>
	    <logicalmonitor>
	      <x>0</x>
	      <y>0</y>
	      <scale>1</scale>
	      <primary>yes</primary>
	      <monitor>
	        <monitorspec>
	          <connector>Virtual-1</connector>
	          <vendor>unknown</vendor>
	          <product>unknown</product>
	          <serial>unknown</serial>
	        </monitorspec>
	        <mode>
	          <width>1024</width>
	          <height>768</height>
	          <rate>60</rate>
	        </mode>
	      </monitor>
	    </logicalmonitor>
	  </configuration>
	</monitors>
	XML
	chown -R "$VM_DESKTOP_USER:" "$dir"
	vm_log "stale monitors.xml: Virtual-1 1024x768 alone ($dir/monitors.xml)"
}

# mutter_apply W H: what GNOME's Displays panel does when its user picks WxH
# for Virtual-1: ApplyMonitorsConfig (method 1, temporary) with a mode of
# the list GetCurrentState gives, Virtual-2 right of it.
mutter_apply() {
	local state serial m1 m2 cur2
	state=$(vm_as_user gdbus call "${MUTTER[@]}" --method org.gnome.Mutter.DisplayConfig.GetCurrentState) ||
		vm_fail "GetCurrentState failed"
	serial=$(sed -n 's/^(uint32 \([0-9]*\),.*/\1/p' <<<"$state")
	m1=$(grep -o "'$1x$2@[0-9.]*'" <<<"$state" | head -n 1)
	[ -n "$serial" ] && [ -n "$m1" ] || vm_fail "no serial or no $1x$2 mode in GetCurrentState: ${state:0:600}"
	# Virtual-2 keeps its current mode (the one marked is-current)
	cur2=$(grep -o "('Virtual-2'.*" <<<"$state" | grep -o "('[0-9]*x[0-9]*@[0-9.]*', [^)]*'is-current': <true>" | head -n 1)
	m2=$(grep -o "'[0-9]*x[0-9]*@[0-9.]*'" <<<"$cur2" | head -n 1)
	[ -n "$m2" ] || vm_fail "no current mode of Virtual-2 in GetCurrentState"
	vm_log "ApplyMonitorsConfig: Virtual-1 $m1, Virtual-2 $m2 right of it (serial $serial)"
	vm_as_user gdbus call "${MUTTER[@]}" --method org.gnome.Mutter.DisplayConfig.ApplyMonitorsConfig \
		"$serial" 1 "[(0, 0, 1.0, uint32 0, true, [('Virtual-1', $m1, @a{sv} {})]), ($1, 0, 1.0, uint32 0, false, [('Virtual-2', $m2, @a{sv} {})])]" \
		"@a{sv} {}" || vm_fail "ApplyMonitorsConfig failed"
}

case $VM_BOOT in
1)
	systemctl stop display-manager || true
	vm_check_install
	vm_wait_for 60 busctl get-property org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1 Version ||
		vm_fail "vmodesd does not answer on the system bus"
	out=$(env -u DISPLAY vmodes add Virtual-1 2560x1440@44 2>&1) || vm_fail "vmodes add Virtual-1: $out"
	echo "$out"
	out=$(env -u DISPLAY vmodes add Virtual-2 1920x1080 --right-of Virtual-1 2>&1) || vm_fail "vmodes add Virtual-2: $out"
	echo "$out"
	vm_gdm_conf off gnome-xorg false
	stale_monitors_xml
	cat >"$MARKER" <<-'EOF'
	[Desktop Entry]
	Type=Application
	Name=vmtest marker
	Exec=sh -c 'cut -d" " -f1 /proc/uptime >/tmp/vmtest-marker'
	NoDisplay=true
	X-GNOME-Autostart-Phase=Applications
	EOF
	vm_reboot
	;;
2)
	vm_wait_greeter 400
	vm_log "[time] GDM greeter (Xorg) at uptime $VM_GREETER_AT s"
	vm_expect_layout 2560x1440+0+0@44 1920x1080+2560+0@60
	vm_screendump gnome-greeter-4480x1440 4480x1440

	gnome_login
	vm_check_agent_autostarted gnome-session-b
	# checked at the end of this boot, so that a failure here still
	# measures the rest
	registration=$(journalctl -b --no-pager | grep -F "vmodes-session.desktop" | grep -i "failed to register" || true)
	[ -z "$registration" ] || vm_log "FAIL (checked at the end): gnome-session waited for vmodes session: $registration"
	sleep 10
	vm_expect_layout 2560x1440+0+0@44 1920x1080+2560+0@60
	vm_screendump gnome-session-4480x1440 4480x1440
	vm_expect_idle 15 login

	mutter_apply 1920 1080
	vm_wait_geometry 20 Virtual-1 1920x1080+0+0 ||
		vm_fail "mutter did not apply the change: Virtual-1 at $(vm_output_geometry Virtual-1)"
	sleep 3
	vm_expect_layout 1920x1080+0+0@60 1920x1080+1920+0@60
	vm_screendump gnome-displayconfig-3840x1080 3840x1080
	vm_expect_idle 15 displayconfig-change

	[ -z "$registration" ] || vm_fail "gnome-session waited for vmodes session to register: $registration"
	;;
*)
	vm_fail "unexpected boot $VM_BOOT"
	;;
esac
