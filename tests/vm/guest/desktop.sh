# SPDX-License-Identifier: MIT
# Library for the desktop scenarios (tests/vm/desktop/, images built with
# build-image --flavour=xfce|gnome|sway), loaded by a scenario after vmtest.sh:
#   . /vmtest/guest/desktop.sh
# The image boots to graphical.target: its display manager (LightDM or GDM)
# starts at every boot as on an installed desktop; the scenario finds its X
# server, logs the image's user in with the display manager's autologin and
# looks at the session from outside, as root. The sway image has no display
# manager: see the sway section at the end.

VM_DESKTOP_USER=vmuser
# Every screendump of a greeter or a desktop must show it drawn: gnome-shell
# paints its greeter under TCG (llvmpipe) well after its X server has the
# size (about 120 s after boot measured).
VM_SCREENDUMP_DRAWN=240

# vm_dm: the display manager the image starts (lightdm | gdm3).
vm_dm() {
	local unit
	unit=$(readlink -f /etc/systemd/system/display-manager.service) || vm_fail "no display manager is enabled"
	unit=$(basename "$unit" .service)
	# gdm3's unit is gdm.service
	[ "$unit" = gdm ] && unit=gdm3
	echo "$unit"
}

# vm_x_attach: DISPLAY and XAUTHORITY of the newest Xorg (the greeter's, or
# the session's once someone logged in); returns 1 when none runs.
vm_x_attach() {
	local pid arg prev= disp= auth=
	pid=$(pgrep -n -x Xorg) || return 1
	while IFS= read -r -d '' arg; do
		case $arg in :[0-9]*) disp=$arg ;; esac
		[ "$prev" = -auth ] && auth=$arg
		prev=$arg
	done <"/proc/$pid/cmdline"
	# started with -displayfd (gdm): the display of its listening socket
	[ -n "$disp" ] || disp=$(vm_x_socket_display "$pid")
	[ -n "$disp" ] || return 1
	export DISPLAY=$disp
	if [ -n "$auth" ]; then export XAUTHORITY=$auth; else unset XAUTHORITY; fi
	VM_XORG_PID=$pid
}

# vm_x_socket_display PID: :N of the X server PID, from the path of its
# listening Unix socket (/tmp/.X11-unix/XN).
vm_x_socket_display() {
	local inodes
	inodes=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -dc '0-9\n')
	[ -n "$inodes" ] || return 0
	awk -v list="$inodes" 'BEGIN { n = split(list, a, "\n"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		want[$7] && $8 ~ /\/tmp\/\.X11-unix\/X[0-9]+$/ { sub(/.*X/, ":", $8); print $8; exit }' /proc/net/unix
}

# vm_x_ready: the X server of vm_x_attach answers.
vm_x_ready() { vm_x_attach && xrandr --current >/dev/null 2>&1; }

# vm_screen_size: the X screen's current size (WxH).
vm_screen_size() { xrandr --current | sed -n 's/.*current \([0-9]*\) x \([0-9]*\),.*/\1x\2/p'; }

# vm_greeter_process: the greeter's process name for the image's display manager.
vm_greeter_process() {
	case $(vm_dm) in
	lightdm) echo lightdm-gtk-gre ;;  # comm is cut at 15 characters
	gdm3) echo gnome-shell ;;
	*) vm_fail "unknown display manager $(vm_dm)" ;;
	esac
}

# vm_greeter_up: the greeter runs, its X server answers and a window manager
# or greeter window is mapped on it.
vm_greeter_up() {
	local user
	case $(vm_dm) in
	lightdm) user=lightdm ;;
	gdm3) user=Debian-gdm ;;
	esac
	pgrep -u "$user" -x "$(vm_greeter_process)" >/dev/null || return 1
	vm_x_ready || return 1
	# a mapped top-level window of at least 640 pixels (the greeter's)
	xwininfo -root -children 2>/dev/null | awk '
		{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+x[0-9]+\+/) { split($i, g, /[x+]/); if (g[1] >= 640) ok = 1 } }
		END { exit !ok }'
}

