#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`vmodes status` on umockdev testbeds: classification, driver state,
connectors, head names, memory, text and JSON output, exit codes."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from harness import TESTBEDS, Suite, Tree, eq, has, lacks, require, run  # noqa: E402

require('umockdev-run', 'depmod')
MiB = 1 << 20
t = Suite()
tree = Tree()


def qxl():
    r = run('qxl', ['--json'], tree.root)
    eq(r.rc, 0, 'exit code')
    eq(len(r.json['devices']), 1, 'devices')
    d = r.device('0000:00:02.0')
    eq((d['virtual'], d['kind'], d['role'], d['vendor'], d['device'], d['class']),
       (True, 'qxl', 'primary', '1b36', '0100', '030000'), 'identity')
    eq(d['boot_vga'], True, 'boot_vga')
    eq(d['driver'], 'qxl', 'driver')
    eq((d['module']['name'], d['module']['state'], d['module']['action']), ('qxl', 'loaded', 'none'), 'module')
    eq(d['drm']['card'], 'card0', 'card')
    eq(d['drm']['devnode'], '/dev/dri/card0', 'devnode')
    eq(d['drm']['render_devnode'], None, 'QXL has no render node')
    conns = d['connectors']
    eq([c['name'] for c in conns], ['Virtual-1', 'Virtual-2', 'Virtual-3', 'Virtual-4'], 'connectors')
    eq([c['head'] for c in conns], [1, 2, 3, 4], 'heads')
    eq([c['status'] for c in conns], ['connected'] + ['disconnected'] * 3, 'status')
    eq([c['enabled'] for c in conns], [True, False, False, False], 'enabled')
    eq(len(conns[0]['modes']), 16, 'modes of Virtual-1')
    eq(conns[0]['modes'][0], '1024x768', 'first mode')
    eq(conns[1]['modes'], [], 'modes of a disconnected head')
    eq(conns[1]['x_names'], {'kms': 'Virtual-2', 'ums': 'qxl-1', 'legacy': 'Virtual-1'}, 'X names of head 2')
    eq(conns[3]['x_names'], {'kms': 'Virtual-4', 'ums': 'qxl-3', 'legacy': 'Virtual-3'}, 'X names of head 4')
    bars = {b['index']: b for b in d['memory']['bars']}
    eq((bars[0]['name'], bars[0]['size']), ('RAM', 64 * MiB), 'BAR0')
    eq((bars[1]['name'], bars[1]['size']), ('VRAM', 64 * MiB), 'BAR1')
    eq((bars[2]['name'], bars[2]['size']), ('ROM', 8192), 'BAR2')
    eq((bars[3]['type'], bars[3]['size']), ('io', 32), 'BAR3')
    eq(4 in bars, False, 'no 64-bit VRAM BAR by default')
    eq(d['memory']['surface_area'], 16 * MiB, 'vgamem from the ROM')
    fb = d['memory']['framebuffer']
    eq((fb['bytes'], fb['exact'], fb['pixels'], fb['largest_common_mode']),
       (16 * MiB, True, 4 * MiB, '2560x1600'), 'framebuffer')
    eq([p for p in r.json['problems'] if p['device']], [], 'device problems')
    eq(r.json['x']['reachable'], False, 'no X without DISPLAY')
    eq(r.json['errors'], [], 'errors')
    eq(r.err, '', 'stderr')


def qxl_text():
    r = run('qxl', [], tree.root)
    eq(r.rc, 0, 'exit code')
    has(r.out, 'QXL at 0000:00:02.0 (PCI 1b36:0100, class 030000, boot display)')
    has(r.out, '  driver      qxl, bound; module qxl loaded\n')
    has(r.out, '  DRM card    card0 (/dev/dri/card0)\n')
    has(r.out, '  memory      RAM 64 MiB (BAR0), VRAM 64 MiB (BAR1), ROM 8 KiB (BAR2)\n')
    has(r.out, '  vgamem      16 MiB (from the QXL ROM)\n')
    has(r.out, 'largest common mode 2560x1600')
    has(r.out, '  heads       4\n')
    has(r.out, '    1    Virtual-1      connected    yes     Virtual-1/qxl-0  1024x768 ')
    has(r.out, '    4    Virtual-4      disconnected no      Virtual-4/qxl-3  -\n')
    has(r.out, 'X display   - (DISPLAY is not set, nor SWAYSOCK)')
    lacks(r.out, '0000:00:02.0: QXL has no kernel driver')


def qxl_module_live():
    # loaded but not bound: the state can only come from /sys/module as libkmod reads it
    r = run('qxl-unbound', ['--json'], tree.root,
            setup='mkdir -p "$UMOCKDEV_DIR/sys/module/qxl" && echo live > "$UMOCKDEV_DIR/sys/module/qxl/initstate"')
    eq(r.rc, 3, 'exit code')
    m = r.device('0000:00:02.0')['module']
    eq((m['state'], m['action']), ('loaded', 'investigate'), 'module')
    eq(m['path'], tree.path('lib/modules/6.1.0-vmodes-test/kernel/drivers/gpu/drm/qxl/qxl.ko'), 'path')
    has(r.json['problems'][0]['message'], 'although module qxl is loaded: the driver refused the device')


