#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""kill -9 of vmodesd while it writes, in a loop (VMODES_CRASH_ITERATIONS,
default 200): a client flips the config between two versions as fast as it
can and the daemon is killed at a random moment. Afterwards the config file
and vmodes.conf.old are always exactly one of the two versions, never
partial, and the X config is one of its two versions; on the next start
the daemon uses the file (no ConfigError) and brings the X config in line
with it."""
import os
import random
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
import daemonlib as D  # noqa: E402
from daemonlib import eq  # noqa: E402

D.require()
ITERATIONS = int(os.environ.get('VMODES_CRASH_ITERATIONS', '200'))
s = D.Suite()
env = D.Env()
rng = random.Random(os.environ.get('VMODES_CRASH_SEED', '1'))


class Flipper(threading.Thread):
    """Flips Virtual-2 between configured and not, until stopped."""

    def __init__(self, address):
        threading.Thread.__init__(self, daemon=True)
        self.conn = D.connect(address)
        self.stop = False
        self.done = 0

    def run(self):
        add = True
        while not self.stop:
            try:
                if add:
                    D.call(self.conn, 'AddMode', 'ssa{sv}', ('Virtual-2', '1920x1080@50', {}), timeout=2000)
                else:
                    D.call(self.conn, 'RemoveMode', 'ss', ('Virtual-2', ''), timeout=2000)
                self.done += 1
            except D.BusError:
                if self.stop:
                    break
                time.sleep(0.001)
            add = not add
        self.conn.close_sync(None)


try:
    env.start_daemon()
    env.call('AddMode', 'ssa{sv}', ('Virtual-1', '2560x1440@44', {}))
    A, XA = env.read(env.config), env.read(env.xorg)
    env.call('AddMode', 'ssa{sv}', ('Virtual-2', '1920x1080@50', {}))
    B, XB = env.read(env.config), env.read(env.xorg)
    env.call('RemoveMode', 'ss', ('Virtual-2', ''))
    eq(env.read(env.config), A, 'back to A')
    # how long one change takes on this machine (sanitizer builds are slow):
    # the kills land within a few changes after the start
    t0 = time.time()
    for i in range(10):
        env.call('AddMode', 'ssa{sv}', ('Virtual-2', '1920x1080@50', {}))
        env.call('RemoveMode', 'ss', ('Virtual-2', ''))
    per_change = (time.time() - t0) / 20
    env.stop_daemon()
    configs, xconfigs = {A: 'A', B: 'B'}, {XA: 'A', XB: 'B'}
    seen = {}
    problems = []
    writes = 0
    start = time.time()

    for i in range(ITERATIONS):
        env.start_daemon()
        # on start the X config follows the config file, and the file is in use
        cur = env.read(env.config)
        if env.get('ConfigError') != '':
            problems.append('iteration %d: ConfigError %r' % (i, env.get('ConfigError')))
        if xconfigs.get(env.read(env.xorg)) != configs.get(cur):
            problems.append('iteration %d: X config does not follow the config after start' % i)
        f = Flipper(env.address)
        f.start()
        # the kill lands after 0 to 5 completed changes, at a random point
        # of the next one: counted, not timed, so a loaded machine (make -j2
        # distcheck) still has kills hit the daemon while it writes
        want = rng.randint(0, 5)
        deadline = time.time() + 10 * D.SLOW
        while f.done < want and time.time() < deadline:
            time.sleep(0.0005)
        time.sleep(rng.uniform(0.0, per_change))
        env.stop_daemon(signal.SIGKILL, check=False)
        f.stop = True
        f.join(10)
        writes += f.done
        c = env.read(env.config)
        old = env.read(env.config + '.old') if os.path.exists(env.config + '.old') else A
        x = env.read(env.xorg)
        state = (configs.get(c), configs.get(old), xconfigs.get(x))
        if None in state:
            problems.append('iteration %d: partial file: config %s, .old %s, X config %s' % (
                (i,) + tuple('ok' if v else 'PARTIAL' for v in state)))
            break
        seen[state] = seen.get(state, 0) + 1
        leftovers = [n for n in os.listdir(os.path.dirname(env.config)) if n not in
                     ('vmodes.conf', 'vmodes.conf.old', '.vmodes.conf.tmp', '.vmodes.conf.prev.tmp',
                      '.vmodes.conf.old.prev.tmp')]
        if leftovers:
            problems.append('iteration %d: unexpected files %r' % (i, leftovers))

    print('# %d iterations in %.1f s (%.1f ms per change), %d changes completed before the kills; '
          'states (config, .old, X config) seen: %s' % (ITERATIONS, time.time() - start, per_change * 1000, writes,
                                                        ', '.join('%s%s%s x%d' % (k + (v,))
                                                                  for k, v in sorted(seen.items()))))

    def t_never_partial():
        if problems:
            raise AssertionError('\n'.join(problems[:20]))
    s.check('%d kill -9 during writes: config, .old and X config always complete' % ITERATIONS, t_never_partial)

    def t_writes_happened():
        # the test means something only if kills hit a daemon busy writing
        if writes < ITERATIONS // 2:
            raise AssertionError('only %d changes completed in %d iterations' % (writes, ITERATIONS))
        if len({k[0] for k in seen}) < 2:
            raise AssertionError('the config never changed between kills: %r' % seen)
    s.check('the kills interrupted a daemon that was writing (both versions seen)', t_writes_happened)

    def t_check_cli():
        p = subprocess.run([D.VMODES, 'config', 'check', env.config], capture_output=True, text=True)
        eq((p.returncode, p.stderr), (0, ''), 'vmodes config check')
    s.check('the surviving config passes vmodes config check', t_check_cli)

    def t_final_start():
        env.start_daemon()
        eq(env.get('ConfigError'), '', 'ConfigError')
        eq(env.get('Config'), env.read(env.config), 'Config')
        env.stop_daemon()
    s.check('a final start uses the file', t_final_start)
finally:
    env.close()
env.finish(s, tail=40)
