#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`vmodes session` against Xvnc, whose outputs connect, disconnect and
resize when a VNC client asks (RFB SetDesktopSize), as QXL heads do for a
SPICE client: a head that connects gets its configured mode; a size the
client asks for is kept, or with auto-fit becomes a mode of that size at the
configured refresh rate (turning auto-fit on answers a size asked while it
was off); a pinned head gets its mode back; a change of the
file given with --config is applied (and no D-Bus is asked then); a burst of
resizes ends on the last one after a few mode sets; no wakeups while idle;
the agent exits when the X server goes away."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from xserver import VMODES, Tally, XServer, output, require_vmodes, vnc_set_desktop_size  # noqa: E402

require_vmodes()
t = Tally('session-xvnc')

check = t.check


def wait_for(x, pred, timeout=5.0):
    """Polls xrandr until pred(state) holds; returns the last state."""
    deadline = time.monotonic() + timeout
    while True:
        q = x.query()
        if pred(q) or time.monotonic() > deadline:
            return q
        time.sleep(0.05)


def geo(q, name):
    o = output(q, name)
    return o['geometry'] if o else None


def cur(q, name):
    o = output(q, name)
    return o['current'] if o else None


def settle(logfile, quiet=0.4, timeout=5.0):
    """Waits until the agent has logged nothing for `quiet` seconds: it has
    handled what came before (a user does not resize a window within
    milliseconds of connecting it)."""
    deadline = time.monotonic() + timeout
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = os.path.getsize(logfile)
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)


def write_config(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, path)


def ctx_switches(pid):
    n = 0
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                n += int(line.split()[1])
    return n


