#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The vmodes command line before it connects anywhere: add, remove and
apply check every argument (head names, specs, the words of a head
description) before they reach for the X display or vmodesd, so bad input
gets its own message and exit status 2 even when neither can be reached;
and every message quotes an argument cut to 60 characters with "...", however
long it is. Needs no X server and no daemon."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from xserver import VMODES, Tally, require_vmodes  # noqa: E402

require_vmodes()
t = Tally('heads-cli')
check = t.check

NO_BUS = 'unix:path=/nonexistent/vmodes-test-bus'
# a display that does not exist: reaching for it fails at once
NO_DISPLAY = ':4321'


def vmodes(*args, display=None):
    env = dict(os.environ, LC_ALL='C', VMODES_BUS_ADDRESS=NO_BUS)
    env.pop('DISPLAY', None)
    if display:
        env['DISPLAY'] = display
    p = subprocess.run([VMODES] + list(args), capture_output=True, text=True, env=env, timeout=30)
    return p.returncode, p.stdout, p.stderr


def usage_error(case, args, *words, display=None):
    """exit 2, stdout empty, one line on stderr naming the problem, nothing
    about D-Bus or the X display (they were never asked)."""
    rc, out, err = vmodes(*args, display=display)
    lines = err.splitlines()
    ok = check(case, rc == 2, 'exit %d, expected 2 (stderr %r)' % (rc, err))
    ok &= check(case, out == '', 'stdout %r' % out)
    ok &= check(case, len(lines) == 1 and lines[0].startswith('vmodes: '), 'not one line: %r' % err)
    for w in words:
        ok &= check(case, w in err, '%r not in %r' % (w, err))
    for w in ('D-Bus', 'vmodesd', 'cannot open'):
        ok &= check(case, w not in err, 'mentions %s: %r' % (w, err))
    return ok


# Bad arguments are reported as such, with or without a display (one that
# cannot be reached), never as "cannot reach D-Bus" or an X error.
for display in (None, NO_DISPLAY):
    where = ' (DISPLAY %s)' % display if display else ''
    usage_error('apply garbage' + where, ['apply', '<garbage>'], "'<garbage>' is not a head name", display=display)
    usage_error('apply bad spec' + where, ['apply', 'Virtual-1 1024y768'], "bad mode '1024y768'", display=display)
    usage_error('apply unknown word' + where, ['apply', 'Virtual-1 1024x768 left'], "unknown word 'left'",
                display=display)
    usage_error('apply relation without head' + where, ['apply', 'Virtual-1 1024x768 right-of'],
                'right-of needs a head', display=display)
    usage_error('apply bad relative head' + where, ['apply', 'Virtual-1 1024x768 below Virt/al'],
                "'Virt/al' is not a head name", display=display)
    usage_error('apply bad pos' + where, ['apply', 'Virtual-1 1024x768 pos 1x'], 'pos needs XxY', display=display)
    usage_error('apply off and primary' + where, ['apply', 'Virtual-2 off primary'], 'cannot be primary',
                display=display)
    usage_error('apply no spec' + where, ['apply', 'Virtual-1'], "give a mode spec or 'off'", display=display)
    usage_error('apply second argument bad' + where, ['apply', 'Virtual-1 1024x768', 'Virtual-2 1280x1024@9'],
                'refresh', display=display)
    usage_error('remove bad mode' + where, ['remove', 'Virtual-1', '<1024x768>'], "'<1024x768>' is neither a mode name",
                display=display)
    usage_error('remove bad head' + where, ['remove', 'Virtual 1'], "'Virtual 1' is not a head name", display=display)
    usage_error('add bad spec' + where, ['add', 'Virtual-1', '1024x768@1e2'], display=display)
    usage_error('add bad head' + where, ['add', 'Virt;ual-1', '1024x768'], 'is not a head name', display=display)
    # the one head-name rule (agent/common/head.h): no ':' (video=CONNECTOR:MODE), no leading '-'
    usage_error('add head with a colon' + where, ['add', 'Virtual:1', '1024x768'], "'Virtual:1' is not a head name",
                display=display)
    usage_error('apply head with a colon' + where, ['apply', 'qxl:0 1024x768'], "'qxl:0' is not a head name",
                display=display)
    usage_error('remove head with a colon' + where, ['remove', 'a:b'], "'a:b' is not a head name", display=display)
    usage_error('add bad relative head' + where, ['add', 'Virtual-2', '1024x768', '--right-of', 'a b'],
                "'a b' is not a head name", display=display)
    usage_error('add option without value' + where, ['add', 'Virtual-2', '1024x768', '--right-of'],
                "option '--right-of' needs a value", display=display)