# vm_wait_greeter SECONDS: wait for the login screen; sets VM_GREETER_AT to
# the uptime at which it showed.
vm_wait_greeter() {
	vm_wait_for "$1" vm_greeter_up || {
		journalctl -b --no-pager -u display-manager -n 30 || true
		vm_fail "no $(vm_dm) greeter within $1 s (uptime $(vm_uptime))"
	}
	vm_x_attach
	VM_GREETER_AT=$(vm_uptime)
	vm_log "$(vm_dm) greeter is up at uptime $VM_GREETER_AT s on $DISPLAY: screen $(vm_screen_size)"
}

# vm_autologin on|off [SESSION]: the display manager logs the image's user
# in by itself (or not) from its next start; SESSION is the X session
# (xfce, gnome-xorg; default: the image's desktop).
vm_autologin() {
	local mode=$1 session=${2:-}
	case $(vm_dm) in
	lightdm)
		mkdir -p /etc/lightdm/lightdm.conf.d
		if [ "$mode" = on ]; then
			printf '[Seat:*]\nautologin-user=%s\nautologin-user-timeout=0\nautologin-session=%s\n' \
				"$VM_DESKTOP_USER" "${session:-xfce}" >/etc/lightdm/lightdm.conf.d/50-vmtest-autologin.conf
		else
			rm -f /etc/lightdm/lightdm.conf.d/50-vmtest-autologin.conf
		fi
		;;
	gdm3)
		vm_gdm_conf "$mode" "${session:-gnome-xorg}" "${VM_GDM_WAYLAND:-false}"
		;;
	esac
	vm_log "autologin $mode ($(vm_dm))"
}

# vm_gdm_conf on|off SESSION WAYLAND: gdm3's daemon.conf (autologin, and
# WaylandEnable=WAYLAND); the user's session choice goes to AccountsService.
vm_gdm_conf() {
	local mode=$1 session=$2 wayland=$3
	{
		echo "[daemon]"
		echo "WaylandEnable=$wayland"
		if [ "$mode" = on ]; then
			echo "AutomaticLoginEnable=true"
			echo "AutomaticLogin=$VM_DESKTOP_USER"
		fi
		printf '[security]\n[xdmcp]\n[chooser]\n[debug]\n'
	} >/etc/gdm3/daemon.conf
	mkdir -p /var/lib/AccountsService/users
	if [ "$wayland" = true ]; then
		# an XSession= line makes GDM start the X11 session of that name
		printf '[User]\nSession=%s\nSessionType=wayland\nSystemAccount=false\n' "$session" \
			>"/var/lib/AccountsService/users/$VM_DESKTOP_USER"
	else
		printf '[User]\nSession=%s\nXSession=%s\nSystemAccount=false\n' "$session" "$session" \
			>"/var/lib/AccountsService/users/$VM_DESKTOP_USER"
	fi
}

# vm_session_pid PROCESS: the newest process PROCESS of the image's user
# that runs in the X session (DISPLAY in its environment): right after
# login gnome-shell has short-lived namesakes without it, and a read of
# the newest one came back empty twice.
vm_session_pid() {
	local pid
	for pid in $(pgrep -u "$VM_DESKTOP_USER" -x "$1" | sort -rn); do
		if grep -qz '^DISPLAY=.' "/proc/$pid/environ" 2>/dev/null; then
			echo "$pid"
			return 0
		fi
	done
	return 1
}

# vm_session_env PID NAME: the value of NAME in the environment of PID.
vm_session_env() { tr '\0' '\n' <"/proc/$1/environ" | sed -n "s/^$2=//p" | head -n 1; }

# vm_session_ready PROCESS: the user's newest PROCESS runs with DISPLAY and
# XDG_SESSION_TYPE in its environment (right after login the newest
# gnome-shell once had no DISPLAY there).
vm_session_ready() {
	local pid
	pid=$(vm_session_pid "$1") &&
		[ -n "$(vm_session_env "$pid" DISPLAY)" ] && [ -n "$(vm_session_env "$pid" XDG_SESSION_TYPE)" ]
}

