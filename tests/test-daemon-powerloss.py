#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""What a power loss (or a careless edit) can leave in vmodes.conf, with a
good vmodes.conf.old beside it: a file of zeros, an empty file, a file cut
in the middle of a line, a NUL byte inside, bytes that are not UTF-8. At
daemon start and at SIGHUP, vmodesd must: say so in ConfigError (valid
UTF-8, naming the file and line), keep serving the last good config (at
start: .old), leave the X config and .old byte-identical, and refuse changes
with org.vmodes.Error.InvalidConfig at once (read-only) until the file is
fixed or restored from .old and reloaded."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
import daemonlib as D  # noqa: E402
from daemonlib import eq, has, raises  # noqa: E402

D.require()
V = D.GLib.Variant
s = D.Suite()
env = D.Env()
BAD = 'org.vmodes.Error.InvalidConfig'


def raw(path):
    with open(path, 'rb') as f:
        return f.read()


def put(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def damaged(good):
    """(name, bytes, what ConfigError must name) of each kind of damage."""
    cut = good.index(b'[head Virtual-2]') + len(b'[head Virt')
    nul = good.index(b'[head Virtual-2]')
    return [
        ('a file of zeros', b'\0' * len(good), ':1:'),
        ('an empty file', b'', ': empty file'),
        ('a file cut in a section line', good[:cut], ':%d:' % (good[:cut].count(b'\n') + 1)),
        ('a NUL byte inside', good[:nul] + b'\0' + good[nul:], ':%d:' % (good[:nul].count(b'\n') + 1)),
    ]


def get_all():
    return D.call(env.conn, 'GetAll', 's', (D.IFACE,), iface='org.freedesktop.DBus.Properties')[0]


def refused():
    """Changes are refused at once with InvalidConfig."""
    t0 = time.time()
    raises(BAD, env.call, 'AddMode', 'ssa{sv}', ('Virtual-3', '1280x720', {}))
    raises(BAD, env.call, 'SetOptions', 'a{sv}', ({'auto-fit': V('b', True)},))
    raises(BAD, env.call, 'RemoveMode', 'ss', ('Virtual-1', ''))
    raises(BAD, env.call, 'Apply')
    if time.time() - t0 > 3 * D.SLOW:
        raise AssertionError('refusing took %.1f s' % (time.time() - t0))


def check_error(where):
    props = get_all()
    err = props['ConfigError']
    has(err, env.config + where, 'ConfigError names the file and line')
    err.encode('utf-8')
    return props


try:
    # a good history: .old holds one head, vmodes.conf two
    env.start_daemon()
    env.call('AddMode', 'ssa{sv}', ('Virtual-1', '1024x768', {}))
    env.call('AddMode', 'ssa{sv}', ('Virtual-2', '800x600', {}))
    env.stop_daemon()
    GOOD, OLD, XORG = raw(env.config), raw(env.config + '.old'), raw(env.xorg)
    assert b'Virtual-2' in GOOD and b'Virtual-2' not in OLD

    for name, data, where in damaged(GOOD):
        def t_start(data=data, where=where):
            put(env.config, data)
            env.start_daemon()
            try:
                props = check_error(where)
                has(props['ConfigError'], 'serving the last good config from ' + env.config + '.old')
                eq(props['Config'], OLD.decode(), 'Config is the .old config')
                has(env.read_log(), env.config + where, 'journal')
                refused()
                eq(raw(env.xorg), XORG, 'X config byte-identical')
                eq(raw(env.config + '.old'), OLD, '.old byte-identical')
                eq(raw(env.config), data, 'the damaged file is left for the admin')
                # an explicit restore: .old copied back, then reload
                put(env.config, OLD)
                env.call('Reload')
                eq(env.get('ConfigError'), '', 'restored from .old and reloaded')
                eq(env.get('Config'), OLD.decode(), 'Config after the restore')
            finally:
                env.stop_daemon()
                put(env.config, GOOD)
                put(env.config + '.old', OLD)
                put(env.xorg, XORG)
        s.check('at start, %s with a good .old: ConfigError, .old served, read-only, files kept' % name, t_start)

        def t_sighup(data=data, where=where):
            env.start_daemon()
            try:
                eq(env.get('ConfigError'), '', 'the good file loads')
                xorg = raw(env.xorg)
                put(env.config, data)
                os.kill(env.pid, signal.SIGHUP)
                deadline = time.time() + 5 * D.SLOW
                while env.get('ConfigError') == '' and time.time() < deadline:
                    time.sleep(0.01)
                props = check_error(where)
                eq(props['Config'], GOOD.decode(), 'the config in use stays')
                refused()
                eq(raw(env.xorg), xorg, 'X config byte-identical')
                eq(raw(env.config + '.old'), OLD, '.old byte-identical')
                # the admin fixes the file and reloads: writable again
                put(env.config, GOOD)
                env.call('Reload')
                eq(env.get('ConfigError'), '', 'fixed and reloaded')
                env.call('AddMode', 'ssa{sv}', ('Virtual-3', '1280x720', {}))
                eq(raw(env.config + '.old'), GOOD, 'the good file became .old')
            finally:
                env.stop_daemon()
                put(env.config, GOOD)
                put(env.config + '.old', OLD)
                put(env.xorg, XORG)
        s.check('at SIGHUP, %s: ConfigError, last good kept, read-only, files kept' % name, t_sighup)

    def t_not_utf8():
        put(env.config, b'[head Virtual-1]\nmode = 1024x768\xff\n')
        env.start_daemon()
        try:
            props = check_error(':2:')
            eq(props['Config'], OLD.decode(), 'Config is the .old config')
            refused()
        finally:
            env.stop_daemon()
            put(env.config, GOOD)
    s.check('bytes that are not UTF-8 at start: GetAll works, ConfigError names the line, AddMode '
            'answers at once', t_not_utf8)

    def t_not_utf8_path():
        # every string leaving the daemon is UTF-8, whatever the file names
        d = os.path.join(env.dir, 'etc-\udcff\udcfe')
        os.makedirs(d)
        conf = os.path.join(d, 'vmodes.conf')
        put(conf, b'[head Virtual-1]\nmode = banana\n')
        # (umockdev-run refuses such arguments: the machine's own devices)
        env.start_daemon(extra=['--config=' + conf], testbed=False)
        try:
            props = get_all()
            has(props['ConfigError'], 'vmodes.conf:2: ', 'ConfigError names the line')
            has(props['ConfigError'], env.dir + '/etc-\\xff\\xfe/vmodes.conf.old', 'ConfigError escapes')
            has(props['ConfigPath'], 'etc-\\xff\\xfe', 'ConfigPath escapes')
            raises(BAD, env.call, 'Reload')
            has(env.read_log(), 'etc-\\xff\\xfe/vmodes.conf.old', 'journal escapes')
        finally:
            env.stop_daemon()
        # an X config that cannot be written, in a folder of such a name
        xorg = os.path.join(d, 'missing', 'folder', '40-vmodes.conf')
        env.start_daemon(extra=['--xorg-config=' + xorg], testbed=False)
        try:
            has(get_all()['XConfigPath'], 'etc-\\xff\\xfe/missing', 'XConfigPath escapes')
            t0 = time.time()
            e = raises('org.vmodes.Error.Failed', env.call, 'Apply')
            has(e.message, 'cannot write ' + env.dir + '/etc-', 'error names the file')
            has(e.message, '/missing/folder/40-vmodes.conf: No such file', 'error names the file')
            if time.time() - t0 > 3 * D.SLOW:
                raise AssertionError('the error took %.1f s' % (time.time() - t0))
            has(env.read_log(), '/missing/folder/40-vmodes.conf: No such file', 'journal')
        finally:
            env.stop_daemon()
    s.check('a config path that is not UTF-8: properties, errors and the journal escape it', t_not_utf8_path)
finally:
    env.close()
env.finish(s, tail=60)
