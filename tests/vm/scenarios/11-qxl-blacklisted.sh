# qxl blacklisted on the kernel command line: `vmodes status --load-module`
# must leave it alone and say why; `--force` loads it anyway.
# vm-device: qxl
# vm-outputs: 4
# vm-boot: fast
# vm-cmdline: modprobe.blacklist=qxl

command -v vmodes >/dev/null || vm_fail "this scenario needs vmodes installed (run with --builddir)"
vm_module_loaded qxl && vm_fail "qxl is loaded at boot"

vm_log "vmodes status --load-module (qxl blacklisted)"
out=$(vmodes status --load-module --no-x 2>&1) || true
printf '%s\n' "$out"
vm_module_loaded qxl && vm_fail "vmodes loaded the blacklisted qxl module"
grep -qi blacklist <<<"$out" || vm_fail "vmodes did not say that qxl is blacklisted"

vm_log "vmodes status --load-module --force"
vmodes status --load-module --force --no-x >/dev/null || vm_fail "vmodes status --load-module --force failed"
vm_module_loaded qxl || vm_fail "qxl is not loaded after --force"
vm_wait_for 30 test -e /sys/class/drm/card0-Virtual-4 || vm_fail "the four QXL heads did not appear"
[ "$(cat /sys/class/drm/card0-Virtual-1/status)" = connected ] || vm_fail "Virtual-1 is not connected"
vm_screendump after-force "$(head -n 1 /sys/class/drm/card0-Virtual-1/modes)"