# vm_session_attach PROCESS: DISPLAY, XAUTHORITY and the session bus of the
# user's PROCESS (xfce4-session, gnome-session-binary ...), for vm_as_user
# and for X clients run as root.
vm_session_attach() {
	local pid
	pid=$(vm_session_pid "$1") || vm_fail "no $1 of $VM_DESKTOP_USER runs"
	VM_SESSION_CGROUP=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	export DISPLAY XAUTHORITY
	DISPLAY=$(vm_session_env "$pid" DISPLAY)
	XAUTHORITY=$(vm_session_env "$pid" XAUTHORITY)
	[ -n "$XAUTHORITY" ] || XAUTHORITY=/home/$VM_DESKTOP_USER/.Xauthority
	VM_SESSION_BUS=$(vm_session_env "$pid" DBUS_SESSION_BUS_ADDRESS)
	[ -n "$VM_SESSION_BUS" ] || VM_SESSION_BUS=unix:path=/run/user/$(id -u "$VM_DESKTOP_USER")/bus
}

# vm_as_user COMMAND...: run COMMAND as the session's user, in its session
# (vm_session_attach first): in the session's cgroup (logind and polkit
# take it for a program of that session, as if started from its
# terminal), with its X server and session bus.
# A subshell: only it moves into the session's cgroup, never the scenario.
vm_as_user() (
	[ -w "$VM_SESSION_CGROUP/cgroup.procs" ] || vm_fail "no session cgroup ($VM_SESSION_CGROUP)"
	echo "$BASHPID" >"$VM_SESSION_CGROUP/cgroup.procs"
	exec runuser -u "$VM_DESKTOP_USER" -- env DISPLAY="$DISPLAY" XAUTHORITY="$XAUTHORITY" \
		DBUS_SESSION_BUS_ADDRESS="$VM_SESSION_BUS" XDG_RUNTIME_DIR="/run/user/$(id -u "$VM_DESKTOP_USER")" \
		HOME="/home/$VM_DESKTOP_USER" "${VM_SESSION_ENV[@]}" "$@"
)
VM_SESSION_ENV=()

# vm_wayland_attach: like vm_session_attach, for the user's Wayland
# session (GNOME): its cgroup is the scope of its logind session (the
# programs of a GNOME session run as systemd user units, outside it), its
# bus the user's bus, its environment that of `vmodes session` (started by
# the session: WAYLAND_DISPLAY, XDG_SESSION_TYPE, XDG_CURRENT_DESKTOP).
vm_wayland_attach() {
	local s leader= agent var
	for s in $(loginctl list-sessions --no-legend | awk '{ print $1 }'); do
		[ "$(loginctl show-session "$s" -p Name --value)" = "$VM_DESKTOP_USER" ] &&
			[ "$(loginctl show-session "$s" -p Type --value)" = wayland ] &&
			[ "$(loginctl show-session "$s" -p State --value)" != closing ] || continue
		leader=$(loginctl show-session "$s" -p Leader --value)
	done
	[ -n "$leader" ] || vm_fail "$VM_DESKTOP_USER has no Wayland session: $(loginctl list-sessions --no-legend | tr '\n' '|')"
	VM_SESSION_CGROUP=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$leader/cgroup")
	VM_SESSION_BUS=unix:path=/run/user/$(id -u "$VM_DESKTOP_USER")/bus
	agent=$(pgrep -n -u "$VM_DESKTOP_USER" -x vmodes-session) || vm_fail "no vmodes session of $VM_DESKTOP_USER runs"
	VM_SESSION_ENV=()
	for var in WAYLAND_DISPLAY XDG_SESSION_TYPE XDG_CURRENT_DESKTOP; do
		VM_SESSION_ENV+=("$var=$(vm_session_env "$agent" "$var")")
	done
	DISPLAY=$(vm_session_env "$agent" DISPLAY)
	XAUTHORITY=
	vm_log "Wayland session of $VM_DESKTOP_USER: ${VM_SESSION_ENV[*]} (cgroup ${VM_SESSION_CGROUP#/sys/fs/cgroup})"
}

# vm_greeter_bus: the session bus of GDM's greeter (private: its address
# is in the greeter gnome-shell's environment).
vm_greeter_bus() {
	local pid
	pid=$(pgrep -n -u Debian-gdm -x gnome-shell) || return 1
	vm_session_env "$pid" DBUS_SESSION_BUS_ADDRESS
}

