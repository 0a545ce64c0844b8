# Auto-fit with a real SPICE client: `vmodes session` (auto-fit on, 44 Hz)
# follows the client's window size where spice-vdagent alone leaves the X
# screen as it was (scenario 70). The host-side screendump proves the new
# size; the achieved refresh is the configured one, not a fixed 60 Hz.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast
# vm-spice: yes

vm_start_udev
vm_module_loaded qxl || vm_fail "udev did not load qxl"
vm_start_xorg qxl
vm_start_vdagent
mkdir -p /etc/vmodes
cat >/etc/vmodes/vmodes.conf <<CONF
[general]
auto-fit = true
auto-fit-refresh = 44
CONF
vmodes session --config /etc/vmodes/vmodes.conf >"$VM_RUN/session.log" 2>&1 &
session=$!
vm_wait_for 10 grep -q . "$VM_RUN/session.log" || true
kill -0 "$session" || vm_fail "vmodes session exited: $(cat "$VM_RUN/session.log")"

vm_host SPICE-CLIENT || vm_fail "no SPICE client: $VM_REPLY"
got=
for attempt in 0 1 2 3; do
	want_w=$((1300 + 8 * attempt)) want_h=$((900 + 8 * attempt))
	vm_host SPICE-RESIZE "$want_w" "$want_h" || vm_fail "the client window did not resize: $VM_REPLY"
	for _ in $(seq 1 50); do
		got=$(vm_output_geometry Virtual-1)
		got=${got%%+*}
		w=${got%x*} h=${got#*x}
		if [ -n "$got" ] && [ $((w > want_w - 120 && w <= want_w && h > want_h - 120 && h <= want_h)) = 1 ]; then
			break 2
		fi
		got=
		sleep 0.2
	done
	vm_log "attempt $((attempt + 1)): Virtual-1 still at $(vm_output_geometry Virtual-1)"
done
[ -n "$got" ] || vm_fail "vmodes session did not follow the client window: Virtual-1 at $(vm_output_geometry Virtual-1); $(tail -n 5 "$VM_RUN/session.log")"
vm_expect_current Virtual-1 "$got"
rate=$(xrandr --current | awk '$1 == "Virtual-1" { on = 1; next } /^[^ \t]/ { on = 0 }
	on { for (i = 2; i <= NF; i++) if ($i ~ /\*/) { sub(/[*+]+$/, "", $i); print $i; exit } }')
case $rate in
4[34].*) ;;
*) vm_fail "auto-fit mode runs at ${rate:-?} Hz, not the configured 44 Hz" ;;
esac
vm_log "auto-fit: Virtual-1 follows the SPICE window at $got, $rate Hz"
cat "$VM_RUN/session.log"
vm_screendump autofit "$got"
kill "$session"
