# Two heads side by side on the qxl DDX: Virtual-1 at 2560x1440@44 and the
# (disconnected) Virtual-2 at 1920x1080@60 right of it.  The qxl DDX puts the
# whole X screen in one primary surface, so the screendump is the X screen:
# (2560+1920)x1440.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast

vm_start_udev
vm_start_xorg qxl
vm_log "vmodes add Virtual-1 2560x1440@44 --apply; vmodes add Virtual-2 1920x1080@60 --right-of Virtual-1"
vmodes add Virtual-1 2560x1440@44 --apply || vm_fail "vmodes add Virtual-1 failed ($?)"
# Virtual-2 is disconnected (no SPICE client asked for it): an explicit mode turns it on.
vmodes add Virtual-2 1920x1080@60 --right-of Virtual-1 || vm_fail "vmodes add Virtual-2 failed ($?)"
vm_expect_current Virtual-1 2560x1440+0+0
vm_expect_current Virtual-2 1920x1080+2560+0
xrandr --current | head -n 1
vm_screendump qxl-ddx-two-heads 4480x1440
vm_stop_xorg