# vm_mutter_state USER BUS: mutter's GetCurrentState on session bus BUS
# (asked as USER; gdbus' text form).
vm_mutter_state() {
	runuser -u "$1" -- env DBUS_SESSION_BUS_ADDRESS="$2" XDG_RUNTIME_DIR="/run/user/$(id -u "$1")" \
		gdbus call --session --timeout 120 --dest org.gnome.Mutter.DisplayConfig \
		--object-path /org/gnome/Mutter/DisplayConfig --method org.gnome.Mutter.DisplayConfig.GetCurrentState
}

# vm_mutter_current USER BUS: the current mode of mutter's (only) monitor,
# as mutter names it ("1280x800@59.810"); nothing when it is off.
vm_mutter_current() {
	vm_mutter_state "$1" "$2" | grep -o "('[0-9]*x[0-9]*@[0-9.]*', [^{]*{[^}]*'is-current': <true>" |
		head -n 1 | sed -n "s/^('\([^']*\)'.*/\1/p"
}

# vm_wait_mutter_mode SECONDS USER BUS PATTERN: wait until mutter's current
# mode matches PATTERN (grep -E, e.g. '^1280x800@59\.8'); VM_MUTTER_MODE is
# the last one seen.
vm_wait_mutter_mode() {
	local t=0
	while :; do
		VM_MUTTER_MODE=$(vm_mutter_current "$2" "$3" 2>/dev/null || true)
		grep -Eq "$4" <<<"$VM_MUTTER_MODE" && return 0
		[ "$t" -lt "$1" ] || return 1
		sleep 1
		t=$((t + 1))
	done
}

# vm_parent_chain PID: the names of PID's ancestors, nearest first.
vm_parent_chain() {
	local pid=$1 names=
	while [ "$pid" -gt 1 ]; do
		pid=$(awk '{ print $4 }' "/proc/$pid/stat")
		names="$names $(cat "/proc/$pid/comm")"
	done
	echo "${names# }"
}

# vm_check_agent_autostarted SESSION_PROCESS: `vmodes session` runs as the
# user, started by the session (SESSION_PROCESS among its ancestors) from
# the XDG autostart entry.
vm_check_agent_autostarted() {
	local pid chain
	vm_wait_for 60 pgrep -u "$VM_DESKTOP_USER" -f '^/usr/bin/vmodes session' ||
		vm_fail "no 'vmodes session' of $VM_DESKTOP_USER runs: $(ps -u "$VM_DESKTOP_USER" -o pid,args | tail -n 30)"
	pid=$(pgrep -n -u "$VM_DESKTOP_USER" -f '^/usr/bin/vmodes session') || {
		vm_session_diag
		vm_fail "vmodes session exited right after it started"
	}
	chain=$(vm_parent_chain "$pid")
	case " $chain " in
	*" $1 "*) ;;
	*)
		# gnome-session with systemd puts an autostart program into a
		# scope of its own, app-gnome-<entry>-<pid>.scope
		grep -q 'app-gnome-vmodes\\x2dsession-[0-9]*\.scope' "/proc/$pid/cgroup" ||
			vm_fail "vmodes session (pid $pid) is not started by $1: its ancestors are $chain, cgroup $(cat "/proc/$pid/cgroup")"
		chain="$chain (scope $(sed -n 's|.*/||p' "/proc/$pid/cgroup"))"
		;;
	esac
	grep -qx 'Exec=/usr/bin/vmodes session' /etc/xdg/autostart/vmodes-session.desktop ||
		vm_fail "the XDG autostart entry does not start /usr/bin/vmodes session"
	VM_AGENT_PID=$pid
	vm_log "vmodes session runs (pid $pid, $(ps -o user= -p "$pid"), ancestors: $chain)"
}

# vm_connectors_diag: each QXL connector as the kernel has it (its
# status, how many modes, the first two: the preferred one first).
vm_connectors_diag() {
	local c
	for c in /sys/class/drm/card0-Virtual-*; do
		[ -e "$c/status" ] || continue
		vm_log "${c##*/}: $(cat "$c/status"), $(wc -l <"$c/modes") modes, first $(head -n 2 "$c/modes" | tr '\n' ' ')"
	done
}

