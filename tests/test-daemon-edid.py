#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""vmodesd's kernel route with an EDID (real dbus-daemon, umockdev testbed
of a virtio-gpu whose Virtual-1 has the EDID QEMU 7.2 gives it, as read in
the VM; Virtual-2 is disconnected, without one): with kernel-cmdline on,
the GRUB drop-in names an EDID blob per head whose connector has an EDID
(firmware_class.path= and drm.edid_firmware=), the blob carries the head's
modes (checked with edid-decode, the real tool), follows the config, and
goes with kernel-cmdline off; a mode no EDID can carry is left out with a
notice; a file in the folder that vmodesd did not write stays."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
import daemonlib as D  # noqa: E402
from daemonlib import eq, has  # noqa: E402

D.require()
if subprocess.run(['sh', '-c', 'command -v edid-decode'], capture_output=True).returncode:
    print('1..0 # SKIP edid-decode is not installed (Debian package edid-decode)')
    sys.exit(0 if os.environ.get('CI') else 77)
s = D.Suite()
env = D.Env(testbed='virtio-gpu-edid')
EDID_DIR = os.path.join(env.dir, 'var', 'lib', 'vmodes', 'firmware')
BLOB = os.path.join(EDID_DIR, 'vmodes-edid-Virtual-1.bin')


def dtds(path):
    """[(WxH, clock kHz)] of the detailed timings edid-decode finds, after
    checking that it passes --check."""
    p = subprocess.run(['edid-decode', '--check', path], capture_output=True, text=True)
    has(p.stdout, 'EDID conformity: PASS')
    return [(m.group(1), round(float(m.group(2)) * 1000))
            for m in re.finditer(r'DTD \d+:\s+(\d+x\d+)\s.*?([\d.]+) MHz', p.stdout)]


def drop_in_args():
    return re.search(r'GRUB_CMDLINE_LINUX="\$GRUB_CMDLINE_LINUX (.*)"', env.read(env.grub)).group(1).split()


