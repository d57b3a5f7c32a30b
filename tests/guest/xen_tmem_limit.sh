#!/bin/sh
# In-guest, on Xen with tmem and little memory left to Xen (the suite
# boots it with fewer MiB free in Xen than the file set): every page
# leaving the page cache is offered to Xen, which keeps what fits (when
# full it evicts its oldest ephemeral pages, or answers -ENOMEM); the
# guest counts every refusal and miss, the counts reconcile with the
# hypercalls', and no read is ever stale.  Also run with tmem_compress=1.
# Conf (limit.conf): MB, the file set in MiB; ops, stress operations;
# expect: "partial" (Xen keeps some of the file set, not all), "all" or
# "any" (no expectation: the suite compares runs).
. /run/test/tap.sh
. /run/test/lib.sh

MB=96
ops=5000
expect=partial
[ -f /run/test/limit.conf ] && . /run/test/limit.conf
# 12; 4 under ccstat analyze when it is passed; "partial" 4 more, and 1
# more under analyze; "all" 1 more
analyze=0
[ -x /run/test/ccstat-static ] && analyze=1
case $expect in
partial) plan $(( 12 + 4 * analyze + 4 + analyze )) ;;
all) plan $(( 12 + 4 * analyze + 1 )) ;;
*) plan $(( 12 + 4 * analyze )) ;;
esac
N=$((MB * 256))
m=/mnt/ext4

is "$(cat $CC/backend)" xen_tmem "Xen tmem is the cleancache store"
free=$($XTS free | sed -n 's/.*free_mb=\([0-9]*\).*/\1/p')
diag "Xen: $($XTS free); the file set: $MB MiB"
[ "$expect" = partial ] &&
	ok $((free < MB ? 0 : 1)) "Xen has less memory free ($free MiB) than the file set ($MB MiB)"
pool=$(pool_of $m)
$CCIO fill $m/big $N 51
ok $? "a $MB MiB file set is written"
evicted() { $XTS global | sed -n 's/.*evicted=\([0-9]*\).*/\1/p'; }
snap /tmp/s0
ev0=$(evicted) held0=$(hvpool $pool pages)
drop
snap /tmp/s1
put=$(sdelta cc_puts) refused=$(sdelta cc_puts_refused)
ev=$(( $(evicted) - ev0 )) held=$(( $(hvpool $pool pages) - held0 ))
is "$((put + refused))" $N "every one of the $N evicted pages was offered to Xen"
diag "puts: $put stored, $refused refused ($(sdelta xt_puts_refused) declined, $(sdelta xt_errors_enomem) -ENOMEM)"
diag "Xen: holds $held of them, evicted $ev; tmem-wide: $($XTS global)"
is "$((held + ev))" "$put" "Xen holds every page it stored but the ones it evicted ($held + $ev)"
[ "$expect" = partial ] &&
	ok $((ev > 0 ? 0 : 1)) "when full, Xen evicts its oldest pages to make room ($ev)"
reconcile "eviction at Xen's limit"

snap /tmp/s0
$CCIO check $m/big $N 51
ok $? "the file set reads back intact"
snap /tmp/s1
hit=$(sdelta cc_succ_gets) miss=$(sdelta cc_failed_gets)
is "$((hit + miss))" $N "every page read asked Xen first"
is "$hit" "$held" "every page Xen held was a hit, every other a miss"
case $expect in
partial)
	ok $((hit < N ? 0 : 1)) "Xen could not keep the whole file set ($hit of $N pages hit)"
	ok $((hit > 0 ? 0 : 1)) "... but kept part of it" ;;
all)
	is $hit $N "Xen kept the whole file set" ;;
any) ;;
esac
diag "gets: $hit hits, $miss misses; Xen kept about $((hit / 256)) MiB"
echo "@@xen-tmem-limit hits=$hit misses=$miss puts=$put refused=$refused pages=$N@@"
reconcile "re-read at Xen's limit"

# ccstat analyze on Xen: the same drop and re-read, watched.  Xen evicts
# inside the hypervisor and says nothing, so a page stored while ccstat
# watched and missed later counts as evicted, reason "silent".
if [ -x /run/test/ccstat-static ]; then
	dev=$(awk -v d=$m '$5 == d { print $3; exit }' /proc/self/mountinfo)
	/run/test/ccstat-static -j analyze --dev "$dev" -- sh -c \
		". /run/test/lib.sh; drop; $CCIO check $m/big $N 51" \
		2>/tmp/an.json >/dev/null
	is $? 0 "under ccstat analyze the file set reads back intact"
	# an: KEY of the report's total (its first), or cause KEY
	an() {
		sed -n 's/.*"total":{\(.*\)/\1/p' /tmp/an.json | tr ',{}[]' '\n\n\n\n\n' |
			sed -n 's/^"'"$1"'":\([0-9.]*\)$/\1/p' | head -n 1
	}
	cause() {
		sed -n 's/.*"total":{.*"misses_by_cause":{\([^}]*\)}.*/\1/p' /tmp/an.json |
			tr ',' '\n' | sed -n 's/^"'"$1"'":\([0-9.]*\)$/\1/p'
	}
	silent=$(sed -n 's/.*"total":{.*"evictions":{\([^}]*\)}.*/\1/p' /tmp/an.json |
		tr ',' '\n' | sed -n 's/^"silent":\([0-9]*\)$/\1/p')
	diag "analyze on Xen: $(an misses) misses: cold $(cause cold), evicted $(cause evicted) (silent $silent), refused $(cause refused), invalidated $(cause invalidated); $(an hits) hits"
	is "$(cause invalidated)" 0 "no miss is called invalidated: nothing was flushed"
	is "$(( $(an misses) - $(cause cold) ))" "$(( $(cause evicted) + $(cause refused) ))" \
		"every miss of a page put while ccstat watched was evicted by Xen or refused"
	is "$silent" "$(cause evicted)" "... and Xen's evictions are the silent kind (no event from the hypervisor)"
	[ "$expect" = partial ] &&
		ok $(( $(cause evicted) > 0 ? 0 : 1 )) "at Xen's limit some misses are evictions ($(cause evicted))"
fi

# Coherency with Xen full (the file set put again) and evicting
drop
snap /tmp/s0
mkdir -p $m/stress
$CCIO stress $m/stress 4 $ops 11 > /tmp/out 2>&1
is $? 0 "$ops random operations with Xen full, no stale read"
diag "$(cat /tmp/out)"
reconcile "coherency stress at Xen's limit"
rm -r $m/big $m/stress
dmesg | grep -qE "BUG:|WARNING:|Oops"
ok $((! $?)) "the kernel logged no BUG, WARNING or Oops"
done_testing
exit $?