# vm_session_diag: what a failed session step needs to be understood: the
# agent's log (the session's stderr), the RandR state, what the kernel's
# connectors say and the SPICE agents' log.
vm_session_diag() {
	vm_log "--- diagnostics"
	vm_connectors_diag
	xrandr --current 2>&1 | grep -v '^   ' | head -n 12
	# what the agent wrote to the session's stderr (the X deadline's line
	# starts "vmodes:"); no file is no error here: the caller's vm_fail
	# must still run (errexit applies in the block after a ||)
	grep -h '^vmodes' "/home/$VM_DESKTOP_USER/.xsession-errors" 2>/dev/null | tail -n 30 || true
	journalctl -b --no-pager -o cat _COMM=vmodes-session 2>/dev/null | tail -n 30
	# an agent killed without a word: the kernel's side (a crash, the OOM
	# killer) and the session's end as logind and the display manager saw it
	journalctl -b --no-pager -o short-monotonic -k 2>/dev/null |
		grep -E 'vmodes|segfault|traps:|Out of memory|Killed process' | tail -n 10 || true
	journalctl -b --no-pager -o short-monotonic -u systemd-logind -u lightdm -u gdm 2>/dev/null | tail -n 15 || true
	journalctl -b --no-pager -o short-monotonic -t spice-vdagent -t spice-vdagentd 2>/dev/null | tail -n 15
	vm_log "--- end of diagnostics"
}

# vm_watch_randr NAME / vm_unwatch_randr NAME: record the RandR events of
# $DISPLAY in $VM_RUN/NAME.randr from now until vm_unwatch_randr, which sets
# VM_MODESETS to the CRTC changes among them (a mode set, a move or an
# output switched on or off each makes at least one).
vm_watch_randr() {
	stdbuf -oL xev -root -event randr >"$VM_RUN/$1.randr" 2>&1 &
	VM_WATCH_PID=$!
}
vm_unwatch_randr() {
	kill "$VM_WATCH_PID" 2>/dev/null || true
	wait "$VM_WATCH_PID" 2>/dev/null || true
	VM_MODESETS=$(grep -c 'subtype XRRCrtcChangeNotifyEvent' "$VM_RUN/$1.randr" || true)
}

# vm_count_modesets SECONDS NAME: watch the RandR events of $DISPLAY for
# SECONDS and set VM_MODESETS to the CRTC changes seen; the events are
# kept in $VM_RUN/NAME.randr.
vm_count_modesets() {
	vm_watch_randr "$2"
	sleep "$1"
	vm_unwatch_randr "$2"
	vm_log "$VM_MODESETS CRTC change(s) in $1 s ($2)"
	[ "$VM_MODESETS" -eq 0 ] || sed -n '/XRRCrtcChangeNotifyEvent/,+2p' "$VM_RUN/$2.randr" | head -n 20
}

# vm_expect_idle SECONDS NAME: no mode set in SECONDS of idle.
vm_expect_idle() {
	vm_count_modesets "$1" "$2"
	[ "$VM_MODESETS" -eq 0 ] || vm_fail "$VM_MODESETS mode set(s) in $1 s of idle after $2: two agents fight"
}

# vm_expect_layout WxH+X+Y[@RATE] ... : the X outputs Virtual-1, Virtual-2,
# ... are at these geometries in order ("off" for an output that is off),
# RATE compared to one decimal.
vm_expect_layout() {
	local i=1 want geo rate got
	for want; do
		geo=${want%@*}
		if [ "$geo" = off ]; then
			got=$(vm_output_geometry "Virtual-$i")
			[ -z "$got" ] || vm_fail "Virtual-$i is at $got, expected off"
		else
			vm_expect_current "Virtual-$i" "$geo"
			if [ "$want" != "$geo" ]; then
				rate=$(vm_output_mode "Virtual-$i" | awk '{ print $2 }')
				got=$(awk -v r="$rate" 'BEGIN { printf "%.0f", r }')
				[ "$got" = "${want#*@}" ] || vm_fail "Virtual-$i runs at $rate Hz, expected ${want#*@} Hz"
			fi
		fi
		i=$((i + 1))
	done
}

