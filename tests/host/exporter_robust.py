#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ccstat export on the host, without BPF (hidden --synthetic N serves N
fake inodes through the same collect/render/HTTP path; its first
filesystem is the working directory's): formats and Accept q-values,
bind address, bad and slow clients, the idle timeout, 500 concurrent
scrapes, scrape time and memory with 10,000 inodes, label values from a
mount point that is not UTF-8, the top-K set chosen on the timer,
SIGTERM, and the atomic --prom-file with its final write at exit.  TAP.

usage: exporter_robust.py CCSTAT [PROMTOOL]
"""
import os
import re
import socket
import subprocess
import sys
import threading
import time

CCSTAT = os.path.abspath(sys.argv[1])
PROMTOOL = sys.argv[2] if len(sys.argv) > 2 else "promtool"
n = failed = 0


def ok(cond, what, diag=""):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {what}", flush=True)
    if diag:
        for line in str(diag).splitlines():
            print(f"# {line}", flush=True)


def diag(what):
    """a measurement: printed, never asserted (tests do not time the machine)"""
    print(f"# {what}", flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start(*args, prefix=()):
    p = subprocess.Popen([*prefix, CCSTAT, "export", *args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p


def utf8(b):
    try:
        b.decode("utf-8", "strict")
        return True
    except UnicodeDecodeError:
        return False


def samples(body):
    """{series: value} of a text-format body"""
    out = {}
    for line in body.decode("utf-8", "replace").splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.rpartition(" ")
            out[k] = float(v)
    return out


def wait_port(port, proc, secs=60):
    end = time.time() + secs
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def http(port, raw, timeout=20):
    s = socket.create_connection(("127.0.0.1", port), timeout)
    s.sendall(raw)
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except socket.timeout:
        pass
    s.close()
    return data


def get(port, path="/metrics", accept=None, method="GET"):
    h = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    if accept:
        h += f"Accept: {accept}\r\n"
    raw = http(port, (h + "\r\n").encode())
    head, _, body = raw.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d+)", head)
    return (int(m.group(1)) if m else 0), head.decode("latin1"), body


def closed_by_peer(s):
    """True if the peer has closed s (a read would return EOF at once)"""
    s.setblocking(False)
    try:
        return s.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        s.setblocking(True)


def listening(pid):
    """local addresses of the LISTEN sockets of process pid"""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            t = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", t)
        if m:
            inodes.add(m.group(1))
    out = []
    for f, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        for line in open(f).readlines()[1:]:
            c = line.split()
            if c[3] == "0A" and c[9] in inodes:
                addr, port = c[1].split(":")
                if not v6:
                    ip = socket.inet_ntoa(bytes.fromhex(addr)[::-1])
                else:
                    ip = addr
                out.append(f"{ip}:{int(port, 16)}")
    return out


def stop(p, what):
    t0 = time.time()
    p.terminate()
    try:
        rc = p.wait(60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "hung"
    ok(rc == 0, f"{what}: SIGTERM ends it cleanly (exit {rc})",
       p.stderr.read().decode() if rc != 0 else "")
    diag(f"{what}: stopped {time.time() - t0:.2f} s after SIGTERM")


print("TAP version 13", flush=True)

# -- bind address: loopback unless told otherwise
for host in ("", "localhost"):
    port = free_port()
    p = start("--synthetic", "10", "--listen", f"{host}:{port}")
    up = wait_port(port, p)
    ok(up and listening(p.pid) == [f"127.0.0.1:{port}"],
       f"--listen {host}:PORT listens on loopback only",
       listening(p.pid) if up else p.stderr.read().decode())
    stop(p, f"{host or 'loopback'} exporter")

# the default port: skipped, before starting, when something holds it
probe = socket.socket()
probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    probe.bind(("127.0.0.1", 9587))
    busy = False
except OSError:
    busy = True
probe.close()
if busy:
    ok(True, "default: 127.0.0.1:9587 only # SKIP port 9587 busy on this host")
    ok(True, "default exporter: SIGTERM ends it cleanly # SKIP port 9587 busy on this host")
else:
    p = start("--synthetic", "10")
    up = wait_port(9587, p)
    ok(up and listening(p.pid) == ["127.0.0.1:9587"],
       "default: 127.0.0.1:9587 only", listening(p.pid) if up else p.stderr.read().decode())
    stop(p, "default exporter")

for bad in (["--listen", "[::1:80"], ["--listen", "127.0.0.1:0"], ["1", "5"],
            ["--top-inodes", "10001"], ["--idle-timeout", "0"]):
    p = start("--synthetic", "1", "--listen", f"127.0.0.1:{free_port()}", *bad)
    try:
        rc = p.wait(60)     # a deadline for a hang, not a speed limit
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = "still running"
    err = p.stderr.read().decode()
    ok(rc == 2 and len(err.splitlines()) == 1 and err.startswith("ccstat: failed to parse"),
       f"export {' '.join(bad)}: usage error, exit 2, one line", err)

p = start("--synthetic", "1", "--listen", f"127.0.0.1:{free_port()}", "--top-inodes", "10001")
try:
    p.wait(60)
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
err = p.stderr.read().decode()
ok("10000" in err, "--top-inodes above the cap: the message names the cap", err)

# -- the main instance: 10,000 inodes, 4 series each.  Its idle timeout
# is raised: stalled and queued clients below must not be dropped for a
# slow machine.
port = free_port()
p = start("--synthetic", "10000", "--top-inodes", "10000", "--idle-timeout", "3600",
          "--listen", f"127.0.0.1:{port}")
ok(wait_port(port, p), "exporter with 10,000 synthetic inodes starts")

st, head, body = get(port)
series = [l for l in body.decode().splitlines() if l and not l.startswith("#")]
ok(st == 200 and "text/plain; version=0.0.4" in head and len(series) > 40000,
   f"text format: 200, {len(series)} series")
r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True)
ok(r.returncode == 0, "promtool check metrics: no errors, no lint problems",
   (r.stdout + r.stderr).decode()[:2000])
inode_fams = [l for l in series if l.startswith("ccstat_inode_gets_total") and 'result="hit"' in l]
ok(len(inode_fams) == 10000 + 2, f"top-inodes: 10,000 inodes + 2 'other' = {len(inode_fams)}")

st, head, body = get(port, accept="application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
ok(st == 200 and "application/openmetrics-text; version=1.0.0" in head and
   body.endswith(b"# EOF\n") and b"# TYPE ccstat_puts counter\n" in body,
   "OpenMetrics when Accept asks for it: TYPE without _total, # EOF")
st, head, body = get(port, accept="application/openmetrics-text;q=0, text/plain")
st2, head2, _ = get(port, accept="application/openmetrics-text;q=0.4, text/plain;version=0.0.4;q=0.5")
st3, head3, _ = get(port, accept="text/plain;q=0.4, application/openmetrics-text;q=0.5")
ok((st, st2, st3) == (200, 200, 200) and "text/plain; version=0.0.4" in head and
   not body.endswith(b"# EOF\n") and "text/plain; version=0.0.4" in head2 and
   "application/openmetrics-text" in head3,
   "Accept q-values: q=0 excludes OpenMetrics, the higher q wins")

st, _, _ = get(port, "/nothing")
st2, head2, _ = get(port, "/metrics", method="POST")
st3, head3, body3 = get(port, "/metrics", method="HEAD")
allow = re.search(r"(?im)^Allow: *(.*?)\r?$", head2)
ok((st, st2, st3) == (404, 405, 200) and body3 == b"",
   f"404 unknown path, 405 POST, HEAD without body ({st}, {st2}, {st3})")
ok(allow is not None and set(m.strip() for m in allow.group(1).split(",")) == {"GET", "HEAD"},
   f"405 carries Allow: GET, HEAD ({allow.group(0).strip() if allow else 'none'})")

# -- scrape time and memory with 10,000 inode series (30,000+ samples)
times = []
for _ in range(5):
    time.sleep(0.3)         # past the 250 ms burst reuse: a real collection
    t0 = time.time()
    get(port)
    times.append(time.time() - t0)
m = re.search(rb"ccstat_scrape_duration_seconds ([0-9.e-]+)", get(port)[2])
rss = [l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS")][0].split()[1]
ok(m is not None, f"5 scrapes of {len(series)} samples, each reports its own duration")
diag(f"scrape of {len(series)} samples: median {sorted(times)[2]*1000:.0f} ms over HTTP, "
     f"render {float(m.group(1))*1000 if m else 0:.1f} ms, RSS {int(rss)//1024} MiB")

# -- malformed requests
bad = [b"\x00\xff\xfe garbage\r\n\r\n",
       b"GET /metrics HTTP/9.9\r\n\r\n",
       b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 200000 + b"\r\n\r\n",
       b"GET " + b"/" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
       b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000,
       b"GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       b"GET /metrics HTTP/1.1\r\nNo colon header\r\n\r\n"]
answers = []
for raw in bad:
    try:
        r = http(port, raw, timeout=3)
        answers.append(r[:12].decode("latin1"))
    except OSError as e:
        answers.append(type(e).__name__)
st, _, _ = get(port)
ok(p.poll() is None and st == 200,
   f"{len(bad)} malformed requests answered or dropped, still serving", "; ".join(answers))

# -- slow clients (slowloris) while scraping
slow = []
for _ in range(50):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\n")
    slow.append(s)
# A stalled client is dropped after the exporter's idle timeout, raised
# to an hour here: they are all still open when the scrape is answered.
t0 = time.time()
st, _, _ = get(port)
still = sum(1 for s in slow if s.fileno() >= 0 and not closed_by_peer(s))
ok(st == 200 and still == len(slow),
   f"a scrape is answered while 50 stalled clients hold their connections ({still} still open)")
diag(f"scrape with 50 stalled clients: {time.time() - t0:.2f} s")
for s in slow:
    s.close()

# -- 500 concurrent scrapes: each client connects and asks at once, all
# released together; every one must get a whole answer.  The deadline is
# for a hung exporter, not a slow machine.
results = []
lock = threading.Lock()
start_line = threading.Barrier(500)


def scrape():
    s = None
    try:
        start_line.wait(600)
        s = socket.create_connection(("127.0.0.1", port), 600)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(1 << 20)
            if not b:
                break
            data += b
        r = "200" if data.startswith(b"HTTP/1.1 200") and b"\nccstat_scrape_duration_seconds " in data else data[:20].decode("latin1") or "closed"
    except (OSError, threading.BrokenBarrierError) as e:
        r = str(e) or type(e).__name__
    if s:
        s.close()
    with lock:
        results.append(r)


t0 = time.time()
threads = [threading.Thread(target=scrape) for _ in range(500)]
for t in threads:
    t.start()
for t in threads:
    t.join(900)
good = sum(1 for r in results if r == "200")
ok(good == 500, f"500 concurrent connections: {good} complete scrapes",
   "; ".join(sorted(set(r for r in results if r != "200")))[:500])
diag(f"500 concurrent scrapes took {time.time() - t0:.1f} s")
st, _, _ = get(port)
ok(p.poll() is None and st == 200, "still serving after the storm")
stop(p, "10,000-series exporter")

# -- the idle timeout: a stalled client of an exporter with
# --idle-timeout 1 is dropped while one of an exporter with an hour's,
# connected before it, is still open (an order, not a time: the
# deadline is for a hang)
port, port_long = free_port(), free_port()
p = start("--synthetic", "1", "--idle-timeout", "1", "--listen", f"127.0.0.1:{port}")
p_long = start("--synthetic", "1", "--idle-timeout", "3600", "--listen", f"127.0.0.1:{port_long}")
ok(wait_port(port, p) and wait_port(port_long, p_long), "exporters with --idle-timeout 1 and 3600 start")
s_long = socket.create_connection(("127.0.0.1", port_long))
s_long.sendall(b"GET /metrics HTTP/1.1\r\n")
time.sleep(0.5)
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /metrics HTTP/1.1\r\n")
end = time.time() + 120
while time.time() < end and not closed_by_peer(s):
    time.sleep(0.1)
ok(closed_by_peer(s) and not closed_by_peer(s_long),
   "--idle-timeout: a stalled client is dropped after 1 s, an earlier one kept under 3600 s")
s.close()
s_long.close()
stop(p, "1 s idle-timeout exporter")
stop(p_long, "3600 s idle-timeout exporter")

# -- label values are UTF-8 whatever the mount point's bytes: the
# synthetic first filesystem is the working directory's, a tmpfs mounted
# (in a private mount namespace) on a directory whose name has a byte
# that is not UTF-8, a quote, a backslash and a newline.  The label must
# be what Python's decoder makes of the name, escaped.
name = b"mnt\xff \"q\\b\nx\xe2\x82"
userns = subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0
if not userns:
    ok(True, "label of a mount point that is not UTF-8 # SKIP no user and mount namespaces (unshare -rm)")
    ok(True, "promtool check metrics with that label # SKIP no user and mount namespaces")
else:
    d = f"/tmp/ccstat-utf8.{os.getpid()}".encode()
    mnt = d + b"/" + name
    os.makedirs(mnt)
    port = free_port()
    p = start("--synthetic", "4", "--top-inodes", "2", "--listen", f"127.0.0.1:{port}",
              prefix=["unshare", "-rm", "sh", "-c",
                      'mount -t tmpfs ccstat-utf8 "$1" && cd "$1" && shift && exec "$@"',
                      "sh", mnt])
    up = wait_port(port, p)
    st, _, body = get(port) if up else (0, "", b"")
    want = mnt.decode("utf-8", "replace").replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    lab = f'mountpoint="{want}"'.encode()
    ok(st == 200 and lab in body and utf8(body),
       "a mount point with \\xff, quote, backslash and newline: label is valid UTF-8, U+FFFD, escaped",
       [l for l in body.decode("utf-8", "replace").splitlines() if "ccstat-utf8" in l][:2] if up else p.stderr.read().decode())
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True)
    ok(st == 200 and r.returncode == 0, "promtool check metrics accepts that body",
       (r.stdout + r.stderr).decode()[:1000])
    stop(p, "non-UTF-8 mount point exporter")
    os.rmdir(mnt)
    os.rmdir(d)

# -- the top-K set: chosen on the interval timer, so two scrapes between
# two choices see the same inodes, although the synthetic busiest inode
# changes at every read of the maps
port = free_port()
p = start("--synthetic", "50", "--top-inodes", "5", "--listen", f"127.0.0.1:{port}", "3600")
ok(wait_port(port, p), "exporter with 50 inodes, top 5, an hour's interval starts")


def inode_set(body):
    return sorted(set(re.findall(rb'ccstat_inode_gets_total\{[^}]*inode="(\d+)"', body)))


sets = []
for _ in range(3):
    time.sleep(0.3)         # past the 250 ms burst reuse: a real collection
    sets.append(inode_set(get(port)[2]))
ok(len(sets[0]) == 5 and sets[0] == sets[1] == sets[2],
   f"three scrapes, one set of 5 inodes ({[b','.join(x).decode() for x in sets]})")
stop(p, "hour-interval top-K exporter")

# The set re-chosen every 0.5 s while scrapes come in: every series only
# grows, and between two scrapes "other" grows by no more than every
# synthetic inode's gets together (it must not get a leaving member's
# count).  Read t is known from the puts (100 a read); inode i has
# t * (i % 7) hits and t + 100 * (its turns) misses, and the turns of all
# inodes add up to t.
port = free_port()
N = 50
p = start("--synthetic", str(N), "--top-inodes", "5", "--listen", f"127.0.0.1:{port}", "0.5")
ok(wait_port(port, p), "exporter with 50 inodes, top 5, re-chosen every 0.5 s starts")


def all_gets(t):
    return t * sum(i % 7 for i in range(N)) + N * t + 100 * t


scrapes = []
end = time.time() + 300
members = set()
while time.time() < end and (len(scrapes) < 10 or len(members) < 10):
    time.sleep(0.3)
    b = get(port)[2]
    scrapes.append(samples(b))
    members |= set(inode_set(b))
back = []
over = []
for a, b in zip(scrapes, scrapes[1:]):
    back += [k for k in a if k in b and b[k] < a[k] and k.split("{")[0].endswith("_total")]
    ta = max(v for k, v in a.items() if k.startswith("ccstat_puts_total") and 'result="stored"' in k) / 100
    tb = max(v for k, v in b.items() if k.startswith("ccstat_puts_total") and 'result="stored"' in k) / 100

    def other(x):
        return sum(v for k, v in x.items() if k.startswith("ccstat_inode_gets_total") and 'inode="other"' in k)
    if other(b) - other(a) > all_gets(tb) - all_gets(ta):
        over.append(f"t {ta:.0f}->{tb:.0f}: other +{other(b) - other(a):.0f}, all inodes +{all_gets(tb) - all_gets(ta):.0f}")
ok(len(members) >= 10, f"the set changed: {len(members)} inodes were members over {len(scrapes)} scrapes")
ok(not back, "every series only grows while the set changes", back[:5])
ok(not over, "other grows by no more than the inodes' gets: no leaving member's count", over[:5])
stop(p, "re-choosing top-K exporter")

# -- --prom-file: atomic rewrites, every interval
d = f"/tmp/ccstat-prom.{os.getpid()}"
os.makedirs(d, exist_ok=True)
path = f"{d}/ccstat.prom"
p = start("--synthetic", "2000", "--top-inodes", "100", "--prom-file", path, "0.02")
# Read until 50 reads have seen 10 versions (the deadline is for a hung
# writer, not a slow machine).
end = time.time() + 300
reads = torn = 0
vals = set()
while time.time() < end and (reads <= 50 or len(vals) <= 10):
    try:
        with open(path, "rb") as f:
            b = f.read()
    except FileNotFoundError:
        continue
    reads += 1
    if not b.rstrip().splitlines()[-1].startswith(b"ccstat_scrape_duration_seconds"):
        torn += 1
    m = re.search(rb"ccstat_gets_total\{[^}]*\} (\d+)", b)
    if m:
        vals.add(int(m.group(1)))
ok(reads > 50 and torn == 0 and len(vals) > 10,
   f"--prom-file: {reads} reads, {torn} torn, {len(vals)} distinct versions")
ok(listening(p.pid) == [], "--prom-file alone opens no socket", listening(p.pid))
r = subprocess.run([PROMTOOL, "check", "metrics"], stdin=open(path, "rb"), capture_output=True)
ok(r.returncode == 0, "the textfile passes promtool check metrics", (r.stdout + r.stderr).decode()[:500])
stop(p, "textfile exporter")
left = os.listdir(d)
os.unlink(path)

# -- the final write: an hour's interval, so the file is written at start
# and, after SIGTERM, at exit; the exit's has the counters read then
p = start("--synthetic", "1", "--prom-file", path, "3600")
end = time.time() + 120
while time.time() < end and not os.path.exists(path):
    time.sleep(0.05)
first = samples(open(path, "rb").read()) if os.path.exists(path) else {}
stop(p, "hour-interval textfile exporter")
last = samples(open(path, "rb").read()) if os.path.exists(path) else {}
key = [k for k in first if k.startswith("ccstat_puts_total") and 'result="stored"' in k][:1]
ok(key and last.get(key[0], 0) > first[key[0]],
   f"--prom-file is written again at exit ({key[0] if key else '?'}: {first.get(key[0]) if key else '?'} -> {last.get(key[0]) if key else '?'})")
left = os.listdir(d)
ok(left == ["ccstat.prom"], "no temporary files left behind", left)
for f in left:
    os.unlink(f"{d}/{f}")
os.rmdir(d)

print(f"1..{n}")
sys.exit(1 if failed else 0)
