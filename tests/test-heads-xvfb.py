#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vmodes list/add/apply on Xvfb: one output, a screen whose maximum is the
size it was started with, and one mode. Checks that vmodes reads it right and refuses what cannot fit
before touching anything. (Xvfb emulates RandR 1.2 on its fixed screen: a
mode set is gone at the next full query of any client, so changes are not
checked here; the dummy driver test does that.)"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from xserver import Tally, XServer, require_vmodes  # noqa: E402

require_vmodes()
t = Tally('heads-xvfb')

check = t.check


with XServer('xvfb', size='1280x1024') as x:
    q = x.query()
    rc, out, err = x.vmodes('list', '--json')
    check('list', rc == 0, err)
    j = json.loads(out)
    check('one output', len(j['heads']) == len(q['outputs']) == 1, '%r' % j['heads'])
    name = q['outputs'][0]['name']
    check('name', j['heads'][0]['name'] == name and j['heads'][0]['head'] == 1, '%r' % j['heads'][0])
    check('size', (j['width'], j['height'], j['max_width'], j['max_height']) ==
          (q['width'], q['height'], q['max_width'], q['max_height']), '%r' % j)
    check('enabled', j['heads'][0]['enabled'] and j['heads'][0]['mode']['width'] == q['width'], '%r' % j['heads'][0])

    rc, out, err = x.vmodes('list')
    check('list text', rc == 0 and name in out and '%dx%d' % (q['width'], q['height']) in out, out)

    # larger than the screen maximum: refused before anything is touched
    rc, out, err = x.vmodes('add', '1', '2560x1440@44', '--apply')
    check('too large rc', rc == 2, 'rc %d %s' % (rc, err))
    check('too large msg', err.count('\n') == 1 and 'at most %dx%d' % (q['max_width'], q['max_height']) in err, err)
    check('too large untouched', x.query() == q, 'state changed')

    # a dry run plans without changing anything
    rc, out, err = x.vmodes('add', name, '1024x768@60', '--apply', '--dry-run')
    check('dry run', rc == 0 and 'would create mode 1024x768_60.00' in out, out + err)
    check('dry run untouched', x.query() == q, 'state changed')

    # a spec with the size of the screen: Xvfb's mode has no pixel clock, so
    # the timings differ and a mode is planned; a dry run shows no resize
    rc, out, err = x.vmodes('add', '1', '%dx%d@60' % (q['width'], q['height']), '--apply', '--dry-run')
    check('same size', rc == 0 and 'set screen size' not in out and 'would create mode' in out, out + err)

    rc, out, err = x.vmodes('remove', '2')
    check('unknown head number', rc == 2 and 'unknown head 2' in err, err)
    rc, out, err = x.vmodes('remove', name)
    check('last head stays on', rc == 2 and 'every head off' in err, err)

t.finish()
