#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Module decisions for a QXL guest whose driver is not bound: load, refuse
a blacklisted or disabled module (and say how to undo it), force, missing
module, nomodeset; the modprobe-style load path in --dry-run; root needed;
the initramfs check with the distribution's fix.

libkmod runs for real on a fake module tree (tests/testbeds/modtree.py):
depmod-built indexes, modprobe.d options, blacklists and install commands.
Real loading into a kernel is tested in the QXL VM (tests/vm/), never here.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from harness import KVER, Suite, Tree, eq, has, lacks, require, run  # noqa: E402

require('umockdev-run', 'depmod')
t = Suite()
SLOT = '0000:00:02.0'


def with_tree(fn, **kw):
    def wrapped():
        tree = Tree(**kw)
        try:
            fn(tree)
        finally:
            tree.cleanup()
    return wrapped


def insmods(out):
    return [line.split()[2] for line in out.splitlines() if line.startswith('qxl: insmod ')]


def available(tree):
    tree.write('etc/modprobe.d/qxl.conf', 'options qxl num_heads=4\n')
    r = run('qxl-unbound', ['--json'], tree.root)
    eq(r.rc, 3, 'exit code: virtual GPU without driver')
    d = r.device(SLOT)
    eq((d['driver'], d['drm']['card'], d['connectors']), (None, None, []), 'unbound device')
    m = d['module']
    eq((m['name'], m['state'], m['action'], m['options']), ('qxl', 'available', 'load', 'num_heads=4'), 'module')
    eq(m['blacklisted_by'], [], 'blacklist')
    p = [p for p in r.json['problems'] if p['device'] == SLOT]
    eq(len(p), 1, 'one problem')
    has(p[0]['message'], 'QXL has no kernel driver: module qxl is installed but not loaded')
    has(p[0]['fix'], 'sudo vmodes status --load-module')
    txt = run('qxl-unbound', [], tree.root)
    has(txt.out, '  driver      none bound; module qxl available -> load\n')
    has(txt.out, '  heads       unknown: no DRM connectors without a kernel driver\n')


def dry_run(tree):
    tree.write('etc/modprobe.d/qxl.conf', 'options qxl num_heads=4\n')
    r = run('qxl-unbound', ['--load-module', '--dry-run'], tree.root)
    eq(r.rc, 3, 'exit code: still unbound after a dry run')
    mods = tree.path('lib/modules/%s/kernel/drivers/gpu/drm/' % KVER)
    steps = insmods(r.out)
    eq(steps[0], mods + 'drm.ko', 'dependencies first')
    eq(steps[-1], mods + 'qxl/qxl.ko', 'qxl last')
    eq(sorted(steps), sorted([mods + 'drm.ko', mods + 'drm_kms_helper.ko', mods + 'ttm/ttm.ko', mods + 'qxl/qxl.ko']),
       'steps')
    has(r.out, 'qxl: insmod %sqxl/qxl.ko num_heads=4\n' % mods)
    has(r.out, 'qxl: dry run, nothing loaded\n')
    eq(r.err, '', 'stderr')


def dry_run_dep_loaded(tree):
    # a dependency already in the kernel is not loaded again
    r = run('qxl-unbound', ['--load-module', '--dry-run'], tree.root,
            setup='mkdir -p "$UMOCKDEV_DIR/sys/module/drm" && echo live > "$UMOCKDEV_DIR/sys/module/drm/initstate"')
    steps = [os.path.basename(s) for s in insmods(r.out)]
    eq(sorted(steps), ['drm_kms_helper.ko', 'qxl.ko', 'ttm.ko'], 'steps')


def blacklisted(tree):
    f = tree.write('etc/modprobe.d/blacklist-qxl.conf', '# keep the QXL driver out\nblacklist qxl\n')
    r = run('qxl-unbound', ['--json'], tree.root)
    eq(r.rc, 3, 'exit code')
    m = r.device(SLOT)['module']
    eq((m['state'], m['action']), ('blacklisted', 'refuse-blacklisted'), 'module')
    eq(m['blacklisted_by'], [{'file': f, 'line': 2, 'text': 'blacklist qxl'}], 'where')
    p = [p for p in r.json['problems'] if p['device'] == SLOT][0]
    has(p['message'], 'module qxl is blacklisted by %s:2' % f)
    has(p['fix'], "remove or comment out line 2 of %s ('blacklist qxl')" % f)
    has(p['fix'], '--load-module --force')
    # the load path refuses, and says why
    r = run('qxl-unbound', ['--load-module', '--dry-run'], tree.root)
    eq(r.rc, 3, 'exit code')
    eq(insmods(r.out), [], 'nothing loaded')
    has(r.err, 'vmodes: not loading qxl: it is blacklisted in %s (see the problems below; --force overrides)\n' % f)
    # --force overrides the blacklist
    r = run('qxl-unbound', ['--load-module', '--dry-run', '--force'], tree.root)
    eq([os.path.basename(s) for s in insmods(r.out)][-1], 'qxl.ko', 'forced')