x = XServer('xvnc', size='1024x768')
agent = None
try:
    # the names of the outputs: Xvnc makes the second one when a client
    # first asks for two screens
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1024, 768), (1024, 0, 800, 600)])
    q = wait_for(x, lambda q: len([o for o in q['outputs'] if o['geometry']]) == 2)
    lit = [o['name'] for o in q['outputs'] if o['geometry']]
    check('two outputs', len(lit) == 2, '%r' % q)
    first, second = lit[0], lit[-1]
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1024, 768)])
    wait_for(x, lambda q: geo(q, second) is None)

    conf = os.path.join(x.dir, 'vmodes.conf')
    head2 = '[head %s]\nmode = 1280x720@60\nposition = right-of %s\n' % (second, first)
    write_config(conf, '[general]\nauto-fit = true\nauto-fit-refresh = 44\n\n' + head2)
    log = open(os.path.join(x.dir, 'agent.log'), 'w+')
    agent_env = x.env()
    # --config: the file only; were the agent to look for vmodesd, it would
    # find no bus here and say so
    agent_env['VMODES_BUS_ADDRESS'] = 'unix:path=' + os.path.join(x.dir, 'no-bus')
    agent = subprocess.Popen([VMODES, 'session', '--config', conf, '-v'], env=agent_env, stdout=log,
                             stderr=subprocess.STDOUT)
    q = wait_for(x, lambda q: True)
    check('start', agent.poll() is None and geo(q, first) == (1024, 768, 0, 0), '%r' % q)
    # `vmodes session` runs the agent's own program with its command line:
    # ps and pgrep -f still show "vmodes session ..." (scripts look for it)
    # (the exec may not have happened yet on a loaded machine: wait for it)
    deadline = time.monotonic() + 10
    while True:
        with open('/proc/%d/cmdline' % agent.pid, 'rb') as f:
            cmdline = f.read().split(b'\0')[:-1]
        with open('/proc/%d/comm' % agent.pid) as f:
            comm = f.read().strip()
        if comm == 'vmodes-session' or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    check('command line kept', cmdline[:2] == [VMODES.encode(), b'session'] and comm == 'vmodes-session',
          '%r, comm %r' % (cmdline, comm))

    # a second display: the head connects and gets its configured mode and place
    settle(log.name)
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1024, 768), (1024, 0, 800, 600)])
    q = wait_for(x, lambda q: geo(q, second) == (1280, 720, 1024, 0))
    check('connect: configured mode', geo(q, second) == (1280, 720, 1024, 0), '%r' % (output(q, second),))
    check('connect: mode name', cur(q, second) and cur(q, second)[0] == '1280x720_60.00', '%r' % (cur(q, second),))

    # the client resizes that display: auto-fit gives it that size at 44 Hz
    # (a second after the connect: what a head comes up with within that
    # second counts as part of connecting it and gets the configured mode)
    time.sleep(1.1)
    settle(log.name)
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1024, 768), (1024, 0, 1600, 900)])
    q = wait_for(x, lambda q: cur(q, second) and cur(q, second)[0] == '1600x900_44.00')
    check('auto-fit configured head', cur(q, second) == ('1600x900_44.00', 43.95) and
          geo(q, second)[:2] == (1600, 900), '%r' % (output(q, second),))

    # the first display (not configured) too
    settle(log.name)
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1296, 900), (1296, 0, 1600, 900)])
    q = wait_for(x, lambda q: cur(q, first) and cur(q, first)[0].startswith('1296x900_44'))
    check('auto-fit other head', cur(q, first) and cur(q, first)[0].startswith('1296x900_44') and
          geo(q, first)[:2] == (1296, 900), '%r' % (output(q, first),))

    # the client closes the second display: the agent leaves it off
    settle(log.name)
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1296, 900)])
    time.sleep(0.5)
    q = x.query()
    check('disconnect respected', geo(q, second) is None, '%r' % (output(q, second),))

    # auto-fit off, the second head pinned: a config change is applied at once, and
    # the pinned head gets its mode back after every resize
    settle(log.name)
    write_config(conf, head2 + 'pinned = true\n')
    settle(log.name)
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1296, 900), (1296, 0, 800, 600)])
    q = wait_for(x, lambda q: geo(q, second) == (1280, 720, 1296, 0))
    check('pinned on connect', geo(q, second) == (1280, 720, 1296, 0), '%r' % (output(q, second),))
    settle(log.name)
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1296, 900), (1296, 0, 1920, 1080)])
    time.sleep(0.3)
    q = wait_for(x, lambda q: geo(q, second) == (1280, 720, 1296, 0))
    check('pinned keeps its mode', geo(q, second) == (1280, 720, 1296, 0), '%r' % (output(q, second),))

    # not pinned, auto-fit off: a size the client asks for stays
    settle(log.name)
    write_config(conf, head2)
    time.sleep(0.3)
    settle(log.name)
    vnc_set_desktop_size(x.rfb_socket, [(0, 0, 1296, 900), (1296, 0, 1920, 1080)])
    time.sleep(0.5)
    q = x.query()
    check('host size respected', geo(q, second) == (1920, 1080, 1296, 0), '%r' % (output(q, second),))

    # auto-fit turned on: the size the client asked for the second display
    # while it was off is answered at once (1920x1080 at 44 Hz), not at the
    # client's next resize
    settle(log.name)
    write_config(conf, '[general]\nauto-fit = true\nauto-fit-refresh = 44\n')
    q = wait_for(x, lambda q: cur(q, second) and cur(q, second)[0] == '1920x1080_44.00')
    check('auto-fit turned on: the size asked while it was off',
          cur(q, second) and cur(q, second)[0] == '1920x1080_44.00' and geo(q, second) == (1920, 1080, 1296, 0),
          '%r' % (output(q, second),))

    # a burst of resizes (a user dragging the window edge) with auto-fit
    settle(log.name)
    log.seek(0, os.SEEK_END)
    mark = log.tell()
    sizes = [(1024 + 8 * i, 768 + 4 * i) for i in range(25)]
    t0 = time.monotonic()
    for w, h in sizes:
        vnc_set_desktop_size(x.rfb_socket, [(0, 0, w, h), (w, 0, 1920, 1080)])
    burst = time.monotonic() - t0
    w, h = sizes[-1]
    q = wait_for(x, lambda q: cur(q, first) and cur(q, first)[0].startswith('%dx%d_44' % (w, h)))
    check('burst ends on the last size', cur(q, first) and cur(q, first)[0].startswith('%dx%d_44' % (w, h)),
          '%r' % (output(q, first),))
    time.sleep(0.3)
    log.seek(mark)
    burst_log = log.read()
    sets = sum(1 for line in burst_log.splitlines() if line.startswith('vmodes session: %s:' % first))
    if t.failed:
        print('agent log of the burst:\n' + burst_log[-3000:])
    print('burst: %d resizes in %.2f s, %d mode sets by the agent' % (len(sizes), burst, sets))
    # one at once, then one per quiet moment or per 0.5 s of a burst that goes on
    check('burst coalesced', 1 <= sets <= 3 + int(burst / 0.5), '%d mode sets' % sets)

    # idle: no wakeups
    time.sleep(0.3)
    before = ctx_switches(agent.pid)
    time.sleep(3)
    after = ctx_switches(agent.pid)
    with open('/proc/%d/status' % agent.pid) as f:
        rss = [line.split()[1] for line in f if line.startswith(('VmRSS', 'RssAnon'))]
    print('idle: %d context switches in 3 s; RSS %s kB (anonymous %s kB)' % (after - before, rss[0], rss[1]))
    check('idle: no wakeups', after == before, '%d context switches' % (after - before))
    # other devices' events (here a kernel uevent of /dev/null, as root) do
    # not wake it either: only udevd's DRM events pass its socket filter
    try:
        with open('/sys/devices/virtual/mem/null/uevent', 'w') as f:
            f.write('change')
    except OSError as e:
        print('no uevent sent (%s): the filter is not checked here' % e)
    else:
        time.sleep(0.3)
        woken = ctx_switches(agent.pid) - after
        check('idle: other devices\' uevents do not wake it', woken == 0, '%d context switches' % woken)

    # the X server goes away: the agent exits cleanly
    x.proc.terminate()
    x.proc.wait(10)
    try:
        rc = agent.wait(5)
    except subprocess.TimeoutExpired:
        rc = None
    check('exits with X', rc == 0, 'exit status %r' % rc)
    log.seek(0)
    text = log.read()
    check('exit logged', 'went away' in text, text[-500:])
    check('--config: no D-Bus', 'bus' not in text and 'vmodesd' not in text, text[-2000:])
    if t.failed:
        print('agent log:\n' + text[-4000:])
    log.close()
finally:
    if agent and agent.poll() is None:
        agent.kill()
        agent.wait()
    x.stop()

t.finish()
