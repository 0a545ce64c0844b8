#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`vmodes session` in a Wayland session of a compositor vmodes cannot drive
(neither sway nor GNOME's mutter): the agent exits at once with status
0 and one info line, before it touches X or D-Bus (in sway it drives sway:
tests/test-sway.py; GNOME: tests/test-gnome-mutter.py). gnome-session starts autostart entries of its first
phases before WAYLAND_DISPLAY is set, while DISPLAY may name an Xwayland
that is not running yet: XDG_SESSION_TYPE=wayland alone must be enough, and
a DISPLAY pointing nowhere must not turn into an error. The same command in
an X11 session with that DISPLAY fails to open it (so the cases above show
the Wayland check, not a silent failure)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from tally import Suite, eq, has, lacks  # noqa: E402
from xserver import VMODES, require_vmodes  # noqa: E402

require_vmodes()
s = Suite()
LINE = ('vmodes session: this is a Wayland session (%s) and vmodes drives only sway\'s ($SWAYSOCK) and GNOME\'s '
        'there; nothing to do')
tmp = tempfile.mkdtemp(prefix='vmodes-wayland-')
conf = os.path.join(tmp, 'vmodes.conf')
with open(conf, 'w') as f:
    f.write('[head Virtual-1]\nmode = 1920x1080@44\n')


def run(args, **env):
    """Runs vmodes session with a clean session environment plus env."""
    e = {k: v for k, v in os.environ.items()
         if k not in ('WAYLAND_DISPLAY', 'XDG_SESSION_TYPE', 'JOURNAL_STREAM', 'DISPLAY', 'SWAYSOCK',
                      'XDG_CURRENT_DESKTOP', 'DBUS_SESSION_BUS_ADDRESS')}
    # no X server and no bus there: anything that reaches them fails loudly
    e.update({'DISPLAY': ':9917', 'VMODES_BUS_ADDRESS': 'unix:path=%s/no-bus' % tmp,
              'DBUS_SESSION_BUS_ADDRESS': 'unix:path=%s/no-session-bus' % tmp,
              'XAUTHORITY': os.path.join(tmp, 'no-xauthority')})
    e.update(env)
    return subprocess.run([VMODES, 'session'] + args, env=e, capture_output=True, text=True, timeout=30)


def exits_quietly(p, why):
    eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
    eq(p.stderr.splitlines(), [LINE % why], 'stderr')
    eq(p.stdout, '', 'stdout')


def t_session_type():
    exits_quietly(run([], XDG_SESSION_TYPE='wayland'), 'XDG_SESSION_TYPE=wayland')


def t_session_type_config():
    exits_quietly(run(['--config', conf, '-v'], XDG_SESSION_TYPE='wayland'), 'XDG_SESSION_TYPE=wayland')


def t_wayland_display():
    exits_quietly(run([], WAYLAND_DISPLAY='wayland-0', XDG_SESSION_TYPE='x11'), 'WAYLAND_DISPLAY=wayland-0')


def t_journal():
    # under systemd (stderr is the journal) the line carries the info priority
    p = run([], XDG_SESSION_TYPE='wayland', JOURNAL_STREAM='8:1234')
    eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
    eq(p.stderr.splitlines(), ['<6>' + LINE % 'XDG_SESSION_TYPE=wayland'], 'stderr')


def t_empty_wayland_display():
    # an empty WAYLAND_DISPLAY is no Wayland session: the X display is tried
    p = run(['--config', conf], WAYLAND_DISPLAY='', XDG_SESSION_TYPE='x11')
    eq(p.returncode, 1, 'exit status (%r)' % p.stderr)
    has(p.stderr, 'cannot open the X display :9917', 'stderr')
    lacks(p.stderr, 'Wayland', 'stderr')


def t_gnome_without_mutter():
    # GNOME on Wayland is driven through mutter: without it, one line and exit 1
    p = run([], XDG_SESSION_TYPE='wayland', XDG_CURRENT_DESKTOP='GNOME')
    eq(p.returncode, 1, 'exit status (%r)' % p.stderr)
    eq(len(p.stderr.splitlines()), 1, 'one line: %r' % p.stderr)
    has(p.stderr, "the session bus (for GNOME's mutter)", 'stderr')


def t_bad_option_first():
    # arguments are checked before the session type
    p = run(['--bogus'], XDG_SESSION_TYPE='wayland')
    eq(p.returncode, 2, 'exit status (%r)' % p.stderr)
    eq(p.stderr.splitlines(), ["vmodes: unknown option (try 'vmodes session --help')"], 'stderr')


s.check('XDG_SESSION_TYPE=wayland, DISPLAY nowhere: exit 0, one info line', t_session_type)
s.check('the same with --config and -v', t_session_type_config)
s.check('WAYLAND_DISPLAY set: exit 0, one info line', t_wayland_display)
s.check('under the journal: the line has the info priority', t_journal)
s.check('an X11 session with DISPLAY nowhere: exit 1, the display named', t_empty_wayland_display)
s.check('GNOME on Wayland without its session bus: exit 1, one line', t_gnome_without_mutter)
s.check('a bad option is reported before the session type', t_bad_option_first)
s.finish()
