#!/bin/sh
# SPDX-License-Identifier: MIT
# vmodesd follows the connectors between device events (real dbus-daemon,
# vmodesd under a umockdev testbed this test changes while it runs: a
# virtio-gpu whose Virtual-2 is off, then switched on by the host with the
# EDID QEMU 7.2 gives a display, as a SPICE client's second display does):
# with kernel-cmdline on, the DRM hotplug event makes vmodesd write the
# EDID route for Virtual-2 (the blob and drm.edid_firmware= in the GRUB
# drop-in); a hotplug that changes no connector writes nothing; switched off
# again, the head keeps its blob. GDM's monitors.xml is written on the same
# trigger (it needs the kernel's mode lists through DRM ioctls, which the
# testbed does not emulate: the VM scenarios cover that file).
''''test -x /usr/bin/python3 || exit 77; exec /usr/bin/python3 "$0" "$@" # '''
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
import daemonlib as D  # noqa: E402
import harness  # noqa: E402
from daemonlib import eq, has  # noqa: E402

UMockdev = harness.umockdev_in_process(__file__)
D.require()
s = D.Suite()
env = D.Env(testbed='virtio-gpu')
EDID_DIR = os.path.join(env.dir, 'firmware')
BLOB2 = os.path.join(EDID_DIR, 'vmodes-edid-Virtual-2.bin')
CARD = '/sys/devices/pci0000:00/0000:00:01.0/virtio0/drm/card0'
CONN2 = CARD + '/card0-Virtual-2'

with open(os.path.join(D.TESTBEDS, 'virtio-gpu-edid.umockdev')) as f:
    QEMU_EDID = bytes.fromhex(re.search(r'^H: edid=([0-9A-F]+)$', f.read(), re.M).group(1))

tb = UMockdev.Testbed.new()
with open(env.testbed) as f:
    tb.add_from_string(f.read())
# vmodesd runs in this testbed (LD_PRELOAD from the wrapper, its folder here)
os.environ['UMOCKDEV_DIR'] = tb.get_root_dir()


def drop_in_args():
    return re.search(r'GRUB_CMDLINE_LINUX="\$GRUB_CMDLINE_LINUX (.*)"', env.read(env.grub)).group(1).split()


def hotplug():
    tb.set_property(CARD, 'HOTPLUG', '1')
    tb.uevent(CARD, 'change')


def wait_log(text, count):
    """Wait until the daemon's log has text count times."""
    deadline = time.monotonic() + 10 * D.SLOW
    while time.monotonic() < deadline and env.read_log().count(text) < count:
        time.sleep(0.05)
    return env.read_log().count(text)


try:
    env.start_daemon(extra=['--edid-dir=' + EDID_DIR], monitor=True, testbed=False)

    def t_off():
        env.call('AddMode', 'ssa{sv}', ('Virtual-2', '1600x900@44', {}))
        env.call('SetOptions', 'a{sv}', ({'kernel-cmdline': D.GLib.Variant('b', True)},))
        eq(drop_in_args(), ['video=Virtual-2:1600x900M@44'], 'drop-in arguments')
        eq(os.path.exists(BLOB2), False, 'a blob for Virtual-2')
    s.check('Virtual-2 off and without an EDID: video= alone', t_off)

    def t_switched_on():
        tb.set_attribute(CONN2, 'status', 'connected\n')
        tb.set_attribute(CONN2, 'enabled', 'enabled\n')
        tb.set_attribute(CONN2, 'modes', '1280x800\n1024x768\n')
        tb.set_attribute_binary(CONN2, 'edid', QEMU_EDID)
        hotplug()
        eq(wait_log('device event: change card0', 1), 1, 'the event in the log')
        deadline = time.monotonic() + 10 * D.SLOW
        while time.monotonic() < deadline and not os.path.exists(BLOB2):
            time.sleep(0.05)
        eq(os.path.exists(BLOB2), True, 'the blob of Virtual-2 after the hotplug')
        eq(drop_in_args(), ['video=Virtual-2:1600x900M@44', 'firmware_class.path=' + EDID_DIR,
                            'drm.edid_firmware=Virtual-2:vmodes-edid-Virtual-2.bin'], 'drop-in arguments')
    s.check('the host switches Virtual-2 on with an EDID: the hotplug brings its EDID route', t_switched_on)

    def t_nothing_changed():
        writes = env.read_log().count('wrote ')
        stat = os.stat(env.grub)
        hotplug()
        eq(wait_log('device event: change card0', 2), 2, 'the second event in the log')
        env.get('Version')  # the event was handled before this answer
        eq(env.read_log().count('wrote '), writes, 'files written')
        eq((os.stat(env.grub).st_ino, os.stat(env.grub).st_mtime_ns), (stat.st_ino, stat.st_mtime_ns),
           'the drop-in untouched')
    s.check('a hotplug that changes no connector writes nothing', t_nothing_changed)

    def t_switched_off():
        blob = open(BLOB2, 'rb').read()
        tb.set_attribute(CONN2, 'status', 'disconnected\n')
        tb.set_attribute(CONN2, 'modes', '')
        tb.set_attribute_binary(CONN2, 'edid', b'')
        hotplug()
        eq(wait_log('device event: change card0', 3), 3, 'the third event in the log')
        env.get('Version')
        eq(open(BLOB2, 'rb').read(), blob, 'the blob of Virtual-2')
        has(' '.join(drop_in_args()), 'drm.edid_firmware=Virtual-2:vmodes-edid-Virtual-2.bin', 'drop-in')
    s.check('switched off again: the head keeps its blob and its EDID route', t_switched_off)
finally:
    env.close()
env.finish(s)
