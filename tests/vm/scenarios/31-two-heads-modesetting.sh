# Two heads side by side on modesetting (kernel qxl driver): Virtual-1 at
# 2560x1440@44, Virtual-2 at 1920x1080@60 right of it: a 4480x1440 X screen.
# Here the kernel qxl driver makes the device's primary surface one copy of
# the framebuffer per active head, side by side, so the screendump is twice
# the X screen's width: 8960x1440 (the first copy shows black).
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast

vm_start_udev
vm_start_xorg modesetting
vm_log "vmodes add Virtual-1 2560x1440@44 --apply; vmodes add Virtual-2 1920x1080@60 --right-of Virtual-1"
vmodes add Virtual-1 2560x1440@44 --apply || vm_fail "vmodes add Virtual-1 failed ($?)"
# Virtual-2 is disconnected (no SPICE client asked for it): an explicit mode turns it on.
vmodes add Virtual-2 1920x1080@60 --right-of Virtual-1 || vm_fail "vmodes add Virtual-2 failed ($?)"
vm_expect_current Virtual-1 2560x1440+0+0
vm_expect_current Virtual-2 1920x1080+2560+0
xrandr --current | head -n 1
vm_screendump modesetting-two-heads 8960x1440
vm_stop_xorg
