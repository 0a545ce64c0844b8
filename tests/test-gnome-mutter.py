#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""vmodes in a GNOME Wayland session, against a real mutter (Debian 12's 43)
run headless as a Wayland compositor with two virtual monitors (Meta-0
1280x800 at 60 Hz, Meta-1 1024x768 at 50 Hz) on a private session bus, its
home in a scratch directory. Read back through mutter's own
org.gnome.Mutter.DisplayConfig, not through vmodes:

- `vmodes list` shows mutter's monitors, modes and primary;
- `vmodes add Meta-1 1024x768@50 --left-of Meta-0 --primary --no-store`
  moves it (the layout begins at 0,0, as mutter wants) with the temporary
  method: mutter writes no user monitors.xml (the persistent method makes
  gnome-shell ask whether to keep the change, and go back unless answered);
- `1280x800@60` (CVT: 59.81 Hz) is mutter's 60.000 Hz mode: nothing to do;
- a mode mutter does not offer is refused in one line that lists what it
  offers, and nothing changes; a stored one (vmodesd on a private bus) is
  marked "not offered" by `vmodes list`;
- `vmodes session --config` applies its layout and exits 0 when mutter
  leaves the bus;
- the monitors.xml vmodesd writes for GDM's login screen
  (agent/core/monitorsxml.c, run through tests/test-monitorsxml --format
  with the monitors and modes mutter listed), put in mutter's system config
  folder (XDG_CONFIG_DIRS): a new mutter comes up in its layout;
- mutter, or the session bus, going away while vmodes waits for mutter's
  answer: one line, exit 1, no hang;
- no mutter on the bus: one line, exit 1.
GNOME on Wayland in the QXL VM: tests/vm/README.md (what is measured)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
import daemonlib as D  # noqa: E402
from tally import Suite, eq, has, lacks, skip  # noqa: E402
from xserver import VMODES, require_vmodes  # noqa: E402

require_vmodes()
MUTTER = shutil.which('mutter')
if not MUTTER or not shutil.which('dbus-daemon'):
    if os.environ.get('CI'):
        print('FAIL: mutter or dbus-daemon is not installed (tools/packages-test.txt)')
        sys.exit(1)
    skip('mutter is not installed')

s = Suite()
tmp = tempfile.mkdtemp(prefix='vmodes-mutter-')
runtime = os.path.join(tmp, 'run')
os.mkdir(runtime, 0o700)
home = os.path.join(tmp, 'home')
os.makedirs(os.path.join(home, '.config'))

bus = subprocess.Popen(['dbus-daemon', '--session', '--nofork', '--print-address=1'], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL,
                       text=True)
address = bus.stdout.readline().strip()
base_env = {k: v for k, v in os.environ.items()
            if k not in ('DISPLAY', 'WAYLAND_DISPLAY', 'SWAYSOCK', 'XDG_SESSION_TYPE', 'XDG_CURRENT_DESKTOP',
                         'JOURNAL_STREAM')}
base_env.update({'DBUS_SESSION_BUS_ADDRESS': address, 'XDG_RUNTIME_DIR': runtime, 'HOME': home,
                 'XDG_CONFIG_HOME': os.path.join(home, '.config'), 'GSETTINGS_BACKEND': 'memory'})
SESSION = {'WAYLAND_DISPLAY': 'wayland-0', 'XDG_SESSION_TYPE': 'wayland', 'XDG_CURRENT_DESKTOP': 'GNOME',
           # no vmodesd on this bus: --no-store changes stay live
           'VMODES_BUS_ADDRESS': 'unix:path=%s/no-bus' % tmp}


def env(**extra):
    e = dict(base_env)
    e.update(SESSION)
    e.update(extra)
    return e


def busctl(*args):
    return subprocess.run(['busctl', '--address=' + address] + list(args), capture_output=True, text=True,
                          timeout=30)


def state():
    """{connector: (x, y, primary, current mode id)} from GetCurrentState (busctl --json)."""
    p = busctl('--json=short', 'call', 'org.gnome.Mutter.DisplayConfig', '/org/gnome/Mutter/DisplayConfig',
               'org.gnome.Mutter.DisplayConfig', 'GetCurrentState')
    if p.returncode:
        raise AssertionError('GetCurrentState: ' + p.stderr)
    _, monitors, logical, _ = json.loads(p.stdout)['data']
    current = {}
    for spec, modes, _ in monitors:
        current[spec[0]] = [m[0] for m in modes if m[6].get('is-current', {}).get('data')]
    out = {}
    for x, y, _, _, primary, mons, _ in logical:
        for spec in mons:
            out[spec[0]] = (x, y, primary, (current[spec[0]] or [None])[0])
    return out


