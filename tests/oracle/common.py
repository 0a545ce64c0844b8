"""Helpers for the oracle tests: run programs, parse modelines, run cases in parallel.

Each oracle test prints one line per failing case (at most a few dozen), a
summary of the differences it explained, and "N passed, N failed"; it exits
0 when every case passed, 1 otherwise, 77 when an oracle is not installed.
"""
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys

from tally import Tally  # noqa: F401  (tests/lib, on the path of every oracle test)

VMODES = os.environ.get('VMODES') or os.path.join(os.environ.get('top_builddir', '.'), 'vmodes')
SKIP = 77


def need(*programs):
    missing = [p for p in programs if not shutil.which(p)]
    if missing:
        print('SKIP: oracle not installed: %s' % ', '.join(missing))
        sys.exit(SKIP)
    if not os.access(VMODES, os.X_OK):
        print('FAIL: no vmodes binary at %s' % VMODES)
        sys.exit(1)


def run(args):
    """(exit code, stdout, stderr) of a program."""
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def cases_wanted(default):
    """How many cases a grid has: VMODES_ORACLE_SCALE (a factor) scales the default."""
    return max(1, int(default * float(os.environ.get('VMODES_ORACLE_SCALE', '1'))))


def rng(name):
    """A reproducible random source per test (VMODES_ORACLE_SEED changes it)."""
    return random.Random('%s-%s' % (name, os.environ.get('VMODES_ORACLE_SEED', '1')))


def parallel(fn, items):
    workers = max(2, (os.cpu_count() or 1) * 2)
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        return list(ex.map(fn, items))


MODELINE = re.compile(r'Modeline\s+"([^"]*)"\s+([\d.]+)\s+(\d+) (\d+) (\d+) (\d+)\s+(\d+) (\d+) (\d+) (\d+)((?:\s+\S+)*)\s*$',
                      re.IGNORECASE)
COMMENT = re.compile(r'#\s*(\d+)x(\d+)\s+(?:@\s+)?([-\d.na]+) Hz \(([^)]*)\) hsync: ([-\d.na]+) kHz; pclk: ([\d.]+) MHz')
FIELDS = ('hdisplay', 'hsync_start', 'hsync_end', 'htotal', 'vdisplay', 'vsync_start', 'vsync_end', 'vtotal')


def parse_modeline(line):
    m = MODELINE.search(line)
    if not m:
        raise ValueError('not a modeline: %r' % line)
    d = dict(zip(FIELDS, map(int, m.groups()[2:10])))
    d['name'] = m.group(1)
    d['clock_khz'] = round(float(m.group(2)) * 1000)
    d['flags'] = sorted(f.lower() for f in m.group(11).split())
    return d


def parse_cvt_output(text):
    """cvt(1)/gtf(1) text -> dict of the comment's and the modeline's values."""
    lines = [l for l in text.splitlines() if l.strip()]
    c = COMMENT.search(lines[0])
    if not c:
        raise ValueError('no comment line in %r' % text)
    d = parse_modeline(lines[1])
    d.update(c_width=int(c.group(1)), c_height=int(c.group(2)), c_refresh=c.group(3), c_label=c.group(4),
             c_hsync=c.group(5), c_pclk=c.group(6))
    return d


