# SPDX-License-Identifier: MIT
# Library for VM test scenarios (bash).  The agent loads it before the
# scenario and runs both with `set -eu -o pipefail`; a scenario passes when
# it exits 0 and every host-side check it asked for held.
#
# Variables: VM_BOOT (1 on the first boot, 2 after one reboot, ...), VM_MODE
# (fast|real), VM_DEVICE (qxl|virtio|bochs), VM_OUTPUTS, VM_SCENARIO.

VM_XLOG=$VM_RUN/Xorg.0.log
export DISPLAY=:0

vm_log() { echo "[vm $(cut -d' ' -f1 /proc/uptime)] $*"; }

vm_fail() {
	echo "FAIL: $*"
	exit 1
}

# vm_host COMMAND [ARGS]: send a request to the host, print its reply
# ("OK ..." or "ERR ..."), return 0 only on OK.
vm_host() {
	local reply
	echo "@@VMTEST $*@@" >"$VM_CHANNEL"
	# VM_HOST_WAIT: a caller whose request makes the host wait longer
	# (vm_screendump's drawn picture) sets it for the call
	IFS= read -r -t "${VM_HOST_WAIT:-120}" reply <"$VM_CHANNEL" ||
		vm_fail "no reply from the host in ${VM_HOST_WAIT:-120} s to: $*"
	reply=${reply%$'\r'}
	echo "host: $reply"
	VM_REPLY=${reply#* }
	[ "${reply%% *}" = OK ]
}

# vm_screendump NAME [WxH [HEAD]]: the host takes a QMP screendump (PNG kept
# as NAME.png in the run's artifacts).  With WxH the host checks the image
# size itself (retrying for a few seconds while the device catches up) and
# the run fails if it never matches.  With VM_SCREENDUMP_DRAWN=SECONDS (the
# desktop scenarios set it) the host also waits up to that long for the
# picture to show something drawn, not a blank screen, and the run fails if
# it stays blank.  Sets VM_SCREEN to the size seen.
vm_screendump() {
	local name=$1 expect=${2:-} head=${3:-0}
	# the host may wait VM_SCREENDUMP_DRAWN seconds for a drawn picture:
	# the answer may take that long and more
	local VM_HOST_WAIT=$((120 + ${VM_SCREENDUMP_DRAWN:-0}))
	if vm_host SCREENDUMP "$name" "${expect:--}" "$head" "${VM_SCREENDUMP_DRAWN:-0}"; then
		VM_SCREEN=${VM_REPLY%% *}
	else
		VM_SCREEN=${VM_REPLY%% *}
		vm_fail "screendump $name: $VM_REPLY"
	fi
}

# vm_wait_screen SECONDS WxH: wait until the host's screendump of head 0
# has that size (a compositor under TCG reports a new mode well before its
# first frame reaches the device); VM_SCREEN is the last size seen.
vm_wait_screen() {
	local t=0
	while :; do
		vm_host SCREENDUMP wait-screen - 0 0 >/dev/null || true
		VM_SCREEN=${VM_REPLY%% *}
		[ "$VM_SCREEN" = "$2" ] && return 0
		[ "$t" -lt "$1" ] || return 1
		sleep 2
		t=$((t + 2))
	done
}

# vm_reboot: end this boot of the scenario; the guest reboots (through
# systemd in real mode) and the scenario runs again with VM_BOOT+1.
vm_reboot() {
	vm_log "reboot requested"
	: >"$VM_RUN/reboot"
	sync
	exit 0
}

# vm_reboot_boot_loader: end this boot as a reboot after `update-grub`
# would: from the next boot on the kernel gets the arguments the GRUB
# drop-ins (/etc/default/grub.d/*.cfg) add to GRUB_CMDLINE_LINUX and
# GRUB_CMDLINE_LINUX_DEFAULT. The harness boots the kernel itself, so it
# takes them and starts QEMU again with them (BOOT-CMDLINE).
vm_reboot_boot_loader() {
	local args
	args=$(env GRUB_CMDLINE_LINUX= GRUB_CMDLINE_LINUX_DEFAULT= bash -c \
		'for f in /etc/default/grub.d/*.cfg; do [ -e "$f" ] && . "$f"; done; echo $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT')
	vm_log "the boot loader adds: ${args:-(nothing)}"
	# shellcheck disable=SC2086 # one request word per argument
	vm_host BOOT-CMDLINE $args || vm_fail "the host did not take the boot loader's arguments: $VM_REPLY"
	vm_reboot
}

# vm_wait_for TIMEOUT_S COMMAND...: retry COMMAND every 0.1 s.
vm_wait_for() {
	local timeout=$1 t=0
	shift
	until "$@" >/dev/null 2>&1; do
		t=$((t + 1))
		[ "$t" -le $((timeout * 10)) ] || return 1
		sleep 0.1
	done
}

# vm_start_udev: systemd-udevd as in a booted system (fast mode only):
# coldplug all devices, which loads drivers by modalias, and wait.
vm_start_udev() {
	[ "$VM_MODE" = fast ] || return 0
	/lib/systemd/systemd-udevd --daemon
	udevadm trigger --type=subsystems --action=add
	udevadm trigger --type=devices --action=add
	udevadm settle --timeout=60
}

# vm_module_loaded NAME
vm_module_loaded() { grep -q "^$1 " /proc/modules; }

# vm_drm_heads: the DRM connectors of card0, one per line (Virtual-1 ...).
vm_drm_heads() {
	local c
	for c in /sys/class/drm/card0-*; do
		[ -e "$c/status" ] && echo "${c##*/card0-}"
	done
}

# vm_start_xorg DRIVER: start Xorg on :0 with DRIVER (qxl | modesetting),
# wait until it answers, and check that DRIVER really drives the screen.
vm_start_xorg() {
	local driver=$1 conf=$VM_RUN/xorg-$1.conf tag
	case $driver in
	qxl) tag='qxl(0)' ;;
	modesetting) tag='modeset(0)' ;;
	*) vm_fail "vm_start_xorg: unknown driver $driver" ;;
	esac
	cat >"$conf" <<-XCONF
	Section "ServerFlags"
	    Option "AutoAddDevices" "false"
	    Option "AutoEnableDevices" "false"
	    Option "DontVTSwitch" "true"
	EndSection
	Section "Device"
	    Identifier "vmtest-$driver"
	    Driver "$driver"
	    $([ "$driver" = modesetting ] && echo 'Option "AccelMethod" "none"')
	EndSection
	XCONF
	vm_log "starting Xorg ($driver)"
	Xorg :0 -config "$conf" -logfile "$VM_XLOG" -noreset -nolisten tcp -retro vt7 \
		</dev/null >"$VM_RUN/Xorg.out" 2>&1 &
	VM_XORG_PID=$!
	if ! vm_wait_for 90 xrandr --current; then
		tail -n 30 "$VM_XLOG" "$VM_RUN/Xorg.out" 2>/dev/null || true
		vm_fail "Xorg ($driver) did not come up"
	fi
	grep -qF "$tag" "$VM_XLOG" || {
		grep -E '\((EE|WW)\)' "$VM_XLOG" | head -n 20
		vm_fail "Xorg is not running on the $driver driver"
	}
	vm_log "Xorg is up on $driver: $(xrandr --current | head -n 1)"
}

