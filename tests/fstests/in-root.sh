#!/bin/bash
# In the fstests guest's Debian root (tests/fstests/guest.sh chroots
# here): run fstests' ./check on FS with TEST_DEV and SCRATCH_DEV on the
# test VM's two disks, while the page cache is dropped every second so
# that the tests' clean pages are evicted (put into cleancache) and read
# back (got from it).  Prints, for the host (tests/fstests/run):
#   @@fstests cleancache puts=N hits=N   (puts=- hits=- without cleancache)
#   @@fstests ran|notrun|failed TEST...  from ./check's summary
#   @@fstests check-exit N
. /opt/fstests.conf
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
case $FS in
ext4)  test_dev=/dev/vda scratch_dev=/dev/vdb ;;
btrfs) test_dev=/dev/vdb scratch_dev=/dev/vda ;;
*)     echo "fstests: unknown FS=$FS"; exit 1 ;;
esac
mkdir -p /mnt/test /mnt/scratch
cat >/opt/fstests/local.config <<CONF
export FSTYP=$FS
export TEST_DEV=$test_dev
export TEST_DIR=/mnt/test
export SCRATCH_DEV=$scratch_dev
export SCRATCH_MNT=/mnt/scratch
CONF

cc=/sys/kernel/debug/cleancache
counters() {
	if [ -r $cc/puts ]; then
		echo "$(cat $cc/puts) $(cat $cc/succ_gets)"
	else
		echo "- -"
	fi
}
read -r puts0 hits0 <<<"$(counters)"
(while :; do echo 1 >/proc/sys/vm/drop_caches; sleep 1; done) &
dropper=$!
cd /opt/fstests || { echo "fstests: no /opt/fstests in the root"; exit 1; }
# shellcheck disable=SC2086 # one word a test
./check $TESTS 2>&1 | tee /tmp/check.out
rc=${PIPESTATUS[0]}
kill $dropper
read -r puts1 hits1 <<<"$(counters)"
if [ "$puts0" = - ]; then
	echo "@@fstests cleancache puts=- hits=-"
else
	echo "@@fstests cleancache puts=$((puts1 - puts0)) hits=$((hits1 - hits0))"
fi
sed -n -e 's/^Ran: */@@fstests ran /p' -e 's/^Not run: */@@fstests notrun /p' \
	-e 's/^Failures: */@@fstests failed /p' /tmp/check.out
echo "@@fstests check-exit $rc"
exit 0
