#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Benchmark of `vmodes session` on Xvnc (figures, not pass/fail):

  (a) auto-fit latency: a VNC client asks for another desktop size (as a
      SPICE client does when its window is resized); the agent's --stats
      lines tell when the RandR event reached it, when its mode-set requests
      went out and when X had answered them (CLOCK_MONOTONIC, the clock of
      time.monotonic() here). Target: event -> requests < 5 ms.
  (b) a burst: 50 size changes within one second (a user dragging a window
      edge). It must end on the last size with only a few mode sets before.
  (c) idle cost: wakeups (times scheduled, /proc/PID/task/*/schedstat) and
      context switches over a quiet interval (target 0), and memory: VmRSS,
      Pss and private memory (/proc/PID/smaps_rollup; target under 4 MiB),
      beside spice-vdagent in the same X session when it is installed.

spice-vdagent runs on a machine without a SPICE virtio port too: its daemon
(spice-vdagentd) is given a pty as the virtio port (-s) and a FIFO as a fake
uinput device (-f -u), without logind (-X); the session agent talks to it
over a private socket (-S), on the same display as vmodes. Nothing answers on
the port, which costs neither of them anything while idle.

Environment: VMODES (the binary), top_srcdir, BENCH_IDLE_SECONDS (default
60), BENCH_LATENCY_SAMPLES (default 20). Exits 77 when Xvnc is missing (make
bench fails then, saying so), 1 with CI=true when spice-vdagent cannot run
beside the agent.
"""
import os
import pty
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
import tty

SRCDIR = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRCDIR, 'tests', 'lib'))
from xserver import VMODES, XServer, output, require_vmodes  # noqa: E402

IDLE_SECONDS = float(os.environ.get('BENCH_IDLE_SECONDS', '60'))
LATENCY_SAMPLES = int(os.environ.get('BENCH_LATENCY_SAMPLES', '20'))
BURST_CHANGES = 50
BURST_SECONDS = 1.0
LATENCY_TARGET_MS = 5.0
RSS_TARGET_KB = 4096


class VncClient:
    """One VNC client connection that asks for desktop sizes (RFB
    SetDesktopSize), as a viewer does while its window is resized. A thread
    reads and drops what the server sends."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self._recv(12)
        self.sock.sendall(b'RFB 003.008\n')
        n = self._recv(1)[0]
        if 1 not in self._recv(n):
            raise RuntimeError('the VNC server wants authentication')
        self.sock.sendall(b'\x01')
        if struct.unpack('>I', self._recv(4))[0] != 0:
            raise RuntimeError('VNC security handshake failed')
        self.sock.sendall(b'\x01')  # shared
        w, h = struct.unpack('>HH', self._recv(4))
        self._recv(16)
        self._recv(struct.unpack('>I', self._recv(4))[0])
        self.sock.sendall(struct.pack('>BxHi', 2, 1, -308))  # SetEncodings: ExtendedDesktopSize
        self.sock.sendall(struct.pack('>BBHHHH', 3, 0, 0, 0, w, h))  # FramebufferUpdateRequest
        self.sock.settimeout(None)
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _recv(self, n):
        b = b''
        while len(b) < n:
            c = self.sock.recv(n - len(b))
            if not c:
                raise EOFError('the VNC server closed the connection')
            b += c
        return b

    def _drain(self):
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            pass

    def set_size(self, w, h):
        """Asks for one screen of w x h; returns when the request was sent
        (time.monotonic())."""
        msg = struct.pack('>BxHHBx', 251, w, h, 1) + struct.pack('>IHHHHI', 1, 0, 0, w, h, 0)
        t = time.monotonic()
        self.sock.sendall(msg)
        return t

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class AgentLog:
    """The agent's stderr in a file, read as it grows."""
    STATS = re.compile(r'^vmodes session: stats: (.*)$')

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def mark(self):
        self.offset = os.path.getsize(self.path)

    def lines(self, since=None):
        with open(self.path) as f:
            f.seek(self.offset if since is None else since)
            return f.read().splitlines()

    def stats(self, since=None):
        out = []
        for line in self.lines(since):
            m = self.STATS.match(line)
            if m:
                d = {}
                for kv in m.group(1).split():
                    k, v = kv.split('=', 1)
                    d[k] = v if k in ('cause', 'result') else float(v)
                out.append(d)
        return out

    def wait_stats(self, pred, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for d in self.stats():
                if pred(d):
                    return d
            time.sleep(0.002)
        return None

    def wait_quiet(self, quiet=0.4, timeout=10.0):
        """Until the log has not grown for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        size, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = os.path.getsize(self.path)
            if now != size:
                size, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return True
            time.sleep(0.02)
        return False


# ---- /proc figures --------------------------------------------------------------

def sched_counts(pid):
    """(times scheduled, context switches) summed over the threads."""
    runs = switches = 0
    for tid in os.listdir('/proc/%d/task' % pid):
        base = '/proc/%d/task/%s/' % (pid, tid)
        try:
            with open(base + 'schedstat') as f:
                runs += int(f.read().split()[2])
            with open(base + 'status') as f:
                for line in f:
                    if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                        switches += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            pass  # a thread that just ended
    return runs, switches


def memory(pid):
    """kB figures of a process: VmRSS, RssAnon, RssFile, Pss, private, threads."""
    m = {}
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            k, _, v = line.partition(':')
            if k in ('VmRSS', 'RssAnon', 'RssFile', 'Threads'):
                m[k] = int(v.split()[0])
    with open('/proc/%d/smaps_rollup' % pid) as f:
        for line in f:
            k, _, v = line.partition(':')
            if k in ('Pss', 'Private_Clean', 'Private_Dirty'):
                m[k] = int(v.split()[0])
    m['Private'] = m.get('Private_Clean', 0) + m.get('Private_Dirty', 0)
    return m


def mappings(pid, top=8):
    """The largest resident parts of a process: [(kB, kB anonymous, name)]."""
    per = {}
    name = None
    with open('/proc/%d/smaps' % pid) as f:
        for line in f:
            if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
                parts = line.split()
                name = os.path.basename(parts[5]) if len(parts) > 5 else '[anonymous]'
                per.setdefault(name, [0, 0])
            elif line.startswith('Rss:'):
                per[name][0] += int(line.split()[1])
            elif line.startswith('Anonymous:'):
                per[name][1] += int(line.split()[1])
    return sorted(((v[0], v[1], k) for k, v in per.items()), reverse=True)[:top]


def fmt_mem(m):
    return ('VmRSS %5d kB (anonymous %4d, files %5d), Pss %5d kB, private %5d kB, %d thread%s'
            % (m['VmRSS'], m['RssAnon'], m['RssFile'], m['Pss'], m['Private'], m['Threads'],
               '' if m['Threads'] == 1 else 's'))


# ---- spice-vdagent in the same X session ---------------------------------------------

class Proc:
    """A process that is not our child: its pid, and a way to end it."""

    def __init__(self, pid):
        self.pid = pid

    def terminate(self):
        try:
            os.kill(self.pid, 15)
        except ProcessLookupError:
            pass


class SpiceVdagent:
    """spice-vdagentd (pty as its virtio port, FIFO as a fake uinput device,
    no logind) and spice-vdagent on display x. `why` says why not when it
    cannot run."""

    def __init__(self, x, extra_env=None, tag='vdagent'):
        self.daemon = self.agent = self.session = None
        self.why = None
        self.fds = []
        if not shutil.which('spice-vdagentd') or not shutil.which('spice-vdagent'):
            self.why = 'not installed (Debian package spice-vdagent)'
            return
        master, slave = pty.openpty()
        tty.setraw(slave)
        self.fds += [master, slave]
        port = os.ttyname(slave)
        fifo = os.path.join(x.dir, tag + '-uinput')
        os.mkfifo(fifo)
        self.fds.append(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # its reader
        sock = os.path.join(x.dir, tag + '.sock')
        self.log = os.path.join(x.dir, tag + '.log')
        logf = open(self.log, 'w')
        self.daemon = subprocess.Popen(['spice-vdagentd', '-x', '-X', '-f', '-u', fifo, '-s', port, '-S', sock],
                                       stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(sock) and self.daemon.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if not os.path.exists(sock):
            self.why = 'spice-vdagentd did not start: ' + self._tail()
            return
        e = x.env()
        e.update(extra_env or {})
        # with a session bus of its own, as in a desktop session: what it
        # starts there (the accessibility bus) ends with it
        cmd = ['spice-vdagent', '-x', '-s', port, '-S', sock]
        if shutil.which('dbus-run-session'):
            cmd = ['dbus-run-session', '--'] + cmd
        self.session = subprocess.Popen(cmd, env=e, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        logf.close()
        time.sleep(2.0)  # it connects, reads the X state and reports it to the daemon
        self.agent = self._find('spice-vdagent')
        if not self.agent or self.session.poll() is not None or self.daemon.poll() is not None:
            self.why = 'spice-vdagent exited: ' + self._tail()

    def _find(self, comm):
        """The process `comm` among the session's processes (itself or a child)."""
        pids = [self.session.pid]
        try:
            with open('/proc/%d/task/%d/children' % (self.session.pid, self.session.pid)) as f:
                pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
        for pid in pids:
            try:
                with open('/proc/%d/comm' % pid) as f:
                    if f.read().strip() == comm:
                        return Proc(pid)
            except OSError:
                pass
        return None

    def _tail(self):
        try:
            with open(self.log) as f:
                return ' / '.join(f.read().strip().splitlines()[-3:])
        except OSError:
            return '(no log)'

    def ok(self):
        return self.why is None

    def stop(self):
        if self.agent:
            self.agent.terminate()  # dbus-run-session and its bus end with it
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
        for p in (self.session, self.daemon):
            if p:
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for fd in self.fds:
            os.close(fd)
        self.fds = []


# ---- the benchmark ----------------------------------------------------------------------

def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    require_vmodes()
    x = XServer('xvnc', size='1024x768')
    agent = vnc = None
    vd = []
    failed = []
    try:
        conf = os.path.join(x.dir, 'vmodes.conf')
        with open(conf, 'w') as f:
            f.write('[general]\nauto-fit = true\nauto-fit-refresh = 44\n')
        logpath = os.path.join(x.dir, 'agent.log')
        logf = open(logpath, 'w')
        agent = subprocess.Popen([VMODES, 'session', '--config', conf, '--stats'], env=x.env(), stdout=logf,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log = AgentLog(logpath)
        if not log.wait_stats(lambda d: d['cause'] == 'start', timeout=10):
            raise RuntimeError('the agent did not start:\n' + '\n'.join(log.lines(0)))
        log.wait_quiet()
        first = x.query()['outputs'][0]['name']
        vnc = VncClient(x.rfb_socket)

        # (a) latency of single changes, each after a quiet moment
        print('vmodes session on Xvnc (%s), auto-fit at 44 Hz' % VMODES)
        samples = []
        for i in range(LATENCY_SAMPLES):
            w, h = 1040 + 16 * i, 780 + 8 * i
            log.mark()
            sent = vnc.set_size(w, h)
            d = log.wait_stats(lambda d: d['cause'] == 'randr' and d['heads-changed'] >= 1)
            if d is None:
                raise RuntimeError('no mode set for %dx%d:\n%s' % (w, h, '\n'.join(log.lines())))
            samples.append((d['event'] - sent, d['execute'] - d['event'], d['done'] - d['event'],
                            d['done'] - sent, d['execute'] - d['start']))
            log.wait_quiet(0.25)
        cur = output(x.query(), first)['current']
        ok_last = cur and cur[0] == '%dx%d_44.00' % (w, h)
        ms = [[v * 1000 for v in col] for col in zip(*samples)]
        print('(a) auto-fit latency over %d size changes (ms: median / p90 / max):' % len(samples))
        for label, col in (('client request -> RandR event at the agent (Xvnc)', ms[0]),
                           ('agent: event -> mode-set requests sent', ms[1]),
                           ('agent: event -> X answered the mode set', ms[2]),
                           ('client request -> mode set answered', ms[3]),
                           ('agent: query and plan (part of the above)', ms[4])):
            print('    %-52s %6.2f / %6.2f / %6.2f' % (label, statistics.median(col), pct(col, 90), max(col)))
        print('    target: event -> requests sent < %.0f ms: %s (p90 %.2f ms); last size applied: %s'
              % (LATENCY_TARGET_MS, 'met' if pct(ms[1], 90) < LATENCY_TARGET_MS else 'NOT met', pct(ms[1], 90),
                 'yes' if ok_last else 'NO (%r)' % (cur,)))

        # (b) a burst: 50 changes within a second
        log.mark()
        mark = log.offset
        sizes = [(1024 + 8 * i, 768 + 4 * i) for i in range(1, BURST_CHANGES + 1)]
        step = BURST_SECONDS / BURST_CHANGES
        t0 = time.monotonic()
        for i, (w, h) in enumerate(sizes):
            delay = t0 + i * step - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            last_sent = vnc.set_size(w, h)
        took = time.monotonic() - t0
        w, h = sizes[-1]
        want = '%dx%d_44.00' % (w, h)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            cur = output(x.query(), first)['current']
            if cur and cur[0] == want:
                break
            time.sleep(0.02)
        log.wait_quiet(0.5)
        sets = [d for d in log.stats(mark) if d['heads-changed'] >= 1]
        heads_line = re.compile(r'^vmodes session: %s: (\d+x\d+) at ' % re.escape(first))
        seq = [m.group(1) for m in (heads_line.match(ln) for ln in log.lines(mark)) if m]
        reconciles = len(log.stats(mark))
        print('(b) burst: %d size changes in %.2f s; the agent made %d mode set%s (%s), %d reconciles'
              % (len(sizes), took, len(sets), '' if len(sets) == 1 else 's', ' -> '.join(seq) or 'none', reconciles))
        print('    ends on the last size (%s): %s; last mode set %.0f ms after the last change; '
              'intermediate mode sets: %d'
              % (want, 'yes' if cur and cur[0] == want else 'NO (%r)' % (cur,),
                 (sets[-1]['done'] - last_sent) * 1000 if sets else float('nan'), max(0, len(sets) - 1)))

        # (c) idle: the agent and spice-vdagent side by side
        log.wait_quiet(0.5)
        vd.append(SpiceVdagent(x))
        log.wait_quiet(0.5)  # spice-vdagent's start may have shown the agent something
        procs = [('vmodes session', agent.pid)]
        if vd[0].ok():
            procs += [('spice-vdagent', vd[0].agent.pid), ('spice-vdagentd', vd[0].daemon.pid)]
        before = {n: sched_counts(p) for n, p in procs}
        time.sleep(IDLE_SECONDS)
        after = {n: sched_counts(p) for n, p in procs}
        mem = {n: memory(p) for n, p in procs}
        maps = mappings(agent.pid)
        print('(c) idle for %.0f s (nothing happening on the display):' % IDLE_SECONDS)
        for n, p in procs:
            runs = after[n][0] - before[n][0]
            sw = after[n][1] - before[n][1]
            print('    %-15s %4d wakeups, %4d context switches = %.1f wakeups per minute'
                  % (n, runs, sw, runs * 60.0 / IDLE_SECONDS))
        print('    memory:')
        for n, p in procs:
            print('    %-15s %s' % (n, fmt_mem(mem[n])))
            if n == 'spice-vdagent':
                print('    %-15s largest: %s' % ('', ', '.join('%s %d kB' % (name, r)
                                                             for r, _, name in mappings(p, 3))))
        if vd[0].ok():
            # GTK loads a GL driver when the server offers GLX (Mesa's
            # llvmpipe and LLVM here and in the VM image); without it:
            vd[0].stop()
            vd.append(SpiceVdagent(x, {'GDK_GL': 'disable'}, tag='vdagent-nogl'))
            if vd[1].ok():
                mem['spice-vdagent, GDK_GL=disable'] = memory(vd[1].agent.pid)
                print('    %-15s %s' % ('spice-vdagent', fmt_mem(mem['spice-vdagent, GDK_GL=disable'])))
                print('    %-15s (started again with GDK_GL=disable: GTK loads no GL driver)' % '')
        else:
            print('    spice-vdagent:  cannot run here: %s' % vd[0].why)
            if os.environ.get('CI') == 'true':
                failed.append('spice-vdagent did not run beside the agent (CI installs spice-vdagent)')
        a = mem['vmodes session']
        runs = after['vmodes session'][0] - before['vmodes session'][0]
        print('    vmodes session: target 0 wakeups in %.0f s: %s (%d)'
              % (IDLE_SECONDS, 'met' if runs == 0 else 'NOT met', runs))
        print('    vmodes session: target VmRSS <= %d kB: %s (%d kB); Pss %d kB; private %d kB'
              % (RSS_TARGET_KB, 'met' if a['VmRSS'] <= RSS_TARGET_KB else 'NOT met', a['VmRSS'], a['Pss'],
                 a['Private']))
        for n in mem:
            if n.startswith('spice-vdagent') and n != 'spice-vdagentd':
                v = mem[n]
                print('    ratio vmodes session / %s: VmRSS %.2f, Pss %.2f, private %.2f'
                      % (n, a['VmRSS'] / v['VmRSS'], a['Pss'] / max(1, v['Pss']),
                         a['Private'] / max(1, v['Private'])))
        print('    where the agent\'s VmRSS is (kB resident, of it anonymous):')
        for rss, anon, name in maps:
            print('      %6d %5d  %s' % (rss, anon, name))
    finally:
        for v in vd:
            v.stop()
        if vnc:
            vnc.close()
        if agent and agent.poll() is None:
            agent.terminate()
            agent.wait(10)
        x.stop()
    for why in failed:
        print('bench-session: FAILED: ' + why)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
