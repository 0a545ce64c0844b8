# Xorg on modesetting (kernel qxl driver): the CVT mode 2560x1440@44 computed by vmodes, applied
# to Virtual-1, gives a 2560x1440 framebuffer in the host's screendump.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast

vm_start_udev # coldplug: loads qxl by its modalias, as a booted system does
vm_module_loaded qxl || vm_fail "udev did not load qxl"
vm_start_xorg modesetting
# vmodes status maps the X outputs to the heads (DRM connectors).
vm_expect_x_head Virtual-1 1
vm_expect_x_head Virtual-4 4
vm_screendump modesetting-start

vm_log "vmodes add Virtual-1 2560x1440@44 --apply"
vmodes add Virtual-1 2560x1440@44 --apply || vm_fail "vmodes add failed ($?)"
vm_expect_current Virtual-1 2560x1440
vm_screendump modesetting-2560x1440 2560x1440
vm_stop_xorg
