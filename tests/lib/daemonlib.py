# SPDX-License-Identifier: MIT
"""vmodesd on a private bus: a real dbus-daemon (with the system bus policy
and vmodes' own policy file), vmodesd inside a umockdev testbed (a QXL with
4 heads), its files in a temporary folder, and a Gio client.

Used by tests/test-daemon-*.py. Checks are named subtests; each script ends
with 'N passed, N failed' and exits 0, 1 or 77 (skip).
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(HERE))
BUILDDIR = os.environ.get('top_builddir') or SRCDIR
VMODESD = os.path.join(BUILDDIR, 'vmodesd')
VMODES = os.environ.get('VMODES') or os.path.join(BUILDDIR, 'vmodes')
TESTBEDS = os.path.join(SRCDIR, 'tests', 'testbeds')
from tally import SKIP, Suite, eq, has, skip  # noqa: E402,F401
BUS_NAME = 'org.vmodes.Daemon1'
PATH = '/org/vmodes/Daemon1'
IFACE = 'org.vmodes.Daemon1'
SLOW = 4 if 'asan' in os.environ.get('ASAN_OPTIONS', '') or os.environ.get('VMODES_SLOW') else 1

try:
    from gi.repository import Gio, GLib
except ImportError:
    Gio = GLib = None



def require(root=False):
    if Gio is None:
        skip('python3-gi (Gio) not installed')
    for t in ('dbus-daemon', 'umockdev-run'):
        if not shutil.which(t):
            skip('%s not installed (Debian packages dbus-daemon / umockdev)' % t)
    if not os.access(VMODESD, os.X_OK):
        skip('%s not built' % VMODESD)
    if root and os.geteuid() != 0:
        skip('needs root (to run callers as another user)')


def env():
    e = dict(os.environ)
    e.pop('DISPLAY', None)
    e['LC_ALL'] = 'C'
    # sanitizer builds: umockdev's LD_PRELOAD comes before the ASan runtime
    e['ASAN_OPTIONS'] = e.get('ASAN_OPTIONS', '') + ':verify_asan_link_order=0'
    return e


class BusError(Exception):
    def __init__(self, name, message):
        Exception.__init__(self, '%s: %s' % (name, message))
        self.name = name
        self.message = message


def _unpack_error(e):
    name = Gio.DBusError.get_remote_error(e) or 'local:%s' % e.message
    msg = e.message
    prefix = 'GDBus.Error:%s: ' % name
    if msg.startswith(prefix):
        msg = msg[len(prefix):]
    return BusError(name, msg)


def connect(address):
    return Gio.DBusConnection.new_for_address_sync(
        address,
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)


def call(conn, method, sig=None, args=(), iface=IFACE, dest=BUS_NAME, path=PATH, timeout=10000 * SLOW):
    params = GLib.Variant('(%s)' % sig, tuple(args)) if sig is not None else None
    try:
        r = conn.call_sync(dest, path, iface, method, params, None, Gio.DBusCallFlags.NONE, timeout, None)
    except GLib.Error as e:
        raise _unpack_error(e)
    return r.unpack() if r is not None else None


# A caller under another uid: runs in a child process (setpriv) and prints
# OK <result> or ERR <error name> <message>.
CHILD = r'''
import sys
from gi.repository import Gio, GLib
address, method, sig, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
conn = Gio.DBusConnection.new_for_address_sync(address,
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
params = GLib.Variant('(%s)' % sig, eval(args, {'GLib': GLib})) if sig != '-' else None
try:
    if method == 'Own':
        r = conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                           'RequestName', GLib.Variant('(su)', (args, 4)), None, 0, 10000, None)
    elif method == 'Get':
        r = conn.call_sync('org.vmodes.Daemon1', '/org/vmodes/Daemon1', 'org.freedesktop.DBus.Properties',
                           'Get', GLib.Variant('(ss)', ('org.vmodes.Daemon1', args)), None, 0, 10000, None)
    else:
        r = conn.call_sync('org.vmodes.Daemon1', '/org/vmodes/Daemon1', 'org.vmodes.Daemon1', method,
                           params, None, 0, 30000, None)
    print('OK', r.unpack())
except GLib.Error as e:
    name = Gio.DBusError.get_remote_error(e)
    print('ERR', name, e.message.replace('GDBus.Error:%s: ' % name, '', 1))
'''


def call_as(user, address, method, sig='-', args='()'):
    """(ok, name_or_result, message) of a call made by `user` (setpriv)."""
    cmd = ['setpriv', '--reuid=%s' % user, '--regid=nogroup', '--clear-groups', '--',
           sys.executable, '-c', CHILD, address, method, sig, args]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env(), cwd='/', timeout=60 * SLOW)
    out = p.stdout.strip()
    if out.startswith('OK'):
        return True, out[3:], ''
    if out.startswith('ERR'):
        parts = out.split(' ', 2)
        return False, parts[1], parts[2] if len(parts) > 2 else ''
    raise AssertionError('caller as %s failed: rc=%d\n%s\n%s' % (user, p.returncode, p.stdout, p.stderr))


class Env:
    """A private bus, a folder for the daemon's files, and the daemon."""

    def __init__(self, testbed='qxl'):
        self.dir = tempfile.mkdtemp(prefix='vmodesd-test-')
        os.chmod(self.dir, 0o755)
        self.etc = os.path.join(self.dir, 'etc')
        os.makedirs(os.path.join(self.etc, 'vmodes'))
        os.makedirs(os.path.join(self.etc, 'X11', 'xorg.conf.d'))
        os.makedirs(os.path.join(self.etc, 'default', 'grub.d'))
        self.config = os.path.join(self.etc, 'vmodes', 'vmodes.conf')
        self.xorg = os.path.join(self.etc, 'X11', 'xorg.conf.d', '40-vmodes.conf')
        self.grub = os.path.join(self.etc, 'default', 'grub.d', 'vmodes.cfg')
        self.testbed = os.path.join(TESTBEDS, testbed + '.umockdev')
        self.bus = None
        self.daemon = None
        self.pid = None
        self.daemon_log = os.path.join(self.dir, 'vmodesd.log')
        self.polkit = None
        self._conn = None
        self._start_bus()

    def _start_bus(self):
        with open(os.path.join(HERE, 'bus.conf.in')) as f:
            conf = f.read()
        conf = conf.replace('@SOCKET@', os.path.join(self.dir, 'bus')).replace(
            '@POLICY@', os.path.join(SRCDIR, 'systemd', 'org.vmodes.Daemon1.conf'))
        path = os.path.join(self.dir, 'bus.conf')
        with open(path, 'w') as f:
            f.write(conf)
        self.bus_log = open(os.path.join(self.dir, 'dbus-daemon.log'), 'w')
        self.bus = subprocess.Popen(['dbus-daemon', '--config-file=' + path, '--nofork', '--print-address=1'],
                                    stdout=subprocess.PIPE, stderr=self.bus_log, text=True)
        self.address = self.bus.stdout.readline().strip()
        if not self.address:
            raise AssertionError('dbus-daemon did not start')

    @property
    def conn(self):
        if self._conn is None or self._conn.is_closed():
            self._conn = connect(self.address)
        return self._conn

    def has_owner(self, name=BUS_NAME):
        return call(self.conn, 'NameHasOwner', 's', (name,), iface='org.freedesktop.DBus',
                    dest='org.freedesktop.DBus', path='/org/freedesktop/DBus')[0]

    def start_daemon(self, extra=(), wait=True, monitor=False, testbed=True):
        """testbed=False: without umockdev (the machine's own devices), for
        arguments umockdev-run refuses (bytes that are not UTF-8)."""
        assert self.daemon is None
        cmd = ([VMODESD] if not testbed else ['umockdev-run', '-d', self.testbed, '--', VMODESD]) + [
            '--address=' + self.address,
            '--config=' + self.config, '--xorg-config=' + self.xorg, '--grub-dropin=' + self.grub,
            '--no-load-modules'] + ([] if monitor else ['--no-monitor']) + list(extra)
        # never the machine's own GDM file or EDID folder (a machine with
        # gdm3 has a Debian-gdm user: vmodesd would write /etc/xdg)
        if not any(a.startswith('--greeter-monitors=') for a in extra):
            cmd.append('--greeter-monitors=')
        if not any(a.startswith('--edid-dir=') for a in extra):
            cmd.append('--edid-dir=' + os.path.join(self.dir, 'firmware'))
        self.pid = None
        self.log = open(self.daemon_log, 'a')
        self.daemon = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env(),
                                       start_new_session=True)
        if not wait:
            return
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline:
            if self.daemon.poll() is not None:
                raise AssertionError('vmodesd exited with %d:\n%s' % (self.daemon.returncode, self.read_log()))
            if self.has_owner():
                # the daemon itself (umockdev-run is its parent)
                self.pid = call(self.conn, 'GetConnectionUnixProcessID', 's', (BUS_NAME,),
                                iface='org.freedesktop.DBus', dest='org.freedesktop.DBus',
                                path='/org/freedesktop/DBus')[0]
                # answered once the daemon's loop runs: after its start-up writes
                self.get('Version')
                return
            time.sleep(0.005)
        raise AssertionError('vmodesd did not take its bus name:\n' + self.read_log())

    def stop_daemon(self, sig=signal.SIGTERM, check=True):
        if self.daemon is None:
            return None
        try:
            if self.pid:
                os.kill(self.pid, sig)      # umockdev-run exits with its child's status
            else:
                os.killpg(self.daemon.pid, sig)
        except ProcessLookupError:
            pass
        rc = self.daemon.wait(timeout=20 * SLOW)
        self.pid = None
        self.daemon = None
        self.log.close()
        # the name must be gone before the next start
        deadline = time.time() + 5 * SLOW
        while self.has_owner() and time.time() < deadline:
            time.sleep(0.005)
        if check and sig == signal.SIGTERM and rc != 0:
            raise AssertionError('vmodesd exited with %d:\n%s' % (rc, self.read_log()))
        return rc

    def read_log(self):
        try:
            with open(self.daemon_log) as f:
                return f.read()
        except OSError:
            return ''

    def start_polkit(self):
        """python3-dbusmock's polkitd template on this bus (denies by default)."""
        e = env()
        e['DBUS_SYSTEM_BUS_ADDRESS'] = self.address
        self.polkit = subprocess.Popen([sys.executable, '-m', 'dbusmock', '--system', '--template', 'polkitd'],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=e)
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline:
            if self.has_owner('org.freedesktop.PolicyKit1'):
                return
            if self.polkit.poll() is not None:
                skip('python3-dbusmock (polkitd template) does not run')
            time.sleep(0.02)
        raise AssertionError('mock polkitd did not start')

    def polkit_call(self, method, sig=None, args=()):
        return call(self.conn, method, sig, args, iface='org.freedesktop.DBus.Mock',
                    dest='org.freedesktop.PolicyKit1', path='/org/freedesktop/PolicyKit1/Authority')

    def stop_polkit(self):
        if self.polkit:
            self.polkit.terminate()
            self.polkit.wait()
            self.polkit = None

    def call(self, method, sig=None, args=()):
        return call(self.conn, method, sig, args)

    def get(self, prop):
        return call(self.conn, 'Get', 'ss', (IFACE, prop), iface='org.freedesktop.DBus.Properties')[0]

    def files(self):
        """(content, mtime_ns) of the config and the X config."""
        out = []
        for p in (self.config, self.xorg):
            try:
                with open(p, 'rb') as f:
                    out.append((f.read(), os.stat(p).st_mtime_ns))
            except FileNotFoundError:
                out.append((None, None))
        return out

    def read(self, path):
        with open(path) as f:
            return f.read()

    def close(self):
        self.last_log = self.read_log()  # for finish(), after the folder went
        try:
            self.stop_daemon(signal.SIGKILL, check=False)
        except Exception:
            pass
        self.stop_polkit()
        if self._conn is not None:
            self._conn.close_sync(None)
        if self.bus:
            self.bus.terminate()
            self.bus.wait()
            self.bus_log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def finish(self, suite, tail=None):
        """After close(): vmodesd's log (its last tail lines) when a check
        failed, then the suite's tally and exit status."""
        if suite.failed:
            lines = self.last_log.splitlines()[-tail if tail else 0:]
            print('# vmodesd log%s:\n' % (' (tail)' if tail else '') + '\n'.join('#   ' + line for line in lines))
        suite.finish()


