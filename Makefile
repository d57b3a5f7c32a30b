# ccstat: cleancache restored on Linux 6.12, observed with eBPF.
#
#   make demo     install dependencies, build, boot the VM, show ccstat live
#   make test     every test: unit, checkpatch, KUnit, in-VM integration
#   make bench    benchmarks that print numbers
#
# The kernel is built out of tree under KBUILD_ROOT (outside the
# repository, next to the ccache cache), so that a clone anywhere on the
# machine reuses it.

KBUILD_ROOT ?= $(HOME)/.cache/ccstat/kbuild
KSRC   := $(KBUILD_ROOT)/linux
KOUT   := $(KBUILD_ROOT)/out
KERNEL := $(KOUT)/arch/x86/boot/bzImage
export KSRC KOUT KERNEL

BUILD := $(CURDIR)/build
GUEST_CFLAGS := -O2 -g -Wall -Wextra -static

.PHONY: all deps kernel kernel-series tools guest test test-% bench demo \
	install clean

all: kernel tools guest

deps:
	scripts/install-deps

kernel: deps
	kernel/scripts/prepare
	kernel/scripts/build

kernel-series: kernel
	kernel/scripts/export-series $(BUILD)/series

tools: deps
	$(MAKE) -C tools

guest: $(BUILD)/guest/ccio $(BUILD)/guest/xen-tmem-stat

$(BUILD)/guest/ccio: tests/guest/ccio.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

$(BUILD)/guest/xen-tmem-stat: tests/xen/xen-tmem-stat.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

test: all
	tests/run-all

# make test-SUITE runs one suite of tests/run-all, e.g. make test-kunit
test-%: all
	tests/run-all $*

bench: all
	bench/run

demo: all
	tests/vm/run tests/demo/demo.sh tools/ccstat-static build/guest/ccio \
		tests/guest/lib.sh

install:
	$(MAKE) -C tools install

clean:
	$(MAKE) -C tools clean
	rm -rf $(BUILD)