# ---- sway (the "sway" image) ----------------------------------------------
# No display manager: agetty logs the user in on tty1 at every boot and the
# login shell starts sway (guest/sway-profile) with the user's config
# (guest/sway-config: `include /etc/sway/config.d/*`, where the package's
# 50-vmodes.conf starts `vmodes session`, and `exec spice-vdagent`); seatd
# gives it the seat. sway's log, and the output of what it starts, is in
# the journal under the identifier "sway". The scenario, as root, finds
# sway's IPC socket and runs swaymsg and commands as the user in that
# session. DISPLAY is not the scenario's to use there (vmtest.sh sets :0,
# which would be sway's Xwayland): vm_sway_login unsets it.

# vm_sway_pid: the user's newest sway.
vm_sway_pid() { pgrep -n -u "$VM_DESKTOP_USER" -x sway; }

# vm_sway_attach: VM_SWAYSOCK (/run/user/UID/sway-ipc.UID.PID.sock),
# VM_WAYLAND_DISPLAY and VM_SWAY_XDISPLAY (its Xwayland, as sway gives its
# clients) of the user's running sway, VM_SWAY_PID, and its logind
# session's cgroup (VM_SESSION_CGROUP) for vm_sway_as_user; returns 1 while
# sway is not up. sway sets WAYLAND_DISPLAY in its own environment after
# it started (not in /proc/PID/environ): a program it started has it.
vm_sway_attach() {
	local pid uid sock p wl=
	pid=$(vm_sway_pid) || return 1
	uid=$(id -u "$VM_DESKTOP_USER")
	sock=/run/user/$uid/sway-ipc.$uid.$pid.sock
	[ -S "$sock" ] || return 1
	for p in $(pgrep -u "$VM_DESKTOP_USER" | sort -rn); do
		grep -qzx "SWAYSOCK=$sock" "/proc/$p/environ" 2>/dev/null || continue
		wl=$(vm_session_env "$p" WAYLAND_DISPLAY)
		[ -z "$wl" ] || break
	done
	[ -n "$wl" ] || return 1
	VM_SWAYSOCK=$sock VM_WAYLAND_DISPLAY=$wl VM_SWAY_PID=$pid
	VM_SWAY_XDISPLAY=$(vm_session_env "$p" DISPLAY)
	VM_SESSION_CGROUP=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	VM_SESSION_BUS=unix:path=/run/user/$uid/bus
}

# vm_swaymsg ARGS: swaymsg as the user on sway's socket (vm_sway_attach).
vm_swaymsg() {
	runuser -u "$VM_DESKTOP_USER" -- env SWAYSOCK="$VM_SWAYSOCK" swaymsg "$@"
}

# vm_sway_up: sway runs and answers on its IPC socket.
vm_sway_up() { vm_sway_attach && vm_swaymsg -t get_version >/dev/null 2>&1; }

# vm_sway_as_user COMMAND...: run COMMAND as the user in the sway session,
# as from a terminal sway started: in the session's cgroup (logind and
# polkit take it for a program of the active tty1 session), with SWAYSOCK,
# WAYLAND_DISPLAY, DISPLAY (Xwayland), XDG_RUNTIME_DIR and the user bus.
# A subshell: only it moves into the session's cgroup, never the scenario.
vm_sway_as_user() (
	[ -w "$VM_SESSION_CGROUP/cgroup.procs" ] || vm_fail "no session cgroup ($VM_SESSION_CGROUP)"
	echo "$BASHPID" >"$VM_SESSION_CGROUP/cgroup.procs"
	exec runuser -u "$VM_DESKTOP_USER" -- env SWAYSOCK="$VM_SWAYSOCK" WAYLAND_DISPLAY="$VM_WAYLAND_DISPLAY" \
		${VM_SWAY_XDISPLAY:+DISPLAY="$VM_SWAY_XDISPLAY"} XDG_SESSION_TYPE=tty \
		XDG_RUNTIME_DIR="/run/user/$(id -u "$VM_DESKTOP_USER")" DBUS_SESSION_BUS_ADDRESS="$VM_SESSION_BUS" \
		HOME="/home/$VM_DESKTOP_USER" "$@"
)

