#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Hostile input to vmodesd (as root, so authorization is not what stops
it): oversized strings, quotes and newlines in names, unknown heads, absurd
modes, wrong types. Each call must get its named error, and neither the
config file nor the X config may change (content and mtime)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
import daemonlib as D  # noqa: E402
from daemonlib import eq, raises  # noqa: E402

D.require()
V = D.GLib.Variant
s = D.Suite()
env = D.Env()

HEAD = 'org.vmodes.Error.InvalidHead'
MODE = 'org.vmodes.Error.InvalidMode'
ARG = 'org.vmodes.Error.InvalidArgument'
LARGE = 'org.vmodes.Error.TooLarge'
LIMIT = 'org.vmodes.Error.LimitExceeded'
NOMODE = 'org.vmodes.Error.NoSuchMode'
ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'
ML = '222.75 2560 2720 2992 3424 1440 1443 1448 1479 -hsync +vsync'

CASES = [
    # (what, method, signature, args, expected error)
    ('head of 100000 bytes', 'AddMode', 'ssa{sv}', ('A' * 100000, '1024x768', {}), HEAD),
    ('head of 300 bytes', 'AddMode', 'ssa{sv}', ('Virtual-' + '1' * 292, '1024x768', {}), HEAD),
    ('head with a quote and a section', 'AddMode', 'ssa{sv}',
     ('Virtual-1"\nEndSection\nSection "Device', '1024x768', {}), HEAD),
    ('head with a newline', 'AddMode', 'ssa{sv}', ('Virtual-1\n', '1024x768', {}), HEAD),
    ('head with a trailing space', 'AddMode', 'ssa{sv}', ('Virtual-1 ', '1024x768', {}), HEAD),
    ('empty head', 'AddMode', 'ssa{sv}', ('', '1024x768', {}), HEAD),
    ('head 5 of a 4-head QXL', 'AddMode', 'ssa{sv}', ('Virtual-5', '1024x768', {}), HEAD),
    ('head that is not a virtual head', 'AddMode', 'ssa{sv}', ('HDMI-A-1', '1024x768', {}), HEAD),
    ('path as a head', 'AddMode', 'ssa{sv}', ('../../etc/passwd', '1024x768', {}), HEAD),
    ('head number 0', 'AddMode', 'ssa{sv}', ('0', '1024x768', {}), HEAD),
    ('head number -1', 'AddMode', 'ssa{sv}', ('-1', '1024x768', {}), HEAD),
    ('qxl-4 (a 5th head)', 'AddMode', 'ssa{sv}', ('qxl-4', '1024x768', {}), HEAD),
    ('non-ASCII head', 'AddMode', 'ssa{sv}', ('Virtüal-1', '1024x768', {}), HEAD),
    ('empty mode', 'AddMode', 'ssa{sv}', ('Virtual-1', '', {}), MODE),
    ('mode of 100000 bytes', 'AddMode', 'ssa{sv}', ('Virtual-1', '1' * 100000, {}), MODE),
    ('0x0', 'AddMode', 'ssa{sv}', ('Virtual-1', '0x0', {}), MODE),
    ('100000x100000', 'AddMode', 'ssa{sv}', ('Virtual-1', '100000x100000', {}), MODE),
    ('negative rate', 'AddMode', 'ssa{sv}', ('Virtual-1', '2560x1440@-44', {}), MODE),
    ('rate 0', 'AddMode', 'ssa{sv}', ('Virtual-1', '2560x1440@0', {}), MODE),
    ('rate 1e9', 'AddMode', 'ssa{sv}', ('Virtual-1', '2560x1440@1e9', {}), MODE),
    ('rate nan', 'AddMode', 'ssa{sv}', ('Virtual-1', '2560x1440@nan', {}), MODE),
    ('pixel clock beyond RandR', 'AddMode', 'ssa{sv}', ('Virtual-1', '16384x16384@1000', {}), MODE),
    ('modeline name with a quote', 'AddMode', 'ssa{sv}', ('Virtual-1', '"a\\"b" ' + ML, {}), MODE),
    ('modeline name with a newline', 'AddMode', 'ssa{sv}', ('Virtual-1', '"a\nEndSection" ' + ML, {}), MODE),
    ('modeline with timings out of order', 'AddMode', 'ssa{sv}',
     ('Virtual-1', '"m" 222.75 2560 2000 2992 3424 1440 1443 1448 1479', {}), MODE),
    ('modeline with clock 0', 'AddMode', 'ssa{sv}',
     ('Virtual-1', '"m" 0 2560 2720 2992 3424 1440 1443 1448 1479', {}), MODE),
    ('modeline with trailing garbage', 'AddMode', 'ssa{sv}', ('Virtual-1', '"m" ' + ML + ' ; rm -rf /', {}), MODE),
    ('8192x8192: more than the QXL memory', 'AddMode', 'ssa{sv}', ('Virtual-1', '8192x8192@30', {}), LARGE),
    ('a 9th mode on a head', 'AddMode', 'ssa{sv}', ('Virtual-1', '800x600@75', {}), LIMIT),
    ('unknown option', 'AddMode', 'ssa{sv}', ('Virtual-2', '1024x768', {'evil': V('b', True)}), ARG),
    ('option of the wrong type', 'AddMode', 'ssa{sv}', ('Virtual-2', '1024x768', {'primary': V('s', 'yes')}), ARG),
    ('AddMode without options (wrong signature)', 'AddMode', 'ss', ('Virtual-2', '1024x768'), ARGS),
    ('AddMode with integers', 'AddMode', 'iia{sv}', (1, 2, {}), ARGS),
    ('unknown relation', 'SetLayout', 'sssiib', ('Virtual-2', 'diagonal', '', 0, 0, False), ARG),
    ('relation of 100000 bytes', 'SetLayout', 'sssiib', ('Virtual-2', 'x' * 100000, '', 0, 0, False), ARG),
    ('negative position', 'SetLayout', 'sssiib', ('Virtual-2', 'pos', '', -5, 0, False), ARG),
    ('huge position', 'SetLayout', 'sssiib', ('Virtual-2', 'pos', '', 0, 2 ** 31 - 1, False), ARG),
    ('right of itself', 'SetLayout', 'sssiib', ('Virtual-2', 'right-of', 'qxl-1', 0, 0, False), HEAD),
    ('right of an unknown head', 'SetLayout', 'sssiib', ('Virtual-2', 'right-of', 'Nope-1', 0, 0, False), HEAD),
    ('right of a quoted name', 'SetLayout', 'sssiib', ('Virtual-2', 'right-of', 'V"1', 0, 0, False), HEAD),
    ('layout of an unconfigured head', 'SetLayout', 'sssiib', ('Virtual-3', 'auto', '', 0, 0, False), HEAD),
    ('SetLayout with a string for x', 'SetLayout', 'ssssib', ('Virtual-2', 'pos', '', '0', 0, False), ARGS),
    ('auto-fit-refresh 1e308', 'SetOptions', 'a{sv}', ({'auto-fit-refresh': V('d', 1e308)},), ARG),
    ('auto-fit-refresh nan', 'SetOptions', 'a{sv}', ({'auto-fit-refresh': V('d', float('nan'))},), ARG),
    ('auto-fit-refresh -60', 'SetOptions', 'a{sv}', ({'auto-fit-refresh': V('d', -60.0)},), ARG),
    ('auto-fit-blanking rb9', 'SetOptions', 'a{sv}', ({'auto-fit-blanking': V('s', 'rb9')},), ARG),
    ('kernel-cmdline as a string', 'SetOptions', 'a{sv}', ({'kernel-cmdline': V('s', 'true')},), ARG),
    ('unknown global option', 'SetOptions', 'a{sv}', ({'x' * 5000: V('b', True)},), ARG),
    ('remove a mode that is no spec', 'RemoveMode', 'ss', ('Virtual-1', 'nope'), MODE),
    ('remove a mode not configured', 'RemoveMode', 'ss', ('Virtual-1', '640x480@60'), NOMODE),
    ('remove from an unconfigured head', 'RemoveMode', 'ss', ('Virtual-4', ''), NOMODE),
    ('remove with a huge head', 'RemoveMode', 'ss', ('B' * 70000, ''), HEAD),
    ('remove with a huge mode', 'RemoveMode', 'ss', ('Virtual-1', 'C' * 70000), MODE),
    ('options of an unknown head', 'SetHeadOptions', 'sa{sv}', ('Virtual-7', {}), HEAD),
    ('head options of the wrong type', 'SetHeadOptions', 'sa{sv}', ('Virtual-1', {'enabled': V('i', 0)}), ARG),
    ('Apply with arguments', 'Apply', 's', ('x',), ARGS),
    ('unknown method', 'Format', 's', ('/',), 'org.freedesktop.DBus.Error.UnknownMethod'),
]

