#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`vmodes session` driven by vmodesd: a private system-like bus (real
dbus-daemon with vmodes' policy), vmodesd in a QXL testbed and Xvnc. Without
--config the agent takes vmodesd's configuration at start and after every
ConfigChanged: a root AddMode / SetLayout / Apply on the bus makes the
running agent apply it. It waits for vmodesd when it is not running yet, does
not hang on a vmodesd that does not answer, ignores a ConfigChanged sent by
anyone else, has no wakeups while idle on the bus, and without a bus follows
the file with one line saying so. When vmodesd restarts it reads its
configuration again; when the bus itself restarts (dbus-daemon at the same
address) it reconnects, with a growing pause while the bus is away.
The X state is checked with xrandr, outputs found by their place, never by
their name.

Xvnc's outputs are not heads of a virtual GPU (vmodesd's testbed QXL names
its heads Virtual-1..4, which an Xvnc session rightly does not map to its
VNC-N outputs): vmodesd starts with a config file that already has sections
for the two Xvnc outputs, which it accepts as heads (hand-edited heads are
kept), so AddMode and SetLayout can name them."""
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'lib'))
import daemonlib as D  # noqa: E402
from daemonlib import eq, has  # noqa: E402
from xserver import XServer, require_vmodes, vnc_set_desktop_size  # noqa: E402

require_vmodes()
D.require(root=True)  # root: the bus policy lets uid 0 change vmodesd's config without polkit
s = D.Suite()
SLOW = D.SLOW


def wait_for(x, pred, timeout=5.0):
    """Polls xrandr until pred(state) holds; returns the last state."""
    deadline = time.monotonic() + timeout * SLOW
    while True:
        q = x.query()
        if pred(q) or time.monotonic() > deadline:
            return q
        time.sleep(0.05)


def lit(q):
    """The lit outputs in the server's order: [(name, (w, h, x, y), current mode)]."""
    return [(o['name'], o['geometry'], o['current']) for o in q['outputs'] if o['geometry']]


def head(q, i):
    """Geometry and current (name, rate) of the i-th output (0-based) of the server."""
    o = q['outputs'][i] if i < len(q['outputs']) else None
    return (o['geometry'], o['current']) if o else (None, None)


def size(q, i):
    """(width, height) of the i-th output, None when it is off."""
    g = head(q, i)[0]
    return g[:2] if g else None


def mode(q, i):
    """The name of the i-th output's current mode, None when it is off."""
    c = head(q, i)[1]
    return c[0] if c else None


def bus_path_address(address):
    """The address without the server's guid (the system bus address has
    none): a client may connect to the next server at the same path."""
    return ';'.join(','.join(p for p in a.split(',') if not p.startswith('guid=')) for a in address.split(';'))


def switches(pid):
    """Context switches of a process so far (a wakeup costs at least one)."""
    n = 0
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                n += int(line.split()[1])
    return n


def restart_bus(env, stop=True):
    """Stops the private dbus-daemon (unless stop is False: it is gone
    already) and starts a new one at the same socket path."""
    if stop:
        env.bus.terminate()
        env.bus.wait()
    env.bus_log.close()
    if env._conn is not None:
        try:
            env._conn.close_sync(None)
        except D.GLib.Error:
            pass  # closed already: the bus went away
    env._conn = None
    old = bus_path_address(env.address)
    env._start_bus()
    eq(bus_path_address(env.address), old, 'bus address after the restart')


