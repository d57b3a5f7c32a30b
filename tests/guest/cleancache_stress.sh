#!/bin/sh
# In-guest: the coherency stress on ext4 and btrfs at once: random read /
# write / O_DIRECT / mmap / truncate / punch on four files each, the page
# cache dropped every 251 operations, a small store so that it evicts;
# every read is checked against an in-memory model.  Zero mismatches, and
# the frontend's counters agree with the store's.  With Xen tmem as the
# store (make soak's Xen lane) the store is the hypervisor's: its
# capacity is Xen's, the knobs below that belong to the local store must
# stay off, and every hypercall outcome, and Xen's own per-pool counts,
# must equal the frontend's.
#
# Knobs, from /run/test/stress.conf (shell assignments):
#   ops=N            operations per filesystem and round (100000)
#   rounds=N         rounds, each with fresh files and its own seed (1);
#                    make soak runs 10 rounds of 100000
#   store_pages=N    the store's capacity, tmem_local.max_size (64 pages)
#   resize=1         meanwhile, set max_size to a random 1..256 pages
#                    every half second (lowering it evicts at once)
#   fail_percent=P   fail P% of the store's allocations with the kernel's
#                    fault injection (needs faults.config, and the boot
#                    option slub_debug=A,tmem_local_page,tmem_local_obj):
#                    failslab on the store's two slab caches (refused
#                    puts) and fail_page_alloc on the pages it allocates
#                    in a put (then it evicts, or refuses when empty)
. /run/test/tap.sh
. /run/test/lib.sh

ops=100000 rounds=1 store_pages=64 resize=0 fail_percent=0
[ -f /run/test/stress.conf ] && . /run/test/stress.conf
backend=$(cat $CC/backend)
case $backend in
tmem_local) ;;
xen_tmem)
	[ "$resize" = 0 ] && [ "$fail_percent" = 0 ] ||
		bail_out "resize and fail_percent act on the local store, not on Xen tmem"
	[ -x $XTS ] || bail_out "xen-tmem-stat not passed as a FILE"
	;;
*)	bail_out "no store to stress (backend '$backend')" ;;
esac
# Two results a round; per filesystem 2 on Xen tmem, 4 on the local
# store (5 with injected failures); Xen's reconcile, or the injected
# failures' 3; the kernel's reports
if [ $backend = xen_tmem ]; then
	plan $(( 2 * rounds + 2 * 2 + 1 + 1 ))
elif [ "$fail_percent" -gt 0 ]; then
	plan $(( 2 * rounds + 2 * 5 + 3 + 1 ))
else
	plan $(( 2 * rounds + 2 * 4 + 1 ))
fi
DBG=/sys/kernel/debug
MAXSIZE=/sys/module/tmem_local/parameters/max_size
# Injected failures are counted down from here (fault_attr "times")
TIMES=1000000000

# sym_range NAME: "START END" of a kernel function, from kallsyms (END is
# the next symbol's address); fixed-width hex compares as text
sym_range() {
	awk -v name="$1" '
		NR == FNR { if ($3 == name && $2 ~ /^[tT]$/) start = $1; next }
		start && $1 > start && (!end || $1 < end) { end = $1 }
		END { if (start && end) print "0x" start, "0x" end }
	' /proc/kallsyms /proc/kallsyms
}

# fault_set CAPABILITY KNOB VALUE
fault_set() {
	echo "$3" > $DBG/$1/$2 || bail_out "failed to set $1/$2 to $3"
}