try:
    os.makedirs(os.path.dirname(EDID_DIR))
    env.start_daemon(extra=['--edid-dir=' + EDID_DIR])

    def t_off():
        env.call('AddMode', 'ssa{sv}', ('Virtual-1', '2560x1440@44', {}))
        eq(os.path.exists(env.grub), False, 'drop-in without kernel-cmdline')
        eq(os.path.exists(BLOB), False, 'EDID blob without kernel-cmdline')
    s.check('kernel-cmdline off: no drop-in, no EDID blob', t_off)

    def t_on():
        env.call('AddMode', 'ssa{sv}', ('Virtual-2', '1920x1080@60', {}))
        env.call('SetOptions', 'a{sv}', ({'kernel-cmdline': D.GLib.Variant('b', True)},))
        eq(drop_in_args(), ['video=Virtual-1:2560x1440M@44', 'video=Virtual-2:1920x1080M@60',
                            'firmware_class.path=' + EDID_DIR, 'drm.edid_firmware=Virtual-1:vmodes-edid-Virtual-1.bin'],
           'drop-in arguments')
        eq(dtds(BLOB), [('1024x768', 65000), ('2560x1440', 222750)], 'the blob of Virtual-1 (DMT 1024x768 first)')
        eq(oct(os.stat(BLOB).st_mode & 0o777), '0o644', 'mode of the blob (the kernel reads it)')
        eq(sorted(os.listdir(EDID_DIR)), ['vmodes-edid-Virtual-1.bin'], 'no blob for Virtual-2 (no EDID there)')
        has(env.read_log(), 'updated the EDIDs for the kernel in ' + EDID_DIR)
    s.check('kernel-cmdline on: video= per head, an EDID blob for the head whose connector has an EDID',
            t_on)

    def t_more_modes():
        offer = {'default': D.GLib.Variant('b', False)}  # offered beside the head's mode
        env.call('AddMode', 'ssa{sv}', ('Virtual-1', '1600x900@44', offer))
        env.call('AddMode', 'ssa{sv}', ('Virtual-1', '1920x1080G@60', offer))  # GTF: 172.798 MHz
        eq(dtds(BLOB), [('1024x768', 65000), ('2560x1440', 222750), ('1600x900', 84000)], 'the blob of Virtual-1')
        has(env.read_log(), "Virtual-1: the kernel's EDID leaves out mode 1920x1080G_60.00: pixel clock 172.798 "
            'MHz is not a multiple of 0.01 MHz')
        eq(drop_in_args()[0], 'video=Virtual-1:2560x1440M@44', 'video= keeps the first mode')
    s.check('every mode of the head goes into the blob; one no EDID can carry is named in a notice',
            t_more_modes)

    def t_first_not_describable():
        env.call('AddMode', 'ssa{sv}', ('Virtual-1', '1920x1080G@60', {}))  # the head's mode now
        eq(os.path.exists(BLOB), False, 'blob of a head whose first mode no EDID carries')
        has(env.read_log(), 'Virtual-1: no EDID for the kernel (video= alone)')
        eq([a for a in drop_in_args() if 'edid' in a], [], 'no EDID arguments')
        env.call('AddMode', 'ssa{sv}', ('Virtual-1', '2560x1440@44', {}))
        eq(dtds(BLOB)[1], ('2560x1440', 222750), 'blob back with the first mode')
    s.check('a first mode no EDID can carry: video= alone for that head, the blob goes', t_first_not_describable)

    def t_connector_without_edid_for_now():
        # the daemon starts while Virtual-1 shows no EDID (the driver still
        # loading, or the testbed without it): the head keeps its blob
        before = open(BLOB, 'rb').read()
        args = drop_in_args()
        env.stop_daemon()
        env.testbed = env.testbed.replace('virtio-gpu-edid', 'virtio-gpu')
        env.start_daemon(extra=['--edid-dir=' + EDID_DIR])
        env.call('Apply')
        eq(open(BLOB, 'rb').read(), before, 'the blob')
        eq(drop_in_args(), args, 'drop-in arguments')
        env.call('AddMode', 'ssa{sv}', ('Virtual-1', '1280x720@44', {'default': D.GLib.Variant('b', False)}))
        eq(dtds(BLOB)[-1], ('1280x720', 52500), 'the blob follows the head')
    s.check('a head whose connector shows no EDID now keeps its blob, which follows the config',
            t_connector_without_edid_for_now)

    def t_video_width():
        # Virtual-2 has no EDID: video= alone, whose CVT mode the kernel
        # makes 1360 wide (Linux's drm_cvt_mode; measured on bochs with
        # 1500x1000: 1496x1000)
        env.call('AddMode', 'ssa{sv}', ('Virtual-2', '1366x768@60', {}))
        has(' '.join(drop_in_args()), 'video=Virtual-2:1366x768M@60', 'drop-in')
        has(env.read_log(), 'Virtual-2: the kernel makes a 1360x768 mode of video= for 1366x768 (its CVT rounds the '
            'width down to a multiple of 8)', 'the notice')
        env.call('AddMode', 'ssa{sv}', ('Virtual-1', '1366x768@60', {}))
        eq('Virtual-1: the kernel makes' in env.read_log(), False, 'a notice for Virtual-1, whose EDID carries it')
    s.check('a width video= cannot carry (1366): a notice; none where the EDID carries it', t_video_width)

    def t_foreign_and_off():
        foreign = os.path.join(EDID_DIR, 'edid-mine.bin')
        with open(foreign, 'wb') as f:
            f.write(b'\0' * 128)
        env.call('SetOptions', 'a{sv}', ({'kernel-cmdline': D.GLib.Variant('b', False)},))
        eq(os.path.exists(env.grub), False, 'drop-in removed')
        eq(sorted(os.listdir(EDID_DIR)), ['edid-mine.bin'], 'only the file vmodesd did not write stays')
    s.check('kernel-cmdline off: drop-in and blobs go, a file vmodesd did not write stays', t_foreign_and_off)
finally:
    env.close()
env.finish(s)