def blacklist_masked(tree):
    # modprobe.d: /etc hides a file of the same name in /lib
    tree.write('lib/modprobe.d/vm.conf', 'blacklist qxl\n')
    tree.write('etc/modprobe.d/vm.conf', '# local override: qxl allowed\n')
    r = run('qxl-unbound', ['--json'], tree.root)
    eq(r.device(SLOT)['module']['state'], 'available', 'state')


def blacklist_cmdline(tree):
    tree.write('proc/cmdline', 'BOOT_IMAGE=/vmlinuz root=/dev/vda1 modprobe.blacklist=nouveau,qxl quiet\n')
    r = run('qxl-unbound', ['--json'], tree.root)
    m = r.device(SLOT)['module']
    eq(m['state'], 'blacklisted', 'state')
    eq(m['blacklisted_by'], [{'file': 'kernel command line', 'line': None, 'text': 'modprobe.blacklist=nouveau,qxl'}],
       'where')
    has(r.json['problems'][0]['fix'], "remove 'modprobe.blacklist=nouveau,qxl' from the kernel command line")


def disabled(tree):
    f = tree.write('etc/modprobe.d/no-qxl.conf', 'install qxl /bin/false\n')
    r = run('qxl-unbound', ['--json'], tree.root)
    m = r.device(SLOT)['module']
    eq((m['state'], m['action'], m['install_command']), ('disabled', 'refuse-blacklisted', '/bin/false'), 'module')
    has(r.json['problems'][0]['message'], 'module qxl is disabled by %s:1' % f)
    r = run('qxl-unbound', ['--load-module', '--dry-run', '--force'], tree.root)
    eq([os.path.basename(s) for s in insmods(r.out)][-1], 'qxl.ko', 'forced past the install command')
    lacks(r.out, 'install /bin/false')


def missing(tree):
    r = run('qxl-unbound', ['--json'], tree.root)
    eq(r.rc, 3, 'exit code')
    m = r.device(SLOT)['module']
    eq((m['name'], m['state'], m['action'], m['path']), ('qxl', 'missing', 'refuse-missing', None), 'module')
    p = r.json['problems'][0]
    has(p['message'], 'kernel %s has no module qxl (not in %s/lib/modules/%s)' % (KVER, tree.root, KVER))
    has(p['fix'], 'install a kernel that ships qxl')
    r = run('qxl-unbound', ['--load-module', '--dry-run'], tree.root)
    has(r.err, 'vmodes: cannot load qxl: kernel %s has no such module\n' % KVER)


def nomodeset(tree):
    tree.write('proc/cmdline', 'BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro nomodeset\n')
    r = run('qxl-unbound', ['--json'], tree.root)
    m = r.device(SLOT)['module']
    eq((m['state'], m['action'], m['nomodeset']), ('available', 'investigate', 'nomodeset'), 'module')
    has(r.json['problems'][0]['message'], "'nomodeset' on the kernel command line keeps qxl from binding")
    r = run('qxl-unbound', ['--load-module', '--dry-run'], tree.root)
    has(r.err, "vmodes: not loading qxl: 'nomodeset' on the kernel command line keeps it from binding\n")


def needs_root(tree):
    if os.geteuid() == 0:
        # run it as nobody: never let a test insmod fake modules as root
        if not os.path.exists('/usr/bin/setpriv'):
            raise AssertionError('setpriv (util-linux) missing')
        user = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']
        probe = subprocess.run(user + ['test', '-x', os.environ.get('VMODES', 'vmodes')], capture_output=True)
        if probe.returncode != 0:
            print('# (build tree not accessible to nobody: checked the message path only as root --dry-run)')
            return
    else:
        user = None
    r = run('qxl-unbound', ['--load-module'], tree.root, user=user)
    eq(r.rc, 3, 'exit code')
    has(r.err, "vmodes: loading kernel module qxl needs root: run 'sudo vmodes status --load-module'\n")
    eq(insmods(r.out), [], 'nothing loaded')


