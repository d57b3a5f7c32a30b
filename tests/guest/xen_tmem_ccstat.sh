#!/bin/sh
# In-guest, on Xen with tmem: the ccstat counts test (ccstat_counts.sh),
# unchanged, with xen_tmem as the store underneath.
if [ "$(cat /sys/kernel/debug/cleancache/backend)" != xen_tmem ]; then
	echo "Bail out! the store is $(cat /sys/kernel/debug/cleancache/backend), not xen_tmem"
	exit 1
fi
echo "# store: xen_tmem"
exec sh ./ccstat_counts.sh
