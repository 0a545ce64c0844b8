# The guest installation of `make bench-vm`. tests/vm/run installs a build
# into the guest with `make -C DIR install DESTDIR=...`; make bench-vm puts
# this file, after the lines setting BENCH_BUILDDIR, BENCH_SRCDIR and
# BENCH_ROUNDS, into such a DIR: it installs vmodes from the build tree and
# the benchmark tools into $(benchdir).
benchdir = /usr/local/libexec/vmodes-bench

install:
	$(MAKE) -C "$(BENCH_BUILDDIR)" install DESTDIR="$(DESTDIR)"
	mkdir -p "$(DESTDIR)$(benchdir)"
	cp "$(BENCH_BUILDDIR)/tests/bench/bench-floor" "$(BENCH_BUILDDIR)/tests/bench/xcount" \
		"$(BENCH_BUILDDIR)/tests/bench/daemon-ready" "$(BENCH_BUILDDIR)/tests/bench/daemon-ready-libs" \
		"$(BENCH_SRCDIR)/tests/bench/bench-apply.sh" \
		"$(BENCH_SRCDIR)/tests/bench/bench-daemon-vm.sh" "$(DESTDIR)$(benchdir)/"
	echo "$(BENCH_ROUNDS)" >"$(DESTDIR)$(benchdir)/rounds"

.PHONY: install