class Agent:
    """`vmodes session` (no --config: vmodesd's configuration) on Xvnc, on a bus."""

    def __init__(self, x, address, args=(), name='agent'):
        self.path = os.path.join(x.dir, name + '.log')
        self.log = open(self.path, 'w')
        e = x.env()
        e['VMODES_BUS_ADDRESS'] = address
        e['LC_ALL'] = 'C'
        self.proc = subprocess.Popen([D.VMODES, 'session', '-v'] + list(args), env=e, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def text(self):
        with open(self.path) as f:
            return f.read()

    def wait_log(self, needle, timeout=5.0):
        deadline = time.monotonic() + timeout * SLOW
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError('the agent did not log %r (exit status %r):\n%s' % (needle, self.proc.poll(),
                                                                                 self.text()))

    def alive(self):
        if self.proc.poll() is not None:
            raise AssertionError('the agent exited with %d:\n%s' % (self.proc.returncode, self.text()))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


env = D.Env()
x = XServer('xvnc', size='1024x768')
agent = None
try:
    # the names of the outputs, in the server's order: Xvnc makes the second
    # one when a client first asks for two screens
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1024, 768), (1024, 0, 800, 600)])
    q = wait_for(x, lambda q: len(lit(q)) == 2)
    FIRST, SECOND = q['outputs'][0]['name'], q['outputs'][1]['name']
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1024, 768)])
    wait_for(x, lambda q: len(lit(q)) == 1)
    with open(env.config, 'w') as f:
        f.write('[head %s]\nmode = 1024x768@60\n\n[head %s]\nmode = 640x480@60\nposition = right-of %s\n'
                % (FIRST, SECOND, FIRST))

    def t_waits_for_daemon():
        # vmodesd is not running yet: the agent says so, keeps running and
        # leaves the screen alone (the file it reads then, the build's
        # sysconfdir/vmodes/vmodes.conf, has no sections for Xvnc's outputs)
        global agent
        agent = Agent(x, env.address)
        agent.wait_log('vmodesd is not running')
        time.sleep(0.3)
        agent.alive()
        q = x.query()
        eq(head(q, 0)[0], (1024, 768, 0, 0), 'first output')
        eq(mode(q, 0), '1024x768', 'first output: the server\'s own mode')
    s.check('vmodesd not running: the agent waits for it', t_waits_for_daemon)

    def t_daemon_starts():
        # vmodesd takes its name: the agent reads its configuration and applies
        # it (1024x768 at 60 Hz by CVT: other timings than the server's own)
        env.start_daemon()
        agent.wait_log('configuration from vmodesd')
        q = wait_for(x, lambda q: mode(q, 0) == '1024x768_60.00')
        eq(head(q, 0), ((1024, 768, 0, 0), ('1024x768_60.00', 59.92)), 'first output')
        agent.alive()
    s.check('vmodesd starts: the agent reads its configuration', t_daemon_starts)

    def t_add_mode():
        # a root AddMode on the bus: vmodesd stores it and signals
        # ConfigChanged, the agent applies it to head 1 (the first output)
        sig = D.SignalCatcher(env.conn)
        r = env.call('AddMode', 'ssa{sv}', (FIRST, '1280x720@44', {}))
        eq(r[0], FIRST, 'head')
        sig.wait('ConfigChanged')
        sig.close()
        q = wait_for(x, lambda q: head(q, 0)[0] == (1280, 720, 0, 0))
        geo, cur = head(q, 0)
        eq(geo, (1280, 720, 0, 0), 'first output after AddMode')
        eq(cur[0], '1280x720_44.00', 'mode name')
        if abs(cur[1] - 44.0) > 0.25:  # CVT's 0.25 MHz clock step: 43.84 Hz
            raise AssertionError('refresh %r, expected about 44 Hz' % (cur,))
        has(agent.text(), 'configuration changed (vmodesd)', 'agent log')
    s.check('AddMode on the bus: the running agent applies the mode', t_add_mode)

    def t_set_layout():
        # a second display (Xvnc connects a second output), a mode and a place
        # for head 2 from vmodesd: right of head 1
        env.call('AddMode', 'ssa{sv}', (SECOND, '800x600@60', {}))
        vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1280, 720), (1280, 0, 640, 480)])
        q = wait_for(x, lambda q: head(q, 1)[0] == (800, 600, 1280, 0))
        eq(head(q, 1)[0], (800, 600, 1280, 0), 'second output')
        eq(head(q, 0)[0], (1280, 720, 0, 0), 'first output')
        # then a new place from vmodesd alone: head 2 left of head 1
        time.sleep(0.2)
        env.call('SetLayout', 'sssiib', (SECOND, 'left-of', FIRST, 0, 0, False))
        q = wait_for(x, lambda q: head(q, 1)[0] == (800, 600, 0, 0) and head(q, 0)[0] == (1280, 720, 800, 0))
        eq((head(q, 0)[0], head(q, 1)[0]), ((1280, 720, 800, 0), (800, 600, 0, 0)), 'after SetLayout left-of')
    s.check('SetLayout on the bus: the running agent moves the head', t_set_layout)

    def t_apply_reapplies():
        # someone else changes head 1 (not pinned: the agent leaves it);
        # vmodesd's Apply (ConfigChanged, same config) applies it again
        first = x.query()['outputs'][0]['name']
        time.sleep(0.2)
        rc, out, err = x.xrandr('--output', first, '--mode', '1024x768')
        eq(rc, 0, 'xrandr: %s' % err)
        time.sleep(0.5)
        eq(size(x.query(), 0), (1024, 768), 'first output after xrandr')
        env.call('Apply')
        q = wait_for(x, lambda q: size(q, 0) == (1280, 720))
        eq(size(q, 0), (1280, 720), 'first output after Apply')
    s.check('Apply on the bus (no change): the agent applies the configuration again', t_apply_reapplies)

    def t_spoofed_signal_ignored():
        # a ConfigChanged from a connection that does not own org.vmodes.Daemon1
        before = agent.text().count('vmodesd: ConfigChanged')
        env.conn.emit_signal(None, D.PATH, D.IFACE, 'ConfigChanged', None)
        env.conn.flush_sync(None)
        time.sleep(0.5)
        eq(agent.text().count('vmodesd: ConfigChanged'), before, 'ConfigChanged lines in the agent log')
        agent.alive()
    s.check('a ConfigChanged from anyone but vmodesd is ignored', t_spoofed_signal_ignored)

    def t_start_with_daemon():
        # a new agent while vmodesd runs: its first apply is vmodesd's
        # configuration (head 2 800x600 at +0+0, head 1 1280x720 right of it)
        global agent
        eq(agent.stop(), 0, 'exit status on SIGTERM')
        # the session's log says who ended it (this test, a python3)
        want = 'SIGTERM from pid %d (%s); exiting' % (os.getpid(), open('/proc/self/comm').read().strip())
        eq(want in agent.text(), True, '%r in the log %r' % (want, agent.text()[-300:]))
        time.sleep(0.2)
        vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1024, 768), (1024, 0, 640, 480)])
        q = wait_for(x, lambda q: sorted(g for n, g, c in lit(q)) == [(640, 480, 1024, 0), (1024, 768, 0, 0)])
        eq(sorted(g for n, g, c in lit(q)), [(640, 480, 1024, 0), (1024, 768, 0, 0)], 'before the start')
        time.sleep(0.2)
        agent = Agent(x, env.address, name='agent2')
        want = ((1280, 720, 800, 0), (800, 600, 0, 0))
        q = wait_for(x, lambda q: (head(q, 0)[0], head(q, 1)[0]) == want)
        eq((head(q, 0)[0], head(q, 1)[0]), want, 'the two outputs')
        eq('not running' in agent.text(), False, 'a "not running" note in the log')
    s.check('agent started while vmodesd runs: applies its configuration at once', t_start_with_daemon)

    def t_idle():
        # connected to the bus and to X, nothing happening: no wakeups
        def switches():
            n = 0
            with open('/proc/%d/status' % agent.proc.pid) as f:
                for line in f:
                    if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                        n += int(line.split()[1])
            return n
        time.sleep(0.5)
        before = switches()
        time.sleep(2)
        eq(switches() - before, 0, 'context switches in 2 s')
    s.check('idle on the bus: no wakeups', t_idle)

    def t_daemon_hangs():
        # vmodesd owns its name but does not answer (stopped): the agent does
        # not hang; after its timeout it starts from the file
        global agent
        agent.stop()
        os.kill(env.pid, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            agent = Agent(x, env.address, name='agent3')
            agent.wait_log("cannot read vmodesd's configuration", timeout=10)
            took = time.monotonic() - t0
            if took > 8 * SLOW:
                raise AssertionError('gave up on vmodesd after %.1f s' % took)
            agent.alive()
        finally:
            os.kill(env.pid, signal.SIGCONT)
        # vmodesd answers again: the next ConfigChanged is followed
        env.call('AddMode', 'ssa{sv}', (FIRST, '1152x864@44', {}))
        q = wait_for(x, lambda q: size(q, 0) == (1152, 864))
        eq(size(q, 0), (1152, 864), 'first output after AddMode')
    s.check('vmodesd not answering: the agent starts after a bounded wait', t_daemon_hangs)

    def t_no_bus():
        # no bus at all: one line, the file is followed (here: --once exits)
        conf = os.path.join(x.dir, 'missing-bus')
        e = x.env()
        e['VMODES_BUS_ADDRESS'] = 'unix:path=' + conf
        t0 = time.monotonic()
        p = subprocess.run([D.VMODES, 'session', '--once'], env=e, capture_output=True, text=True, timeout=30)
        eq(p.returncode, 0, 'exit status (%s)' % p.stderr)
        has(p.stderr, 'no system bus', 'stderr')
        eq(len([ln for ln in p.stderr.splitlines() if 'system bus' in ln]), 1, 'lines about the bus')
        if time.monotonic() - t0 > 5 * SLOW:
            raise AssertionError('took %.1f s' % (time.monotonic() - t0))
    s.check('no bus: one line, file mode, no hang', t_no_bus)

    def t_once_daemon():
        # --once with vmodesd: applies its configuration and exits
        x.xrandr('--output', x.query()['outputs'][0]['name'], '--mode', '1024x768')
        e = x.env()
        e['VMODES_BUS_ADDRESS'] = env.address
        p = subprocess.run([D.VMODES, 'session', '--once'], env=e, capture_output=True, text=True, timeout=30)
        eq(p.returncode, 0, 'exit status (%s)' % p.stderr)
        eq(size(x.query(), 0), (1152, 864), 'first output')
    s.check('--once: applies vmodesd\'s configuration and exits', t_once_daemon)

    def t_daemon_restarts():
        # vmodesd stops and starts again under a running agent: the agent
        # reads its configuration again when it takes its name (a change
        # made to the file meanwhile is applied) and follows its signals.
        # The agent gets the bus address without the server's guid, as the
        # system bus address is: the next test restarts the bus.
        global agent
        agent.stop()
        agent = Agent(x, bus_path_address(env.address), name='agent4')
        agent.wait_log('configuration from vmodesd')
        env.stop_daemon()
        agent.wait_log('vmodesd stopped')
        with open(env.config) as f:
            text = f.read()
        with open(env.config, 'w') as f:
            f.write(text.replace('1152x864@44', '1280x960@44'))
        env.start_daemon()
        q = wait_for(x, lambda q: size(q, 0) == (1280, 960))
        eq(size(q, 0), (1280, 960), 'first output after vmodesd started again with another config')
        env.call('AddMode', 'ssa{sv}', (FIRST, '1024x600@44', {}))
        q = wait_for(x, lambda q: size(q, 0) == (1024, 600))
        eq(size(q, 0), (1024, 600), 'first output after AddMode')
        agent.alive()
    s.check('vmodesd restarts: the agent reads its configuration again and follows it', t_daemon_restarts)

    def t_bus_restarts():
        # the bus itself goes away and comes back at the same address: the
        # agent reconnects (no busy loop while it is gone), reads vmodesd's
        # configuration when it is there again and follows its signals
        env.stop_daemon()
        restart_bus(env)
        agent.wait_log('lost the connection to the system bus')
        agent.wait_log('reconnected to the system bus')
        env.start_daemon()
        env.call('AddMode', 'ssa{sv}', (FIRST, '1280x800@44', {}))
        q = wait_for(x, lambda q: size(q, 0) == (1280, 800))
        eq(size(q, 0), (1280, 800), 'first output after AddMode on the new bus')
        # connected again and idle: no timer left behind
        time.sleep(0.5)
        before = switches(agent.proc.pid)
        time.sleep(2)
        eq(switches(agent.proc.pid) - before, 0, 'context switches in 2 s after the reconnect')
        agent.alive()
    s.check('the bus restarts: the agent reconnects and follows vmodesd again', t_bus_restarts)

    def t_bus_gone():
        # the bus stays away: the agent keeps the configuration in use,
        # retries with a growing pause (a handful of tries in 3 s, not a
        # loop) and reconnects when it is back
        env.stop_daemon()
        lost = agent.text().count('lost the connection to the system bus')
        env.bus.terminate()
        env.bus.wait()
        deadline = time.monotonic() + 5 * SLOW
        while agent.text().count('lost the connection to the system bus') == lost and time.monotonic() < deadline:
            time.sleep(0.02)
        eq(agent.text().count('lost the connection to the system bus'), lost + 1, 'lines about the lost bus')
        time.sleep(1)
        before = switches(agent.proc.pid)
        time.sleep(3)
        woke = switches(agent.proc.pid) - before
        if woke > 10:
            raise AssertionError('%d wakeups in 3 s while the bus is gone' % woke)
        eq(size(x.query(), 0), (1280, 800), 'first output while the bus is gone')
        before = agent.text().count('reconnected to the system bus')
        restart_bus(env, stop=False)
        env.start_daemon()
        deadline = time.monotonic() + 10 * SLOW
        while agent.text().count('reconnected to the system bus') == before and time.monotonic() < deadline:
            time.sleep(0.05)
        env.call('AddMode', 'ssa{sv}', (FIRST, '1152x864@44', {}))
        q = wait_for(x, lambda q: size(q, 0) == (1152, 864), timeout=10)
        eq(size(q, 0), (1152, 864), 'first output after the bus came back')
        agent.alive()
    s.check('the bus stays away a while: few wakeups, reconnects when it is back', t_bus_gone)

    def t_sighup():
        # a session that hangs up: the agent says so and exits 0 (SIGHUP's
        # default action ended it without a line)
        a = Agent(x, env.address, name='agent-hup')
        try:
            a.wait_log('configuration from vmodesd', timeout=10)  # its loop runs
            a.proc.send_signal(signal.SIGHUP)
            eq(a.proc.wait(10), 0, 'exit status on SIGHUP')
            want = 'SIGHUP from pid %d (%s); exiting' % (os.getpid(), open('/proc/self/comm').read().strip())
            eq(want in a.text(), True, '%r in the log %r' % (want, a.text()[-300:]))
        finally:
            a.stop()
        agent.alive()
    s.check('SIGHUP: the agent logs who sent it and exits 0', t_sighup)

    def t_exits_with_x():
        agent.alive()
        x.proc.terminate()
        x.proc.wait(10)
        rc = agent.proc.wait(10)
        eq(rc, 0, 'exit status')
    s.check('the agent exits with the X server', t_exits_with_x)
finally:
    if agent:
        agent.stop()
    x.stop()
    env.close()

s.finish()
