# SPDX-License-Identifier: MIT
"""Helpers for the tests that run vmodes against real X servers.

Starts Xorg with the dummy driver, Xvfb, Xvnc or Xspice on a free display (found by
the server itself through -displayfd), reads the RandR state back with
`xrandr --query` (an oracle independent of vmodes), and runs vmodes.
A test exits 77 (automake SKIP) when its server is not installed.
"""
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from tally import SKIP, Tally, skip  # noqa: F401

VMODES = os.environ.get('VMODES') or os.path.join(os.environ.get('top_builddir', '.'), 'vmodes')
DUMMY_DRIVER_DIRS = ('/usr/lib/xorg/modules/drivers', '/usr/lib64/xorg/modules/drivers',
                     '/usr/local/lib/xorg/modules/drivers')



def require_vmodes():
    if not os.access(VMODES, os.X_OK):
        print('FAIL: no vmodes binary at %s' % VMODES)
        sys.exit(1)


DUMMY_CONF = '''Section "Device"
    Identifier "dummy"
    Driver "dummy"
    VideoRam {videoram}
EndSection
{monitors}
Section "Screen"
    Identifier "screen"
    Device "dummy"
    DefaultDepth 24
    SubSection "Display"
        Depth 24
    EndSubSection
EndSection
Section "ServerFlags"
    Option "AutoAddDevices" "false"
    Option "AutoAddGPU" "false"
EndSection
'''


# Xspice: the qxl DDX built as an Xorg driver on a fake QXL device in
# memory (what the Xspice wrapper starts), heads qxl-0..3. Its SPICE server
# must listen on a port: a free one on the loopback address, with a password.
# FrameBufferSize (MiB) is the primary surface, fixed at start: a larger X
# screen is refused. Its default in the driver is 0, so it is always given,
# and the surface and command buffers get 32 MiB more (the primary surface
# is carved out of one of them; with less the server does not start).
XSPICE_CONF = '''Section "Device"
    Identifier "xspice"
    Driver "spiceqxl"
    Option "NumHeads" "{heads}"
    Option "FrameBufferSize" "{framebuffer_mib}"
    Option "SurfaceBufferSize" "{buffer_mib}"
    Option "CommandBufferSize" "{buffer_mib}"
    Option "SpiceAddr" "127.0.0.1"
    Option "SpicePort" "{port}"
    Option "SpicePassword" "{password}"
EndSection
Section "Screen"
    Identifier "screen"
    Device "xspice"
    DefaultDepth 24
EndSection
Section "ServerFlags"
    Option "AutoAddDevices" "false"
    Option "AutoAddGPU" "false"
EndSection
'''
XSPICE_DRIVER = 'spiceqxl_drv.so'


def free_loopback_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]
    finally:
        s.close()


