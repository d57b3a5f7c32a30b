#!/bin/sh
# In-guest self-test of the VM harness. Run it with:
#   tests/vm/run tests/vm/selftest.sh tests/lib/tap.sh
# Checks the mounts the harness promises, that files arrive in /run/test
# with their executable bits, and that each filesystem stores data.
. ./tap.sh
plan 17

# fstype DIR: filesystem type mounted exactly at DIR ("" if none).
fstype() {
	awk -v d="$1" '$2 == d { t = $3 } END { print t }' /proc/mounts
}

is "$(pwd)" /run/test "script runs in /run/test"
is "$(id -u)" 0 "script runs as root"

is "$(fstype /mnt/ext4)" ext4 "ext4 /dev/vda mounted at /mnt/ext4"
is "$(fstype /mnt/btrfs)" btrfs "btrfs /dev/vdb mounted at /mnt/btrfs"
is "$(fstype /sys/kernel/debug)" debugfs "debugfs at /sys/kernel/debug"
is "$(fstype /sys/kernel/tracing)" tracefs "tracefs at /sys/kernel/tracing"
is "$(fstype /sys/fs/cgroup)" cgroup2 "cgroup2 at /sys/fs/cgroup"
is "$(fstype /dev)" devtmpfs "devtmpfs at /dev"
is "$(fstype /tmp)" tmpfs "tmpfs at /tmp"
is "$(fstype /run)" tmpfs "tmpfs at /run"
grep -qw memory /sys/fs/cgroup/cgroup.controllers
ok $? "cgroup2 offers the memory controller"

test -f /run/test/tap.sh
ok $? "FILE argument tap.sh arrived in /run/test"
test -x /run/test/selftest.sh
ok $? "executable bit of selftest.sh kept"
test -d /vmtest
ok $((!$?)) "staging dir /vmtest cleaned up"

# Round-trip 1 MiB of random data through each filesystem.
dd if=/dev/urandom of=/tmp/ref bs=64k count=16 2>/dev/null
for dir in /mnt/ext4 /mnt/btrfs /tmp; do
	mkdir -p "$dir"
	cp /tmp/ref "$dir/data" && sync && cmp -s /tmp/ref "$dir/data"
	ok $? "write and read back a file on $dir ($(fstype "$dir"))"
	rm -f "$dir/data"
done

done_testing