# vm_sway_login SECONDS: end the user's session (sway with it) and let
# agetty log the user in on tty1 again, as at boot; waits until the new
# sway answers (the scenario calls it once the package is installed: the
# sway of the boot read /etc/sway/config.d before the package put its
# 50-vmodes.conf there). Sets VM_SWAY_AT to the seconds from the login to sway answering.
vm_sway_login() {
	local old t0
	unset DISPLAY
	old=$(vm_sway_pid) || old=
	t0=$(vm_uptime)
	loginctl terminate-user "$VM_DESKTOP_USER" 2>/dev/null || true
	if [ -n "$old" ]; then
		vm_wait_for 30 sh -c "! kill -0 $old 2>/dev/null" || vm_fail "sway (pid $old) did not end with its session"
	fi
	systemctl restart getty@tty1.service
	vm_wait_for "$1" vm_sway_up || {
		vm_sway_diag
		vm_fail "sway did not start on tty1 within $1 s"
	}
	VM_SWAY_AT=$(vm_since "$t0")
	vm_log "sway runs (pid $VM_SWAY_PID, $VM_SWAYSOCK, WAYLAND_DISPLAY=$VM_WAYLAND_DISPLAY)" \
		"$VM_SWAY_AT s after the login; $(vm_swaymsg -t get_version -r | jq -r .human_readable)"
}

# vm_sway_outputs: get_outputs, raw JSON.
vm_sway_outputs() { vm_swaymsg -t get_outputs -r; }

# vm_sway_geometry OUTPUT: WxH+X+Y of OUTPUT's current mode and place in
# get_outputs, nothing when it is off or not there.
vm_sway_geometry() {
	vm_sway_outputs | jq -r --arg o "$1" '.[] | select(.name == $o and .active)
		| "\(.current_mode.width)x\(.current_mode.height)+\(.rect.x)+\(.rect.y)"'
}

# vm_sway_refresh OUTPUT: the refresh rate of OUTPUT's current mode in mHz
# (get_outputs' unit).
vm_sway_refresh() {
	vm_sway_outputs | jq -r --arg o "$1" '.[] | select(.name == $o and .active) | .current_mode.refresh'
}

# vm_sway_modes OUTPUT: OUTPUT's listed modes, WxH@mHz, one a line.
vm_sway_modes() {
	vm_sway_outputs | jq -r --arg o "$1" '.[] | select(.name == $o) | .modes[] | "\(.width)x\(.height)@\(.refresh)"'
}

# vm_sway_brief: one line per output: name, on/off, mode, place.
vm_sway_brief() {
	vm_sway_outputs | jq -r '.[] | "\(.name) \(if .active then "on" else "off" end)"
		+ (if .active then " \(.current_mode.width)x\(.current_mode.height)@\(.current_mode.refresh)mHz"
		+ " +\(.rect.x)+\(.rect.y)" else "" end) + " (\(.modes | length) modes listed)"'
}

# vm_wait_sway_geometry SECONDS OUTPUT WxH+X+Y: vm_wait_geometry with
# get_outputs (sets VM_WAITED, returns 1 on timeout).
vm_wait_sway_geometry() {
	vm_wait_geometry "$1" "$2" "$3" vm_sway_geometry
}

