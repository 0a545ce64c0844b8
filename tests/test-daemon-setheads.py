#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""vmodesd on a private bus (real dbus-daemon, QXL testbed): SetHeads, the
whole-layout call, and the ConfigHeads property. Several heads are stored
in one transaction with one ConfigChanged; ConfigHeads read back and given
to SetHeads again changes nothing; every refused call (a head given twice,
two primary heads, a bad or too large mode in the last head, an unknown
head, a cycle, too many modes, a head on without a mode, bad options)
leaves every file byte-identical (and untouched), Config unchanged and
sends no ConfigChanged, where a head-by-head sequence would have stored
its first half."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
import daemonlib as D  # noqa: E402
from daemonlib import eq, has, raises  # noqa: E402

D.require()
V = D.GLib.Variant
SIG = 'a(sasssiia{sv})a{sv}'
s = D.Suite()
env = D.Env()


def head(name, modes, relation='auto', other='', x=0, y=0, **opts):
    return (name, modes, relation, other, x, y, {k.replace('_', '-'): V('b', v) for k, v in opts.items()})


def again(heads):
    """ConfigHeads as read (plain values) -> SetHeads' argument (variants)."""
    return [h[:6] + ({k: V('b', v) for k, v in h[6].items()},) for h in heads]


def set_heads(heads, replace=None):
    return env.call('SetHeads', SIG, (heads, {} if replace is None else {'replace': V('b', replace)}))[0]


def drain(sig):
    ctx = D.GLib.MainContext.default()
    while ctx.iteration(False):
        pass
    return [g[1] for g in sig.got if g[1] == 'ConfigChanged']


