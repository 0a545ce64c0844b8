# `make demo`: the main job end to end in a QXL VM.  Xorg on modesetting (its
# frame buffer is what a QMP screendump shows; the qxl DDX draws with QXL
# commands only a SPICE client renders),
# then Virtual-1 gets 2560x1440 at 44 Hz through vmodes, and the host takes
# a screendump.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast

vm_start_udev
vm_start_xorg modesetting
# A grid on the root window, so the screendump shows the whole framebuffer.
xsetroot -mod 16 16 -fg '#4a86c8' -bg '#1c2733'
vm_screendump demo-before
if vm_have_vmodes_command add; then
	vm_log "vmodes add Virtual-1 2560x1440@44 --apply"
	vmodes add Virtual-1 2560x1440@44 --apply
else
	# vmodes cannot apply modes yet: it computes the mode, xrandr applies it.
	vm_log "vmodes has no 'add' command yet: vmodes cvt + xrandr"
	vm_set_mode Virtual-1 2560 1440 44
fi
xrandr --current | sed -n '1,3p'
vm_expect_current Virtual-1 2560x1440
vm_screendump demo-2560x1440 2560x1440