class XServer:
    """One X server on a display it picked itself; stop() (or the with
    block) kills it and removes its files."""

    def __init__(self, kind, videoram=262144, monitors=(), size='1024x768', timeout=20, heads=4):
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix='vmodes-x-')
        self.proc = None
        rfd, wfd = os.pipe()
        if kind == 'xorg-dummy':
            if not shutil.which('Xorg'):
                skip('Xorg is not installed (xserver-xorg-core)')
            if not any(os.path.exists(os.path.join(d, 'dummy_drv.so')) for d in DUMMY_DRIVER_DIRS):
                skip('the Xorg dummy driver is not installed (xserver-xorg-video-dummy)')
            if os.geteuid() != 0:
                skip('Xorg with the dummy driver needs root')
            mons = ''.join('Section "Monitor"\n    Identifier "%s"\nEndSection\n' % m for m in monitors)
            conf = os.path.join(self.dir, 'xorg.conf')
            with open(conf, 'w') as f:
                f.write(DUMMY_CONF.format(videoram=videoram, monitors=mons))
            os.mkdir(os.path.join(self.dir, 'conf.d'))
            args = ['Xorg', '-noreset', '-nolisten', 'tcp', '-config', conf, '-configdir',
                    os.path.join(self.dir, 'conf.d'), '-logfile', os.path.join(self.dir, 'Xorg.log'),
                    '-displayfd', str(wfd)]
        elif kind == 'xspice':
            # videoram (KiB) sizes the primary surface, as VideoRam does for the dummy
            if not shutil.which('Xorg'):
                skip('Xorg is not installed (xserver-xorg-core)')
            if not any(os.path.exists(os.path.join(d, XSPICE_DRIVER)) for d in DUMMY_DRIVER_DIRS):
                skip('the Xspice driver is not installed (xserver-xspice)')
            if os.geteuid() != 0:
                skip('Xorg with the Xspice driver needs root')
            conf = os.path.join(self.dir, 'xorg.conf')
            with open(conf, 'w') as f:
                fb_mib = max(1, videoram // 1024)
                f.write(XSPICE_CONF.format(heads=heads, framebuffer_mib=fb_mib, buffer_mib=fb_mib + 32,
                                           port=free_loopback_port(), password=os.urandom(12).hex()))
            os.mkdir(os.path.join(self.dir, 'conf.d'))
            args = ['Xorg', '-noreset', '-nolisten', 'tcp', '-config', conf, '-configdir',
                    os.path.join(self.dir, 'conf.d'), '-logfile', os.path.join(self.dir, 'Xorg.log'),
                    '-displayfd', str(wfd)]
        elif kind == 'xvfb':
            if not shutil.which('Xvfb'):
                skip('Xvfb is not installed (xvfb)')
            # -noreset: without it the server resets when its last client
            # leaves, and a client connecting in that moment is refused
            args = ['Xvfb', '-noreset', '-nolisten', 'tcp', '-screen', '0', size + 'x24', '-displayfd', str(wfd)]
        elif kind == 'xvnc':
            if not shutil.which('Xvnc'):
                skip('Xvnc is not installed (tigervnc-standalone-server)')
            self.rfb_socket = os.path.join(self.dir, 'rfb.sock')
            args = ['Xvnc', '-noreset', '-nolisten', 'tcp', '-SecurityTypes', 'None', '-rfbport', '-1', '-rfbunixpath',
                    self.rfb_socket, '-geometry', size, '-displayfd', str(wfd)]
        else:
            raise ValueError(kind)
        if not shutil.which('xrandr'):
            skip('xrandr is not installed (x11-xserver-utils)')
        self.log = open(os.path.join(self.dir, 'server.out'), 'w')
        self.proc = subprocess.Popen(args, pass_fds=(wfd,), stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        os.close(wfd)
        number = b''
        deadline = time.monotonic() + timeout
        while not number.endswith(b'\n'):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([rfd], [], [], left)[0]:
                break
            chunk = os.read(rfd, 16)
            if not chunk:
                break
            number += chunk
        os.close(rfd)
        if not number.strip():
            log = self.server_log()
            self.stop()
            raise RuntimeError('%s did not start: %s' % (kind, log[-2000:]))
        self.number = int(number)
        self.display = ':%d' % self.number

    def server_log(self):
        out = ''
        for name in ('server.out', 'Xorg.log'):
            try:
                with open(os.path.join(self.dir, name)) as f:
                    out += f.read()
            except OSError:
                pass
        return out

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, 'log', None):
            self.log.close()
            self.log = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def env(self):
        e = dict(os.environ)
        e['DISPLAY'] = self.display
        # never the machine's system bus: no vmodesd unless a test brings one
        e.setdefault('VMODES_BUS_ADDRESS', 'unix:path=/nonexistent/vmodes-test-bus')
        return e

    def vmodes(self, *args, display=None):
        """(rc, stdout, stderr) of vmodes on this display."""
        e = self.env()
        if display is not None:
            e['DISPLAY'] = display
        p = subprocess.run([VMODES] + list(args), capture_output=True, text=True, env=e, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def xrandr(self, *args):
        p = subprocess.run(['xrandr'] + list(args), capture_output=True, text=True, env=self.env(), timeout=60)
        return p.returncode, p.stdout, p.stderr

    def query(self):
        """xrandr --query, parsed: {'width', 'height', 'max_width', 'max_height',
        'outputs': [{'name', 'connected', 'primary', 'geometry' (w, h, x, y) or None,
        'modes': [(name, rate or None, current)], 'current': (name, rate) or None}]}"""
        # xrandr itself fails when a mode vanishes between two of its
        # requests (Xvnc replaces its modes on every resize): ask again
        for attempt in range(10):
            rc, out, err = self.xrandr('--query')
            if rc == 0:
                return parse_xrandr(out)
            time.sleep(0.05)
        raise RuntimeError('xrandr --query failed: %s' % err)


SCREEN = re.compile(r'^Screen \d+: minimum (\d+) x (\d+), current (\d+) x (\d+), maximum (\d+) x (\d+)')
OUTPUT = re.compile(r'^(\S+) (connected|disconnected|unknown connection)( primary)?(?: (\d+)x(\d+)\+(\d+)\+(\d+))?')


def parse_xrandr(text):
    res = {'outputs': []}
    out = None
    for line in text.splitlines():
        m = SCREEN.match(line)
        if m:
            res['min_width'], res['min_height'], res['width'], res['height'], res['max_width'], \
                res['max_height'] = map(int, m.groups())
            continue
        m = OUTPUT.match(line)
        if m:
            out = {'name': m.group(1), 'connected': m.group(2) == 'connected', 'primary': bool(m.group(3)),
                   'geometry': tuple(map(int, m.group(4, 5, 6, 7))) if m.group(4) else None, 'modes': [],
                   'current': None}
            res['outputs'].append(out)
            continue
        if re.match(r'  \S', line):
            # a mode no output offers: xrandr lists those after the
            # outputs, each with h: and v: lines
            out = None
            continue
        if out is not None and line.startswith('   '):
            words = line.split()
            name = words[0]
            for w in words[1:] or ['']:
                rate = re.match(r'([\d.]+)', w)
                cur = '*' in w
                out['modes'].append((name, float(rate.group(1)) if rate else None, cur))
                if cur:
                    out['current'] = (name, float(rate.group(1)) if rate else None)
    return res


def output(state, name):
    for o in state['outputs']:
        if o['name'] == name:
            return o
    return None


def bind_free_display(first, last):
    """(socket, path, display) of a listening Unix socket on the first free
    X display number in first..last-1 (for proxies that stand in for a
    display)."""
    for n in range(first, last):
        path = '/tmp/.X11-unix/X%d' % n
        if os.path.exists(path) or os.path.exists('/tmp/.X%d-lock' % n):
            continue
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(path)
        except OSError:
            sock.close()
            continue
        sock.listen(8)
        return sock, path, ':%d' % n
    raise RuntimeError('no free display number for the proxy')


class SilentDisplay:
    """A local X display that accepts connections and never answers (an X
    server that is stopped or hung)."""

    def __init__(self):
        self.sock, self.path, self.display = bind_free_display(400, 600)
        self.clients = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.clients.append(client)

    def stop(self):
        self.sock.close()
        for c in self.clients:
            c.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class CutProxy:
    """A local X display that forwards to another one and cuts every
    connection after `limit` bytes from the client (None: never): the X
    server "goes away" in the middle of whatever the client was doing.
    With mute set it keeps the connection open instead and forwards nothing
    more from the client: the server "hangs" there (answers what it got,
    never the rest)."""

    def __init__(self, target_number, mute=False):
        self.target = '/tmp/.X11-unix/X%d' % target_number
        self.limit = None
        self.mute = mute
        self.forwarded = 0
        self.sock, self.path, self.display = bind_free_display(200, 400)
        self.stopping = False
        self.pipes = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            th = threading.Thread(target=self._pipe, args=(client,), daemon=True)
            self.pipes.append(th)
            th.start()

    def _pipe(self, client):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.connect(self.target)
        sent = 0
        muted = False
        try:
            while True:
                r, _, _ = select.select([client, server], [], [], 30)
                if not r:
                    break
                if client in r:
                    data = client.recv(65536)
                    if not data:
                        break
                    if muted:
                        continue
                    if self.limit is not None and sent + len(data) > self.limit:
                        data = data[:self.limit - sent]
                        if data:
                            server.sendall(data)
                        sent += len(data)
                        if not self.mute:
                            break
                        muted = True
                        continue
                    sent += len(data)
                    server.sendall(data)
                if server in r:
                    data = server.recv(65536)
                    if not data:
                        break
                    client.sendall(data)
        except OSError:
            pass
        finally:
            self.forwarded = sent
            client.close()
            server.close()

    def wait_idle(self, timeout=10):
        """Waits until every connection made so far is closed."""
        for th in list(self.pipes):
            th.join(timeout)

    def stop(self):
        self.stopping = True
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


def _recvn(sock, n):
    b = b''
    while len(b) < n:
        c = sock.recv(n - len(b))
        if not c:
            raise EOFError('the VNC server closed the connection')
        b += c
    return b


def vnc_set_desktop_size(socket_path, screens):
    """See _vnc_set_desktop_size; Xvnc may drop a new client while it is busy
    resizing for the previous one, so a refused handshake is tried again."""
    for attempt in range(5):
        try:
            return _vnc_set_desktop_size(socket_path, screens)
        except (OSError, EOFError):
            if attempt == 4:
                raise
            time.sleep(0.05)


def _vnc_set_desktop_size(socket_path, screens):
    """Acts as a VNC client asking for a layout (RFB SetDesktopSize, as a
    viewer does when its window is resized or a monitor is added): screens
    is a list of (x, y, width, height). Xvnc connects, resizes and
    disconnects its outputs VNC-0.. to match."""
    import struct
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(socket_path)
    try:
        _recvn(s, 12)
        s.sendall(b'RFB 003.008\n')
        n = _recvn(s, 1)[0]
        if 1 not in _recvn(s, n):
            raise RuntimeError('the VNC server wants authentication')
        s.sendall(b'\x01')
        if struct.unpack('>I', _recvn(s, 4))[0] != 0:
            raise RuntimeError('VNC security handshake failed')
        s.sendall(b'\x01')  # shared
        w, h = struct.unpack('>HH', _recvn(s, 4))
        _recvn(s, 16)
        _recvn(s, struct.unpack('>I', _recvn(s, 4))[0])
        s.sendall(struct.pack('>BxHi', 2, 1, -308))  # SetEncodings: ExtendedDesktopSize
        s.sendall(struct.pack('>BBHHHH', 3, 0, 0, 0, w, h))  # FramebufferUpdateRequest
        width = max(x + sw for x, y, sw, sh in screens)
        height = max(y + sh for x, y, sw, sh in screens)
        msg = struct.pack('>BxHHBx', 251, width, height, len(screens))
        for i, (x, y, sw, sh) in enumerate(screens):
            msg += struct.pack('>IHHHHI', i + 1, x, y, sw, sh, 0)
        s.sendall(msg)
    except OSError:
        s.close()
        raise
    try:
        # the server answers with a FramebufferUpdate carrying the result;
        # reading a little of it makes sure the request was handled
        s.settimeout(2)
        s.recv(4096)
    except OSError:
        pass  # a timeout, or the server dropping a client it no longer needs
    finally:
        s.close()
