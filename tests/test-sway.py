#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""vmodes in a sway session, against a real sway (Debian 12's 1.7) on its
headless backend with pixman rendering: two outputs HEADLESS-1 and
HEADLESS-2, as a normal user (sway refuses to run as root; under root the
test runs it as nobody). Read back from sway's own IPC, not from vmodes:

- `vmodes list` shows sway's outputs, their modes and rates;
- `vmodes add HEADLESS-1 2560x1440@44 --apply --no-store` gives a
  2560x1440 output at CVT's 43.986 Hz (sway's `modeline` works on DRM
  outputs only: the backend finds that out and sends `mode --custom`);
- a second head right of the first; the same change again changes nothing;
- an interlaced modeline and an unknown head are refused before anything
  changes;
- `vmodes session --config` applies a layout when it starts, and exits 0
  when sway quits;
- sway dying while vmodes waits for its reply: `vmodes add` and the
  session agent say so in one line (exit 1), no hang; and sway dying
  mid-apply, after it carried out the first command (a relay between
  vmodes and sway's socket kills it then): the same line, exit 1, no hang;
- a SWAYSOCK that leads nowhere, and a Wayland session that is not sway's:
  one clear line, non-zero exit, nothing changed.
The DRM side (qxl's connectors, modelines) runs in the VM:
tests/vm/desktop/30-sway.sh."""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from tally import Suite, eq, has, lacks, skip  # noqa: E402
from xserver import VMODES, require_vmodes  # noqa: E402

require_vmodes()
SWAY = shutil.which('sway')
if not SWAY:
    if os.environ.get('CI'):
        print('FAIL: sway is not installed (tools/packages-test.txt)')
        sys.exit(1)
    skip('sway is not installed')

s = Suite()
tmp = tempfile.mkdtemp(prefix='vmodes-sway-')
runtime = os.path.join(tmp, 'run')
os.mkdir(runtime, 0o700)
as_user = []
if os.geteuid() == 0:
    # sway refuses root: nobody runs it, root (the test) may use its socket
    os.chown(runtime, 65534, 65534)
    as_user = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
with open(os.path.join(tmp, 'config'), 'w') as f:
    f.write('output HEADLESS-1 mode 1280x800\n')
os.chmod(tmp, 0o755)
os.chmod(os.path.join(tmp, 'config'), 0o644)


def read_message(conn):
    """One i3-ipc message from conn: (type, the whole message), or
    (None, None) when the other side closed first."""
    data = b''
    for want in (14, None):
        if want is None:
            want = 14 + struct.unpack('=I', data[6:10])[0]
        while len(data) < want:
            chunk = conn.recv(want - len(data))
            if not chunk:
                return None, None
            data += chunk
    return struct.unpack('=I', data[10:14])[0], data


def ipc(sock, kind, payload=''):
    """One message to sway's socket and its JSON reply."""
    with socket.socket(socket.AF_UNIX) as c:
        c.settimeout(10)
        c.connect(sock)
        data = payload.encode()
        c.sendall(b'i3-ipc' + struct.pack('=II', len(data), kind) + data)
        _, reply = read_message(c)
        if reply is None:
            raise AssertionError('sway closed its socket before it answered')
        return json.loads(reply[14:])


def outputs(sock):
    return {o['name']: o for o in ipc(sock, 3)}


class Sway:
    def __init__(self):
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'XDG_RUNTIME_DIR': runtime,
               'WLR_BACKENDS': 'headless', 'WLR_RENDERER': 'pixman', 'WLR_HEADLESS_OUTPUTS': '2',
               'WLR_LIBINPUT_NO_DEVICES': '1', 'HOME': tmp}
        self.log = open(os.path.join(tmp, 'sway.log'), 'w')
        before = set(os.listdir(runtime))
        self.p = subprocess.Popen(as_user + [SWAY, '-c', os.path.join(tmp, 'config'), '-d'], env=env,
                                  stdout=self.log, stderr=subprocess.STDOUT, cwd=tmp)
        deadline = time.monotonic() + 20
        self.sock = None
        while time.monotonic() < deadline and self.p.poll() is None:
            new = [n for n in set(os.listdir(runtime)) - before if n.startswith('sway-ipc.')]
            if new:
                self.sock = os.path.join(runtime, new[0])
                try:
                    if len(outputs(self.sock)) == 2:
                        break
                except OSError:
                    pass
            time.sleep(0.1)
        if not self.sock:
            raise SystemExit('FAIL: sway did not start:\n' + open(self.log.name).read()[-3000:])

    def env(self, **extra):
        e = {k: v for k, v in os.environ.items()
             if k not in ('DISPLAY', 'WAYLAND_DISPLAY', 'XDG_SESSION_TYPE', 'SWAYSOCK', 'JOURNAL_STREAM')}
        e.update({'SWAYSOCK': self.sock, 'WAYLAND_DISPLAY': 'wayland-1', 'XDG_SESSION_TYPE': 'wayland',
                  # no vmodesd here: --no-store changes stay live
                  'VMODES_BUS_ADDRESS': 'unix:path=%s/no-bus' % tmp})
        e.update(extra)
        return e

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def vmodes(sway, *args, **env):
    return subprocess.run([VMODES] + list(args), env=sway.env(**env), capture_output=True, text=True, timeout=60)


def current(sock, name):
    o = outputs(sock)[name]
    m = o['current_mode']
    return (m['width'], m['height'], m['refresh'], o['rect']['x'], o['rect']['y']) if o['active'] else None


sw = Sway()
try:
    def t_list():
        p = vmodes(sw, 'list')
        eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
        has(p.stdout, 'HEADLESS-1   connected     1280x800@60.000')
        has(p.stdout, 'HEADLESS-2   connected')
        eq(p.stderr, '', 'stderr')

    def t_add_custom():
        p = vmodes(sw, 'add', 'HEADLESS-1', '2560x1440@44', '--apply', '--no-store')
        eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
        has(p.stdout, 'HEADLESS-1: 2560x1440 at 43.99 Hz')
        has(p.stdout, 'live sway session only')
        eq(current(sw.sock, 'HEADLESS-1'), (2560, 1440, 43986, 0, 0), 'HEADLESS-1 as sway has it')
        log = open(sw.log.name).read()
        has(log, 'mode --custom 2560x1440@43.986Hz', 'sway log')

    def t_right_of():
        p = vmodes(sw, 'add', 'HEADLESS-2', '1600x900@50', '--right-of', 'HEADLESS-1', '--no-store')
        eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
        eq(current(sw.sock, 'HEADLESS-2'), (1600, 900, 49940, 2560, 0), 'HEADLESS-2 as sway has it')
        eq(current(sw.sock, 'HEADLESS-1'), (2560, 1440, 43986, 0, 0), 'HEADLESS-1 as sway has it')

    def t_again():
        p = vmodes(sw, 'add', 'HEADLESS-2', '1600x900@50', '--right-of', 'HEADLESS-1', '--no-store')
        eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
        has(p.stdout, 'nothing to change in the sway session')

    def t_interlaced():
        before = outputs(sw.sock)
        p = vmodes(sw, 'add', 'HEADLESS-2', '--modeline',
                   '74.25 1920 2008 2052 2200 1080 1084 1094 1125 interlace +hsync +vsync', '--apply', '--no-store')
        eq(p.returncode, 1, 'exit status (%r)' % p.stdout)
        eq(len(p.stderr.splitlines()), 1, 'one line: %r' % p.stderr)
        has(p.stderr, 'sway cannot show')
        eq({n: o['current_mode'] for n, o in outputs(sw.sock).items()},
           {n: o['current_mode'] for n, o in before.items()}, 'modes after')

    def t_unknown_head():
        before = outputs(sw.sock)
        p = vmodes(sw, 'add', 'NoSuchHead-7', '1024x768', '--apply', '--no-store')
        eq(p.returncode, 2, 'exit status (%r)' % p.stderr)
        eq(len(p.stderr.splitlines()), 1, 'one line: %r' % p.stderr)
        has(p.stderr, 'unknown head NoSuchHead-7: sway has HEADLESS-1, HEADLESS-2 (or give a head number, 1 to 2)')
        eq({n: o['current_mode'] for n, o in outputs(sw.sock).items()},
           {n: o['current_mode'] for n, o in before.items()}, 'modes after')

    def t_session():
        conf = os.path.join(tmp, 'session.conf')
        with open(conf, 'w') as f:
            f.write('[head HEADLESS-1]\nmode = 1920x1080@44\n[head HEADLESS-2]\nmode = 1280x720@60\n'
                    'position = right-of HEADLESS-1\n')
        agent = subprocess.Popen([VMODES, 'session', '--config', conf], env=sw.env(), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        want1, want2 = (1920, 1080, 43933, 0, 0), (1280, 720, 59855, 1920, 0)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (current(sw.sock, 'HEADLESS-1'), current(sw.sock, 'HEADLESS-2')) != \
                (want1, want2):
            time.sleep(0.1)
        eq(current(sw.sock, 'HEADLESS-1'), want1, 'HEADLESS-1 after the agent started')
        eq(current(sw.sock, 'HEADLESS-2'), want2, 'HEADLESS-2 after the agent started')
        eq(agent.poll(), None, 'the agent runs')
        sw.stop()
        try:
            out, err = agent.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            agent.kill()
            raise AssertionError('the agent did not exit when sway quit')
        eq(agent.returncode, 0, 'exit status (%r)' % err)

    s.check('vmodes list shows sway\'s outputs', t_list)
    s.check('vmodes add 2560x1440@44 --apply --no-store: sway shows 2560x1440 at 43.986 Hz', t_add_custom)
    s.check('a second head right of the first', t_right_of)
    s.check('the same change again changes nothing', t_again)
    s.check('an interlaced mode is refused, nothing changes', t_interlaced)
    s.check('an unknown head is refused naming sway\'s outputs, nothing changes', t_unknown_head)
    s.check('vmodes session applies its layout and exits 0 when sway quits', t_session)
finally:
    sw.stop()


def t_no_socket():
    p = subprocess.run([VMODES, 'add', 'Virtual-1', '1920x1080@44', '--no-store'], capture_output=True, text=True,
                       env=dict(os.environ, SWAYSOCK=os.path.join(tmp, 'nowhere.sock'), WAYLAND_DISPLAY='wayland-1'),
                       timeout=30)
    eq(p.returncode, 1, 'exit status (%r)' % p.stderr)
    eq(len(p.stderr.splitlines()), 1, 'one line: %r' % p.stderr)
    has(p.stderr, "cannot connect to sway's socket %s/nowhere.sock" % tmp)


def t_other_wayland():
    env = {k: v for k, v in os.environ.items() if k not in ('SWAYSOCK', 'DISPLAY')}
    env.update(WAYLAND_DISPLAY='wayland-0', DISPLAY=':9917')
    p = subprocess.run([VMODES, 'add', 'Virtual-1', '1920x1080@44', '--no-store'], capture_output=True, text=True,
                       env=env, timeout=30)
    eq(p.returncode, 2, 'exit status (%r)' % p.stderr)
    has(p.stderr, "--no-store needs a display (this is a Wayland session (WAYLAND_DISPLAY=wayland-0) and vmodes "
        "drives only sway's ($SWAYSOCK) and GNOME's there)")
    lacks(p.stderr, ':9917')


def t_sway_dies(*cmd):
    # sway stops answering (SIGSTOP) while vmodes waits for its reply, then
    # dies: vmodes returns with one line, no crash, no hang
    sw2 = Sway()
    try:
        os.kill(sw2.p.pid, signal.SIGSTOP)
        p = subprocess.Popen([VMODES] + list(cmd), env=sw2.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        time.sleep(1)
        eq(p.poll(), None, 'vmodes waits for sway')
        sw2.p.kill()
        sw2.p.wait()
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            raise AssertionError('vmodes did not return after sway died')
        return p.returncode, out, err
    finally:
        sw2.stop()


def t_sway_dies_add():
    rc, out, err = t_sway_dies('add', 'HEADLESS-1', '1920x1080@44', '--apply', '--no-store')
    eq(rc, 1, 'exit status (%r %r)' % (out, err))
    eq(len(err.splitlines()), 1, 'one line: %r' % err)
    has(err, 'lost the connection to sway', 'the line')


def t_sway_dies_session():
    conf = os.path.join(tmp, 'session2.conf')
    with open(conf, 'w') as f:
        f.write('[head HEADLESS-1]\nmode = 1920x1080@44\n')
    rc, out, err = t_sway_dies('session', '--config', conf)
    # sway went away before it answered the agent's first request
    eq(rc, 1, 'exit status (%r %r)' % (out, err))
    has(err, 'lost the connection to sway', 'the log')


class Relay:
    """A socket between vmodes and sway's that passes every message on and
    kills sway (SIGKILL) at vmodes' next request once sway has answered a
    command: the compositor going away in the middle of an apply, at the
    same point every run."""

    def __init__(self, sway):
        self.sway, self.commands_answered, self.killed = sway, 0, False
        self.path = os.path.join(tmp, 'relay-%d.sock' % sway.p.pid)
        self.srv = socket.socket(socket.AF_UNIX)
        self.srv.bind(self.path)
        self.srv.listen(4)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.srv.accept()
            except OSError:
                return
            up = socket.socket(socket.AF_UNIX)
            up.connect(self.sway.sock)
            threading.Thread(target=self.replies, args=(up, conn), daemon=True).start()
            threading.Thread(target=self.requests, args=(conn, up), daemon=True).start()

    def requests(self, conn, up):
        while True:
            kind, data = read_message(conn)
            if data is None:
                break
            if self.commands_answered and not self.killed:
                self.killed = True
                self.sway.p.kill()
                self.sway.p.wait()
                break
            up.sendall(data)
        up.close()
        conn.close()

    def replies(self, up, conn):
        while True:
            kind, data = read_message(up)
            if data is None:
                break
            try:
                conn.sendall(data)
            except OSError:
                break
            if kind == 0:
                self.commands_answered += 1
        conn.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.srv.close()


def t_sway_dies_mid_apply():
    # two heads: the first command (HEADLESS-1) is carried out, then sway dies
    sw3 = Sway()
    relay = Relay(sw3)
    try:
        p = subprocess.run([VMODES, 'apply', 'HEADLESS-1 1600x900@44', 'HEADLESS-2 1280x720@50 right-of HEADLESS-1',
                            '--no-store'], env=sw3.env(SWAYSOCK=relay.path), capture_output=True,
                           text=True, timeout=60)
        eq(relay.killed, True, 'sway was killed after answering %d command(s) (%r)' % (relay.commands_answered,
                                                                                      p.stderr))
        eq(p.returncode, 1, 'exit status (%r %r)' % (p.stdout, p.stderr))
        eq(len(p.stderr.splitlines()), 1, 'one line: %r' % p.stderr)
        has(p.stderr, 'lost the connection to sway', 'the line')
    finally:
        relay.close()
        sw3.stop()


s.check('sway dies while `vmodes add --apply` waits for it: one line, exit 1', t_sway_dies_add)
s.check('sway dies mid-apply, after carrying out a command: one line, exit 1', t_sway_dies_mid_apply)
s.check('sway dies while the session agent waits for its first answer: it says so, exit 1', t_sway_dies_session)
s.check('a SWAYSOCK that leads nowhere: one line, exit 1', t_no_socket)
s.check('another Wayland compositor: --no-store refused, Xwayland not touched', t_other_wayland)
s.finish()