def virtio():
    r = run('virtio-gpu', ['--json'], tree.root)
    eq(r.rc, 0, 'exit code')
    d = r.device('0000:00:01.0')
    eq((d['kind'], d['name']), ('virtio-gpu', 'virtio-gpu'), 'kind')
    eq((d['driver'], d['pci_driver']), ('virtio_gpu', 'virtio-pci'), 'drivers')
    eq(d['modalias'], 'virtio:d00000010v00001AF4', 'modalias of the virtio device')
    eq((d['module']['name'], d['module']['state']), ('virtio_gpu', 'loaded'), 'module')
    eq(d['drm']['render_devnode'], '/dev/dri/renderD128', 'render node')
    eq([(c['name'], c['status'], c['head']) for c in d['connectors']],
       [('Virtual-1', 'connected', 1), ('Virtual-2', 'disconnected', 2)], 'connectors')
    eq(d['connectors'][0]['x_names'], {'kms': 'Virtual-1'}, 'only KMS names for virtio-gpu')
    fb = d['memory']['framebuffer']
    eq((fb['bytes'], fb['source']), (None, 'guest RAM (virtio-gpu has no video memory BAR)'), 'framebuffer')
    eq('surface_area' in d['memory'], False, 'no vgamem outside QXL')
    eq(r.json['problems'], [], 'problems (no spice-vdagent advice without QXL)')
    t2 = run('virtio-gpu', [], tree.root)
    has(t2.out, '  driver      virtio_gpu, bound (PCI function: virtio-pci); module virtio_gpu loaded\n')
    has(t2.out, 'render node /dev/dri/renderD128')
    has(t2.out, 'No problems found.')


def virtio_card_below_pci():
    # kernel 6.1 puts virtio-gpu's DRM devices below the PCI function
    # (0000:00:01.0/drm/card0), the testbed below the virtio device
    with open(os.path.join(TESTBEDS, 'virtio-gpu.umockdev')) as f:
        text = f.read()
    moved = text.replace('/virtio0/drm/', '/drm/')
    eq(moved != text, True, 'the testbed has DRM devices below virtio0')
    bed = tree.write('virtio-gpu-6.1.umockdev', moved)
    r = run('virtio-gpu', ['--json'], tree.root, bed_file=bed)
    eq(r.rc, 0, 'exit code')
    d = r.device('0000:00:01.0')
    eq((d['driver'], d['drm']['card'], d['drm']['render_devnode']), ('virtio_gpu', 'card0', '/dev/dri/renderD128'),
       'driver, card, render node')
    eq([(c['name'], c['status'], c['head']) for c in d['connectors']],
       [('Virtual-1', 'connected', 1), ('Virtual-2', 'disconnected', 2)], 'connectors')


def both():
    r = run('qxl-virtio', ['--json'], tree.root)
    eq(r.rc, 0, 'exit code')
    eq([(d['slot'], d['kind'], d['drm']['card']) for d in r.json['devices']],
       [('0000:00:02.0', 'qxl', 'card0'), ('0000:00:03.0', 'virtio-gpu', 'card1')], 'devices')
    q = r.device('0000:00:02.0')
    bar4 = [b for b in q['memory']['bars'] if b['index'] == 4][0]
    eq((bar4['name'], bar4['size'], bar4['64bit'], bar4['prefetchable']), ('VRAM64', 256 * MiB, True, True), 'BAR4')
    eq(r.device('0000:00:03.0')['boot_vga'], False, 'virtio not the boot display')
    eq([c['name'] for c in r.device('0000:00:03.0')['connectors']], ['Virtual-1'], 'virtio connectors')
    t2 = run('qxl-virtio', [], tree.root)
    has(t2.out, 'QXL at 0000:00:02.0')
    has(t2.out, '\nvirtio-gpu at 0000:00:03.0')
    has(t2.out, 'VRAM64 256 MiB (BAR4)')


def secondary():
    r = run('qxl-secondary', ['--json'], tree.root)
    eq(r.rc, 0, 'exit code')
    eq([(d['slot'], d['kind'], d['role'], d['class']) for d in r.json['devices']],
       [('0000:00:02.0', 'qxl', 'primary', '030000'), ('0000:00:04.0', 'qxl', 'secondary', '038000')], 'devices')
    eq(r.device('0000:00:04.0')['boot_vga'], None, 'no boot_vga on a display controller')
    has(run('qxl-secondary', [], tree.root).out, 'QXL at 0000:00:04.0 (PCI 1b36:0100, class 038000, secondary head device)')


def baremetal():
    r = run('baremetal', ['--json'], tree.root)
    eq(r.rc, 1, 'exit code: no virtual GPU')
    eq([(d['slot'], d['virtual'], d['driver'], d['name']) for d in r.json['devices']],
       [('0000:00:02.0', False, 'i915', 'not a virtual GPU'), ('0000:01:00.0', False, 'nvidia', 'not a virtual GPU')],
       'devices')
    eq('module' in r.json['devices'][0], False, 'real GPUs are left alone: no module decision')
    eq(r.json['problems'], [], 'problems')
    t2 = run('baremetal', [], tree.root)
    eq(t2.rc, 1, 'exit code (text)')
    has(t2.out, 'No virtual GPU found (kernel 6.1.0-vmodes-test).')
    has(t2.out, '  0000:00:02.0  PCI 8086:46a6 class 030000, driver i915\n')
    has(t2.out, '  0000:01:00.0  PCI 10de:2520 class 030200, driver nvidia\n')


try:
    t.check('QXL guest: classification, module, connectors, names, memory (JSON)', qxl)
    t.check('QXL guest: text output', qxl_text)
    t.check('QXL loaded but not bound: state read from /sys/module by libkmod', qxl_module_live)
    t.check('virtio-gpu guest: virtio child device, render node, no memory limit', virtio)
    t.check('virtio-gpu guest, DRM devices below the PCI function (kernel 6.1)', virtio_card_below_pci)
    t.check('QXL + virtio-gpu guest: two virtual GPUs, 64-bit VRAM BAR', both)
    t.check('QXL primary + secondary device (class 0x038000)', secondary)
    t.check('bare metal with real GPUs: no virtual GPU, exit 1', baremetal)
finally:
    tree.cleanup()
t.finish()