faults_arm() {
	local c put alloc
	[ -d $DBG/failslab ] && [ -d $DBG/fail_page_alloc ] ||
		bail_out "this kernel has no failslab/fail_page_alloc (build it with kernel/config/faults.config: make kernel-debug)"
	for c in tmem_local_page tmem_local_obj; do
		[ "$(cat /sys/kernel/slab/$c/failslab 2>/dev/null)" = 1 ] ||
			bail_out "slab cache $c is not marked for failslab: boot with slub_debug=A,tmem_local_page,tmem_local_obj"
	done
	# Slab: only the caches marked at boot, i.e. only the store's
	fault_set failslab cache-filter Y
	fault_set failslab verbose 0
	fault_set failslab interval 1
	fault_set failslab times $TIMES
	fault_set failslab probability $fail_percent
	# Pages: order 0 allocated with tmem_local_put_page on the stack,
	# except inside the slab allocator (its own slab pages, kmemleak's
	# metadata): only the store's data pages
	put=$(sym_range tmem_local_put_page)
	alloc=$(sym_range kmem_cache_alloc_noprof)
	[ -n "$put" ] && [ -n "$alloc" ] ||
		bail_out "failed to find tmem_local_put_page or kmem_cache_alloc_noprof in /proc/kallsyms"
	fault_set fail_page_alloc require-start ${put% *}
	fault_set fail_page_alloc require-end ${put#* }
	fault_set fail_page_alloc reject-start ${alloc% *}
	fault_set fail_page_alloc reject-end ${alloc#* }
	fault_set fail_page_alloc min-order 0
	fault_set fail_page_alloc verbose 0
	fault_set fail_page_alloc interval 1
	fault_set fail_page_alloc times $TIMES
	fault_set fail_page_alloc probability $fail_percent
	diag "fault injection: $fail_percent% of the store's slab and page allocations (tmem_local_put_page at $put)"
}

# faults_disarm: stop injecting; print "SLAB PAGES", the failures injected
faults_disarm() {
	fault_set failslab probability 0
	fault_set fail_page_alloc probability 0
	echo "$((TIMES - $(cat $DBG/failslab/times))) $((TIMES - $(cat $DBG/fail_page_alloc/times)))"
}

# snapshot: the counters the assertions compare, as shell assignments
snapshot() {
	local fs pool
	for fs in ext4 btrfs; do
		pool=$(pool_of /mnt/$fs)
		echo "${fs}_puts=$(pstat $pool puts) ${fs}_refused=$(pstat $pool puts_refused)"
		echo "${fs}_hits=$(pstat $pool succ_gets)"
		[ $backend = tmem_local ] &&
			echo "${fs}_tputs=$(tstat $pool puts) ${fs}_tfailed=$(tstat $pool puts_failed)"
	done
	[ $backend = tmem_local ] &&
		echo "puts_failed=$(cat $TL/puts_failed) alloc_failed=$(cat $TL/alloc_failed)"
}

# resize_loop: change the capacity at random until killed
resize_loop() {
	while :; do
		echo $(((RANDOM % 256 + 1) * PAGE)) > $MAXSIZE
		sleep 0.5
	done
}

if [ $backend = xen_tmem ]; then
	snap /tmp/s0
	diag "store: Xen tmem, Xen's own memory"
else
	echo $((store_pages * PAGE)) > $MAXSIZE
fi
snapshot | sed "s/\([a-z0-9_]*=\)/b_\1/g" > /tmp/before
. /tmp/before
[ "$fail_percent" -gt 0 ] && faults_arm
resizer=
if [ "$resize" = 1 ]; then
	resize_loop &
	resizer=$!
	diag "tmem_local.max_size changes to a random 1..256 pages every 0.5 s"
fi

r=1
while [ $r -le $rounds ]; do
	pids=
	for fs in ext4 btrfs; do
		( $CCIO stress /mnt/$fs 4 $ops $((6 + r)) > /tmp/out.$fs 2>&1
		  echo $? > /tmp/rc.$fs ) &
		pids="$pids $!"
	done
	wait $pids
	for fs in ext4 btrfs; do
		what="$fs: $ops random operations, no stale read"
		[ "$rounds" -gt 1 ] && what="$fs: round $r of $rounds: $ops random operations, no stale read"
		is "$(cat /tmp/rc.$fs)" 0 "$what"
		diag "$fs: $(cat /tmp/out.$fs)"
	done
	r=$((r + 1))
done

if [ -n "$resizer" ]; then
	kill $resizer
	wait $resizer 2>/dev/null
	echo $((store_pages * PAGE)) > $MAXSIZE
fi
injected=
[ "$fail_percent" -gt 0 ] && injected=$(faults_disarm)

# A put in flight (reclaim) can sit between the frontend's count and the
# store's: read until two snapshots agree.
for i in 1 2 3 4 5; do
	snapshot > /tmp/after
	sleep 1
	snapshot > /tmp/after2
	cmp -s /tmp/after /tmp/after2 && break
done
. /tmp/after

for fs in ext4 btrfs; do
	pool=$(pool_of /mnt/$fs)
	eval "p=\$((${fs}_puts - b_${fs}_puts)) rf=\$((${fs}_refused - b_${fs}_refused))"
	eval "h=\$((${fs}_hits - b_${fs}_hits))"
	# The stress must have gone through cleancache, or it proves nothing.
	if [ $backend = xen_tmem ]; then
		diag "$fs: cleancache puts $p refused $rf hits $h; Xen pool $pool: $($XTS list | grep "^pool=$pool ")"
		ok $(( h > 0 ? 0 : 1 )) "$fs: the stress was served by Xen tmem"
		# Xen counts from the pool's creation (mount), as the frontend does
		is "puts=$(hvlist $pool good_puts) hits=$(hvlist $pool found_gets)" \
		   "puts=$(pstat $pool puts) hits=$(pstat $pool succ_gets)" \
		   "$fs: Xen's own counts for pool $pool equal the frontend's"
		continue
	fi
	eval "tp=\$((${fs}_tputs - b_${fs}_tputs)) tf=\$((${fs}_tfailed - b_${fs}_tfailed))"
	diag "$fs: cleancache puts $p refused $rf hits $h evictions $(tstat $pool evictions)"
	ok $(( $(tstat $pool evictions) > 0 ? 0 : 1 )) "$fs: the store evicted during the stress"
	ok $(( h > 0 ? 0 : 1 )) "$fs: the stress was served by cleancache"
	is "$tp" "$p" "$fs: every put the store took is counted by the frontend"
	is "$tf" "$rf" "$fs: every put the store refused is counted as refused"
	if [ "$fail_percent" -gt 0 ]; then
		ok $(( rf * 100 >= (p + rf) * 10 ? 0 : 1 )) \
		   "$fs: at least 10% of the puts were refused ($rf of $((p + rf)))"
	fi
done

[ $backend = xen_tmem ] && reconcile "$rounds round(s) of $ops operations per filesystem"
if [ -n "$injected" ]; then
	slab=${injected% *} pages=${injected#* }
	pf=$((puts_failed - b_puts_failed)) af=$((alloc_failed - b_alloc_failed))
	diag "injected failures: $slab slab, $pages page; store: puts_failed $pf alloc_failed $af"
	ok $(( slab > 0 && pages > 0 ? 0 : 1 )) "failures were injected into both kinds of allocation"
	# Each injected slab failure refuses its put; a failed page refuses
	# it only when there is nothing to evict instead.
	ok $(( pf >= slab && pf <= slab + af ? 0 : 1 )) \
	   "every injected slab failure is a refused put ($slab <= $pf <= $slab + $af)"
	# alloc_failed counts every failed allocation of the store: each
	# injected slab failure (failslab hits only the store's caches) and
	# the injected page failures, of which some can hit KASAN's stack
	# depot instead when a put evicts (a free records its stack).
	ok $(( af >= slab && af <= slab + pages ? 0 : 1 )) \
	   "the store counted its failed allocations ($slab <= $af <= $slab + $pages injected)"
fi
dmesg | grep -qE "BUG:|WARNING:|Oops"
ok $((! $?)) "the kernel logged no BUG, WARNING or Oops"
done_testing
exit $?
