#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An X server that does not answer cannot hang vmodes: with DISPLAY on a
socket that accepts and never answers, `vmodes list`, `vmodes add --apply`
and `vmodes status` end within the documented bound (5 s to connect, 10 s
for each exchange, $VMODES_X_TIMEOUT for both) with one line naming the
display and the time. A proxy in front of Xvfb that stops forwarding at
points through an apply (the server hangs mid-way) gives the same; one that
cuts the connection names the display in its message. A sway socket that
never answers is named as sway's. The session agent waits longer at its
start (the session is still coming up: 120 s) and is not bounded while
idle between events."""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from xserver import VMODES, CutProxy, SilentDisplay, Tally, XServer, require_vmodes  # noqa: E402

require_vmodes()
t = Tally('heads-timeout')
check = t.check


def vmodes_env(display, timeout=None, **more):
    """The environment of vmodes on display (no vmodesd), with
    $VMODES_X_TIMEOUT only when timeout is given."""
    env = dict(os.environ, LC_ALL='C', DISPLAY=display, VMODES_BUS_ADDRESS='unix:path=/nonexistent/vmodes-test-bus',
               **more)
    env.pop('VMODES_X_TIMEOUT', None)
    if timeout is not None:
        env['VMODES_X_TIMEOUT'] = timeout
    return env


def vmodes(display, *args, timeout=None, **more):
    """(rc, stdout, stderr, seconds) of vmodes on display."""
    env = vmodes_env(display, timeout, **more)
    start = time.monotonic()
    p = subprocess.run([VMODES] + list(args), capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - start


def bounded(case, result, display, seconds, want_rc=1, words=()):
    rc, out, err, took = result
    lines = err.splitlines()
    check(case, rc == want_rc, 'exit %d, expected %d (stderr %r)' % (rc, want_rc, err))
    check(case, seconds - 0.2 <= took <= seconds + 3, 'took %.1f s, bound %g s' % (took, seconds))
    check(case, len(lines) == 1 and lines[-1].startswith('vmodes: '), 'not one line: %r' % err)
    want = 'the X display %s did not answer within %g s' % (display, seconds)
    check(case, want in err, '%r not in %r' % (want, err))
    for w in words:
        check(case, w in err, '%r not in %r' % (w, err))


# A display that accepts and never answers: the connect bound (5 s by default)
with SilentDisplay() as silent:
    d = silent.display
    bounded('list, default bound', vmodes(d, 'list'), d, 5, words=['while connecting'])
    bounded('add --apply, default bound', vmodes(d, 'add', '1', '1024x768', '--apply', '--no-store'), d, 5)
    bounded('list, VMODES_X_TIMEOUT=1', vmodes(d, 'list', timeout='1'), d, 1)
    bounded('apply, VMODES_X_TIMEOUT=0.5', vmodes(d, 'apply', '--no-store', '1 1024x768', timeout='0.5'), d, 0.5)
    bounded('remove, VMODES_X_TIMEOUT=1', vmodes(d, 'remove', '--no-store', '2', timeout='1'), d, 1)
    # vmodes status goes on without X when it cannot be opened, but a hung
    # server is "not working" (its exit status 3)
    rc, out, err, took = vmodes(d, 'status', timeout='1')
    bounded('status, VMODES_X_TIMEOUT=1', (rc, out, err.splitlines()[-1] + '\n' if err else '', took), d, 1,
            want_rc=3)
    # the session agent at its start: the longer bound, then the same line
    agent = subprocess.Popen([VMODES, 'session'], env=vmodes_env(d), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    time.sleep(6)
    check('session agent: longer bound at start', agent.poll() is None, 'exited within 6 s')
    agent.kill()
    agent.communicate()
    bounded('session agent, VMODES_X_TIMEOUT=1', vmodes(d, 'session', timeout='1'), d, 1, words=['while connecting'])
    for bad in ('0', 'abc', '-1', '1e3', '3601', ''):
        rc, out, err, took = vmodes(d, 'list', timeout=bad)
        check('VMODES_X_TIMEOUT=%r' % bad, rc == 2 and "VMODES_X_TIMEOUT='%s' is not a number of seconds "
              "(0.1 to 3600)" % bad in err and took < 2, repr((rc, err, took)))

# sway's IPC socket that accepts and never answers: named as sway's
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'sway-ipc.sock')
    sway = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sway.bind(path)
    sway.listen(8)
    # (SWAYSOCK names the session's server even with DISPLAY set)
    rc, out, err, took = vmodes(':0', 'list', timeout='1', SWAYSOCK=path)
    want = 'vmodes: sway (%s) did not answer within 1 s' % path
    check('sway socket that never answers', rc == 1 and err.startswith(want) and len(err.splitlines()) == 1,
          repr((rc, err)))
    sway.close()

# A real server that hangs part-way: a proxy stops forwarding after N bytes
# of requests (connection setup, the query, the change, closing)
with XServer('xorg-dummy') as x:
    head = x.query()['outputs'][0]['name']
    target = ('add', head, '800x600@60', '--apply', '--no-store')

    def reset():
        x.vmodes('add', head, '1024x768@60', '--apply', '--no-store')

    proxy = CutProxy(x.number)
    try:
        # both modes exist after a first round: every later run makes the same change
        for _ in range(2):
            x.vmodes(*target)
            reset()
        rc, out, err, took = vmodes(proxy.display, *target)
        proxy.wait_idle()
        total = proxy.forwarded
        check('proxy works', rc == 0 and total > 0 and 'was 1024x768' in out, out + err)
        proxy.mute = True

        def hang_at(cut, timeout):
            reset()
            proxy.limit = cut
            r = vmodes(proxy.display, *target, timeout=timeout)
            proxy.wait_idle()
            return r

        # where the change goes out: the first cut that hangs in it or later
        # (the phases follow each other: connecting, reading the heads,
        # changing the layout, closing)
        order = ['while connecting', 'while reading the heads', 'while changing the layout', 'hung?', 'done']

        def phase(r):
            return next(i for i, w in enumerate(order) if w in r[2] or (w == 'done' and r[0] == 0))

        lo, hi = 0, total
        while lo < hi:
            mid = (lo + hi) // 2
            if phase(hang_at(mid, '0.2')) >= 2:
                hi = mid
            else:
                lo = mid + 1
        change = lo
        check('a cut hangs the change', phase(hang_at(change, '0.2')) == 2, 'first cut at %d of %d' % (change, total))
        phases = set()
        for cut in sorted(set([0, 12, 40, 100, total // 4, total // 2, change, 3 * total // 4, total - 4])):
            rc, out, err, took = hang_at(cut, '0.5')
            lines = err.splitlines()
            case = 'server hangs after %d of %d bytes' % (cut, total)
            check(case, rc == 1 and len(lines) == 1 and ('did not answer within 0.5 s' in err) and
                  proxy.display in err, 'rc %d, stderr %r' % (rc, err))
            check(case, took < 3.5, 'took %.1f s' % took)
            check(case + ': server alive', x.alive() and x.query()['outputs'], 'server died')
            phases.add(order[phase((rc, out, err))])
        print('the server hung %s' % ', '.join(sorted(phases)))
        check('every phase hung once', len(phases) == 4, repr(phases))
        # the connection cut while Xlib itself talks to the server (inside
        # XOpenDisplay): the message names the display, not an empty name
        proxy.mute = False
        for cut in (12, 40):
            proxy.limit = cut
            # the cut ends the command at once; the bound only keeps a
            # proxy thread slow to close (a loaded machine) from ending it
            # first, as it once did at 1 s during make -j2 check
            rc, out, err, took = vmodes(proxy.display, 'list', timeout='10')
            proxy.wait_idle()
            check('cut at %d: display named' % cut, rc == 1 and len(err.splitlines()) == 1 and
                  ('lost the connection to the X display %s (' % proxy.display) in err, repr((rc, err)))
    finally:
        proxy.stop()

    # the session agent is not bounded while it waits for events
    conf = os.path.join(x.dir, 'vmodes.conf')
    with open(conf, 'w') as f:
        f.write('[general]\n')
    env = dict(os.environ, DISPLAY=x.display, VMODES_X_TIMEOUT='0.5',
               VMODES_BUS_ADDRESS='unix:path=/nonexistent/vmodes-test-bus')
    agent = subprocess.Popen([VMODES, 'session', '--config', conf], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    alive = agent.poll() is None
    agent.terminate()
    try:
        _, err = agent.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        agent.kill()
        _, err = agent.communicate()
    check('session agent idle past the bound', alive and 'did not answer' not in err, 'exited: %r' % err)

t.finish()
