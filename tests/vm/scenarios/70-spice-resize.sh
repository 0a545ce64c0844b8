# A real SPICE client (remote-viewer on the host) resizes its window; with
# spice-vdagentd and spice-vdagent running, the guest's QXL head gets the
# window size as its preferred mode (a DRM hotplug). spice-vdagent alone
# leaves the X screen as it was under the KMS qxl driver: the gap vmodes'
# session agent (auto-fit) fills. The host-side screendump proves what the
# device shows.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast
# vm-spice: yes

vm_start_udev
vm_module_loaded qxl || vm_fail "udev did not load qxl"
vm_start_xorg qxl
vm_start_vdagent
before=$(vm_output_geometry Virtual-1)
vm_log "Virtual-1 before: $before, preferred $(vm_preferred_mode 1)"

vm_host SPICE-CLIENT || vm_fail "no SPICE client: $VM_REPLY"
# The client sends its monitors configuration ~1 s after a resize; the
# preferred mode follows (the window size less the client's own bars:
# 1290x844 for 1300x900). A resize the client drops (while it is still
# settling) is retried with a slightly different size.
pref=
for attempt in 0 1 2 3; do
	want_w=$((1300 + 8 * attempt)) want_h=$((900 + 8 * attempt))
	vm_host SPICE-RESIZE "$want_w" "$want_h" || vm_fail "the client window did not resize: $VM_REPLY"
	for _ in $(seq 1 40); do
		pref=$(vm_preferred_mode 1)
		w=${pref%x*} h=${pref#*x}
		if [ $((w > want_w - 120 && w <= want_w && h > want_h - 120 && h <= want_h)) = 1 ]; then
			break 2
		fi
		pref=
		sleep 0.2
	done
	vm_log "attempt $((attempt + 1)): preferred mode still $(vm_preferred_mode 1)"
done
[ -n "$pref" ] || vm_fail "Virtual-1's preferred mode did not follow the client window (still $(vm_preferred_mode 1))"
vm_log "Virtual-1 preferred mode after the client resize: $pref"

after=$(vm_output_geometry Virtual-1)
vm_log "Virtual-1 after, with spice-vdagent only: $after"
vm_screendump spice-vdagent-only "${before%%+*}"
