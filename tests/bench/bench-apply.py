#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Apply overhead on Xorg + dummy: starts the server (tests/xserver.py; 16
outputs DUMMY0..15) and runs bench-apply.sh on it with DUMMY0..3 as the four
heads, the X server's pid for its CPU time, and callgrind when valgrind is
installed.

    bench-apply.py [--builddir=DIR] [--rounds=N] [--no-callgrind]

A benchmark that cannot run (no Xorg, no dummy driver, not root) fails with
exit status 1 and says why; it does not skip.
"""
import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'lib'))
import xserver  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--builddir', default='.', help='vmodes build directory (default .)')
    ap.add_argument('--rounds', type=int, default=int(os.environ.get('BENCH_ROUNDS', 20)))
    ap.add_argument('--no-callgrind', action='store_true', help='skip the client instruction counts')
    args = ap.parse_args()

    b = os.path.abspath(args.builddir)
    env = dict(os.environ, VMODES=os.path.join(b, 'vmodes'),
               BENCH_FLOOR=os.path.join(b, 'tests', 'bench', 'bench-floor'),
               XCOUNT=os.path.join(b, 'tests', 'bench', 'xcount'))
    for k in ('VMODES', 'BENCH_FLOOR', 'XCOUNT'):
        if not os.access(env[k], os.X_OK):
            print('bench-apply: FAIL: cannot run: %s is not built' % env[k])
            return 1
    try:
        server = xserver.XServer('xorg-dummy')
    except SystemExit as e:
        # xserver.py skips (77) when a server is missing; a benchmark fails
        print('bench-apply: FAIL: cannot run the benchmark on Xorg + dummy (see above)')
        return 1 if e.code == xserver.SKIP else e.code
    except RuntimeError as e:
        print('bench-apply: FAIL: %s' % e)
        return 1
    with server:
        env['DISPLAY'] = server.display
        cmd = ['bash', os.path.join(HERE, 'bench-apply.sh'), '--rounds', str(args.rounds),
               '--server-pid', str(server.proc.pid), '--label', 'Xorg + dummy (xf86 RandR 1.2 code, no device)']
        if not args.no_callgrind and shutil.which('valgrind'):
            cmd.append('--callgrind')
        r = subprocess.run(cmd + ['DUMMY0', 'DUMMY1', 'DUMMY2', 'DUMMY3'], env=env)
        if not server.alive():
            print('bench-apply: FAIL: the X server died during the benchmark:\n' + server.server_log()[-2000:])
            return 1
        return r.returncode


if __name__ == '__main__':
    sys.exit(main())
