#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""vmodes add/remove/apply store through vmodesd, then change the live X
session: a real dbus-daemon with vmodesd in a QXL testbed (4 heads,
Virtual-1..4) and, as the caller's X session, Xspice (the qxl DDX on a fake
QXL, outputs qxl-0..3); vmodes runs in the same testbed, so it sees the
virtual GPU as it would in a guest. Covers: stored and live at once (stored
in connector names), stored only (no display), live only (--no-store, no
daemon: a warning), `vmodes apply` of the stored layout and with a layout,
remove, `vmodes list` showing what is stored, a refusal by vmodesd (nothing
changes live; a layout is stored whole or not at all), an unauthorized caller, and an X session on another device
(Xorg dummy: its outputs are not stored)."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'lib'))
import daemonlib as D  # noqa: E402
from daemonlib import eq, has  # noqa: E402
import xserver  # noqa: E402

D.require(root=True)
xserver.require_vmodes()
s = D.Suite()
env = D.Env()


def heads(config_text):
    """{head: {key: value, 'modes': [spec, ...]}} of the [head NAME] sections
    of vmodes.conf text."""
    out, cur = {}, None
    for line in config_text.splitlines():
        m = re.match(r'\[head (\S+)\]$', line)
        if m:
            cur = out.setdefault(m.group(1), {})
        elif line.startswith('['):
            cur = None
        elif cur is not None and '=' in line and not line.startswith('#'):
            k, v = [w.strip() for w in line.split('=', 1)]
            if k == 'mode':
                cur.setdefault('modes', []).append(v)
            else:
                cur[k] = v
    return out


def stored():
    return heads(env.get('Config'))


def run(x, *args, display=True, address=None, user=None):
    e = D.env()  # (with the sanitizer options umockdev's preload needs)
    e['VMODES_BUS_ADDRESS'] = address or env.address
    if display:
        e['DISPLAY'] = x.display
    cmd = ['umockdev-run', '-d', env.testbed, '--', D.VMODES] + list(args)
    if user:
        cmd = ['setpriv', '--reuid=%s' % user, '--regid=nogroup', '--clear-groups', '--'] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=60 * D.SLOW, cwd='/')
    return p.returncode, p.stdout, p.stderr


def one_line(rc, err, want_rc, *words):
    eq(rc, want_rc, 'exit status (stderr %r)' % err)
    lines = err.splitlines()
    eq(len(lines), 1, 'stderr lines %r' % err)
    for w in words:
        has(err, w)