def monitors():
    """mutter's monitors as tests/test-monitorsxml --format reads them."""
    p = busctl('--json=short', 'call', 'org.gnome.Mutter.DisplayConfig', '/org/gnome/Mutter/DisplayConfig',
               'org.gnome.Mutter.DisplayConfig', 'GetCurrentState')
    if p.returncode:
        raise AssertionError('GetCurrentState: ' + p.stderr)
    out = ''
    for spec, modes, _ in json.loads(p.stdout)['data'][1]:
        out += 'connector %s\n' % ' '.join(spec)
        for m in modes:
            out += 'mode %d %d %.9f%s\n' % (m[1], m[2], m[3],
                                              ' preferred' if m[6].get('is-preferred', {}).get('data') else '')
    return out


def start_mutter(system_dir=None):
    """mutter; with system_dir, that is its system config folder
    (XDG_CONFIG_DIRS) and its user config folder is a new, empty one."""
    log = open(os.path.join(tmp, 'mutter.log'), 'a')
    e = dict(base_env)
    if system_dir:
        e['XDG_CONFIG_DIRS'] = system_dir
        e['XDG_CONFIG_HOME'] = tempfile.mkdtemp(dir=tmp)
    p = subprocess.Popen([MUTTER, '--headless', '--wayland', '--no-x11', '--sm-disable', '--virtual-monitor',
                          '1280x800', '--virtual-monitor', '1024x768@50'], env=e, stdout=log,
                         stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None:
        if busctl('status', 'org.gnome.Mutter.DisplayConfig').returncode == 0:
            try:
                if len(state()) == 2:
                    return p
            except AssertionError:
                pass
        time.sleep(0.2)
    raise SystemExit('FAIL: mutter did not start:\n' + open(log.name).read()[-3000:])


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def vmodes(*args, **extra):
    return subprocess.run([VMODES] + list(args), env=env(**extra), capture_output=True, text=True, timeout=60)


mutter = start_mutter()
MONITORS = monitors()
try:
    def t_list():
        p = vmodes('list')
        eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
        has(p.stdout, 'Meta-0       connected     1280x800@60.000        60.00 Hz   +0+0 primary')
        has(p.stdout, 'Meta-1       connected     1024x768@50.000        50.00 Hz   +1280+0')

    def t_left_primary():
        p = vmodes('add', 'Meta-1', '1024x768@50', '--left-of', 'Meta-0', '--primary', '--no-store')
        eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
        has(p.stdout, 'live GNOME session only')
        eq(state(), {'Meta-1': (0, 0, True, '1024x768@50.000'), 'Meta-0': (1024, 0, False, '1280x800@60.000')},
           'mutter\'s layout')
        time.sleep(1)
        eq(os.path.exists(os.path.join(home, '.config', 'monitors.xml')), False,
           'a user monitors.xml (the persistent method)')

    def t_sixty():
        p = vmodes('add', 'Meta-0', '1280x800@60', '--no-store')
        eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
        has(p.stdout, 'nothing to change in the GNOME session')

    def t_not_offered():
        before = state()
        for args in (['--apply'], []):
            p = vmodes('add', 'Meta-0', '2560x1440@44', '--no-store', *args)
            eq(p.returncode, 1, 'exit status (%r)' % p.stdout)
            eq(len(p.stderr.splitlines()), 1, 'one line: %r' % p.stderr)
            has(p.stderr, "GNOME's mutter offers no 2560x1440 mode at 43.99 Hz on Meta-0 (it has 1280x800@60.000)")
            eq(state(), before, 'mutter\'s layout')

    def t_stored_not_offered():
        # vmodesd (on a private bus) keeps Meta-0 at 2560x1440@44, which
        # mutter does not offer: list says so; Meta-1's stored mode is offered
        denv = D.Env()
        try:
            with open(denv.config, 'w') as f:
                f.write('[head Meta-0]\nmode = 2560x1440@44\n[head Meta-1]\nmode = 1024x768@50\n')
            denv.start_daemon()
            p = vmodes('list', VMODES_BUS_ADDRESS=denv.address)
            eq(p.returncode, 0, 'exit status (%r)' % p.stderr)
            has(p.stdout, '2560x1440_44.00 (not offered: the kernel lists it after kernel-cmdline and a reboot)')
            line = [ln for ln in p.stdout.splitlines() if 'Meta-1' in ln][0]
            has(line, '1024x768_50.00')
            lacks(line, 'not offered')
            p = vmodes('list', '--json', VMODES_BUS_ADDRESS=denv.address)
            heads = {h['name']: h for h in json.loads(p.stdout)['heads']}
            eq(heads['Meta-0']['stored']['offered'], False, 'Meta-0 offered')
            eq(heads['Meta-1']['stored']['offered'], True, 'Meta-1 offered')
        finally:
            denv.close()

    def t_session():
        global mutter
        conf = os.path.join(tmp, 'session.conf')
        with open(conf, 'w') as f:
            f.write('[head Meta-0]\nmode = 1280x800@60\nprimary = yes\n[head Meta-1]\nmode = 1024x768@50\n'
                    'position = below Meta-0\n')
        agent = subprocess.Popen([VMODES, 'session', '--config', conf], env=env(), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        want = {'Meta-0': (0, 0, True, '1280x800@60.000'), 'Meta-1': (0, 800, False, '1024x768@50.000')}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and state() != want:
            time.sleep(0.2)
        eq(state(), want, 'mutter\'s layout after the agent started')
        eq(agent.poll(), None, 'the agent runs')
        stop(mutter)
        try:
            out, err = agent.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            agent.kill()
            raise AssertionError('the agent did not exit when mutter left')
        eq(agent.returncode, 0, 'exit status (%r)' % err)
        has(err, "GNOME's mutter left the session bus", 'agent log')

    s.check('vmodes list shows mutter\'s monitors', t_list)
    s.check('left of and primary, temporary (no user monitors.xml)', t_left_primary)
    s.check('1280x800@60 is mutter\'s 60.000 Hz mode', t_sixty)
    s.check('a mode mutter does not offer, with and without --apply: one line, nothing changed', t_not_offered)
    s.check('a stored mode mutter does not offer is marked in vmodes list', t_stored_not_offered)
    s.check('vmodes session applies its layout and exits 0 when mutter leaves', t_session)

    def t_greeter_file():
        # the file vmodesd writes for GDM's greeter, in mutter's system
        # config folder, from a layout unlike mutter's default (Meta-0
        # primary at 0,0, Meta-1 right of it): a new mutter without a user
        # monitors.xml comes up in it
        global mutter
        conf = os.path.join(tmp, 'greeter.conf')
        with open(conf, 'w') as f:
            f.write('[head Meta-0]\nmode = 1280x800@60\n[head Meta-1]\nmode = 1024x768@50\n'
                    'position = above Meta-0\nprimary = yes\n')
        tool = os.path.join(D.BUILDDIR, 'tests', 'test-monitorsxml')
        p = subprocess.run([tool, '--format', conf], input=MONITORS, capture_output=True, text=True, timeout=30)
        eq(p.returncode, 0, 'test-monitorsxml --format (%r)' % p.stderr)
        has(p.stdout, '<rate>50.000', 'the file')
        system_dir = os.path.join(tmp, 'xdg')
        os.makedirs(system_dir)
        with open(os.path.join(system_dir, 'monitors.xml'), 'w') as f:
            f.write(p.stdout)
        stop(mutter)
        mutter = start_mutter(system_dir)
        want = {'Meta-1': (0, 0, True, '1024x768@50.000'), 'Meta-0': (0, 768, False, '1280x800@60.000')}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and state() != want:
            time.sleep(0.2)
        eq(state(), want, 'the layout of a new mutter with that system monitors.xml:\n%s' % p.stdout)

    s.check('GDM\'s monitors.xml as vmodesd writes it: a new mutter comes up with its layout', t_greeter_file)

    def t_mutter_dies():
        # mutter stops answering (SIGSTOP) while `vmodes add` waits for it,
        # then dies: one line, exit 1, no crash, no hang
        os.kill(mutter.pid, signal.SIGSTOP)
        p = subprocess.Popen([VMODES, 'add', 'Meta-1', '1024x768@50', '--right-of', 'Meta-0', '--no-store'],
                             env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        eq(p.poll(), None, 'vmodes waits for mutter')
        mutter.kill()
        mutter.wait()
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            raise AssertionError('vmodes did not return after mutter died')
        eq(p.returncode, 1, 'exit status (%r %r)' % (out, err))
        eq(len(err.splitlines()), 1, 'one line: %r' % err)
        has(err, "GNOME's mutter went away before it answered", 'the line')

    s.check('mutter dies while vmodes waits for it: one line, exit 1', t_mutter_dies)
finally:
    stop(mutter)


def t_no_mutter():
    p = vmodes('list')
    eq(p.returncode, 1, 'exit status (%r)' % p.stderr)
    eq(len(p.stderr.splitlines()), 1, 'one line: %r' % p.stderr)
    has(p.stderr, "GNOME's mutter is not on the session bus")
    lacks(p.stderr, 'X display')


s.check('no mutter on the bus: one line, exit 1', t_no_mutter)


def t_bus_dies():
    # the session bus itself goes away while `vmodes add` waits for mutter's
    # answer (the session ending): one line, exit 1, no hang
    m = start_mutter()
    try:
        os.kill(m.pid, signal.SIGSTOP)
        p = subprocess.Popen([VMODES, 'add', 'Meta-1', '1024x768@50', '--right-of', 'Meta-0', '--no-store'],
                             env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        eq(p.poll(), None, 'vmodes waits for mutter')
        bus.kill()
        bus.wait()
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            raise AssertionError('vmodes did not return after the session bus went away')
        eq(p.returncode, 1, 'exit status (%r %r)' % (out, err))
        eq(len(err.splitlines()), 1, 'one line: %r' % err)
        has(err, "lost the connection to GNOME's mutter", 'the line')
    finally:
        os.kill(m.pid, signal.SIGCONT)
        stop(m)


s.check('the session bus goes away while vmodes waits for mutter: one line, exit 1', t_bus_dies)
if bus.poll() is None:
    bus.terminate()
    bus.wait()
s.finish()