def initramfs_tools(tree):
    tree.write('usr/sbin/update-initramfs', '', 0o755)
    tree.write('etc/os-release', 'ID=debian\nVERSION_ID="12"\n')
    img = tree.write('boot/initrd.img-%s' % KVER, 'not really an image\n')
    tools = tree.path('fakebin')
    listing = 'usr/lib/modules/%s/kernel/drivers/gpu/drm/drm.ko\n' % KVER
    tree.write('fakebin/lsinitramfs', '#!/bin/sh\ntest "$1" = "%s" || exit 2\nprintf "%s"\n' % (img, listing), 0o755)
    r = run('qxl-unbound', ['--json'], tree.root, path_prefix=tools)
    ir = r.json['initramfs'][0]
    eq((ir['module'], ir['image'], ir['included'], ir['generator']), ('qxl', img, False, 'initramfs-tools'), 'initramfs')
    eq(ir['fix'], 'echo qxl | sudo tee -a /etc/initramfs-tools/modules && sudo update-initramfs -u', 'fix')
    p = [p for p in r.json['problems'] if 'initramfs' in p['message']][0]
    has(p['message'], 'qxl is not in the initramfs %s' % img)
    # once it is in, no warning
    listing += 'usr/lib/modules/%s/kernel/drivers/gpu/drm/qxl/qxl.ko.zst\n' % KVER
    tree.write('fakebin/lsinitramfs', '#!/bin/sh\nprintf "%s"\n' % listing, 0o755)
    r = run('qxl-unbound', [], tree.root, path_prefix=tools)
    has(r.out, 'initramfs   %s contains qxl (lsinitramfs %s)\n' % (img, img))
    lacks(r.out, 'not in the initramfs')


def initramfs_dracut(tree):
    tree.write('usr/bin/dracut', '', 0o755)
    tree.write('etc/os-release', 'ID="fedora"\n')
    img = tree.write('boot/initramfs-%s.img' % KVER, 'x')
    tools = tree.path('fakebin')
    tree.write('fakebin/lsinitrd', '#!/bin/sh\necho "-rw-r--r--   1 root root  1234 Jan  1 00:00 usr/lib/modules/x/drm.ko.xz"\n',
               0o755)
    r = run('qxl-unbound', ['--json'], tree.root, path_prefix=tools)
    ir = r.json['initramfs'][0]
    eq((ir['included'], ir['generator']), (False, 'dracut'), 'initramfs')
    eq(ir['fix'], 'echo \'force_drivers+=" qxl "\' | sudo tee /etc/dracut.conf.d/50-vmodes-qxl.conf && sudo dracut -f',
       'fix')
    has([p for p in r.json['problems'] if 'initramfs' in p['message']][0]['message'],
        'a host-only image may never load it')


def initramfs_none(tree):
    r = run('qxl-unbound', [], tree.root)
    has(r.out, 'initramfs   none for this kernel (qxl is loaded from the root file system)\n')


t.check('driver not bound, module available: decision load', with_tree(available))
t.check('--load-module --dry-run: dependencies, then qxl with modprobe.d options', with_tree(dry_run))
t.check('--dry-run skips a dependency that is already loaded', with_tree(dry_run_dep_loaded))
t.check('blacklisted qxl: refused, file:line and how to undo; --force overrides', with_tree(blacklisted))
t.check('blacklist in /lib/modprobe.d hidden by /etc/modprobe.d file of the same name', with_tree(blacklist_masked))
t.check('blacklist on the kernel command line', with_tree(blacklist_cmdline))
t.check('install qxl /bin/false: disabled; --force ignores the command', with_tree(disabled))
t.check('module missing from the installed kernel', with_tree(missing, modules=['drm', 'drm_kms_helper', 'ttm']))
t.check('nomodeset on the kernel command line', with_tree(nomodeset))
t.check('--load-module without root says root is needed', with_tree(needs_root))
t.check('initramfs-tools: qxl missing from the image, fix; then present', with_tree(initramfs_tools))
t.check('dracut: force_drivers fix', with_tree(initramfs_dracut))
t.check('no initramfs: no warning', with_tree(initramfs_none))
t.finish()
