# SPDX-License-Identifier: MIT
"""Runs `vmodes status` inside umockdev testbeds and checks what it says.

Used by tests/test-discovery-*.py. Each check is a named subtest; the script
ends with a 'N passed, N failed' line and exits 0, 1, or 77 (skip) when a
prerequisite is missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(HERE))
BUILDDIR = os.environ.get('top_builddir') or SRCDIR
VMODES = os.environ.get('VMODES') or os.path.join(BUILDDIR, 'vmodes')
TESTBEDS = os.path.join(SRCDIR, 'tests', 'testbeds')
KVER = '6.1.0-vmodes-test'

import modtree  # noqa: E402
from tally import SKIP, Suite, eq, has, lacks, skip  # noqa: E402,F401



def require(*tools):
    if not os.access(VMODES, os.X_OK):
        skip('%s not built' % VMODES)
    for t in tools:
        if t == 'depmod':
            if not modtree.find_depmod():
                skip('depmod (Debian package kmod) not installed')
        elif not shutil.which(t):
            skip('%s not installed' % t)


def umockdev_in_process(script):
    """The UMockdev module, for a test that makes a testbed in its own
    process and changes it while programs run in it (uevents): the
    testbed's uevent sender needs umockdev's preload library in this
    process too, so script is run again under umockdev-wrapper first; and
    only the system python has umockdev's GObject introspection data.
    Skips when either is missing."""
    if 'umockdev' not in os.environ.get('LD_PRELOAD', ''):
        wrapper = '/usr/bin/umockdev-wrapper'
        if not os.access(wrapper, os.X_OK):
            skip('umockdev-wrapper (package umockdev) missing')
        os.execv(wrapper, [wrapper, sys.executable, os.path.abspath(script)])
    try:
        import gi
        gi.require_version('UMockdev', '1.0')
        from gi.repository import UMockdev
    except (ImportError, ValueError) as e:
        skip('umockdev GObject introspection (gir1.2-umockdev-1.0, python3-gi) missing: %s' % e)
    return UMockdev


def testbed(name):
    return os.path.join(TESTBEDS, name + '.umockdev')


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self._json = None

    @property
    def json(self):
        if self._json is None:
            self._json = json.loads(self.out)
        return self._json

    def device(self, slot):
        for d in self.json['devices']:
            if d['slot'] == slot:
                return d
        raise AssertionError('no device %s in %s' % (slot, [d['slot'] for d in self.json['devices']]))

    def __repr__(self):
        return 'rc=%d\n--- stdout\n%s--- stderr\n%s' % (self.rc, self.out, self.err)


def env():
    e = dict(os.environ)
    e.pop('DISPLAY', None)
    e['LC_ALL'] = 'C'
    # sanitizer builds: umockdev's LD_PRELOAD comes before the ASan runtime
    e['ASAN_OPTIONS'] = e.get('ASAN_OPTIONS', '') + ':verify_asan_link_order=0'
    return e


def run(bed, args, root=None, setup=None, path_prefix=None, user=None, bed_file=None):
    """vmodes status ARGS in testbed BED; setup is a shell snippet run first
    inside the testbed ($UMOCKDEV_DIR is the fake root of /sys and /dev)."""
    cmd = [VMODES, 'status'] + list(args)
    if root:
        cmd[2:2] = ['--root', root, '--kernel', KVER]
    inner = ['sh', '-c', '%s\nexec "$@"' % (setup or ':'), 'sh'] + cmd
    full = ['umockdev-run', '-d', bed_file or testbed(bed), '--'] + inner
    if user:
        full = user + full
    e = env()
    if path_prefix:
        e['PATH'] = path_prefix + ':' + e.get('PATH', '')
    proc = subprocess.run(full, capture_output=True, text=True, env=e, timeout=60)
    if proc.returncode < 0 or proc.returncode > 3:
        raise AssertionError('vmodes died or misbehaved: %r' % Result(proc))
    return Result(proc)


class Tree:
    """A fake root: lib/modules/KVER built from fake modules, etc/modprobe.d."""

    def __init__(self, modules=None, builtin=()):
        self.root = tempfile.mkdtemp(prefix='vmodes-root-')
        os.chmod(self.root, 0o755)
        modtree.build(self.root, KVER, modules, builtin)
        os.makedirs(self.path('etc/modprobe.d'))
        os.makedirs(self.path('proc'))
        self.write('proc/cmdline', 'BOOT_IMAGE=/boot/vmlinuz-%s root=/dev/vda1 ro quiet\n' % KVER)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, text, mode=0o644):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w') as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)
