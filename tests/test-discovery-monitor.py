#!/bin/sh
# SPDX-License-Identifier: MIT
# The udev monitor API in a umockdev testbed: DRM change events with
# HOTPLUG=1 (with and without CONNECTOR=), DRM card and display PCI device
# add/remove, and what it must ignore (change without HOTPLUG, connector
# sysfs devices, non-display PCI devices). Needs umockdev's GObject
# introspection data, which only the system python has.
''''test -x /usr/bin/python3 || exit 77; exec /usr/bin/python3 "$0" "$@" # '''
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get('top_srcdir') or os.path.dirname(HERE)
BUILD = os.environ.get('top_builddir') or SRC
PROG = os.path.join(BUILD, 'tests', 'test-discovery-monitor')

sys.path.insert(0, os.path.join(HERE, 'lib'))
import harness  # noqa: E402

UMockdev = harness.umockdev_in_process(__file__)
if not os.access(PROG, os.X_OK):
    print('SKIP: %s not built' % PROG)
    sys.exit(77)

tb = UMockdev.Testbed.new()
with open(os.path.join(SRC, 'tests', 'testbeds', 'qxl.umockdev')) as f:
    tb.add_from_string(f.read())
PCI = '/sys/devices/pci0000:00/0000:00:02.0'
CARD = PCI + '/drm/card0'
CONN = CARD + '/card0-Virtual-1'
NET = tb.add_device('pci', '0000:00:05.0', None, ['class', '0x020000', 'vendor', '0x1af4', 'device', '0x1000'],
                    ['PCI_CLASS', '20000'])

env = dict(os.environ)
env['UMOCKDEV_DIR'] = tb.get_root_dir()
env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':verify_asan_link_order=0'
expected = [
    'hotplug drm card0 connector=-1',
    'hotplug drm card0 connector=44',
    'remove drm card0 connector=-1',
    'add drm card0 connector=-1',
    'remove pci 0000:00:02.0 connector=-1',
    'add pci 0000:00:02.0 connector=-1',
]
p = subprocess.Popen([PROG, str(len(expected)), '20'], stdout=subprocess.PIPE, text=True, env=env)
line = p.stdout.readline().strip()
if line != 'READY':
    print('monitor did not start: %r' % line)
    sys.exit(1)

# ignored: change without HOTPLUG, connector devices, a network card
tb.uevent(CARD, 'change')
tb.uevent(CONN, 'change')
tb.uevent(NET, 'add')
# reported
tb.set_property(CARD, 'HOTPLUG', '1')
tb.uevent(CARD, 'change')
tb.set_property(CARD, 'CONNECTOR', '44')
tb.uevent(CARD, 'change')
tb.set_property(CARD, 'CONNECTOR', 'x')
tb.uevent(CARD, 'remove')
tb.uevent(CARD, 'add')
tb.uevent(PCI, 'remove')
tb.uevent(PCI, 'add')

got = [line.strip() for line in p.stdout]
rc = p.wait()
ok = got == expected and rc == 0
for e, g in zip(expected + [''] * len(got), got + [''] * len(expected)):
    if e or g:
        print('%s %-40s %s' % ('ok' if e == g else '!!', e, g))
print('%d passed, %d failed' % (1 if ok else 0, 0 if ok else 1))
sys.exit(0 if ok else 1)
