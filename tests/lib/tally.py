# SPDX-License-Identifier: MIT
"""The checks every Python test of vmodes shares: Tally counts many small
cases (the oracle grids, the X-server tests) and prints the failures;
Suite runs named checks, each a function that raises on failure, and
prints one TAP-like line per check; eq/has/lacks are the assertions those
functions use. Both end with "N passed, N failed" and the exit status
automake reads (0 passed, 1 failed; 77 from skip() when a needed program
is missing)."""
import sys
import traceback

SKIP = 77


def skip(why):
    print('SKIP: ' + why)
    sys.exit(SKIP)


class Tally:
    """Counts passes and failures, remembers why, prints the closing line."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.explained = {}
        self.shown = 0

    def ok(self, reason=None):
        self.passed += 1
        if reason:
            self.explained[reason] = self.explained.get(reason, 0) + 1

    def fail(self, case, why):
        self.failed += 1
        if self.shown < 40:
            print('FAIL %s: %s' % (case, why))
            self.shown += 1

    def check(self, case, cond, why):
        """ok() when cond holds, else fail(case, why); returns cond."""
        if cond:
            self.ok()
        else:
            self.fail(case, why)
        return cond

    def finish(self):
        for reason, n in sorted(self.explained.items()):
            print('  %6d cases differ from the oracle, explained: %s' % (n, reason))
        print('%s: %d passed, %d failed' % (self.name, self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


class Suite:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, fn):
        try:
            fn()
        except Exception:
            self.failed += 1
            print('not ok - %s' % name)
            for line in traceback.format_exc().splitlines():
                print('#   ' + line)
        else:
            self.passed += 1
            print('ok - %s' % name)
        sys.stdout.flush()

    def expect(self, name, ok, detail=''):
        """A named check whose outcome is already known: ok, or not ok with
        the detail indented below it. Returns ok."""
        if ok:
            self.passed += 1
            print('ok - ' + name)
        else:
            self.failed += 1
            print('not ok - %s\n#   %s' % (name, str(detail).replace('\n', '\n#   ')))
        sys.stdout.flush()
        return ok

    def finish(self):
        print('%d passed, %d failed' % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def eq(a, b, what=''):
    if a != b:
        raise AssertionError('%s: expected %r, got %r' % (what, b, a))


def has(text, needle, what='output'):
    if needle not in text:
        raise AssertionError('%s lacks %r:\n%s' % (what, needle, text))


def lacks(text, needle, what='output'):
    if needle in text:
        raise AssertionError('%s has %r:\n%s' % (what, needle, text))