# vm_expect_sway_output OUTPUT WxH+X+Y [MIN_HZ MAX_HZ]: get_outputs shows
# OUTPUT at that geometry ("off": off or absent), at a refresh rate from
# MIN_HZ to MAX_HZ when given.
vm_expect_sway_output() {
	local got mhz hz
	got=$(vm_sway_geometry "$1")
	if [ "$2" = off ]; then
		[ -z "$got" ] || vm_fail "$1 is at $got in sway, expected off"
		return 0
	fi
	[ "$got" = "$2" ] || vm_fail "$1 is at '${got:-off}' in sway, expected $2"
	mhz=$(vm_sway_refresh "$1")
	hz=$(awk -v m="$mhz" 'BEGIN { printf "%.3f", m / 1000 }')
	if [ $# -ge 4 ]; then
		awk -v h="$hz" -v lo="$3" -v hi="$4" 'BEGIN { exit !(h >= lo && h <= hi) }' ||
			vm_fail "$1 runs at $hz Hz in sway, expected $3-$4 Hz"
	fi
	vm_log "$1 is at $got, $hz Hz (sway)"
}

# vm_sway_log_mark / vm_sway_log_new: the journal lines of sway (and of the
# programs it started) logged after the last mark.
vm_sway_log_mark() {
	VM_SWAY_CURSOR=$(journalctl -b -t sway -n 0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p')
}
vm_sway_log_new() {
	if [ -n "${VM_SWAY_CURSOR:-}" ]; then
		journalctl -b -t sway --after-cursor="$VM_SWAY_CURSOR" --no-pager -o cat 2>/dev/null || true
	else
		journalctl -b -t sway --no-pager -o cat 2>/dev/null || true
	fi
}

# vm_sway_modesets: the mode sets wlroots logged since vm_sway_log_mark
# (one "Modesetting with" line per output and commit: a new mode, an output
# switched on; a move alone logs none).
vm_sway_modesets() { vm_sway_log_new | grep -c 'Modesetting with' || true; }

# vm_sway_output_commands: the `output` commands sway got since
# vm_sway_log_mark (from swaymsg, vmodes or its config), moves included.
vm_sway_output_commands() { vm_sway_log_new | grep -c "Handling command 'output " || true; }

# vm_sway_expect_idle SECONDS NAME: no output command and no mode set in
# SECONDS of idle.
vm_sway_expect_idle() {
	local n c
	vm_sway_log_mark
	sleep "$1"
	n=$(vm_sway_modesets)
	c=$(vm_sway_output_commands)
	vm_log "$c output command(s), $n mode set(s) in $1 s ($2)"
	[ "$n" -eq 0 ] && [ "$c" -eq 0 ] || {
		vm_sway_log_new | grep -E 'Modesetting with|Handling command' | head -n 20
		vm_fail "$c output command(s), $n mode set(s) in $1 s of idle after $2"
	}
}

# vm_check_sway_agent: `vmodes session` runs as the user, started by the
# user's sway from its config (sway's socket in its environment) in the
# tty1 session. Sets VM_AGENT_PID.
vm_check_sway_agent() {
	local pid
	vm_wait_for 60 pgrep -u "$VM_DESKTOP_USER" -f '^(/usr/bin/)?vmodes session' ||
		vm_fail "no 'vmodes session' of $VM_DESKTOP_USER runs: $(ps -u "$VM_DESKTOP_USER" -o pid,args | tail -n 20)"
	pid=$(pgrep -n -u "$VM_DESKTOP_USER" -f '^(/usr/bin/)?vmodes session') || {
		vm_sway_diag
		vm_fail "vmodes session exited right after it started"
	}
	grep -qzx "SWAYSOCK=$VM_SWAYSOCK" "/proc/$pid/environ" ||
		vm_fail "vmodes session (pid $pid) does not have this sway's SWAYSOCK: not started by it"
	[ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "${VM_SESSION_CGROUP#/sys/fs/cgroup}" ] ||
		vm_fail "vmodes session (pid $pid) is not in sway's session: $(cat "/proc/$pid/cgroup")"
	grep -qx 'exec vmodes session' /etc/sway/config.d/50-vmodes.conf ||
		vm_fail "the package's /etc/sway/config.d/50-vmodes.conf does not start vmodes session"
	VM_AGENT_PID=$pid
	vm_log "vmodes session runs (pid $pid, $(ps -o user= -p "$pid")), started by sway $VM_SWAY_PID"
}

# vm_sway_diag: what a failed sway step needs to be understood: the
# connectors, sway's outputs, wlroots' view (wlr-randr), the end of sway's
# log (vmodes session's lines among it) and the SPICE agents' log.
vm_sway_diag() {
	vm_log "--- sway diagnostics"
	vm_connectors_diag
	if [ -n "${VM_SWAYSOCK:-}" ]; then
		vm_sway_brief 2>&1 || true
		runuser -u "$VM_DESKTOP_USER" -- env XDG_RUNTIME_DIR="/run/user/$(id -u "$VM_DESKTOP_USER")" \
			WAYLAND_DISPLAY="$VM_WAYLAND_DISPLAY" wlr-randr 2>&1 | grep -v '^    [0-9]' | head -n 20 || true
	fi
	loginctl list-sessions --no-legend 2>&1 || true
	journalctl -b --no-pager -o short-monotonic -t sway 2>/dev/null | tail -n 40
	journalctl -b --no-pager -o short-monotonic -t spice-vdagent -t spice-vdagentd 2>/dev/null | tail -n 15
	vm_log "--- end of sway diagnostics"
}
