# ccstat: cleancache restored on Linux 6.12, observed with eBPF.
#
#   make demo     install dependencies, build, boot the VM, show ccstat live
#   make test     every test: unit, checkpatch, KUnit, in-VM integration
#                 (STRICT=1: any skipped test fails the run)
#   make bench    benchmarks that print numbers
#   make test-debug  the in-VM suites on a lockdep/KASAN/kmemleak kernel
#   make deb      the ccstat Debian package, in build/deb/
#   make soak     the coherency stress for 1,000,000 operations per filesystem,
#                 on the local store and on Xen tmem
#
# The kernel is built out of tree under KBUILD_ROOT (outside the
# repository, next to the ccache cache), so that a clone anywhere on the
# machine reuses it.

KBUILD_ROOT ?= $(HOME)/.cache/ccstat/kbuild
KSRC   := $(KBUILD_ROOT)/linux
KOUT   := $(KBUILD_ROOT)/out
KERNEL := $(KOUT)/arch/x86/boot/bzImage
export KSRC KOUT KERNEL
# The debug kernel: same source tree, its own build directory and config
KOUT_DEBUG := $(KBUILD_ROOT)/out-debug
KERNEL_DEBUG := $(KOUT_DEBUG)/arch/x86/boot/bzImage
DEBUG_FRAGMENTS := $(addprefix $(CURDIR)/kernel/config/,ccstat-vm.config \
	xen-guest.config faults.config debug.config)

BUILD := $(CURDIR)/build
GUEST_CFLAGS := -O2 -g -Wall -Wextra -static

.PHONY: all deps kernel kernel-debug kernel-series tools guest test test-% \
	test-debug test-faults soak bench demo install deb clean

all: kernel tools guest

deps:
	scripts/install-deps

kernel: deps
	kernel/scripts/prepare
	kernel/scripts/build

kernel-debug: deps
	kernel/scripts/prepare
	KOUT=$(KOUT_DEBUG) KCONFIG_FRAGMENTS="$(DEBUG_FRAGMENTS)" kernel/scripts/build

kernel-series: kernel
	kernel/scripts/export-series $(BUILD)/series

tools: deps
	$(MAKE) -C tools

guest: $(BUILD)/guest/ccio $(BUILD)/guest/xen-tmem-stat $(BUILD)/guest/ccstat-jsoncheck

$(BUILD)/guest/ccio: tests/guest/ccio.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

# The checker of ccstat's JSON records, with tests/json's schema built in
$(BUILD)/guest/ccstat-jsoncheck: tests/json/jsoncheck.c tests/json/ccstat-records.json tools/json_writer.c tools/json_writer.h
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' tests/json/ccstat-records.json >$(@D)/ccstat-records.json.h
	$(CC) $(GUEST_CFLAGS) -I$(@D) -o $@ tests/json/jsoncheck.c tools/json_writer.c

# A thin front end to ccstat's own reader of Xen's tmem sysctl
$(BUILD)/guest/xen-tmem-stat: tests/xen/xen-tmem-stat.c tools/xen_tmem.c tools/xen_tmem.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ tests/xen/xen-tmem-stat.c tools/xen_tmem.c

# STRICT=1: every skip fails the run (CI, where the environment is complete)
STRICT ?= 0
RUN_ALL := tests/run-all$(if $(filter 1,$(STRICT)), --strict)

test: all
	$(RUN_ALL)

# make test-SUITE runs one suite of tests/run-all, e.g. make test-kunit
test-%: all
	$(RUN_ALL) $*

# Every in-VM suite and the fault suite on the debug kernel; any kernel
# report (lockdep, KASAN, kmemleak, WARNING, BUG) fails the run
test-debug: kernel-debug tools guest
	KOUT=$(KOUT_DEBUG) KERNEL=$(KERNEL_DEBUG) tests/run-all --debug

# The fault-injection suite alone (it needs the debug kernel's config)
test-faults: kernel-debug tools guest
	KOUT=$(KOUT_DEBUG) KERNEL=$(KERNEL_DEBUG) tests/run-all --debug faults

# Not part of make test: on the local store (25 minutes under TCG on a
# shared 2-core host), then on Xen tmem, the real hypervisor (soak-xen,
# 42 minutes)
soak: all
	tests/run-all soak soak-xen

bench: all
	bench/run

demo: all
	tests/vm/run tests/demo/demo.sh tools/ccstat-static build/guest/ccio \
		tests/guest/lib.sh

install:
	$(MAKE) -C tools install

# The ccstat package (dpkg-buildpackage; debian/), not the kernel's
deb:
	scripts/build-deb $(BUILD)/deb

clean:
	$(MAKE) -C tools clean
	rm -rf $(BUILD)
