# The Debian package's life cycle once (real boot, systemd): installed by
# the harness with apt-get, vmodesd is enabled and running; a mode stored
# through it; `apt-get remove vmodes` stops and disables vmodesd and keeps
# what the admin configured (vmodes.conf, and the X config, with which
# Xorg still starts at 1600x900); `apt-get purge vmodes` leaves nothing of
# vmodes behind, and Xorg starts at its own default size.
# Needs the package: run --deb / check-vm --deb (make check-vm).
# vm-device: qxl
# vm-outputs: 4
# vm-boot: real
# vm-timeout: 420

CONF=/etc/vmodes/vmodes.conf
XCONF=/etc/X11/xorg.conf.d/40-vmodes.conf
RULE=/lib/udev/rules.d/70-vmodes.rules
[ -n "${VM_DEB:-}" ] || vm_fail "this scenario tests the Debian package: run it with --deb=FILE (make check-vm)"
PKG=$VM_DEB_PACKAGE

vm_pkg_status() { dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null || true; }

# vm_unit_links: every enablement symlink of vmodesd.service, and
# deb-systemd-helper's record of them.
vm_unit_links() {
	find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled \
		-name 'vmodesd.service*' 2>/dev/null || true
}

# vm_expect_stopped: vmodesd neither runs nor is enabled.
vm_expect_stopped() {
	local state links
	state=$(systemctl is-active vmodesd.service || true)
	[ "$state" != active ] && [ "$state" != activating ] || vm_fail "vmodesd.service is $state after $1"
	! pgrep -x vmodesd >/dev/null || vm_fail "a vmodesd process still runs after $1: $(pgrep -a -x vmodesd)"
	links=$(vm_unit_links)
	[ -z "$links" ] || vm_fail "vmodesd.service is still enabled after $1: $links"
	vm_log "after $1: vmodesd.service $state, no enablement links"
}

vm_check_install
[ "$(cat /proc/1/comm)" = systemd ] || vm_fail "PID 1 is $(cat /proc/1/comm), not systemd"

# installed: enabled for the next boots, running now, rule and files in place
[ "$(systemctl is-enabled vmodesd.service)" = enabled ] || vm_fail "vmodesd.service is not enabled after installation"
[ -n "$(vm_unit_links)" ] || vm_fail "no enablement symlink of vmodesd.service"
vm_wait_for 60 systemctl is-active --quiet vmodesd.service || {
	systemctl status --no-pager vmodesd.service || true
	vm_fail "vmodesd.service is not active after installation"
}
vm_wait_for 10 busctl get-property org.vmodes.Daemon1 /org/vmodes/Daemon1 org.vmodes.Daemon1 Version ||
	vm_fail "vmodesd does not answer on the system bus"
[ -f "$RULE" ] || vm_fail "$RULE is not installed"
vm_log "installed: vmodesd.service enabled and active; links: $(vm_unit_links | tr '\n' ' ')"

out=$(env -u DISPLAY vmodes add Virtual-1 1600x900@44 2>&1) || vm_fail "vmodes add Virtual-1 1600x900@44 failed: $out"
vm_log "vmodes add: $out"
grep -q '^stored: Virtual-1 1600x900_44.00' <<<"$out" || vm_fail "vmodes add did not report it stored: $out"
grep -qx 'mode = 1600x900@44' "$CONF" || vm_fail "$CONF lacks the mode: $(cat "$CONF" 2>&1)"
grep -q 'Identifier "Virtual-1"' "$XCONF" || vm_fail "$XCONF lacks Virtual-1: $(cat "$XCONF" 2>&1)"
cp "$CONF" "$VM_RUN/conf.before"
cp "$XCONF" "$VM_RUN/xconf.before"
# what the package owns, files apart from folders
dpkg -L "$PKG" >"$VM_RUN/pkg-paths"
while IFS= read -r f; do [ -d "$f" ] || echo "$f"; done <"$VM_RUN/pkg-paths" >"$VM_RUN/pkg-files"
grep -qx "$RULE" "$VM_RUN/pkg-files" || vm_fail "dpkg -L $PKG does not list $RULE"
vm_log "$PKG owns $(wc -l <"$VM_RUN/pkg-files") files"

# ---- apt-get remove ----------------------------------------------------------
t0=$(vm_uptime)
vm_apt_get remove "$PKG" || vm_fail "apt-get remove $PKG failed"
vm_log "apt-get remove: $(vm_since "$t0") s"
[ "$(vm_pkg_status)" = "rc " ] || vm_fail "$PKG is '$(vm_pkg_status)' after apt-get remove, expected rc (config files left)"
vm_expect_stopped "apt-get remove"
while IFS= read -r f; do
	case $f in /etc/*) continue ;; esac # conffiles stay until purge
	[ ! -e "$f" ] || vm_fail "$f is still there after apt-get remove"
done <"$VM_RUN/pkg-files"
# the admin's configuration stays, unchanged, and still drives Xorg
cmp -s "$CONF" "$VM_RUN/conf.before" || vm_fail "$CONF changed or went away with apt-get remove"
cmp -s "$XCONF" "$VM_RUN/xconf.before" || vm_fail "$XCONF changed or went away with apt-get remove"
vm_log "after apt-get remove: $CONF and $XCONF kept"
vm_start_xorg qxl
vm_screendump removed-xorg 1600x900
vm_expect_current Virtual-1 1600x900
vm_stop_xorg

# ---- apt-get purge -----------------------------------------------------------
t0=$(vm_uptime)
vm_apt_get purge "$PKG" || vm_fail "apt-get purge $PKG failed"
vm_log "apt-get purge: $(vm_since "$t0") s"
status=$(vm_pkg_status)
[ -z "$status" ] || [ "$status" = "un " ] || vm_fail "$PKG is '$status' after apt-get purge, expected not installed"
vm_expect_stopped "apt-get purge"
while IFS= read -r f; do
	[ ! -e "$f" ] || vm_fail "$f is still there after apt-get purge"
done <"$VM_RUN/pkg-files"
for f in /etc/vmodes "$CONF" "$XCONF" "$RULE"; do
	[ ! -e "$f" ] || vm_fail "$f is still there after apt-get purge"
done
# nothing anywhere on the root filesystem still carries the name
left=$(find / -xdev \( -path /vmtest -o -path /proc -o -path /sys -o -path /dev -o -path /run \) -prune \
	-o -iname '*vmodes*' -print)
[ -z "$left" ] || vm_fail "left after apt-get purge: $(tr '\n' ' ' <<<"$left")"
! command -v vmodes >/dev/null || vm_fail "a vmodes command is still on PATH: $(command -v vmodes)"
vm_log "after apt-get purge: no file of $PKG and nothing named vmodes is left"

# Xorg still starts, at its own default size (no X config of vmodes)
vm_start_xorg qxl
vm_screendump purged-xorg 1024x768
vm_expect_current Virtual-1 1024x768
vm_stop_xorg
