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
vm_set_mode Virtual-1 2560 1440 44
vm_set_mode Virtual-2 1920 1080 60 --right-of Virtual-1
vm_expect_current Virtual-1 2560x1440+0+0
vm_expect_current Virtual-2 1920x1080+2560+0
xrandr --current | head -n 1
vm_screendump modesetting-two-heads 8960x1440
vm_stop_xorg