vm_stop_xorg() {
	[ -n "${VM_XORG_PID:-}" ] || return 0
	kill "$VM_XORG_PID" 2>/dev/null || true
	wait "$VM_XORG_PID" 2>/dev/null || true
	VM_XORG_PID=
}

# vm_have_vmodes_command CMD: the installed vmodes has subcommand CMD.
vm_have_vmodes_command() {
	command -v vmodes >/dev/null && vmodes --help 2>/dev/null | grep -qE "^  $1( |$)"
}

# vm_modeline W H R: print `"name" clock hdisp hss hse htot vdisp vss vse vtot
# flags` for xrandr --newmode, computed by `vmodes cvt`.  Only when no vmodes
# is installed in the guest (the harness ran without a build) does it fall
# back to cvt(1), and says so.
vm_modeline() {
	local out
	if command -v vmodes >/dev/null; then
		vm_have_vmodes_command cvt || vm_fail "the installed vmodes has no 'cvt' command"
		out=$(vmodes cvt --format=xrandr "$@") || vm_fail "vmodes cvt --format=xrandr $* failed"
	else
		echo "WARNING: vmodes is not installed in the guest; using cvt(1)" >&2
		out=$(cvt "$@")
	fi
	# Accept a bare modeline, "Modeline ..." or an "xrandr --newmode ..." line.
	out=$(printf '%s\n' "$out" | grep -m1 -E '"[^"]+"[[:space:]]+[0-9]') ||
		vm_fail "no modeline in the output of the mode calculator"
	printf '%s\n' "\"${out#*\"}"
}

# vm_add_mode OUTPUT W H R: create the CVT mode W H R and add it to OUTPUT;
# sets VM_MODE_NAME.
vm_add_mode() {
	local output=$1 line
	shift
	line=$(vm_modeline "$@")
	eval "set -- $line"
	VM_MODE_NAME=$1
	if ! xrandr --current | grep -qE "^[[:space:]]+$VM_MODE_NAME[[:space:]]"; then
		vm_log "xrandr --newmode $line"
		xrandr --newmode "$@"
	fi
	xrandr --addmode "$output" "$VM_MODE_NAME"
}

