#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Who may do what on org.vmodes.Daemon1: root may change; another user
(nobody, via setpriv) may read, is denied without polkit, denied when
polkit (python3-dbusmock's polkitd template) says no, allowed when it says
yes; only root may own the name (the shipped bus policy); authorization
checks in flight are capped (org.vmodes.Error.Busy)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
import daemonlib as D  # noqa: E402
from daemonlib import eq, has  # noqa: E402

D.require(root=True)
if not os.path.exists('/usr/bin/setpriv') and not subprocess.run(['which', 'setpriv'],
                                                                 capture_output=True).returncode == 0:
    D.skip('setpriv (util-linux) not installed')
try:
    import dbusmock  # noqa: F401
    have_dbusmock = True
except ImportError:
    have_dbusmock = False

s = D.Suite()
env = D.Env()
USER = 'nobody'
ADD = ('AddMode', 'ssa{sv}', "('Virtual-2', '1920x1080', {})")

# Many calls on one connection as another user: prints BUSY n as soon as
# the refused ones are back, then waits for the others and prints OK n / ERR n.
FLOOD = r'''
import sys
from gi.repository import Gio, GLib
address, n = sys.argv[1], int(sys.argv[2])
conn = Gio.DBusConnection.new_for_address_sync(address,
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
res = {'busy': 0, 'ok': 0, 'err': 0, 'done': 0, 'printed': False}
loop = GLib.MainLoop()
def cb(conn, r, _):
    try:
        conn.call_finish(r)
        res['ok'] += 1
    except GLib.Error as e:
        if 'org.vmodes.Error.Busy' in e.message:
            res['busy'] += 1
        else:
            res['err'] += 1
            print('ERROR', e.message, flush=True)
    res['done'] += 1
    if res['done'] == n:
        loop.quit()
def report():
    if not res['printed'] and res['busy'] and res['done'] == res['busy']:
        print('BUSY', res['busy'], flush=True)
        res['printed'] = True
    return True
for i in range(n):
    conn.call('org.vmodes.Daemon1', '/org/vmodes/Daemon1', 'org.vmodes.Daemon1', 'AddMode',
              GLib.Variant('(ssa{sv})', ('Virtual-2', '1920x1080', {})), None, 0, 60000, None, cb, None)
GLib.timeout_add(50, report)
loop.run()
print('OK', res['ok'], 'ERR', res['err'], 'BUSY', res['busy'], flush=True)
'''

try:
    env.start_daemon()

    def t_root_allowed():
        eq(env.call('AddMode', 'ssa{sv}', ('Virtual-1', '2560x1440@44', {}))[0], 'Virtual-1', 'root AddMode')
    s.check('root may change the config (no polkit asked)', t_root_allowed)

    def t_read_open():
        ok, out, _ = D.call_as(USER, env.address, 'Get', '-', 'Config')
        eq(ok, True, 'Get Config as nobody')
        has(out, '2560x1440@44')
        ok, out, _ = D.call_as(USER, env.address, 'Get', '-', 'Heads')
        eq(ok, True, 'Get Heads as nobody')
    s.check('another user may read the properties', t_read_open)

    def t_denied_without_polkit():
        before = env.files()
        ok, name, msg = D.call_as(USER, env.address, *ADD)
        eq((ok, name), (False, 'org.vmodes.Error.AccessDenied'), 'AddMode as nobody without polkit')
        has(msg, 'polkit could not be asked')
        for m in (('RemoveMode', 'ss', "('Virtual-1', '')"), ('Apply', '-', '()'), ('Reload', '-', '()'),
                  ('SetOptions', 'a{sv}', "({'auto-fit': GLib.Variant('b', True)},)"),
                  ('SetLayout', 'sssiib', "('Virtual-1', 'pos', '', 5, 5, True)"),
                  ('SetHeadOptions', 'sa{sv}', "('Virtual-1', {})")):
            ok, name, _ = D.call_as(USER, env.address, *m)
            eq((ok, name), (False, 'org.vmodes.Error.AccessDenied'), m[0] + ' as nobody')
        eq(env.files(), before, 'files')
    s.check('another user is denied every change without polkit', t_denied_without_polkit)

    def t_cannot_own():
        ok, name, _ = D.call_as(USER, env.address, 'Own', '-', 'org.vmodes.Daemon1')
        eq((ok, name), (False, 'org.freedesktop.DBus.Error.AccessDenied'), 'RequestName as nobody')
    s.check('the bus policy lets only root own org.vmodes.Daemon1', t_cannot_own)

    if not have_dbusmock:
        print('# python3-dbusmock not installed: polkit checks skipped')
    else:
        env.start_polkit()

        def t_polkit_no():
            before = env.files()
            ok, name, msg = D.call_as(USER, env.address, *ADD)
            eq((ok, name), (False, 'org.vmodes.Error.AccessDenied'), 'AddMode, polkit says no')
            has(msg, 'org.vmodes.configure')
            eq(env.files(), before, 'files')
        s.check('polkit says no: AccessDenied, nothing written', t_polkit_no)

        def t_polkit_other_action():
            env.polkit_call('SetAllowed', 'as', (['org.example.other'],))
            ok, name, _ = D.call_as(USER, env.address, *ADD)
            eq((ok, name), (False, 'org.vmodes.Error.AccessDenied'), 'another action allowed')
        s.check('polkit allows another action only: denied', t_polkit_other_action)

        def t_polkit_yes():
            env.polkit_call('SetAllowed', 'as', (['org.vmodes.configure'],))
            ok, out, msg = D.call_as(USER, env.address, *ADD)
            eq(ok, True, 'AddMode, polkit says yes: ' + out + ' ' + msg)
            has(out, "'Virtual-2', '1920x1080_60.00'")
            has(env.read(env.config), '[head Virtual-2]\nmode = 1920x1080\n')
            has(env.read(env.xorg), 'Identifier "Virtual-2"')
            ok, out, msg = D.call_as(USER, env.address, 'RemoveMode', 'ss', "('Virtual-2', '')")
            eq(ok, True, 'RemoveMode, polkit says yes: ' + out + ' ' + msg)
            eq('Virtual-2' in env.read(env.config), False, 'removed')
        s.check('polkit says yes: the change is made', t_polkit_yes)

        def asked():
            return [c[1][1] for c in env.polkit_call('GetMethodCalls', 's', ('CheckAuthorization',))[0]]

        def t_boot_action():
            env.polkit_call('ClearCalls')
            env.polkit_call('SetAllowed', 'as', (['org.vmodes.configure'],))
            before = env.files()
            for what, m in (('kernel-cmdline on', ('SetOptions', 'a{sv}',
                                                   "({'kernel-cmdline': GLib.Variant('b', True)},)")),
                            ('the last lit head off', ('SetHeadOptions', 'sa{sv}',
                                                       "('Virtual-1', {'enabled': GLib.Variant('b', False)})"))):
                ok, name, msg = D.call_as(USER, env.address, *m)
                eq((ok, name), (False, 'org.vmodes.Error.AccessDenied'), what + ' with org.vmodes.configure only')
                has(msg, 'polkit action org.vmodes.configure-boot')
            eq(env.files(), before, 'files')
            eq(asked(), ['org.vmodes.configure-boot'] * 2, 'actions asked')
            # modes and layout stay org.vmodes.configure
            env.polkit_call('ClearCalls')
            ok, out, msg = D.call_as(USER, env.address, *ADD)
            eq(ok, True, 'AddMode with org.vmodes.configure: ' + out + ' ' + msg)
            eq(asked(), ['org.vmodes.configure'], 'action asked for AddMode')
            env.polkit_call('SetAllowed', 'as', (['org.vmodes.configure-boot'],))
            ok, name, _ = D.call_as(USER, env.address, 'RemoveMode', 'ss', "('Virtual-2', '')")
            eq((ok, name), (False, 'org.vmodes.Error.AccessDenied'), 'RemoveMode with configure-boot only')
            env.polkit_call('SetAllowed', 'as', (['org.vmodes.configure', 'org.vmodes.configure-boot'],))
            ok, out, msg = D.call_as(USER, env.address, 'SetOptions', 'a{sv}',
                                     "({'kernel-cmdline': GLib.Variant('b', True)},)")
            eq(ok, True, 'kernel-cmdline with org.vmodes.configure-boot: ' + out + ' ' + msg)
            eq(env.get('KernelCmdline'), True, 'KernelCmdline')
            # while it is on, a mode change changes the kernel command line too
            env.polkit_call('SetAllowed', 'as', (['org.vmodes.configure'],))
            ok, name, msg = D.call_as(USER, env.address, 'AddMode', 'ssa{sv}', "('Virtual-1', '1280x720', {})")
            eq((ok, name), (False, 'org.vmodes.Error.AccessDenied'), 'AddMode with kernel-cmdline on')
            has(msg, 'org.vmodes.configure-boot')
            env.call('SetOptions', 'a{sv}', ({'kernel-cmdline': D.GLib.Variant('b', False)},))
            env.call('RemoveMode', 'ss', ('Virtual-2', ''))
        s.check('kernel-cmdline and turning every head off need org.vmodes.configure-boot; modes do not',
                t_boot_action)

        def t_set_heads_action():
            env.call('SetHeads', 'a(sasssiia{sv})a{sv}',
                     ([('Virtual-1', ['1024x768'], 'auto', '', 0, 0, {})], {'replace': D.GLib.Variant('b', True)}))
            env.polkit_call('ClearCalls')
            env.polkit_call('SetAllowed', 'as', (['org.vmodes.configure'],))
            before = env.files()
            ok, name, msg = D.call_as(USER, env.address, 'SetHeads', 'a(sasssiia{sv})a{sv}',
                                      "([('Virtual-1', [], '', '', 0, 0, {'enabled': GLib.Variant('b', False)})], {})")
            eq((ok, name), (False, 'org.vmodes.Error.AccessDenied'), 'every head off in SetHeads')
            has(msg, 'polkit action org.vmodes.configure-boot')
            eq(env.files(), before, 'files')
            ok, out, msg = D.call_as(USER, env.address, 'SetHeads', 'a(sasssiia{sv})a{sv}',
                                     "([('Virtual-1', ['800x600'], 'auto', '', 0, 0, {}),"
                                     " ('Virtual-2', ['800x600'], 'right-of', 'Virtual-1', 0, 0, {})], {})")
            eq(ok, True, 'a layout with org.vmodes.configure: ' + out + ' ' + msg)
            eq(asked(), ['org.vmodes.configure-boot', 'org.vmodes.configure'], 'actions asked')
            env.call('SetHeads', 'a(sasssiia{sv})a{sv}', ([], {'replace': D.GLib.Variant('b', True)}))
        s.check('SetHeads: the same polkit actions as the per-head calls (every head off: configure-boot)',
                t_set_heads_action)

        def t_pending_capped():
            env.polkit_call('SimulateHang', 'b', (True,))
            n = 40
            cmd = ['setpriv', '--reuid=' + USER, '--regid=nogroup', '--clear-groups', '--', sys.executable,
                   '-c', FLOOD, env.address, str(n)]
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=D.env(),
                                 cwd='/')
            try:
                first = p.stdout.readline().split()
                eq(first, ['BUSY', str(n - 32)], 'refused at once (32 checks in flight at most)')
                env.polkit_call('ReleaseHangingCalls')
                last = p.stdout.readline().split()
                eq(last, ['OK', '32', 'ERR', '0', 'BUSY', str(n - 32)], 'the waiting ones complete')
            finally:
                env.polkit_call('SimulateHang', 'b', (False,))
                p.kill()
                p.wait()
            # and the daemon still answers
            eq(env.get('ConfigError'), '', 'still serving')
        s.check('authorization checks in flight are capped at 32: the rest get Busy', t_pending_capped)

        def t_polkit_gone():
            env.stop_polkit()
            ok, name, _ = D.call_as(USER, env.address, *ADD)
            eq((ok, name), (False, 'org.vmodes.Error.AccessDenied'), 'polkit gone')
        s.check('polkit gone again: denied', t_polkit_gone)
finally:
    env.close()
env.finish(s)