try:
    env.start_daemon()
    # a config to defend: Virtual-1 with the most modes, Virtual-2 with one
    for i, spec in enumerate(['2560x1440@44', '1920x1080', '1600x900', '1280x720', '1024x768', '800x600',
                              '1366x768', '1440x900']):
        env.call('AddMode', 'ssa{sv}', ('Virtual-1', spec, {'default': V('b', i == 0)}))
    env.call('AddMode', 'ssa{sv}', ('Virtual-2', '1920x1080', {}))
    before = env.files()
    config_before = env.get('Config')

    for what, method, sig, args, error in CASES:
        def t(method=method, sig=sig, args=args, error=error):
            e = raises(error, env.call, method, sig, args)
            if not e.message or '\n' in e.message:
                raise AssertionError('error message is not one line: %r' % e.message)
            eq(env.files(), before, 'files after the call')
        s.check('%s: %s' % (what, error.rsplit('.', 1)[1]), t)

    def t_property_read_only():
        raises('org.freedesktop.DBus.Error.PropertyReadOnly',
               lambda: D.call(env.conn, 'Set', 'ssv', (D.IFACE, 'Config', V('s', '[general]\n')),
                              iface='org.freedesktop.DBus.Properties'))
        eq(env.files(), before, 'files')
    s.check('setting a read-only property: PropertyReadOnly', t_property_read_only)

    def t_still_serving():
        eq(env.get('Config'), config_before, 'Config')
        eq(env.daemon.poll(), None, 'daemon running')
        eq(len(CASES) >= 30, True, 'at least 30 hostile inputs')
    s.check('daemon alive and config unchanged after %d hostile calls' % len(CASES), t_still_serving)
finally:
    env.close()
env.finish(s)