# vm_set_mode OUTPUT W H R [xrandr --output options...]: add the CVT mode
# and switch OUTPUT to it.
vm_set_mode() {
	local output=$1
	vm_add_mode "$output" "$2" "$3" "$4"
	shift 4
	vm_log "xrandr --output $output --mode $VM_MODE_NAME $*"
	xrandr --output "$output" --mode "$VM_MODE_NAME" "$@"
}

# vm_output_geometry OUTPUT: print OUTPUT's geometry as xrandr reports it
# (WxH+X+Y), nothing when it is off.
vm_output_geometry() {
	xrandr --current | awk -v o="$1" '$1 == o {
		for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+x[0-9]+\+[0-9]+\+[0-9]+$/) { print $i; exit } }'
}

# vm_expect_current OUTPUT WxH[+X+Y]: xrandr reports OUTPUT on at that size
# (and position, when given).
vm_expect_current() {
	local got rate
	got=$(vm_output_geometry "$1")
	case $2 in
	*+*) [ "$got" = "$2" ] ;;
	*) [ "${got%%+*}" = "$2" ] ;;
	esac || vm_fail "$1 is at '${got:-off}', expected $2"
	rate=$(xrandr --current | awk -v o="$1" '$1 == o { on = 1; next } /^[^ \t]/ { on = 0 }
		on { for (i = 2; i <= NF; i++) if ($i ~ /\*/) { sub(/[*+]+$/, "", $i); print $i; exit } }')
	vm_log "$1 is at $got, ${rate:-?} Hz"
}

# vm_check_install: vmodes is installed in the guest as this run put it
# there.  From the package (run --deb): dpkg has it installed at the
# version on the harness disk, every file `dpkg -L` lists is in place and
# `dpkg --verify` finds no changed file.  From a build tree (run --builddir):
# every file `make install DESTDIR=...` made is in place and unchanged.
vm_check_install() {
	if [ -n "${VM_DEB:-}" ]; then
		vm_check_package
		return
	fi
	local f n=0
	[ -d /vmtest/install ] || { vm_log "no vmodes installation in this run"; return 0; }
	while IFS= read -r f; do
		[ -e "/$f" ] || vm_fail "installed file /$f is missing in the guest"
		cmp -s "/vmtest/install/$f" "/$f" || vm_fail "/$f differs from the installed file"
		n=$((n + 1))
	done < <(cd /vmtest/install && find . -type f | sed 's|^\./||')
	vm_log "vmodes installation: $n files in place"
}

# vm_check_package: the package of this run (VM_DEB_PACKAGE, VM_DEB_VERSION)
# is installed and intact.
vm_check_package() {
	local pkg=$VM_DEB_PACKAGE status version f n=0 bad
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null) || vm_fail "dpkg does not know $pkg"
	[ "$status" = "ii " ] || vm_fail "$pkg is '$status' in dpkg, not installed (ii)"
	version=$(dpkg-query -W -f='${Version}' "$pkg")
	[ "$version" = "$VM_DEB_VERSION" ] || vm_fail "$pkg $version is installed, the run's package is $VM_DEB_VERSION"
	while IFS= read -r f; do
		[ -e "$f" ] || vm_fail "$f of package $pkg is missing"
		[ -d "$f" ] || n=$((n + 1))
	done < <(dpkg -L "$pkg")
	bad=$(dpkg --verify "$pkg" 2>&1) || vm_fail "dpkg --verify $pkg: $bad"
	[ -z "$bad" ] || vm_fail "dpkg --verify $pkg: $bad"
	vm_log "package $pkg $version: $n files in place, dpkg --verify clean"
}

# vm_apt_get ARGS: apt-get as the harness installs the package: no
# questions, no package sources (the guest has no network).
vm_apt_get() { /vmtest/guest/apt-offline "$@"; }

# vm_expect_x_head OUTPUT HEAD: `vmodes status --json` (with DISPLAY set)
# maps the X output OUTPUT to head HEAD of a virtual GPU.
vm_expect_x_head() {
	local json
	json=$(vmodes status --json | tr -d ' \n') || vm_fail "vmodes status --json failed"
	grep -q "{\"name\":\"$1\",\"connection\":\"[a-z]*\",\(\"geometry\":\"[^\"]*\",\)\?\"device\":\"[^\"]*\",\"head\":$2}" <<<"$json" ||
		vm_fail "vmodes status does not map X output $1 to head $2: $(grep -o '"x":{.*' <<<"$json" | head -c 600)"
	vm_log "vmodes status: X output $1 is head $2"
}

