# The SPICE client switches its second display on: with auto-fit on,
# `vmodes session` lights Virtual-2 at the size the client asks for, at the
# configured refresh rate, right of Virtual-1. The client is spice-gtk's own
# library (tests/vm/spice-client, "vm-spice: glib"): the monitors
# configuration it sends is the one remote-viewer sends when its user ticks
# View > Displays > Display 2, with exact sizes (a window has bars).
#
# Display 0 first goes to 1440x900 (remote-viewer always sends display 0 at
# its window size), then display 1 comes on at 1280x720, then off again:
# the agent turns Virtual-2 off and the screen is 1440x900 again. On the qxl DDX the
# device's primary surface is the X screen, so the host-side screendump is
# the combined layout: (1440+1280)x900 = 2720x900 (its content is black under
# the qxl DDX; the size is what counts). Under modesetting the kernel qxl
# driver would make it one copy per head, 5440x900 (scenario 31).
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast
# vm-spice: glib

vm_start_udev
vm_module_loaded qxl || vm_fail "udev did not load qxl"
vm_start_xorg qxl
vm_start_vdagent
cat >"$VM_RUN/vmodes.conf" <<CONF
[general]
auto-fit = true
auto-fit-refresh = 44
CONF
vm_start_session "$VM_RUN/vmodes.conf"
[ -z "$(vm_output_geometry Virtual-2)" ] || vm_fail "Virtual-2 is on before the client asked for it"

vm_host SPICE-CLIENT || vm_fail "no SPICE client: $VM_REPLY"

# the client's first display, as remote-viewer sends it at its window size
vm_spice_display 0 1440 900
vm_wait_geometry 15 Virtual-1 1440x900+0+0 ||
	vm_fail "Virtual-1 did not follow the client's display 0 to 1440x900: at '$(vm_output_geometry Virtual-1)'; $(tail -n 5 "$VM_RUN/session.log")"
vm_log "Virtual-1 followed display 0 to 1440x900 in $VM_WAITED s"

# the client's second display: Virtual-2 comes on right of Virtual-1
vm_spice_display 1 1280 720
vm_wait_geometry 15 Virtual-2 1280x720+1440+0 ||
	vm_fail "Virtual-2 is not at 1280x720 right of Virtual-1: at '$(vm_output_geometry Virtual-2)' ($(cat /sys/class/drm/card0-Virtual-2/status)); $(tail -n 5 "$VM_RUN/session.log")"
vm_log "Virtual-2 lit at 1280x720+1440+0 in $VM_WAITED s after the client switched display 1 on"
vm_expect_current Virtual-1 1440x900+0+0
vm_expect_current Virtual-2 1280x720+1440+0
# the agent's mode (CVT at the configured 44 Hz), not one spice-vdagent or
# the server made (60 Hz, or spice-vdagent's WxH-N at 0.06 Hz)
read -r name rate <<<"$(vm_output_mode Virtual-2)"
[ "$name" = 1280x720_44.00 ] && case $rate in 43.8* | 43.9*) true ;; *) false ;; esac ||
	vm_fail "Virtual-2 runs '$name' at ${rate:-?} Hz, not vmodes' 1280x720_44.00 at 43.84 Hz"
grep -q "^vmodes session: Virtual-2: 1280x720 " "$VM_RUN/session.log" ||
	vm_fail "vmodes session did not log lighting Virtual-2: $(cat "$VM_RUN/session.log")"
screen=$(xrandr --current | sed -n 's/.*current \([0-9]*\) x \([0-9]*\),.*/\1x\2/p')
[ "$screen" = 2720x900 ] || vm_fail "the X screen is $screen, expected 2720x900"
vm_screendump second-display 2720x900

# the client switches its second display off: Virtual-2 goes off
vm_spice_display 1 off
vm_wait_geometry 15 Virtual-2 "" ||
	vm_fail "Virtual-2 stays at '$(vm_output_geometry Virtual-2)' after the client switched display 1 off; $(tail -n 5 "$VM_RUN/session.log")"
vm_log "Virtual-2 off $VM_WAITED s after the client switched display 1 off"
vm_expect_current Virtual-1 1440x900+0+0
screen=$(xrandr --current | sed -n 's/.*current \([0-9]*\) x \([0-9]*\),.*/\1x\2/p')
[ "$screen" = 1440x900 ] || vm_fail "the X screen is $screen after display 1 went off, expected 1440x900"
cat "$VM_RUN/session.log"
vm_screendump second-display-off 1440x900
vm_stop_session