try:
    env.start_daemon()
    with xserver.XServer('xspice') as x:
        names = [o['name'] for o in x.query()['outputs']]
        eq(len(names), 4, 'Xspice outputs %r' % names)
        h1, h2, h3 = names[:3]

        def geometry(name):
            return xserver.output(x.query(), name)['geometry']

        def t_nothing_stored():
            before = x.query()
            rc, out, err = run(x, 'apply')
            one_line(rc, err, 2, 'no layout given and none is stored', "'vmodes add'")
            eq(x.query(), before, 'X state')
        s.check('apply with nothing stored: one line, exit 2', t_nothing_stored)

        def t_add_stores_and_applies():
            rc, out, err = run(x, 'add', h1, '1600x900@44', '--apply')
            eq(rc, 0, 'exit status (%s)' % err)
            eq(err, '', 'stderr')
            has(out, 'stored: Virtual-1 1600x900_44.00')
            eq(geometry(h1), (1600, 900, 0, 0), 'live geometry of the first head')
            h = stored()['Virtual-1']
            eq(h.get('modes'), ['1600x900@44'], 'stored modes')
            has(env.read(env.xorg), 'Option "PreferredMode" "1600x900_44.00"')
        s.check('add --apply: stored as Virtual-1 and live on the first X head', t_add_stores_and_applies)

        def t_add_relation_by_number():
            rc, out, err = run(x, 'add', '2', '1280x720@60', '--right-of', '1')
            eq(rc, 0, 'exit status (%s)' % err)
            eq(geometry(h2), (1280, 720, 1600, 0), 'live geometry of the second head')
            h = stored()['Virtual-2']
            eq((h.get('modes'), h.get('position')), (['1280x720@60'], 'right-of Virtual-1'), 'stored mode and place')
            has(env.read(env.xorg), 'Option "RightOf" "Virtual-1"')
        s.check('add --right-of: the relation is stored in connector names', t_add_relation_by_number)

        def t_add_offer_keeps_default():
            rc, out, err = run(x, 'add', h2, '1024x768R2@50', '--pinned')
            eq(rc, 0, 'exit status (%s)' % err)
            has(out, 'offered beside 1280x720_60.00')
            h = stored()['Virtual-2']
            eq(h.get('modes'), ['1280x720@60', '1024x768R2@50'], 'the mode in use first, the offered one after')
            eq(h.get('pinned'), 'true', 'pinned')
            eq(geometry(h2), (1280, 720, 1600, 0), 'live head unchanged')
        s.check('add without --apply: offered, stored after the mode in use; --pinned', t_add_offer_keeps_default)

        def t_no_display_stores_only():
            before = x.query()
            rc, out, err = run(x, 'add', 'Virtual-3', '800x600@60', '--apply', display=False)
            eq(rc, 0, 'exit status (%s)' % err)
            has(out, 'stored: Virtual-3 800x600_60.00')
            eq(stored()['Virtual-3'].get('modes'), ['800x600@60'], 'stored mode')
            eq(x.query(), before, 'X state')
        s.check('no display: stored only, the X session untouched', t_no_display_stores_only)

        def t_apply_stored():
            catcher = D.SignalCatcher(env.conn)
            rc, out, err = run(x, 'apply')
            eq(rc, 0, 'exit status (%s)' % err)
            catcher.wait('ConfigChanged')
            catcher.close()
            has(out, 'asked every session agent')
            eq(geometry(h3), (800, 600, 2880, 0), 'the third head from the stored layout, right of the second')
            eq(geometry(h1), (1600, 900, 0, 0), 'first head')
            rc, out, err = run(x, 'apply')
            eq(rc, 0, 'exit status (%s)' % err)
            has(out, 'nothing to change in the X session')
        s.check('apply: the stored layout (ConfigChanged for the agents), again: nothing to change', t_apply_stored)

        def t_apply_layout_stores():
            rc, out, err = run(x, 'apply', '%s 1600x900@60 primary' % h1, '%s off' % h3)
            eq(rc, 0, 'exit status (%s)' % err)
            has(out, 'stored: the layout of 2 heads')
            st = stored()
            eq((st['Virtual-1'].get('modes')[0], st['Virtual-1'].get('primary')), ('1600x900@60', 'true'), 'head 1')
            eq(st['Virtual-3'].get('enabled'), 'false', 'head 3 stored off')
            eq(geometry(h1)[:2], (1600, 900), 'live head 1')
            eq(geometry(h3), None, 'live head 3 off')
        s.check('apply with a layout: stored (a head off too) and live', t_apply_layout_stores)

        def t_remove():
            rc, out, err = run(x, 'remove', h2, '1024x768R2@50')
            eq(rc, 0, 'exit status (%s)' % err)
            assert '1024x768R2@50' not in env.get('Config'), env.get('Config')
            rc, out, err = run(x, 'remove', h2)
            eq(rc, 0, 'exit status (%s)' % err)
            assert 'Virtual-2' not in stored(), stored()
            eq(geometry(h2), None, 'live head 2 off')
            # live only before: nothing stored to remove, the session still changes
            rc, out, err = run(x, 'add', h2, '1024x768@60', '--apply', '--no-store')
            eq((rc, err), (0, ''), 'live only add')
            has(out, 'nothing stored')
            rc, out, err = run(x, 'remove', h2)
            eq(rc, 0, 'exit status (%s)' % err)
            has(out, 'nothing stored to remove')
            eq(geometry(h2), None, 'live head 2 off')
        s.check('remove: a mode, a head; a head only changed live', t_remove)

        def t_list():
            rc, out, err = run(x, 'list')
            eq(rc, 0, 'exit status (%s)' % err)
            rows = {line.split()[1]: line for line in out.splitlines()[2:]}
            has(rows[h1], '1600x900_60.00')
            assert rows[h1].rstrip().endswith('1600x900_60.00'), rows[h1]
            assert rows[h3].rstrip().endswith('off'), rows[h3]
            rc, out, err = run(x, 'list', '--json')
            j = __import__('json').loads(out)
            eq(j['stored_from'], 'vmodesd', 'stored_from')
            eq([(h['name'], (h['stored'] or {}).get('head')) for h in j['heads']],
               [(h1, 'Virtual-1'), (h2, None), (h3, 'Virtual-3'), (names[3], None)], 'stored heads')
        s.check('list: the stored mode beside each head', t_list)

        def t_apply_refused_whole():
            # head 3 stored right of head 2; then a layout whose second head
            # goes right of head 3: a cycle vmodesd refuses. The first head
            # of the layout is fine on its own: nothing of it may be stored.
            rc, out, err = run(x, 'apply', '%s 640x480@60 below %s' % (h2, h1),
                               '%s 640x480@60 right-of %s' % (h3, h2))
            eq(rc, 0, 'exit status (%s)' % err)
            before, files = x.query(), env.files()
            rc, out, err = run(x, 'apply', '%s 1280x1024@60' % h1, '%s 640x480@60 right-of %s' % (h2, h3))
            one_line(rc, err, 2, 'not stored', 'nothing changed')
            eq(env.files(), files, 'files')
            eq(x.query(), before, 'X state')
            assert '1280x1024@60' not in env.get('Config'), env.get('Config')
        s.check('apply: a layout vmodesd refuses in its second head stores nothing, changes nothing live',
                t_apply_refused_whole)

        def t_daemon_refuses():
            before, files = x.query(), env.files()
            rc, out, err = run(x, 'add', 'Virtual-9', '1024x768@60', display=False)
            one_line(rc, err, 2, 'not stored', "no head 'Virtual-9'")
            eq(env.files(), files, 'files')
        s.check('vmodesd refuses: one line, exit 2, nothing stored or changed live', t_daemon_refuses)

        def t_unauthorized():
            before, files = x.query(), env.files()
            rc, out, err = run(x, 'add', 'Virtual-1', '1024x768@60', '--apply', display=False, user='nobody')
            one_line(rc, err, 1, 'not stored', 'not authorized')
            eq(env.files(), files, 'files')
            eq(x.query(), before, 'X state')
        s.check('a caller polkit does not authorize: refused, nothing stored', t_unauthorized)

        def t_no_daemon():
            none = 'unix:path=%s/no-such-bus' % env.dir
            rc, out, err = run(x, 'add', h1, '1920x1080@60', '--apply', address=none)
            eq(rc, 0, 'exit status (%s)' % err)
            one_line(rc, err, 0, 'warning: not stored', 'vmodesd is not running', 'until the X server restarts')
            eq(geometry(h1)[:2], (1920, 1080), 'live change made')
            rc, out, err = run(x, 'add', h1, '1920x1080@60', '--apply', address=none, display=False)
            one_line(rc, err, 1, 'not stored', 'vmodesd is not running')
            rc, out, err = run(x, 'add', h1, '1920x1080@60', '--no-store', display=False)
            one_line(rc, err, 2, '--no-store needs a display (DISPLAY is not set, nor SWAYSOCK)')
        s.check('no vmodesd: live with a warning; no display either: exit 1', t_no_daemon)

    with xserver.XServer('xorg-dummy') as x:
        def t_other_device():
            names = [o['name'] for o in x.query()['outputs']]
            before, files = x.query(), env.files()
            rc, out, err = run(x, 'add', names[0], '1280x1024@60', '--apply')
            one_line(rc, err, 2, 'not stored', "no head '%s'" % names[0], 'nothing changed', '--no-store')
            eq(x.query(), before, 'X state')
            eq(env.files(), files, 'files')
            rc, out, err = run(x, 'add', names[0], '1280x1024@60', '--apply', '--no-store')
            eq((rc, err), (0, ''), 'live only')
            has(out, 'live X session only')
        s.check('an X session on another device (Xorg dummy): not stored, --no-store changes it', t_other_device)
finally:
    env.close()
s.finish()