class SignalCatcher:
    """Collects signals of vmodesd (ConfigChanged, PropertiesChanged)."""

    def __init__(self, conn):
        self.conn = conn
        self.got = []
        self.ids = [conn.signal_subscribe(BUS_NAME, None, None, PATH, None, Gio.DBusSignalFlags.NONE, self._cb)]

    def _cb(self, conn, sender, path, iface, member, params):
        self.got.append((iface, member, params.unpack()))

    def wait(self, member, timeout=5.0):
        deadline = time.time() + timeout * SLOW
        ctx = GLib.MainContext.default()
        while time.time() < deadline:
            for g in self.got:
                if g[1] == member:
                    return g
            ctx.iteration(False)
            time.sleep(0.002)
        raise AssertionError('no %s signal (got %r)' % (member, [g[1] for g in self.got]))

    def clear(self):
        ctx = GLib.MainContext.default()
        while ctx.iteration(False):
            pass
        self.got = []

    def close(self):
        for i in self.ids:
            self.conn.signal_unsubscribe(i)


def raises(name, fn, *args, message=None):
    try:
        fn(*args)
    except BusError as e:
        if e.name != name:
            raise AssertionError('expected %s, got %s: %s' % (name, e.name, e.message))
        if message and message not in e.message:
            raise AssertionError('%s message lacks %r: %s' % (name, message, e.message))
        return e
    raise AssertionError('expected %s, the call succeeded' % name)
