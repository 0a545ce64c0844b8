# SPDX-License-Identifier: MIT
"""Builds a fake kernel module tree that libkmod can resolve like a real one.

Each fake module is a relocatable ELF object compiled from a few lines of C:
a .modinfo section with its PCI/virtio aliases, a __ksymtab_strings section
naming the symbols it exports, and undefined references to the symbols of the
modules it depends on. depmod(8) then writes the real modules.dep.bin,
modules.alias.bin and friends, so libkmod's alias lookup, dependency order,
modprobe.d options, blacklists and install commands all run for real.

Nothing here is ever loaded: the tests only use --dry-run, which stops
before init_module(2).
"""
import os
import shutil
import subprocess

# name -> (file name, aliases, exported symbols, symbols used from others)
MODULES = {
    'drm': ('drm.ko', [], ['drm_dev_register'], []),
    'drm_kms_helper': ('drm_kms_helper.ko', [], ['drm_kms_helper_hotplug_event'], ['drm_dev_register']),
    'ttm': ('ttm.ko', [], ['ttm_bo_init'], ['drm_dev_register']),
    'qxl': ('qxl.ko', ['pci:v00001B36d00000100sv*sd*bc03sc00i00*', 'pci:v00001B36d00000100sv*sd*bc03sc80i00*'],
            [], ['drm_kms_helper_hotplug_event', 'ttm_bo_init']),
    'virtio_ring': ('virtio_ring.ko', [], ['virtqueue_add_sgs'], []),
    'virtio_pci': ('virtio_pci.ko', ['pci:v00001AF4d*sv*sd*bc*sc*i*'], [], ['virtqueue_add_sgs']),
    'virtio_gpu': ('virtio-gpu.ko', ['virtio:d00000010v*'], [], ['drm_kms_helper_hotplug_event', 'virtqueue_add_sgs']),
    'bochs': ('bochs.ko', ['pci:v00001234d00001111sv*sd*bc03sc00i00*'], [], ['drm_kms_helper_hotplug_event']),
}

SUBDIR = {
    'drm': 'drivers/gpu/drm', 'drm_kms_helper': 'drivers/gpu/drm', 'ttm': 'drivers/gpu/drm/ttm',
    'qxl': 'drivers/gpu/drm/qxl', 'virtio_ring': 'drivers/virtio', 'virtio_pci': 'drivers/virtio',
    'virtio_gpu': 'drivers/gpu/drm/virtio', 'bochs': 'drivers/gpu/drm/tiny',
}


def find_depmod():
    for d in (os.environ.get('PATH', '') + ':/usr/sbin:/sbin').split(':'):
        p = os.path.join(d or '.', 'depmod')
        if d and os.access(p, os.X_OK):
            return p
    return None


def c_source(name, aliases, exports, uses):
    lines = ['/* fake module %s */' % name]
    for a in aliases + ['license=GPL', 'description=vmodes test module ' + name]:
        lines.append('static const char __attribute__((used, section(".modinfo"), aligned(1))) mi_%d[] = "%s";'
                     % (len(lines), a if '=' in a and not a.startswith('pci:') and not a.startswith('virtio:') else 'alias=' + a))
    if exports:
        lines.append('static const char __attribute__((used, section("__ksymtab_strings"), aligned(1))) ks[] = "%s";'
                     % '\\0'.join(exports))
    for s in exports:
        lines.append('int %s(void) { return 0; }' % s)
    for s in uses:
        lines.append('extern int %s(void);' % s)
    lines.append('int init_%s(void) { return 0%s; }' % (name, ''.join(' + %s()' % s for s in uses)))
    return '\n'.join(lines) + '\n'


def build(root, kver, modules=None, builtin=(), cc=None):
    """Writes root/lib/modules/kver with the given module names (default all)."""
    depmod = find_depmod()
    if not depmod:
        raise FileNotFoundError('depmod')
    cc = cc or os.environ.get('CC', 'cc').split()[0]
    if not shutil.which(cc):
        raise FileNotFoundError(cc)
    moddir = os.path.join(root, 'lib', 'modules', kver)
    os.makedirs(moddir, exist_ok=True)
    names = list(MODULES) if modules is None else modules
    for name in names:
        fname, aliases, exports, uses = MODULES[name]
        d = os.path.join(moddir, 'kernel', SUBDIR[name])
        os.makedirs(d, exist_ok=True)
        src = os.path.join(d, name + '.c')
        with open(src, 'w') as f:
            f.write(c_source(name, aliases, exports, uses))
        subprocess.run([cc, '-c', '-O0', '-fno-pic', '-fno-asynchronous-unwind-tables', '-o',
                        os.path.join(d, fname), src], check=True)
        os.unlink(src)
    with open(os.path.join(moddir, 'modules.builtin'), 'w') as f:
        for name in builtin:
            f.write('kernel/%s/%s.ko\n' % (SUBDIR.get(name, 'drivers'), name))
    open(os.path.join(moddir, 'modules.builtin.modinfo'), 'wb').close()
    with open(os.path.join(moddir, 'modules.order'), 'w') as f:
        for name in names:
            f.write('kernel/%s/%s\n' % (SUBDIR[name], MODULES[name][0]))
    subprocess.run([depmod, '-b', root, kver], check=True)
    return moddir