usage_error('add spec with a trailing blank', ['add', 'Virtual-1', '1024x768 '],
            "bad mode: mode spec '1024x768 ': unexpected ' ' after")
usage_error('add modeline too long', ['add', 'Virtual-1', '--modeline', '1' * 600],
            'bad modeline: 600 characters is too long (at most 511)')

# Good arguments do reach for vmodesd (and fail there, exit 1): the checks
# above refuse only bad input.
rc, out, err = vmodes('remove', 'Virtual-1', '1024x768_60.00')
check('remove mode name reaches vmodesd', rc == 1 and 'D-Bus' in err, repr((rc, err)))
usage_error('apply layout without display', ['apply', 'Virtual-1 1024x768 primary', 'Virtual-2 off'],
            'needs the display it is for (DISPLAY is not set, nor SWAYSOCK)')

# A 10,000-character argument is quoted as its first 60 characters and "..."
LONG = 'A' * 10000
long_cases = [
    ['cvt', LONG, '768'], ['cvt', '1024', '768', '60', LONG], ['cvt', '--rb=' + LONG, '1024', '768'],
    ['cvt', '--format=' + LONG, '1024', '768'], ['cvt', '--compat=' + LONG, '1024', '768'], ['cvt', '--' + LONG],
    ['gtf', '1024', '768', LONG], ['dmt', LONG], ['dmt', LONG + 'x1'],
    ['add', LONG, '1024x768'], ['add', 'Virtual-1', LONG], ['add', 'Virtual-1', '1024x768', '--pos', LONG],
    ['add', 'Virtual-1', '1024x768', '--below', LONG], ['add', 'Virtual-1', '1024x768', '--rb=' + LONG],
    ['add', '--' + LONG], ['remove', LONG], ['remove', 'Virtual-1', LONG + '<'], ['remove', '--' + LONG],
    ['apply', LONG], ['apply', 'Virtual-1 ' + LONG], ['apply', 'Virtual-1 1024x768 ' + LONG],
    ['apply', 'Virtual-1 1024x768 right-of ' + LONG], ['list', '--' + LONG],
    ['config', LONG], ['config', 'check', 'a', LONG], ['config', '--' + LONG], ['config', '--scheme=' + LONG],
    ['status', LONG], ['status', '--' + LONG], ['status', '--kernel=' + LONG], [LONG],
]
for args in long_cases:
    case = 'long argument: vmodes %s' % ' '.join(a if len(a) < 20 else a[:12] + '...' for a in args)
    rc, out, err = vmodes(*args)
    lines = err.splitlines()
    check(case, rc == 2, 'exit %d (stderr %.300r)' % (rc, err))
    check(case, len(lines) == 1 and lines[0].startswith('vmodes: '), 'not one line: %.300r' % err)
    check(case, len(err) < 400, '%d characters: %.300r' % (len(err), err))
    # quoted arguments are cut to 60 characters; a message that only
    # counts the characters (a spec "of 10000 characters is too long") is fine
    check(case, 'A' * 61 not in err and ('A...' in err or '10000 characters' in err or '10002 characters' in err),
          'argument not cut: %.300r' % err)
# control characters (and backslashes, non-ASCII bytes) are escaped while quoting
rc, out, err = vmodes('apply', 'Virtual-1 1024x768 \x1b[31m')
check('escape sequence shown escaped', rc == 2 and '\x1b' not in err and '\\x1b' in err, repr(err))
rc, out, err = vmodes('config', '--scheme=x\ny')
check('newline shown escaped', rc == 2 and len(err.splitlines()) == 1 and '\\x0a' in err, repr(err))

t.finish()
