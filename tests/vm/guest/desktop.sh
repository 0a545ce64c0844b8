# SPDX-License-Identifier: MIT
# Library for the desktop scenarios (tests/vm/desktop/, images built with
# build-image --flavour=xfce|gnome), loaded by a scenario after vmtest.sh:
#   . /vmtest/guest/desktop.sh
# The image boots to graphical.target: its display manager (LightDM or GDM)
# starts at every boot as on an installed desktop; the scenario finds its X
# server, logs the image's user in with the display manager's autologin and
# looks at the session from outside, as root.

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
	printf '[User]\nSession=%s\nXSession=%s\nSystemAccount=false\n' "$session" "$session" \
		>"/var/lib/AccountsService/users/$VM_DESKTOP_USER"
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
		HOME="/home/$VM_DESKTOP_USER" "$@"
)

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

# vm_session_diag: what a failed session step needs to be understood: the
# agent's log (the session's stderr), the RandR state, what the kernel's
# connectors say and the SPICE agents' log.
vm_session_diag() {
	local c
	vm_log "--- diagnostics"
	for c in /sys/class/drm/card0-Virtual-*; do
		[ -e "$c/status" ] || continue
		vm_log "${c##*/}: $(cat "$c/status"), modes $(head -n 2 "$c/modes" | tr '\n' ' ')"
	done
	xrandr --current 2>&1 | grep -v '^   ' | head -n 12
	grep -h 'vmodes session' "/home/$VM_DESKTOP_USER/.xsession-errors" 2>/dev/null | tail -n 30
	journalctl -b --no-pager -o cat _COMM=vmodes-session 2>/dev/null | tail -n 30
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
