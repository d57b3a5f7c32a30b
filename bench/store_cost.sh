#!/bin/sh
# Benchmark (in the VM): what a put and a get cost per page through the
# store cleancache uses, read from /proc/uptime around whole phases: a
# drop of PAGES cached clean pages (PAGES puts) and a re-read of them
# (PAGES gets, all hits), three passes.  The suite boots it on Xen with
# xen_tmem (hypercalls), then with xen_tmem.cleancache=0 (the local
# store) in the same kind of guest; the times include the page cache's
# own work, the same in both.
. /run/test/lib.sh
m=/mnt/ext4
pages=${PAGES:-8192}	# 32 MiB
store=$(cat $CC/backend)
$CCIO fill $m/cost $pages 1
drop
cat $m/cost > /dev/null		# warm: pages in the page cache
pool=$(pool_of $m)
now() { awk '{ print $1 }' /proc/uptime; }
us_per_page() { awk -v a=$1 -v b=$2 -v n=$pages 'BEGIN { printf "%.2f", (b - a) * 1e6 / n }'; }
for pass in 1 2 3; do
	p0=$(pstat $pool puts) h0=$(pstat $pool succ_gets)
	t0=$(now); drop; t1=$(now)
	cat $m/cost > /dev/null; t2=$(now)
	echo "bench store_cost store=$store pass=$pass pages=$pages puts=$(( $(pstat $pool puts) - p0 )) hits=$(( $(pstat $pool succ_gets) - h0 )) put_us=$(us_per_page $t0 $t1) get_us=$(us_per_page $t1 $t2)"
done
rm $m/cost
