#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vmodes list/add/apply/remove against Xspice: the qxl X driver (the code
of the qxl DDX in UMS mode) on a fake QXL device in memory, four heads named
in the qxl-N scheme, the first one connected. Outputs are found by querying
(`xrandr --query`, an oracle independent of vmodes), results checked the
same way. The primary surface is 32 MiB, fixed at start: a 4480x1440 screen
(25 MiB) fits, 7680x1440 (42 MiB) does not, and the server refuses it.

vmodes add/remove/apply are not given a daemon: VMODES_BUS_ADDRESS points at
a socket that does not exist, so the machine's system bus is never used and
the changes act on the live session only (vmodes warns about that on
stderr; the errors checked here are its "vmodes: " lines that are not
warnings).
"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'lib'))
from xserver import XServer, output, require_vmodes  # noqa: E402
from harness import Suite, eq, has  # noqa: E402

require_vmodes()
s = Suite()
scratch = tempfile.mkdtemp(prefix='vmodes-xspice-')
os.environ['VMODES_BUS_ADDRESS'] = 'unix:path=' + os.path.join(scratch, 'none')
FRAMEBUFFER_KIB = 32768


def errors(err):
    """The error lines of vmodes' stderr (not its warnings, such as "not stored")."""
    return [line for line in err.splitlines()
            if line.startswith('vmodes: ') and not line.startswith('vmodes: warning:')]


def refused(r, rc, *words):
    rc_got, out, err = r
    eq(rc_got, rc, 'exit status (stdout %r, stderr %r)' % (out, err))
    lines = errors(err)
    eq(len(lines), 1, 'error lines in %r' % err)
    for w in words:
        has(lines[0], w, 'the error')


def layout(q):
    return [(o['name'], o['geometry'], o['current']) for o in q['outputs']]


def start():
    # the SPICE port is picked free just before the server binds it: a
    # server that lost that race is started again
    for attempt in range(3):
        try:
            return XServer('xspice', videoram=FRAMEBUFFER_KIB)
        except RuntimeError:
            if attempt == 2:
                raise


