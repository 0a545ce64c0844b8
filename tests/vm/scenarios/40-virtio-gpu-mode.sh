# virtio-gpu: the CVT mode 2560x1440@44 computed by vmodes, applied to
# Virtual-1 under Xorg's modesetting driver, is what the device scans out on
# its first head (host-side screendump of head 0).
# vm-device: virtio
# vm-outputs: 2
# vm-boot: fast

vm_start_udev
vm_module_loaded virtio_gpu || vm_fail "udev did not load virtio_gpu"
heads=$(vm_drm_heads | tr '\n' ' ')
vm_log "DRM connectors: $heads"
[ "$heads" = "Virtual-1 Virtual-2 " ] || vm_fail "expected the connectors Virtual-1..2, got: $heads"
out=$(vmodes status --no-x) || vm_fail "vmodes status failed ($?)"
grep -q "virtio_gpu" <<<"$out" || vm_fail "vmodes status does not name the virtio_gpu driver: $out"
vm_start_xorg modesetting
vm_expect_x_head Virtual-1 1
vm_expect_x_head Virtual-2 2
vm_log "vmodes add Virtual-1 2560x1440@44 --apply"
vmodes add Virtual-1 2560x1440@44 --apply || vm_fail "vmodes add failed ($?)"
vm_expect_current Virtual-1 2560x1440
vm_screendump virtio-2560x1440 2560x1440 0
vm_stop_xorg