try:
    env.start_daemon()
    env.call('AddMode', 'ssa{sv}', ('Virtual-3', '800x600', {}))
    sig = D.SignalCatcher(env.conn)

    def t_two_heads():
        sig.clear()
        r = set_heads([head('Virtual-1', ['2560x1440@44', '1920x1080']),
                       head('qxl-1', ['1920x1080'], 'right-of', '1', primary=True)])
        eq(r, [('Virtual-1', '2560x1440_44.00'), ('Virtual-2', '1920x1080_60.00')], 'reply: canonical names, modes')
        sig.wait('ConfigChanged')
        pc = sig.wait('PropertiesChanged')
        has(list(pc[2][1].keys()), 'ConfigHeads', 'PropertiesChanged names ConfigHeads')
        eq(drain(sig), ['ConfigChanged'], 'one ConfigChanged for the whole layout')
        conf = env.read(env.config)
        has(conf, '[head Virtual-1]\nmode = 2560x1440@44\nmode = 1920x1080\n', 'config file: head 1')
        has(conf, '[head Virtual-2]\nmode = 1920x1080\nposition = right-of Virtual-1\nprimary = true\n',
            'config file: head 2')
        has(conf, '[head Virtual-3]\nmode = 800x600\n', 'config file: the head not given stays')
        x = env.read(env.xorg)
        has(x, 'Identifier "Virtual-1"', 'X config')
        has(x, 'Option "RightOf" "Virtual-1"', 'X config')
    s.check('SetHeads: two heads in one transaction, one ConfigChanged, the heads not given stay', t_two_heads)

    def t_config_heads():
        ch = env.get('ConfigHeads')
        eq(ch[0], ('Virtual-3', ['800x600'], 'auto', '', 0, 0,
                   {'primary': False, 'pinned': False, 'enabled': True}), 'ConfigHeads: the head added first')
        eq(ch[1][:4], ('Virtual-1', ['2560x1440@44', '1920x1080'], 'auto', ''), 'ConfigHeads: Virtual-1')
        eq(ch[2][2:4], ('right-of', 'Virtual-1'), 'ConfigHeads: the place')
        eq(ch[2][6]['primary'], True, 'ConfigHeads: primary')
        # read back and given again, with replace: nothing changes
        config = env.get('Config')
        ch = again(ch)
        ch[0] = (ch[0][0], ['"mine" 40.00 800 840 968 1056 600 601 605 628 +hsync +vsync'], 'pos', '', 5, 6,
                 {'pinned': V('b', True)})
        set_heads(ch, replace=True)
        conf = env.read(env.config)
        has(conf, '[head Virtual-3]\nmodeline = "mine"   40.00  800 840 968 1056  600 601 605 628 +hsync +vsync\n'
            'position = 5,6\n', 'a modeline, a position')
        has(conf, 'enabled = true\npinned = true\n', 'a switch')
        back = env.get('ConfigHeads')
        set_heads(again(back), replace=True)
        eq(env.get('ConfigHeads'), back, 'ConfigHeads given to SetHeads: the same heads')
        env.call('AddMode', 'ssa{sv}', ('Virtual-3', '800x600', {}))
        env.call('RemoveMode', 'ss', ('Virtual-3', 'mine'))
        env.call('SetLayout', 'sssiib', ('Virtual-3', 'auto', '', 0, 0, False))
        env.call('SetHeadOptions', 'sa{sv}', ('Virtual-3', {'pinned': V('b', False)}))
        eq(env.get('Config'), config, 'back where it was')
    s.check('ConfigHeads: structured like SetHeads takes it; given back with replace, the same config',
            t_config_heads)

    OK_HEAD = head('Virtual-4', ['1024x768'])
    REFUSED = [
        ('a head given twice', 'InvalidArgument', 'given twice',
         [OK_HEAD, head('Virtual-1', ['800x600']), head('1', ['640x480'])], {}),
        ('two heads made primary', 'InvalidArgument', 'both made primary',
         [head('Virtual-4', ['1024x768'], primary=True), head('Virtual-1', ['800x600'], primary=True)], {}),
        ('a bad mode in the last head', 'InvalidMode', '',
         [OK_HEAD, head('Virtual-1', ['800x600', '1x1'])], {}),
        ('a mode too large for the device', 'TooLarge', 'more than the QXL holds',
         [OK_HEAD, head('Virtual-1', ['8192x8192@30'])], {}),
        ('an unknown head', 'InvalidHead', "no head 'Virtual-9'", [OK_HEAD, head('Virtual-9', ['800x600'])], {}),
        ('an unknown relative head', 'InvalidHead', "no head 'Virtual-7'",
         [OK_HEAD, head('Virtual-1', ['800x600'], 'below', 'Virtual-7')], {}),
        ('a cycle in the resulting layout', 'InvalidArgument', 'cycle',
         [OK_HEAD, head('Virtual-1', ['800x600'], 'right-of', 'Virtual-2')], {}),
        ('a head relative to itself', 'InvalidHead', 'itself',
         [OK_HEAD, head('Virtual-1', ['800x600'], 'above', 'qxl-0')], {}),
        ('nine modes', 'LimitExceeded', 'more than 8 modes',
         [OK_HEAD, head('Virtual-1', ['%dx600' % (800 + 8 * i) for i in range(9)])], {}),
        ('a head on without a mode', 'InvalidArgument', 'has no mode', [OK_HEAD, head('Virtual-1', [])], {}),
        ('a position out of range', 'InvalidArgument', 'out of range',
         [OK_HEAD, head('Virtual-1', ['800x600'], 'pos', '', 40000, 0)], {}),
        ('an unknown relation', 'InvalidArgument', "relation 'beside'",
         [OK_HEAD, head('Virtual-1', ['800x600'], 'beside')], {}),
        ('an unknown head option', 'InvalidArgument', "unknown option 'hidden'",
         [OK_HEAD, head('Virtual-1', ['800x600'], hidden=True)], {}),
        ('an unknown call option', 'InvalidArgument', "unknown option 'merge'", [OK_HEAD], {'merge': V('b', True)}),
    ]

    def t_refused():
        before, config, heads = env.files(), env.get('Config'), env.get('ConfigHeads')
        for what, name, msg, heads_arg, opts in REFUSED:
            sig.clear()
            raises('org.vmodes.Error.' + name, env.call, 'SetHeads', SIG, (heads_arg, opts), message=msg)
            eq(drain(sig), [], what + ': no ConfigChanged')
            eq(env.files(), before, what + ': files byte-identical and untouched')
            eq(env.get('Config'), config, what + ': Config unchanged')
        eq(env.get('ConfigHeads'), heads, 'ConfigHeads unchanged')
    s.check('SetHeads refused (%d ways): nothing written, no ConfigChanged, Config unchanged' % len(REFUSED),
            t_refused)

    def t_keep_and_off():
        set_heads([head('Virtual-1', ['640x480'], '', keep_modes=True), head('Virtual-4', [], enabled=False)])
        conf = env.read(env.config)
        has(conf, '[head Virtual-1]\nmode = 640x480\nmode = 2560x1440@44\nmode = 1920x1080\n', 'keep-modes')
        has(conf, '[head Virtual-4]\nposition = auto\nprimary = false\nenabled = false\n',
            'a head kept off needs no mode')
        has(conf, '[head Virtual-2]\nmode = 1920x1080\nposition = right-of Virtual-1\n', 'the others stay')
    s.check('SetHeads: keep-modes puts the modes in front, relation "" keeps the place, a head off without modes',
            t_keep_and_off)

    def t_replace():
        sig.clear()
        r = set_heads([head('Virtual-2', ['1280x720@50'], primary=True)], replace=True)
        eq(r, [('Virtual-2', '1280x720_50.00')], 'reply')
        eq([h[0] for h in env.get('ConfigHeads')], ['Virtual-2'], 'only the head given is left')
        x = env.read(env.xorg)
        eq('Virtual-1' in x or 'Virtual-3' in x, False, 'the X config lists only it')
        eq(drain(sig), ['ConfigChanged'], 'one ConfigChanged')
        set_heads([], replace=True)
        eq(env.get('ConfigHeads'), [], 'an empty layout with replace: no heads')
    s.check('SetHeads replace: the heads not given are forgotten', t_replace)
finally:
    env.close()
env.finish(s)
