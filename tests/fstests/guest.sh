#!/bin/sh
# In the test VM's initramfs (busybox): hand the guest to the Debian root
# on the third disk (/dev/vdc, tests/fstests/rootimg, attached with
# snapshot=on) and run tests/fstests/in-root.sh in it, with the two test
# disks (vda, vdb) unmounted for fstests to use.  fstests.conf (from the
# host) names the filesystem and the tests.
. /run/test/fstests.conf
R=/mnt/root
umount /mnt/ext4 /mnt/btrfs 2>/dev/null
mkdir -p $R
mount -t ext4 /dev/vdc $R || { echo "fstests: failed to mount the Debian root /dev/vdc"; exit 1; }
# bash's process substitution (fstests' diffs of <(...)) needs /dev/fd,
# which devtmpfs does not make; udev would on a booted Debian
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
for d in dev dev/pts proc sys sys/kernel/debug sys/kernel/tracing sys/fs/cgroup; do
	[ -d /$d ] && mkdir -p $R/$d && mount --bind /$d $R/$d
done
mount -t tmpfs tmpfs $R/tmp
mount -t tmpfs tmpfs $R/run
cp /run/test/in-root.sh /run/test/fstests.conf $R/opt/
chroot $R /bin/bash /opt/in-root.sh
rc=$?
sync
exit $rc