# vm_start_vdagent: spice-vdagentd (without logind: -X) and the session
# agent spice-vdagent for the X server on $DISPLAY, as a desktop session
# runs them; the SPICE client sends monitor configurations only while both
# run. Needs a scenario with "vm-spice: yes" and Xorg started.
vm_start_vdagent() {
	modprobe uinput
	mkdir -p /run/spice-vdagentd
	[ -e /dev/virtio-ports/com.redhat.spice.0 ] || vm_fail "no vdagent virtio port (vm-spice: yes?)"
	spice-vdagentd -X -x -d >"$VM_RUN/spice-vdagentd.log" 2>&1 &
	vm_wait_for 10 test -S /run/spice-vdagentd/spice-vdagent-sock || vm_fail "spice-vdagentd did not start"
	dbus-launch --exit-with-x11 spice-vdagent -x -d >"$VM_RUN/spice-vdagent.log" 2>&1 &
	vm_log "spice-vdagentd and spice-vdagent started"
}

# vm_preferred_mode HEAD: the preferred (first) mode of connector Virtual-HEAD
# after a probe (Xorg holds DRM master, so the kernel does not re-probe by itself).
vm_preferred_mode() {
	echo detect >"/sys/class/drm/card0-Virtual-$1/status"
	head -n 1 "/sys/class/drm/card0-Virtual-$1/modes"
}

# vm_spice_display ID W H | vm_spice_display ID off: the host's SPICE client
# ("vm-spice: glib") switches its display ID on at WxH (0 is the first
# display; the monitors configuration is sent at once), or off.
vm_spice_display() {
	vm_host SPICE-DISPLAY "$@" || vm_fail "the SPICE client did not send display $*: $VM_REPLY"
}

# vm_output_mode OUTPUT: "NAME RATE" of OUTPUT's current mode, as xrandr
# reports it (nothing when it is off).
vm_output_mode() {
	xrandr --current | awk -v o="$1" '$1 == o { on = 1; next } /^[^ \t]/ { on = 0 }
		on { for (i = 2; i <= NF; i++) if ($i ~ /\*/) { sub(/[*+]+$/, "", $i); print $1, $i; exit } }'
}

# vm_output_preferred OUTPUT: WxH of OUTPUT's preferred mode as X knows it
# now (xrandr --current: no probe of its own).
vm_output_preferred() {
	xrandr --current | awk -v o="$1" '$1 == o { on = 1; next } /^[^ \t]/ { on = 0 }
		on { for (i = 2; i <= NF; i++) if ($i ~ /\+$/) { sub(/_.*/, "", $1); print $1; exit } }'
}

# vm_uptime: seconds since boot (two decimals).
vm_uptime() { cut -d' ' -f1 /proc/uptime; }

# vm_since T0: seconds from uptime T0 until now, one decimal.
vm_since() { awk -v a="$(vm_uptime)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }

# vm_wait_geometry SECONDS OUTPUT WxH+X+Y [READER]: wait until xrandr (or
# READER OUTPUT: vm_sway_geometry for sway) reports OUTPUT at that geometry;
# sets VM_WAITED to the seconds it took, returns 1 on timeout.
vm_wait_geometry() {
	local timeout=$1 out=$2 want=$3 reader=${4:-vm_output_geometry} t0
	t0=$(vm_uptime)
	until [ "$("$reader" "$out")" = "$want" ]; do
		[ "$(vm_since "$t0" | cut -d. -f1)" -lt "$timeout" ] || return 1
		sleep 0.1
	done
	VM_WAITED=$(vm_since "$t0")
}

# vm_start_session CONFIG [ARGS]: `vmodes session --config CONFIG` for the X
# server on $DISPLAY, its output in $VM_RUN/session.log; waits until its
# event loop is set up (RandR input, uevent monitor, config watch: the
# signalfd comes last), so that no hotplug after this returns is missed.
vm_start_session() {
	local conf=$1
	shift
	vmodes session --config "$conf" "$@" >"$VM_RUN/session.log" 2>&1 &
	VM_SESSION_PID=$!
	vm_wait_for 10 sh -c "ls -l /proc/$VM_SESSION_PID/fd | grep -q signalfd" ||
		vm_log "note: no signalfd in vmodes session's file descriptors after 10 s"
	kill -0 "$VM_SESSION_PID" 2>/dev/null || vm_fail "vmodes session exited: $(cat "$VM_RUN/session.log")"
	vm_log "vmodes session runs (pid $VM_SESSION_PID, config $conf)"
}

vm_stop_session() {
	[ -n "${VM_SESSION_PID:-}" ] || return 0
	kill "$VM_SESSION_PID" 2>/dev/null || true
	wait "$VM_SESSION_PID" 2>/dev/null || true
	VM_SESSION_PID=
}