try:
    with start() as x:
        q0 = x.query()
        names = [o['name'] for o in q0['outputs']]
        h1, h2, h3 = names[0], names[1], names[2]

        def list_json():
            rc, out, err = x.vmodes('list', '--json')
            eq(rc, 0, 'exit status (%s)' % err)
            j = json.loads(out)
            eq([h['name'] for h in j['heads']], names, 'head names')
            eq([h['head'] for h in j['heads']], list(range(1, len(names) + 1)), 'head numbers')
            eq(len(names), 4, 'Xspice heads')
            eq([h['connection'] for h in j['heads']],
               ['connected' if o['connected'] else 'disconnected' for o in q0['outputs']], 'connections')
            eq((j['width'], j['height'], j['max_width'], j['max_height']),
               (q0['width'], q0['height'], q0['max_width'], q0['max_height']), 'screen')
            lit = [h['name'] for h in j['heads'] if h['enabled']]
            eq(lit, [o['name'] for o in q0['outputs'] if o['geometry']], 'lit heads')
        s.check('list --json: the heads and screen xrandr reports', list_json)

        def list_text():
            rc, out, err = x.vmodes('list')
            eq(rc, 0, 'exit status (%s)' % err)
            for n in names:
                has(out, n)
            has(out, '%dx%d' % (q0['width'], q0['height']))
        s.check('list: every head by name', list_text)

        def add_first():
            rc, out, err = x.vmodes('add', h1, '2560x1440@44', '--apply')
            eq(rc, 0, 'exit status (stdout %r, stderr %r)' % (out, err))
            has(out, '%s: 2560x1440 at 43.99 Hz (2560x1440_44.00) at +0+0' % h1)
            q = x.query()
            o = output(q, h1)
            eq(o['geometry'], (2560, 1440, 0, 0), 'geometry of %s' % h1)
            eq(o['current'], ('2560x1440_44.00', 43.99), 'mode of %s' % h1)
            eq((q['width'], q['height']), (2560, 1440), 'screen')
        s.check('add HEAD 2560x1440@44 --apply', add_first)

        def add_again():
            rc, out, err = x.vmodes('add', h1, '2560x1440@44', '--apply', '-v')
            eq(rc, 0, 'exit status (%s)' % err)
            has(out, 'nothing to change')
        s.check('add the same again: nothing to change', add_again)

        def add_second():
            # head number 2 (disconnected: an explicit mode turns it on), right of head 1
            rc, out, err = x.vmodes('add', '2', '1920x1080@60', '--right-of', '1')
            eq(rc, 0, 'exit status (stdout %r, stderr %r)' % (out, err))
            has(out, 'turned on')
            has(out, '%s: 1920x1080 at 59.96 Hz (1920x1080_60.00) at +2560+0' % h2)
            q = x.query()
            eq(output(q, h2)['geometry'], (1920, 1080, 2560, 0), 'geometry of %s' % h2)
            eq(output(q, h2)['current'], ('1920x1080_60.00', 59.96), 'mode of %s' % h2)
            eq(output(q, h1)['geometry'], (2560, 1440, 0, 0), 'geometry of %s' % h1)
            eq((q['width'], q['height']), (4480, 1440), 'screen')
        s.check('add a second head right of the first: 4480x1440', add_second)

        def apply_layout():
            # (the screen passes through max(old, new) of each side: 4800x1440, 26 MiB)
            want = ['%s 1920x1080R2@50 primary' % h1, '%s 1600x900@44 right-of %s' % (h2, h1),
                    '%s 1280x720@60 right-of %s' % (h3, h2)]
            rc, out, err = x.vmodes('apply', *want)
            eq(rc, 0, 'exit status (stdout %r, stderr %r)' % (out, err))
            q = x.query()
            eq(output(q, h1)['geometry'], (1920, 1080, 0, 0), h1)
            eq(output(q, h1)['current'][0], '1920x1080R2_50.00', 'mode of %s' % h1)
            eq(output(q, h1)['primary'], True, '%s primary' % h1)
            eq(output(q, h2)['geometry'], (1600, 900, 1920, 0), h2)
            eq(output(q, h2)['current'], ('1600x900_44.00', 43.95), 'mode of %s' % h2)
            eq(output(q, h3)['geometry'], (1280, 720, 3520, 0), h3)
            eq((q['width'], q['height']), (4800, 1080), 'screen')
            rc, out, err = x.vmodes('apply', '-v', *want)
            eq(rc, 0, 'exit status (%s)' % err)
            has(out, 'nothing to change')
        s.check('apply: a three-head layout, then again: nothing to change', apply_layout)

        def remove_head():
            rc, out, err = x.vmodes('remove', h3)
            eq(rc, 0, 'exit status (stdout %r, stderr %r)' % (out, err))
            has(out, 'turned off')
            q = x.query()
            eq(output(q, h3)['geometry'], None, h3)
            eq((q['width'], q['height']), (3520, 1080), 'screen')
        s.check('remove HEAD: turned off, the screen shrinks', remove_head)

        def remove_mode():
            rc, out, err = x.vmodes('remove', h2, '1600x900@44')
            eq(rc, 0, 'exit status (stdout %r, stderr %r)' % (out, err))
            o = output(x.query(), h2)
            eq([m for m in o['modes'] if m[0] == '1600x900_44.00'], [], 'modes of %s' % h2)
        s.check('remove HEAD SPEC: the mode is gone', remove_mode)

        before = x.query()

        def unknown_head():
            refused(x.vmodes('add', 'NoSuchHead-7', '1024x768', '--apply'), 2, 'unknown head NoSuchHead-7', h1)
            refused(x.vmodes('add', '5', '1024x768'), 2, 'unknown head 5')
            refused(x.vmodes('remove', 'Virtual-9'), 2, 'unknown head Virtual-9')
            refused(x.vmodes('apply', 'NoSuchHead-7 1024x768'), 2, 'unknown head NoSuchHead-7')
            eq(layout(x.query()), layout(before), 'layout')
        s.check('unknown head: one error line, exit 2, nothing changed', unknown_head)

        def bad_spec():
            refused(x.vmodes('add', h1, '1024x', '--apply'), 2, 'bad mode')
            refused(x.vmodes('add', h1, '20000x1080@60', '--apply'), 2, '20000')
            refused(x.vmodes('add', h1, '1024x768@5000'), 2, '5000')
            refused(x.vmodes('apply', '%s 1024x768@60 right-of' % h1), 2)
            refused(x.vmodes('add', 'Virtual 1', '1024x768'), 2, 'not a head name')
            eq(layout(x.query()), layout(before), 'layout')
        s.check('bad spec or name: one error line, exit 2, nothing changed', bad_spec)

        def too_large_for_screen():
            # wider than the screen maximum (8192): refused before anything is touched
            refused(x.vmodes('apply', '%s 4096x2160R@30' % h1, '%s 4096x2160R@30 right-of %s' % (h2, h1),
                             '%s 4096x2160R@30 right-of %s' % (h3, h2)),
                    2, 'at most %dx%d' % (before['max_width'], before['max_height']))
            eq(layout(x.query()), layout(before), 'layout')
        s.check('larger than the screen maximum: refused, nothing changed', too_large_for_screen)

        def too_large_for_memory():
            # 7680x1440 at 4 bytes a pixel needs 42 MiB; the primary surface has 32
            rc, out, err = x.vmodes('apply', '%s 2560x1440@45' % h1, '%s 2560x1440@45 right-of %s' % (h2, h1),
                                    '%s 2560x1440@45 right-of %s' % (h3, h2))
            refused((rc, out, err), 1, 'video memory', 'previous layout is back')
            after = x.query()
            eq(layout(after), layout(before), 'layout after the rollback')
            eq((after['width'], after['height']), (before['width'], before['height']), 'screen')
            # the mode the refused apply created is gone again
            eq([o['name'] for o in after['outputs'] if any(m[0] == '2560x1440_45.00' for m in o['modes'])], [],
               'heads offering the 2560x1440_45.00 of the refused apply')
            eq(sorted({m[0] for o in after['outputs'] for m in o['modes']}),
               sorted({m[0] for o in before['outputs'] for m in o['modes']}), 'the modes of the server')
        s.check('larger than the video memory: the server refuses, the previous layout is back',
                too_large_for_memory)

        s.check('the server is still up', lambda: eq(x.alive() and bool(x.query()['outputs']), True, 'server alive'))
finally:
    shutil.rmtree(scratch, ignore_errors=True)
s.finish()
