#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bad input never crashes `vmodes status`: unknown options and arguments
give a one-line usage error (exit 2); malformed sysfs values in a testbed
(truncated files, non-hex ids, broken resource tables, unknown connector
states, a QXL ROM without its magic) each give one clear line on stderr,
and the rest of the report still comes out."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from harness import TESTBEDS, Suite, Tree, eq, has, lacks, require, run  # noqa: E402

require('umockdev-run', 'depmod')
t = Suite()
tree = Tree()
tmp = tempfile.mkdtemp(prefix='vmodes-beds-')
with open(os.path.join(TESTBEDS, 'qxl.umockdev')) as f:
    QXL = f.read()


def bed(name, old, new):
    if old not in QXL:
        raise AssertionError('testbed qxl.umockdev lacks %r' % old)
    p = os.path.join(tmp, name + '.umockdev')
    with open(p, 'w') as f:
        f.write(QXL.replace(old, new, 1))
    return p


def usage(args, message):
    def fn():
        r = run('qxl', args, tree.root)
        eq(r.rc, 2, 'exit code')
        eq(r.out, '', 'stdout')
        eq(r.err.count('\n'), 1, 'one line')
        has(r.err, message)
    return fn


def malformed(name, old, new, message, rc=0, check=None):
    def fn():
        p = bed(name, old, new)
        for args in ([], ['--json']):
            r = run(None, args, tree.root, bed_file=p)
            eq(r.rc, rc, 'exit code')
            eq(r.err.count('\n'), 1, 'one error line: %r' % r.err)
            has(r.err, message, 'stderr')
            if args:
                eq(r.json['errors'], [r.err[len('vmodes: '):].rstrip('\n')], 'errors in JSON')
                if check:
                    check(r)
    return fn


def dropped(r):
    eq(r.json['devices'], [], 'a device with unreadable ids is left out')


def device_kept(r):
    eq(r.json['devices'][0]['kind'], 'qxl', 'device still reported')


def help_text():
    r = run('qxl', ['--help'], tree.root)
    eq(r.rc, 0, 'exit code')
    for s in ('Usage: vmodes status [OPTIONS]', '--json', '--load-module', '--force', '--dry-run', 'Exit status:',
              '  3  a virtual GPU was found but its kernel driver is not bound', 'qxl-(N-1)'):
        has(r.out, s)


t.check('--help', help_text)
t.check('unknown option', usage(['--bogus'], "vmodes: status: unknown option '--bogus'"))
t.check('unknown short option', usage(['-x'], "vmodes: status: unknown option '-x'"))
t.check('stray argument', usage(['card0'], "vmodes: status: unexpected argument 'card0'"))
t.check('--force without --load-module', usage(['--force'], '--force only makes sense with --load-module'))
t.check('--root without a value', usage(['--root'], "option '--root' needs a value"))
t.check('--kernel with a slash', usage(['--kernel', '../x'], "--kernel '../x' is not a kernel release"))
t.check('--root that does not exist', usage(['--root', '/nonexistent/vmodes'], "--root '/nonexistent/vmodes'"))

t.check('truncated vendor id', malformed('vendor-truncated', 'A: vendor=0x1b36', 'A: vendor=0x1b',
        "0000:00:02.0: sysfs attribute 'vendor' is malformed: '0x1b' (expected 0x and 4 hex digits)", 1, dropped))
t.check('non-hex device id', malformed('device-nonhex', 'A: device=0x0100', 'A: device=0xzz00',
        "sysfs attribute 'device' is malformed: '0xzz00'", 1, dropped))
t.check('empty vendor file', malformed('vendor-empty', 'A: vendor=0x1b36', 'A: vendor=',
        "sysfs attribute 'vendor' is malformed: ''", 1, dropped))
t.check('truncated class', malformed('class-truncated', 'A: class=0x030000', 'A: class=0x03',
        "sysfs attribute 'class' is malformed: '0x03' (expected 0x and 6 hex digits)", 1, dropped))
t.check('id with trailing garbage', malformed('vendor-garbage', 'A: vendor=0x1b36', 'A: vendor=0x1b36\\x01',
        "sysfs attribute 'vendor' is malformed", 1, dropped))
t.check('truncated resource table', malformed('resource-truncated', 'A: resource=0x00000000f4000000 0x00000000f7ffffff',
        'A: resource=0x00000000f4000000 0x00000000f7ff\\nH: x=00\\nA: resource_was=',
        "sysfs attribute 'resource' is malformed", 0, device_kept))
t.check('resource end before start', malformed('resource-reversed', 'A: resource=0x00000000f4000000 0x00000000f7ffffff',
        'A: resource=0x00000000f7ffffff 0x00000000f4000000', "sysfs attribute 'resource' is malformed", 0, device_kept))
t.check('bad boot_vga', malformed('bootvga', 'A: boot_vga=1', 'A: boot_vga=yes',
        "sysfs attribute 'boot_vga' is malformed: 'yes' (expected 0 or 1)", 0, device_kept))
t.check('unknown connector status', malformed('status', 'A: status=connected\\n', 'A: status=conn\\n',
        "0000:00:02.0: card0-Virtual-1/status is malformed: 'conn' (expected connected, disconnected or unknown)", 0,
        lambda r: eq(r.json['devices'][0]['connectors'][0]['status'], 'unknown', 'status')))
t.check('garbage in the modes file', malformed('modes', 'A: modes=1024x768\\n', 'A: modes=\\x7f\\x01junk\\n',
        "card0-Virtual-1/modes has a malformed line", 0,
        lambda r: eq(r.json['devices'][0]['connectors'][0]['modes'], [], 'modes dropped')))
t.check('QXL ROM without its magic', malformed('rom', 'H: resource2=5158524f', 'H: resource2=0000524f',
        'the QXL ROM (resource2) does not hold a valid QXLRom header', 0,
        lambda r: eq(r.json['devices'][0]['memory']['surface_area'], None, 'vgamem unknown')))


def rom_absent():
    p = bed('rom-absent', 'H: resource2=', 'H: resource9=')
    r = run(None, ['--json'], tree.root, bed_file=p)
    eq(r.rc, 0, 'exit code')
    eq(r.err, '', 'no error: a missing ROM file is normal without root')
    mem = r.json['devices'][0]['memory']
    eq((mem['surface_area'], mem['framebuffer']['exact'], mem['framebuffer']['bytes']), (None, False, 32 << 20),
       'upper bound from the RAM BAR')
    has(run(None, [], tree.root, bed_file=p).out, 'framebuffer at most 32 MiB')


t.check('QXL ROM unreadable: vgamem bounded by half the RAM BAR', rom_absent)
tree.cleanup()
t.finish()
