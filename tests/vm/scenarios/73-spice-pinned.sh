# A pinned head keeps its mode: Virtual-1 is configured at 1600x900@44 with
# `pinned = yes`, auto-fit is on, and the SPICE client asks for 1280x800.
# X learns of the request (Virtual-1's preferred mode becomes 1280x800) and
# Virtual-1 stays at 1600x900_44.00: the agent changes nothing (no apply in
# its log) and the host-side screendump is 1600x900. Then the config is
# rewritten with `pinned = no` (atomically, as vmodesd writes it); at the
# client's next request (1360x768) Virtual-1 follows, at 44 Hz, and the
# screendump is 1360x768. The client is tests/vm/spice-client
# ("vm-spice: glib"), which sends exact sizes; the agent reacts to a client
# request within about a second (scenarios 71 and 72), the pinned head is
# watched for 3 s.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast
# vm-spice: glib

vm_start_udev
vm_module_loaded qxl || vm_fail "udev did not load qxl"
vm_start_xorg qxl
vm_start_vdagent
conf=$VM_RUN/vmodes.conf
write_conf() { # PINNED: the whole file, replaced atomically
	cat >"$conf.new" <<-CONF
	[general]
	auto-fit = true
	auto-fit-refresh = 44

	[head Virtual-1]
	mode = 1600x900@44
	pinned = $1
	CONF
	mv "$conf.new" "$conf"
}
write_conf yes
vm_start_session "$conf"
vm_wait_geometry 15 Virtual-1 1600x900+0+0 ||
	vm_fail "vmodes session did not apply the configured 1600x900@44: Virtual-1 at '$(vm_output_geometry Virtual-1)'; $(cat "$VM_RUN/session.log")"
[ "$(vm_output_mode Virtual-1)" = "1600x900_44.00 43.95" ] ||
	vm_fail "Virtual-1 runs '$(vm_output_mode Virtual-1)', expected 1600x900_44.00 at 43.95 Hz"
vm_log "pinned Virtual-1 at $(vm_output_geometry Virtual-1), $(vm_output_mode Virtual-1) Hz"

vm_host SPICE-CLIENT || vm_fail "no SPICE client: $VM_REPLY"

# pinned: the client asks for 1280x800; X sees it, the head stays
lines=$(wc -l <"$VM_RUN/session.log")
t0=$(vm_uptime)
vm_spice_display 0 1280 800
preferred_is() { [ "$(vm_output_preferred Virtual-1)" = "$1" ]; }
vm_wait_for 15 preferred_is 1280x800 ||
	vm_fail "X never saw the client's request: Virtual-1's preferred mode is '$(vm_output_preferred Virtual-1)', kernel: $(head -n 1 /sys/class/drm/card0-Virtual-1/modes)"
vm_log "X sees the request after $(vm_since "$t0") s: Virtual-1's preferred mode is 1280x800"
t1=$(vm_uptime)
while [ "$(vm_since "$t1" | cut -d. -f1)" -lt 3 ]; do
	[ "$(vm_output_geometry Virtual-1)" = 1600x900+0+0 ] ||
		vm_fail "pinned Virtual-1 did not keep its mode: at '$(vm_output_geometry Virtual-1)' $(vm_since "$t0") s after the request; $(tail -n 5 "$VM_RUN/session.log")"
	sleep 0.1
done
[ "$(vm_output_mode Virtual-1)" = "1600x900_44.00 43.95" ] ||
	vm_fail "pinned Virtual-1 runs '$(vm_output_mode Virtual-1)', not 1600x900_44.00 at 43.95 Hz"
new=$(tail -n +$((lines + 1)) "$VM_RUN/session.log")
# an apply line for another size (or off) means the agent moved the pinned
# head, even if it set it back afterwards
moved=$(grep -E "^vmodes session: Virtual-1: (off$|[0-9]+x[0-9]+ at )" <<<"$new" |
	grep -v "^vmodes session: Virtual-1: 1600x900 at " || true)
[ -z "$moved" ] || vm_fail "vmodes session changed the pinned head (and may have set it back): $new"
vm_log "pinned Virtual-1 still at $(vm_output_geometry Virtual-1), $(vm_output_mode Virtual-1) Hz, $(vm_since "$t0") s after the client asked for 1280x800${new:+; session: $new}"
vm_screendump pinned 1600x900

# unpinned: the next request is followed
lines=$(wc -l <"$VM_RUN/session.log")
write_conf no
vm_wait_for 10 sh -c "tail -n +$((lines + 1)) '$VM_RUN/session.log' | grep -q 'configuration changed'" ||
	vm_fail "vmodes session did not notice the config change: $(cat "$VM_RUN/session.log")"
vm_log "unpinned: Virtual-1 at $(vm_output_geometry Virtual-1), $(vm_output_mode Virtual-1) Hz"
t0=$(vm_uptime)
vm_spice_display 0 1360 768
vm_wait_geometry 15 Virtual-1 1360x768+0+0 ||
	vm_fail "unpinned Virtual-1 did not follow the client to 1360x768: at '$(vm_output_geometry Virtual-1)'; $(tail -n 5 "$VM_RUN/session.log")"
read -r name rate <<<"$(vm_output_mode Virtual-1)"
[ "$name" = 1360x768_44.00 ] && case $rate in 43.8* | 43.9*) true ;; *) false ;; esac ||
	vm_fail "unpinned Virtual-1 runs '$name' at ${rate:-?} Hz, not 1360x768_44.00 at about 44 Hz"
vm_log "unpinned Virtual-1 followed to 1360x768, $rate Hz, in $(vm_since "$t0") s"
cat "$VM_RUN/session.log"
vm_screendump unpinned 1360x768
vm_stop_session
