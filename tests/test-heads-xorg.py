#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vmodes add/remove/list/apply against Xorg with the dummy driver (the real
xf86Crtc/RandR 1.2 code, 16 outputs): modes, placement, 4 and 16 heads, the
VideoRam limit with the rollback, bad input, the display going away in the
middle of an apply, and the server refusing an operation without an X error
(a proxy rewrites its answer), also after re-using modes other heads offer
(every output's mode list is as before). Outputs are found by querying;
results are checked with `xrandr --query`."""
import json
import os
import select
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from xserver import Tally, XServer, CutProxy, bind_free_display, output, require_vmodes  # noqa: E402

require_vmodes()
t = Tally('heads-xorg')

check = t.check


def one_line_error(case, rc, out, err, want_rc, *words):
    lines = err.splitlines()
    check(case, rc == want_rc, 'exit %d, expected %d (stderr %r)' % (rc, want_rc, err))
    check(case, len(lines) == 1 and lines[0].startswith('vmodes: '), 'stderr is not one line: %r' % err)
    for w in words:
        check(case, w in err, '%r not in %r' % (w, err))


def geometry(x, name):
    o = output(x.query(), name)
    return o['geometry'] if o else None


def main_server():
    with XServer('xorg-dummy') as x:
        rc, out, err = x.vmodes('list', '--json')
        check('list --json', rc == 0, 'rc %d: %s' % (rc, err))
        listed = json.loads(out)
        q = x.query()
        names = [o['name'] for o in q['outputs']]
        check('list names', [h['name'] for h in listed['heads']] == names, '%r vs %r' % (listed['heads'], names))
        check('list heads', len(names) >= 4, 'only %d outputs' % len(names))
        check('list size', (listed['width'], listed['height']) == (q['width'], q['height']), 'screen size')
        check('list max', (listed['max_width'], listed['max_height']) == (q['max_width'], q['max_height']), 'max')
        lit = [o for o in q['outputs'] if o['geometry']]
        check('one head lit', len(lit) == 1, 'lit: %r' % lit)
        h1, h2, h3, h4 = names[:4]

        # a new mode on the first head, by name
        rc, out, err = x.vmodes('add', h1, '2560x1440@44', '--apply')
        check('add h1', rc == 0, 'rc %d: %s' % (rc, err))
        check('add h1 says', '%s: 2560x1440 at 43.99 Hz (2560x1440_44.00) at +0+0' % h1 in out, out)
        check('add h1 warns: not stored', err.startswith('vmodes: warning: not stored:') and 'vmodesd is not running'
              in err and 'lasts until the X server restarts' in err and len(err.splitlines()) == 1, err)
        o = output(x.query(), h1)
        check('add h1 xrandr', o['geometry'] == (2560, 1440, 0, 0) and o['current'] == ('2560x1440_44.00', 43.99),
              '%r' % o)
        check('add h1 screen', x.query()['width'] == 2560, 'screen %r' % x.query()['width'])

        # the same again: nothing changes, one query
        rc, out, err = x.vmodes('add', h1, '2560x1440@44', '--apply', '-v')
        check('add again', rc == 0 and 'nothing to change' in out and 'step:' not in out, out + err)

        # second head (disconnected) right of the first, by head number
        rc, out, err = x.vmodes('add', '2', '1920x1080@60', '--right-of', '1')
        check('add h2', rc == 0, 'rc %d: %s' % (rc, err))
        check('add h2 says', 'turned on' in out and '59.96 Hz' in out, out)
        check('add h2 xrandr', geometry(x, h2) == (1920, 1080, 2560, 0), '%r' % (geometry(x, h2),))
        q = x.query()
        check('add h2 screen', (q['width'], q['height']) == (4480, 1440), '%r' % ((q['width'], q['height']),))

        # offer only: the mode is listed, the head keeps its mode
        rc, out, err = x.vmodes('add', h2, '1280x720R2@50')
        check('offer', rc == 0 and 'not switched' in out, out + err)
        o = output(x.query(), h2)
        check('offer xrandr', any(m[0] == '1280x720R2_50.00' for m in o['modes']) and o['geometry'][:2] == (1920, 1080),
              '%r' % o)

        # primary, relation below, reduced blanking option
        rc, out, err = x.vmodes('add', h3, '1920x1080', '--rb=2', '--below', h1, '--primary')
        check('add h3', rc == 0, 'rc %d: %s' % (rc, err))
        o = output(x.query(), h3)
        check('add h3 xrandr', o['geometry'] == (1920, 1080, 0, 1440) and o['primary']
              and o['current'][0] == '1920x1080R2_60.00', '%r' % o)

        # remove a mode in use: the head goes back to its preferred mode or off
        rc, out, err = x.vmodes('remove', h3, '1920x1080R2@60')
        check('remove mode', rc == 0, 'rc %d: %s' % (rc, err))
        o = output(x.query(), h3)
        check('remove mode xrandr', not any(m[0] == '1920x1080R2_60.00' for m in o['modes']), '%r' % o)
        rc, out, err = x.vmodes('remove', h2)
        check('remove head', rc == 0 and 'turned off' in out, out + err)
        q = x.query()
        check('remove head xrandr', output(q, h2)['geometry'] is None, '%r' % output(q, h2))

        # a whole 4-head layout in one step, then again: nothing to do
        layout = ['%s 2560x1440@44 primary' % h1, '%s 1920x1080@60 right-of %s' % (h2, h1),
                  '%s 1920x1080R2@60 below %s' % (h3, h1), '%s 1280x1024@75 right-of %s' % (h4, h3)]
        rc, out, err = x.vmodes('apply', *layout)
        check('apply 4', rc == 0, 'rc %d: %s' % (rc, err))
        q = x.query()
        want = {h1: (2560, 1440, 0, 0), h2: (1920, 1080, 2560, 0), h3: (1920, 1080, 0, 1440),
                h4: (1280, 1024, 1920, 1440)}
        for n, g in want.items():
            check('apply 4 %s' % n, output(q, n)['geometry'] == g, '%r' % (output(q, n),))
        check('apply 4 screen', (q['width'], q['height']) == (4480, 2520), '%r' % ((q['width'], q['height']),))
        rc, out, err = x.vmodes('apply', '-v', *layout)
        check('apply 4 again', rc == 0 and 'nothing to change' in out and 'step:' not in out, out + err)

        # every head: a 4x4 grid when the server has 16
        if len(names) >= 16:
            grid = []
            for i, n in enumerate(names[:16]):
                if i == 0:
                    grid.append('%s 1024x768D@60 pos 0x0' % n)
                elif i % 4 == 0:
                    grid.append('%s 1024x768D@60 below %s' % (n, names[i - 4]))
                else:
                    grid.append('%s 1024x768D@60 right-of %s' % (n, names[i - 1]))
            rc, out, err = x.vmodes('apply', *grid)
            check('apply 16', rc == 0, 'rc %d: %s' % (rc, err))
            q = x.query()
            for i, n in enumerate(names[:16]):
                check('apply 16 %s' % n, output(q, n)['geometry'] == (1024, 768, 1024 * (i % 4), 768 * (i // 4)),
                      '%r' % (output(q, n),))
            check('apply 16 screen', (q['width'], q['height']) == (4096, 3072), '%r' % ((q['width'], q['height']),))
            rc, out, err = x.vmodes('add', names[15], '3840x2160R@60', '--right-of', names[3])
            check('16 heads, one grows', rc == 0, out + err)
            check('16 heads, one grows xrandr', geometry(x, names[15]) == (3840, 2160, 4096, 0),
                  '%r' % (geometry(x, names[15]),))
            rc, out, err = x.vmodes('apply', *['%s off' % n for n in names[4:16]])
            q = x.query()
            check('turn 12 off', rc == 0 and (q['width'], q['height']) == (4096, 768),
                  '%s%s screen %r' % (out, err, (q['width'], q['height'])))

        # bad input: one line, non-zero, nothing changed
        before = x.query()
        rc, out, err = x.vmodes('add', 'NoSuchHead-7', '1024x768')
        one_line_error('unknown head', rc, out, err, 2, 'unknown head NoSuchHead-7', h1)
        rc, out, err = x.vmodes('add', h1, '1024x')
        one_line_error('bad spec', rc, out, err, 2, 'bad mode')
        for bad in ('Virtual 1', 'Virt"ual', "Virt'ual", 'Virtual-1\nDUMMY0', '', 'x' * 200, '\x1b[31m'):
            rc, out, err = x.vmodes('add', bad, '1024x768', '--apply')
            one_line_error('bad name %r' % bad, rc, out, err, 2, 'not a head name')
            check('bad name %r no escape' % bad, '\x1b' not in err and '\n' not in err.rstrip('\n'), repr(err))
        rc, out, err = x.vmodes('add', h1, '1024x768', '--right-of', 'Virtual 2')
        one_line_error('bad relative name', rc, out, err, 2, 'not a head name')
        max_w = before['max_width']
        if max_w < 2560 + 8192 + 8192:
            rc, out, err = x.vmodes('apply', '%s 8192x8192R@30' % h1, '%s 8192x8192R@30 right-of %s' % (h2, h1),
                                    '%s 8192x8192R@30 right-of %s' % (h3, h2), '%s 8192x8192R@30 right-of %s' % (h4, h3))
            one_line_error('too wide', rc, out, err, 2, 'at most %dx' % max_w)
        rc, out, err = x.vmodes('apply', '%s 1024x768D@60 right-of %s' % (h1, h2), '%s 1024x768D@60 right-of %s' % (h2, h1))
        one_line_error('cycle', rc, out, err, 2, 'cycle')
        rc, out, err = x.vmodes('remove', h1, '3000x2000@13')
        one_line_error('remove absent mode', rc, out, err, 2, 'does not offer')
        rc, out, err = x.vmodes('add', h1, '--pos', '1x')
        check('usage', rc == 2, err)
        rc, out, err = x.vmodes('list', display=':4242')
        one_line_error('no such display', rc, out, err, 1, 'cannot open the X display :4242')
        rc, out, err = x.vmodes('list', display='')
        one_line_error('no DISPLAY', rc, out, err, 1, 'DISPLAY is not set')
        rc, out, err = x.vmodes('add', '--help')
        check('add --help', rc == 0 and 'Exit status' in out and 'HEAD' in out, out)

        # dry run changes nothing
        before = x.query()
        rc, out, err = x.vmodes('add', h1, '1600x900@60', '--apply', '--dry-run')
        check('dry run', rc == 0 and 'would' in out, out + err)
        after = x.query()
        check('dry run unchanged', before == after, 'state changed')

        # the display goes away in the middle of an apply (a proxy cuts the
        # connection after N bytes of requests)
        base = ['%s 1024x768D@60 pos 0x0' % h1, '%s off' % h2, '%s off' % h3, '%s off' % h4]
        target = ['%s 1920x1080@60' % h1, '%s 1280x1024@60 right-of %s' % (h2, h1),
                  '%s 1280x720@60 below %s' % (h3, h1)]
        proxy = CutProxy(x.number)
        try:
            x.vmodes('apply', *base)
            proxy.limit = None
            rc, out, err = x.vmodes('apply', '--no-store', *target, display=proxy.display)
            proxy.wait_idle()
            total = proxy.forwarded
            check('proxy works', rc == 0 and total > 0, out + err)
            cuts = sorted(set([12, 48, 200] + [total * k // 12 for k in range(1, 12)]))
            clean = 0
            for cut in cuts:
                x.vmodes('apply', *base)
                proxy.limit = cut
                rc, out, err = x.vmodes('apply', '--no-store', *target, display=proxy.display)
                proxy.wait_idle()
                lines = err.splitlines()
                ok = (rc == 1 and len(lines) == 1 and lines[0].startswith('vmodes: ')) or (rc == 0 and not err)
                check('cut after %d of %d bytes' % (cut, total), ok, 'rc %d, stderr %r' % (rc, err))
                clean += ok
                check('server survives cut %d' % cut, x.alive() and x.query()['outputs'], 'server died')
            print('display cut at %d points of %d bytes: %d clean exits' % (len(cuts), total, clean))
        finally:
            proxy.stop()


def videoram_server():
    """16 MiB of VideoRam: the dummy refuses larger screens; vmodes reports
    it and puts the previous layout back."""
    with XServer('xorg-dummy', videoram=16384) as x:
        q = x.query()
        h1 = q['outputs'][0]['name']
        h2 = q['outputs'][1]['name']
        rc, out, err = x.vmodes('add', h2, '1024x768D@60', '--right-of', h1)
        check('small: second head fits', rc == 0, out + err)
        before = x.query()
        rc, out, err = x.vmodes('add', h1, '3840x2160R@60', '--apply')
        one_line_error('videoram', rc, out, err, 1, 'video memory', 'previous layout is back')
        after = x.query()
        check('videoram rollback', [(o['name'], o['geometry'], o['current']) for o in after['outputs']] ==
              [(o['name'], o['geometry'], o['current']) for o in before['outputs']], 'layout changed')
        check('videoram mode removed', not any(m[0].startswith('3840x2160') for o in after['outputs']
                                               for m in o['modes']), 'created mode left behind')
        check('videoram screen', (after['width'], after['height']) == (before['width'], before['height']), 'size')


class TamperProxy:
    """A local X display that forwards to another one and rewrites the
    reply to the n-th RandR request of one minor opcode (1-based) with
    edit(bytearray), as a server that fails without an X error would answer;
    with request=True it rewrites that request itself instead (the server
    then answers it with an X error). Little-endian clients only (the tests
    run vmodes on this machine)."""

    def __init__(self, target_number, minor, nth, edit, request=False):
        self.target = '/tmp/.X11-unix/X%d' % target_number
        self.minor, self.nth, self.edit, self.request = minor, nth, edit, request
        self.tampered = 0
        self.ends = []  # how each connection ended, for failure messages
        self.sock, self.path, self.display = bind_free_display(400, 600)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.connect(self.target)
        up, down = bytearray(), bytearray()
        setup_sent = setup_answered = False
        seq, randr, seen = 0, None, 0
        extensions, tamper = {}, set()
        end = 'the proxy stopped'
        try:
            while True:
                r, _, _ = select.select([client, server], [], [], 30)
                if not r:
                    end = 'idle for 30 s'
                    return
                if client in r:
                    data = client.recv(65536)
                    if not data:
                        end = 'the client closed after %d requests' % seq
                        return
                    up += data
                    forward = bytearray()
                    while True:
                        if not setup_sent:
                            if len(up) < 12:
                                break
                            n, d = struct.unpack_from('<HH', up, 6)
                            size = 12 + (n + 3) // 4 * 4 + (d + 3) // 4 * 4
                            if len(up) < size:
                                break
                            setup_sent = True
                        else:
                            if len(up) < 4:
                                break
                            major, minor, length = struct.unpack_from('<BBH', up, 0)
                            if length == 0:
                                if len(up) < 8:
                                    break
                                length = struct.unpack_from('<I', up, 4)[0]
                            size = 4 * length
                            if len(up) < size:
                                break
                            seq += 1
                            if major == 98:  # QueryExtension
                                n = struct.unpack_from('<H', up, 4)[0]
                                extensions[seq & 0xffff] = bytes(up[8:8 + n])
                            elif major == randr and minor == self.minor:
                                seen += 1
                                if seen == self.nth and self.request:
                                    self.edit(up)
                                    self.tampered += 1
                                elif seen == self.nth:
                                    tamper.add(seq & 0xffff)
                        forward += up[:size]
                        del up[:size]
                    if forward:
                        server.sendall(bytes(forward))
                if server in r:
                    data = server.recv(65536)
                    if not data:
                        end = 'the server closed after %d requests' % seq
                        return
                    down += data
                    out = bytearray()
                    while True:
                        if not setup_answered:
                            if len(down) < 8:
                                break
                            size = 8 + 4 * struct.unpack_from('<H', down, 6)[0]
                        else:
                            if len(down) < 32:
                                break
                            size = 32
                            if down[0] in (1, 35):  # a reply, a generic event
                                size += 4 * struct.unpack_from('<I', down, 4)[0]
                        if len(down) < size:
                            break
                        unit = down[:size]
                        del down[:size]
                        if not setup_answered:
                            setup_answered = True
                        elif unit[0] == 1:
                            s = struct.unpack_from('<H', unit, 2)[0]
                            if extensions.get(s) == b'RANDR' and unit[8]:
                                randr = unit[9]
                            if s in tamper:
                                self.edit(unit)
                                self.tampered += 1
                        out += unit
                    if out:
                        client.sendall(bytes(out))
        except OSError as e:
            end = 'OSError after %d requests: %s' % (seq, e)
        finally:
            self.ends.append('%s (RandR minor %d seen %d times)' % (end, self.minor, seen))
            client.close()
            server.close()

    def stop(self):
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


def silent_failure_server():
    """The server turns an operation down without an X error: CreateMode
    answers mode None, SetCrtcConfig answers RRSetConfigFailed. vmodes
    reports a failure, not success, and puts the previous layout back."""
    with XServer('xorg-dummy') as x:
        names = [o['name'] for o in x.query()['outputs']]
        h1, h2, h3 = names[:3]
        base = ['%s 1024x768D@60 pos 0x0' % h1, '%s off' % h2, '%s off' % h3]

        def no_mode(reply):
            reply[8:12] = b'\0\0\0\0'

        def failed(reply):
            reply[1] = 3  # RRSetConfigFailed

        # (each case with modes of its own: a CreateMode answered None
        # leaves its mode on the server, unknown to vmodes)
        cases = (('create-mode', 16, 2, no_mode, ('1920x1080', '1280x1024', '1680x1050'),
                  'did not create mode 1280x1024_60.00'),
                 ('set-crtc', 21, 2, failed, ('1600x900', '1360x768', '1440x900'),
                  'failed to show 1360x768_60.00 on %s' % h2))
        for case, minor, nth, edit, sizes, words in cases:
            target = ['%s %s@60' % (h1, sizes[0]), '%s %s@60 right-of %s' % (h2, sizes[1], h1),
                      '%s %s@50 right-of %s' % (h3, sizes[2], h2)]
            rc, out, err = x.vmodes('apply', '--no-store', *base)
            check('%s: base' % case, rc == 0, out + err)
            before = x.query()
            proxy = TamperProxy(x.number, minor, nth, edit)
            try:
                rc, out, err = x.vmodes('apply', '--no-store', *target, display=proxy.display)
            finally:
                proxy.stop()
            check('%s: answer rewritten' % case, proxy.tampered == 1,
                  'rewrote %d answers; connections: %s' % (proxy.tampered, proxy.ends))
            one_line_error(case, rc, out, err, 1, words, 'the previous layout is back')
            after = x.query()
            check('%s: layout back' % case, [(o['name'], o['geometry'], o['current']) for o in after['outputs']] ==
                  [(o['name'], o['geometry'], o['current']) for o in before['outputs']], 'layout changed: %r' % after)
            check('%s: screen back' % case, (after['width'], after['height']) == (before['width'], before['height']),
                  'screen %dx%d' % (after['width'], after['height']))
            # the modes vmodes knows it created are gone again (the one
            # whose CreateMode answer said None is the server's secret)
            left = sorted(set(m[0] for o in after['outputs'] for m in o['modes']
                              if m[0].endswith(('_60.00', '_50.00'))))
            check('%s: created modes removed' % case, left == [], 'left behind: %r' % left)


def refused_reuse_server():
    """A refused apply that re-uses modes other heads offer: each head gets
    the mode another one shows (and one a new mode), and the server turns
    down the n-th SetCrtcConfig (a proxy rewrites its answer). The rollback
    takes every mode the apply added off every output it added it to and
    destroys the one it created: each output's mode list is as before,
    whichever step was refused."""
    with XServer('xorg-dummy') as x:
        names = [o['name'] for o in x.query()['outputs']]
        h1, h2, h3, h4 = names[:4]
        # the dummy connects an output (and gives it its own modes) when it
        # is first lit: light all four once, so that a refused step that the
        # server did carry out does not change their mode lists by itself
        rc, out, err = x.vmodes('apply', '--no-store', '%s 1024x768 pos 0x0' % h1,
                                *['%s 1024x768 right-of %s' % (b, a) for a, b in ((h1, h2), (h2, h3), (h3, h4))])
        check('reuse: all heads lit once', rc == 0, out + err)
        base = ['%s 1600x900@60 pos 0x0' % h1, '%s 1280x800@60 right-of %s' % (h2, h1), '%s off' % h3, '%s off' % h4]
        # h1 and h2 swap modes, h3 takes h1's, h4 a new one
        target = ['%s 1280x800@60 pos 0x0' % h1, '%s 1600x900@60 right-of %s' % (h2, h1),
                  '%s 1600x900@60 right-of %s' % (h3, h2), '%s 1024x768@44 right-of %s' % (h4, h3)]

        def failed(reply):
            reply[1] = 3  # RRSetConfigFailed

        for nth in (1, 2, 3, 4):
            case = 'reuse: SetCrtcConfig %d refused' % nth
            rc, out, err = x.vmodes('apply', '--no-store', *base)
            check('%s: base' % case, rc == 0, out + err)
            before = x.query()
            proxy = TamperProxy(x.number, 21, nth, failed)
            try:
                rc, out, err = x.vmodes('apply', '--no-store', *target, display=proxy.display)
            finally:
                proxy.stop()
            check('%s: answer rewritten' % case, proxy.tampered == 1,
                  'rewrote %d answers; connections: %s' % (proxy.tampered, proxy.ends))
            one_line_error(case, rc, out, err, 1, 'failed to show', 'the previous layout is back')
            after = x.query()
            for b, a in zip(before['outputs'], after['outputs']):
                check('%s: %s modes' % (case, b['name']), a['modes'] == b['modes'],
                      'added %r, lost %r' % ([m for m in a['modes'] if m not in b['modes']],
                                             [m for m in b['modes'] if m not in a['modes']]))
            check('%s: layout back' % case, [(o['name'], o['geometry'], o['current']) for o in after['outputs']] ==
                  [(o['name'], o['geometry'], o['current']) for o in before['outputs']], 'layout changed: %r' % after)
            # the mode it created is gone from the server, not only from the outputs
            rc, out, err = x.xrandr('--verbose')
            check('%s: created mode destroyed' % case, '1024x768_44.00' not in out, 'left on the server')

        # the server refuses to add h1's mode to h3 (an X error: the proxy
        # names a mode that does not exist): that addition made no change,
        # so the rollback has nothing to take off h3 and says the previous
        # layout is back, not that restoring it failed
        def no_such_mode(request):
            request[8:12] = struct.pack('<I', 0x1ffffff0)

        case = 'reuse: AddOutputMode refused'
        rc, out, err = x.vmodes('apply', '--no-store', *base)
        check('%s: base' % case, rc == 0, out + err)
        before = x.query()
        proxy = TamperProxy(x.number, 18, 1, no_such_mode, request=True)
        try:
            rc, out, err = x.vmodes('apply', '--no-store', '%s 1600x900@60 right-of %s' % (h3, h2),
                                    display=proxy.display)
        finally:
            proxy.stop()
        check('%s: request rewritten' % case, proxy.tampered == 1,
              'rewrote %d requests; connections: %s' % (proxy.tampered, proxy.ends))
        one_line_error(case, rc, out, err, 1, '1600x900_60.00', 'the previous layout is back')
        after = x.query()
        check('%s: mode lists' % case, [o['modes'] for o in after['outputs']] == [o['modes'] for o in before['outputs']],
              'changed: %r' % after)
        check('%s: layout back' % case, [(o['name'], o['geometry'], o['current']) for o in after['outputs']] ==
              [(o['name'], o['geometry'], o['current']) for o in before['outputs']], 'layout changed: %r' % after)


main_server()
videoram_server()
silent_failure_server()
refused_reuse_server()
t.finish()
