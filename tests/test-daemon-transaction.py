#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A change is one transaction: vmodes.conf (its replaced version kept as
.old), the X config and the kernel command-line drop-in are all written, or
none is. The X config folder read-only, full, replaced by a file, the X
config or the drop-in path a folder (a rename that fails after an earlier
one succeeded): the change fails with an error naming the file, every old
file stays byte-identical (.old included), no ConfigChanged is sent and the
Config property does not change. Also: a drop-in vmodesd did not write is
never removed; a FIFO at the config path does not block the daemon; stale
or planted temp files (symlinks) do not break later writes.

Runs in a private mount namespace (unshare -m) so its tmpfs mounts vanish
with it; needs root."""
import os
import shutil
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
import daemonlib as D  # noqa: E402
from daemonlib import eq, has, raises  # noqa: E402

D.require(root=True)
if not shutil.which('unshare') or not shutil.which('mount'):
    D.skip('unshare / mount (util-linux) not installed')
if os.environ.get('VMODES_TEST_MOUNT_NS') != '1':
    os.environ['VMODES_TEST_MOUNT_NS'] = '1'
    os.execvp('unshare', ['unshare', '-m', '--propagation', 'private', sys.executable] + sys.argv)

V = D.GLib.Variant
s = D.Suite()
env = D.Env()
FAILED = 'org.vmodes.Error.Failed'
XDIR = os.path.dirname(env.xorg)
GDIR = os.path.dirname(env.grub)
CDIR = os.path.dirname(env.config)


def snap(path):
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISDIR(st.st_mode):
        return ('dir', sorted(os.listdir(path)))
    if not stat.S_ISREG(st.st_mode):
        return ('special', stat.S_IFMT(st.st_mode))
    with open(path, 'rb') as f:
        return f.read()


def snapshot():
    """Every file the daemon may touch, and what else is in their folders."""
    out = {}
    for p in (env.config, env.config + '.old', env.xorg, env.grub):
        out[p] = snap(p)
    for d in (CDIR, XDIR, GDIR):
        out[d + '/'] = snap(d)
    return out


def mount(*args):
    subprocess.run(['mount'] + list(args), check=True)


def umount(path):
    subprocess.run(['umount', path], check=True)


def refused_atomically(catcher, path, call=('AddMode', 'ssa{sv}', ('Virtual-3', '1280x720', {}))):
    """The change fails naming path; nothing changed anywhere."""
    before, config = snapshot(), env.get('Config')
    catcher.clear()
    e = raises(FAILED, env.call, *call)
    has(e.message, 'cannot write ' + path, 'the error names the file')
    time.sleep(0.1)
    ctx = D.GLib.MainContext.default()
    while ctx.iteration(False):
        pass
    eq([g[1] for g in catcher.got if g[1] == 'ConfigChanged'], [], 'no ConfigChanged')
    eq(snapshot(), before, 'every file byte-identical, no temp file left')
    eq(env.get('Config'), config, 'Config unchanged')
    return e


try:
    env.start_daemon()
    env.call('AddMode', 'ssa{sv}', ('Virtual-1', '1024x768', {}))
    env.call('AddMode', 'ssa{sv}', ('Virtual-2', '800x600', {}))
    catcher = D.SignalCatcher(env.conn)

    def t_read_only():
        xorg = snap(env.xorg)
        mount('-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', XDIR)
        try:
            with open(env.xorg, 'wb') as f:
                f.write(xorg)
            mount('-o', 'remount,ro', XDIR)
            e = refused_atomically(catcher, env.xorg)
            has(e.message, 'Read-only file system', 'why')
        finally:
            umount(XDIR)
    s.check('X config folder read-only: Failed naming it, nothing changed, no signal', t_read_only)

    def t_set_heads_read_only():
        xorg = snap(env.xorg)
        mount('-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', XDIR)
        try:
            with open(env.xorg, 'wb') as f:
                f.write(xorg)
            mount('-o', 'remount,ro', XDIR)
            layout = [(h, ['1280x720'], 'auto', '', 0, 0, {}) for h in ('Virtual-1', 'Virtual-2', 'Virtual-3')]
            refused_atomically(catcher, env.xorg, ('SetHeads', 'a(sasssiia{sv})a{sv}', (layout, {})))
        finally:
            umount(XDIR)
    s.check('SetHeads of three heads, X config folder read-only: Failed, no head stored, no signal',
            t_set_heads_read_only)

    def t_full():
        xorg = snap(env.xorg)
        mount('-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', XDIR)
        try:
            with open(env.xorg, 'wb') as f:
                f.write(xorg)
            try:
                with open(os.path.join(XDIR, 'filler'), 'wb') as f:
                    while True:
                        f.write(b'x' * 512)
                        f.flush()
            except OSError:
                pass
            e = refused_atomically(catcher, env.xorg)
            has(e.message, 'No space left on device', 'why')
        finally:
            umount(XDIR)
    s.check('X config folder full (a small tmpfs): Failed naming it, nothing changed, no signal', t_full)

    def t_folder_is_file():
        os.rename(XDIR, XDIR + '.away')
        try:
            with open(XDIR, 'w') as f:
                f.write('not a folder\n')
            e = refused_atomically(catcher, env.xorg)
            has(e.message, 'Not a directory', 'why')
        finally:
            os.unlink(XDIR)
            os.rename(XDIR + '.away', XDIR)
    s.check('X config folder replaced by a file: Failed naming it, nothing changed, no signal', t_folder_is_file)

    def t_rename_fails_late():
        # the temp file is written, vmodes.conf is renamed, then the X config
        # rename fails (a folder is in the way): vmodes.conf is put back
        xorg = snap(env.xorg)
        os.unlink(env.xorg)
        os.makedirs(os.path.join(env.xorg, 'in-the-way'))
        try:
            refused_atomically(catcher, env.xorg)
        finally:
            shutil.rmtree(env.xorg)
            with open(env.xorg, 'wb') as f:
                f.write(xorg)
    s.check('X config rename fails after vmodes.conf was renamed: vmodes.conf and .old put back',
            t_rename_fails_late)

    def t_grub_rename_fails_last():
        env.call('SetOptions', 'a{sv}', ({'kernel-cmdline': V('b', True)},))
        has(env.read(env.grub), 'video=Virtual-2:800x600M@60', 'drop-in written')
        grub = snap(env.grub)
        os.unlink(env.grub)
        os.makedirs(os.path.join(env.grub, 'in-the-way'))
        try:
            refused_atomically(catcher, env.grub)
        finally:
            shutil.rmtree(env.grub)
            with open(env.grub, 'wb') as f:
                f.write(grub)
        env.call('SetOptions', 'a{sv}', ({'kernel-cmdline': V('b', False)},))
        eq(os.path.exists(env.grub), False, 'our drop-in removed with kernel-cmdline = false')
    s.check('drop-in rename fails last: vmodes.conf, .old and the X config put back', t_grub_rename_fails_last)

    def t_success():
        before = snapshot()
        catcher.clear()
        env.call('AddMode', 'ssa{sv}', ('Virtual-3', '1280x720', {}))
        catcher.wait('ConfigChanged')
        after = snapshot()
        eq(after[env.config + '.old'], before[env.config], 'the replaced config became .old')
        has(after[env.config].decode(), '[head Virtual-3]', 'vmodes.conf')
        has(after[env.xorg].decode(), 'Identifier "Virtual-3"', 'X config')
        eq(after[CDIR + '/'], ('dir', ['vmodes.conf', 'vmodes.conf.old']), 'no temp file left')
        eq(after[XDIR + '/'], ('dir', ['40-vmodes.conf']), 'no temp file left')
    s.check('with the folders back: the change is made, ConfigChanged sent', t_success)

    def t_foreign_dropin_kept():
        mine = b'# my own kernel options\nGRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX quiet"\n'
        with open(env.grub, 'wb') as f:
            f.write(mine)
        env.call('AddMode', 'ssa{sv}', ('Virtual-4', '640x480', {}))
        env.call('SetOptions', 'a{sv}', ({'kernel-cmdline': V('b', False)},))
        env.call('Apply')
        eq(snap(env.grub), mine, 'a drop-in vmodesd did not write is left alone')
        has(env.read_log(), env.grub + ' was not written by vmodesd: left as it is', 'journal')
        os.unlink(env.grub)
        # nor is a symlink (or anything not a regular file), and changes still work
        os.symlink(os.path.join(env.dir, 'elsewhere.cfg'), env.grub)
        env.call('RemoveMode', 'ss', ('Virtual-4', '640x480'))
        eq(os.readlink(env.grub), os.path.join(env.dir, 'elsewhere.cfg'), 'symlink left alone')
        os.unlink(env.grub)
    s.check('kernel-cmdline = false: a drop-in without vmodesd\'s marker (or a symlink) is never removed',
            t_foreign_dropin_kept)

    def t_stale_temps():
        victim = os.path.join(env.dir, 'victim')
        with open(victim, 'w') as f:
            f.write('keep me\n')
        planted = [os.path.join(CDIR, '.vmodes.conf.tmp'), os.path.join(CDIR, '.vmodes.conf.prev.tmp'),
                   os.path.join(CDIR, '.vmodes.conf.old.prev.tmp'), os.path.join(XDIR, '.40-vmodes.conf.tmp')]
        for p in planted:
            os.symlink(victim, p)
        env.call('AddMode', 'ssa{sv}', ('Virtual-4', '800x600', {}))
        has(env.read(env.xorg), 'Identifier "Virtual-4"', 'X config written')
        has(env.read(env.config), 'mode = 800x600', 'config written')
        eq(env.read(victim), 'keep me\n', 'the symlinks\' target untouched')
        for p in planted:
            eq(os.path.lexists(p), False, 'stale temp %s replaced and gone' % os.path.basename(p))
        # a leftover regular temp file too
        with open(os.path.join(CDIR, '.vmodes.conf.tmp'), 'w') as f:
            f.write('half a file')
        env.call('RemoveMode', 'ss', ('Virtual-4', '800x600'))
        eq(os.path.lexists(os.path.join(CDIR, '.vmodes.conf.tmp')), False, 'leftover gone')
    s.check('planted temp symlinks and stale temp files: replaced safely, writes work', t_stale_temps)

    def t_fifo_config():
        env.stop_daemon()
        good = snap(env.config)
        os.unlink(env.config)
        os.mkfifo(env.config)
        try:
            t0 = time.time()
            env.start_daemon()
            if time.time() - t0 > 5 * D.SLOW:
                raise AssertionError('start took %.1f s' % (time.time() - t0))
            has(env.get('ConfigError'), env.config + ': not a regular file', 'ConfigError')
            raises('org.vmodes.Error.InvalidConfig', env.call, 'AddMode', 'ssa{sv}', ('Virtual-1', '640x480', {}))
            eq(stat.S_ISFIFO(os.lstat(env.config).st_mode), True, 'the FIFO is left for the admin')
        finally:
            os.unlink(env.config)
            with open(env.config, 'wb') as f:
                f.write(good)
        env.call('Reload')
        eq(env.get('ConfigError'), '', 'a regular file again, reloaded')
    s.check('a FIFO at the config path: no hang, ConfigError says what it is, read-only', t_fifo_config)

    catcher.close()
finally:
    for d in (XDIR,):
        subprocess.run(['umount', d], capture_output=True)
    env.close()
env.finish(s, tail=60)
