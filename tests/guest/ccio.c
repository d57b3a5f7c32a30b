// SPDX-License-Identifier: GPL-2.0
/*
 * ccio: the file operations the in-guest cleancache tests need and busybox
 * lacks (hole punch, O_DIRECT and mmap writes, pattern checks), and the
 * coherency stress: random read / write / truncate / punch / mmap on
 * several files with periodic page-cache drops, every read checked
 * against an in-memory model of what the files must contain.
 *
 *   ccio fill FILE PAGES SEED        write PAGES pages of a seeded pattern
 *   ccio check FILE PAGES SEED       exit 1 unless FILE holds that pattern
 *   ccio pwrite FILE OFF LEN BYTE    write LEN bytes of BYTE at OFF
 *   ccio dwrite FILE OFF LEN BYTE    the same through O_DIRECT
 *   ccio mwrite FILE OFF LEN BYTE    the same through a shared mapping
 *   ccio punch FILE OFF LEN          punch a hole
 *   ccio expect FILE OFF LEN BYTE    exit 1 unless [OFF, OFF+LEN) is BYTE
 *   ccio stress DIR FILES OPS SEED   the coherency stress
 *   ccio runas UID PROG [ARG...]     run PROG as UID (and GID UID), no groups
 *   ccio falloc FILE MODEL MODE OFF LEN
 *                                    fallocate MODE (zero, collapse, insert)
 *                                    on FILE, and the same edit on MODEL
 *   ccio clone SRC SOFF DST DOFF LEN FICLONERANGE (LEN 0: FICLONE, whole file)
 *   ccio dedupe SRC SOFF DST DOFF LEN
 *                                    FIDEDUPERANGE; exit 1 unless deduped
 *   ccio copy SRC SOFF DST DOFF LEN  copy_file_range
 *   ccio encwrite FILE OFF PAGES BYTE
 *                                    btrfs encoded write (zlib) of PAGES pages
 *                                    of BYTE at OFF (BTRFS_IOC_ENCODED_WRITE)
 *   ccio version FILE [GEN]          print the inode generation; set it first
 *                                    if GEN is given (FS_IOC_SETVERSION)
 *   ccio verrace FILE PAGES ROUNDS TOGGLES
 *                                    generation changes racing buffered
 *                                    reads and evictions; exit 1 if a read
 *                                    after a write returns older data
 *   ccio moveext ORIG DONOR PAGES    EXT4_IOC_MOVE_EXT of the first PAGES
 *                                    pages (e4defrag's ioctl); exit 3 if the
 *                                    filesystem has no such ioctl
 *   ccio fibmap FILE BLOCKS          print the disk block of each of the
 *                                    first BLOCKS blocks (FIBMAP)
 *   ccio diorace FILE PAGES ITERS    O_DIRECT writes racing buffered reads
 *                                    and page-cache drops; exit 1 if a read
 *                                    after a write returns older data
 *   ccio mkfiles DIR N               N one-page files DIR/dK/fI, 1000 a folder
 *   ccio readfiles DIR N [FIRST]     read files FIRST.. FIRST+N-1 once
 *   ccio subvol DIR NAME             create btrfs subvolume DIR/NAME
 *   ccio nocow FILE                  create FILE empty with FS_NOCOW_FL
 *                                    (btrfs: no data checksums, so O_DIRECT
 *                                    writes bypass the page cache)
 *   ccio ondisk FILE PAGES           exit 1 unless buffered reads of the
 *                                    first PAGES pages return what O_DIRECT
 *                                    reads from the disk
 *   ccio anon PAGES SEED             fill PAGES pages of anonymous memory
 *                                    with a seeded pattern, then check them
 *                                    (in a small memory cgroup: via swap)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sched.h>
#include <linux/btrfs.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE		4096L
#define MAX_PAGES	256	/* per stress file: 1 MiB */

static void die(const char *what, const char *obj)
{
	fprintf(stderr, "ccio: failed to %s %s: %s\n", what, obj,
		strerror(errno));
	exit(2);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic for a seed, good enough for tests */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned char pattern_byte(long page, long off, unsigned long seed)
{
	return (unsigned char)((page * 131 + off * 7 + seed * 31) ^ (page >> 3));
}

static void pattern_page(unsigned char *buf, long page, unsigned long seed)
{
	long i;

	for (i = 0; i < PAGE; i++)
		buf[i] = pattern_byte(page, i, seed);
}

static int cmd_fill(const char *file, long pages, unsigned long seed)
{
	unsigned char buf[PAGE];
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long p;

	if (fd < 0)
		die("open", file);
	for (p = 0; p < pages; p++) {
		pattern_page(buf, p, seed);
		if (write(fd, buf, PAGE) != PAGE)
			die("write", file);
	}
	if (fsync(fd) || close(fd))
		die("sync", file);
	return 0;
}

static int cmd_check(const char *file, long pages, unsigned long seed)
{
	unsigned char want[PAGE], got[PAGE];
	int fd = open(file, O_RDONLY);
	long p, bad = 0;

	if (fd < 0)
		die("open", file);
	for (p = 0; p < pages; p++) {
		pattern_page(want, p, seed);
		if (pread(fd, got, PAGE, p * PAGE) != PAGE)
			die("read", file);
		if (memcmp(want, got, PAGE)) {
			if (!bad)
				fprintf(stderr, "ccio: %s: page %ld differs\n",
					file, p);
			bad++;
		}
	}
	close(fd);
	if (bad)
		fprintf(stderr, "ccio: %s: %ld of %ld pages differ\n", file,
			bad, pages);
	return bad ? 1 : 0;
}

/* Buffered reads against O_DIRECT reads: the page cache (and what fills
 * it, cleancache) must hold what the disk holds. */
static int cmd_ondisk(const char *file, long pages)
{
	int fd = open(file, O_RDONLY), dfd = open(file, O_RDONLY | O_DIRECT);
	unsigned char buf[PAGE];
	void *disk;
	long p, bad = 0;

	if (fd < 0 || dfd < 0)
		die("open", file);
	if (posix_memalign(&disk, PAGE, PAGE))
		die("allocate", "buffer");
	for (p = 0; p < pages; p++) {
		if (pread(dfd, disk, PAGE, p * PAGE) != PAGE)
			die("read (O_DIRECT)", file);
		if (pread(fd, buf, PAGE, p * PAGE) != PAGE)
			die("read", file);
		if (memcmp(buf, disk, PAGE)) {
			if (!bad)
				fprintf(stderr, "ccio: %s: page %ld differs from the disk\n",
					file, p);
			bad++;
		}
	}
	if (bad)
		fprintf(stderr, "ccio: %s: %ld of %ld pages differ from the disk\n",
			file, bad, pages);
	free(disk);
	close(fd);
	close(dfd);
	return bad ? 1 : 0;
}

static int cmd_anon(long pages, unsigned long seed)
{
	unsigned char *mem, want[PAGE];
	long p, bad = 0;

	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("map", "anonymous memory");
	for (p = 0; p < pages; p++)
		pattern_page(mem + p * PAGE, p, seed);
	for (p = 0; p < pages; p++) {
		pattern_page(want, p, seed);
		bad += !!memcmp(mem + p * PAGE, want, PAGE);
	}
	if (bad)
		fprintf(stderr, "ccio: %ld of %ld anonymous pages differ\n",
			bad, pages);
	munmap(mem, pages * PAGE);
	return bad ? 1 : 0;
}

/* how: 'w' write(), 'd' O_DIRECT (fd opened so), 'm' shared mapping */
static void write_through(int how, int fd, const char *file, long off,
			  long len, int byte, int sync_map)
{
	void *buf;

	if (how == 'd') {
		/* O_DIRECT wants aligned buffers, offsets and lengths */
		if (posix_memalign(&buf, PAGE, len))
			die("allocate", "buffer");
		memset(buf, byte, len);
		if (pwrite(fd, buf, len, off) != len)
			die("write (O_DIRECT)", file);
		free(buf);
	} else if (how == 'm') {
		struct stat st;
		long start = off & ~(PAGE - 1);
		char *map;

		if (fstat(fd, &st))
			die("stat", file);
		if (st.st_size < off + len && ftruncate(fd, off + len))
			die("extend", file);
		map = mmap(NULL, off + len - start, PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, start);
		if (map == MAP_FAILED)
			die("mmap", file);
		memset(map + (off - start), byte, len);
		if (sync_map && msync(map, off + len - start, MS_SYNC))
			die("msync", file);
		munmap(map, off + len - start);
	} else {
		buf = malloc(len);
		if (!buf)
			die("allocate", "buffer");
		memset(buf, byte, len);
		if (pwrite(fd, buf, len, off) != len)
			die("write", file);
		free(buf);
	}
}

static int cmd_write(int how, const char *file, long off, long len, int byte)
{
	int fd = open(file, O_RDWR | O_CREAT | (how == 'd' ? O_DIRECT : 0),
		      0644);

	if (fd < 0)
		die("open", file);
	write_through(how, fd, file, off, len, byte, 1);
	if (fsync(fd) || close(fd))
		die("sync", file);
	return 0;
}

static int cmd_punch(const char *file, long off, long len)
{
	int fd = open(file, O_RDWR);

	if (fd < 0)
		die("open", file);
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len))
		die("punch a hole in", file);
	close(fd);
	return 0;
}

static int cmd_expect(const char *file, long off, long len, int byte)
{
	unsigned char *buf = malloc(len);
	int fd = open(file, O_RDONLY);
	long i;

	if (fd < 0 || !buf)
		die("open", file);
	if (pread(fd, buf, len, off) != len)
		die("read", file);
	for (i = 0; i < len; i++) {
		if (buf[i] != (unsigned char)byte) {
			fprintf(stderr, "ccio: %s: byte %ld is %#x, want %#x\n",
				file, off + i, buf[i], byte);
			return 1;
		}
	}
	close(fd);
	free(buf);
	return 0;
}

/* Read a whole (small) file; *len gets its size. */
static unsigned char *slurp(const char *file, long *len)
{
	int fd = open(file, O_RDONLY);
	unsigned char *buf;
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		die("open", file);
	buf = calloc(1, st.st_size + 1);
	if (!buf || pread(fd, buf, st.st_size, 0) != st.st_size)
		die("read", file);
	close(fd);
	*len = st.st_size;
	return buf;
}

static void spill(const char *file, const unsigned char *buf, long len)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, buf, len) != len || close(fd))
		die("write", file);
}

/* fallocate MODE on FILE; apply what it means for the data to MODEL. */
static int cmd_falloc(const char *file, const char *model, const char *mode,
		      long off, long len)
{
	long size, nsize;
	unsigned char *old = slurp(model, &size), *new;
	int fd = open(file, O_RDWR), flags;

	if (fd < 0)
		die("open", file);
	new = calloc(1, size + len);
	if (!new)
		die("allocate", "model");
	if (!strcmp(mode, "zero")) {
		flags = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
		memcpy(new, old, size);
		memset(new + off, 0, off + len > size ? size - off : len);
		nsize = size;
	} else if (!strcmp(mode, "collapse")) {
		flags = FALLOC_FL_COLLAPSE_RANGE;
		memcpy(new, old, off);
		memcpy(new + off, old + off + len, size - off - len);
		nsize = size - len;
	} else if (!strcmp(mode, "insert")) {
		flags = FALLOC_FL_INSERT_RANGE;
		memcpy(new, old, off);
		memcpy(new + off + len, old + off, size - off);
		nsize = size + len;
	} else {
		fprintf(stderr, "ccio: unknown fallocate mode '%s'\n", mode);
		exit(2);
	}
	if (fallocate(fd, flags, off, len)) {
		if (errno == EOPNOTSUPP) {
			printf("unsupported\n");
			return 3;
		}
		die("fallocate", file);
	}
	if (fsync(fd) || close(fd))
		die("sync", file);
	spill(model, new, nsize);
	free(old);
	free(new);
	return 0;
}

static int cmd_clone(const char *src, long soff, const char *dst, long doff,
		     long len)
{
	int sfd = open(src, O_RDONLY), dfd = open(dst, O_RDWR);
	struct file_clone_range r = {
		.src_fd = sfd, .src_offset = soff, .src_length = len,
		.dest_offset = doff,
	};

	if (sfd < 0 || dfd < 0)
		die("open", dst);
	if (len ? ioctl(dfd, FICLONERANGE, &r) : ioctl(dfd, FICLONE, sfd)) {
		if (errno == EOPNOTSUPP || errno == EXDEV) {
			printf("unsupported\n");
			return 3;
		}
		die("clone into", dst);
	}
	if (fsync(dfd))
		die("sync", dst);
	close(sfd);
	close(dfd);
	return 0;
}

static int cmd_dedupe(const char *src, long soff, const char *dst, long doff,
		      long len)
{
	struct file_dedupe_range *r = calloc(1, sizeof(*r) +
					     sizeof(struct file_dedupe_range_info));
	int sfd = open(src, O_RDONLY), dfd = open(dst, O_RDWR);

	if (!r || sfd < 0 || dfd < 0)
		die("open", dst);
	r->src_offset = soff;
	r->src_length = len;
	r->dest_count = 1;
	r->info[0].dest_fd = dfd;
	r->info[0].dest_offset = doff;
	if (ioctl(sfd, FIDEDUPERANGE, r)) {
		if (errno == EOPNOTSUPP || errno == EINVAL) {
			printf("unsupported\n");
			return 3;
		}
		die("dedupe into", dst);
	}
	close(sfd);
	close(dfd);
	if (r->info[0].status != FILE_DEDUPE_RANGE_SAME ||
	    r->info[0].bytes_deduped != (uint64_t)len) {
		fprintf(stderr, "ccio: dedupe: status %d, %llu bytes\n",
			r->info[0].status,
			(unsigned long long)r->info[0].bytes_deduped);
		return 1;
	}
	free(r);
	return 0;
}

static int cmd_copy(const char *src, long soff, const char *dst, long doff,
		    long len)
{
	int sfd = open(src, O_RDONLY), dfd = open(dst, O_RDWR);
	loff_t so = soff, dof = doff;

	if (sfd < 0 || dfd < 0)
		die("open", dst);
	while (len > 0) {
		ssize_t n = copy_file_range(sfd, &so, dfd, &dof, len, 0);

		if (n <= 0)
			die("copy_file_range into", dst);
		len -= n;
	}
	if (fsync(dfd))
		die("sync", dst);
	close(sfd);
	close(dfd);
	return 0;
}

/* A deflate bit stream: bits go in LSB first, Huffman codes MSB first. */
struct bits {
	unsigned char *buf;
	long nbits;
};

static void put_bits(struct bits *b, unsigned int v, int n)
{
	while (n--) {
		if (v & 1)
			b->buf[b->nbits / 8] |= 1 << (b->nbits % 8);
		b->nbits++;
		v >>= 1;
	}
}

static void put_code(struct bits *b, unsigned int code, int n)
{
	while (n--)
		put_bits(b, (code >> n) & 1, 1);
}

/* A length of 3..258 as its fixed-Huffman code, extra bits, distance 1 */
static void put_match(struct bits *b, int len)
{
	static const int base[] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17,
		19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
		227, 258 };
	int i = 28, sym, extra;

	while (base[i] > len)
		i--;
	sym = 257 + i;
	extra = i < 8 || i == 28 ? 0 : (i - 4) / 4;
	if (sym < 280)
		put_code(b, sym - 256, 7);
	else
		put_code(b, 0xc0 + sym - 280, 8);
	put_bits(b, len - base[i], extra);
	put_code(b, 0, 5);	/* distance code 0: distance 1 */
}

/*
 * zlib stream of LEN bytes of BYTE: one fixed-Huffman block, a literal
 * and then matches at distance 1.  Return: its size.
 */
static long zlib_constant(unsigned char *out, long len, int byte)
{
	struct bits b = { out + 2, 0 };
	uint32_t a = 1, s2 = 0;
	long left = len - 1, i, n;

	out[0] = 0x78;
	out[1] = 0x01;
	put_bits(&b, 1, 1);	/* BFINAL */
	put_bits(&b, 1, 2);	/* BTYPE 01: fixed Huffman */
	if (byte < 144)
		put_code(&b, 0x30 + byte, 8);
	else
		put_code(&b, 0x190 + byte - 144, 9);
	while (left > 0) {
		int m = left > 258 ? 258 : left;

		if (left - m > 0 && left - m < 3)
			m -= 3;
		put_match(&b, m);
		left -= m;
	}
	put_code(&b, 0, 7);	/* end of block */
	n = 2 + (b.nbits + 7) / 8;
	for (i = 0; i < len; i++) {
		a = (a + byte) % 65521;
		s2 = (s2 + a) % 65521;
	}
	a |= s2 << 16;
	out[n++] = a >> 24;
	out[n++] = a >> 16;
	out[n++] = a >> 8;
	out[n++] = a;
	return n;
}

static int cmd_encwrite(const char *file, long off, long pages, int byte)
{
	static unsigned char z[PAGE];
	struct btrfs_ioctl_encoded_io_args args;
	struct iovec iov;
	int fd = open(file, O_WRONLY);

	if (fd < 0)
		die("open", file);
	memset(z, 0, sizeof(z));
	memset(&args, 0, sizeof(args));
	iov.iov_base = z;
	iov.iov_len = zlib_constant(z, pages * PAGE, byte);
	args.iov = &iov;
	args.iovcnt = 1;
	args.offset = off;
	args.len = pages * PAGE;
	args.unencoded_len = pages * PAGE;
	args.compression = BTRFS_ENCODED_IO_COMPRESSION_ZLIB;
	if (ioctl(fd, BTRFS_IOC_ENCODED_WRITE, &args) < 0) {
		if (errno == ENOTTY || errno == EOPNOTSUPP) {
			printf("unsupported\n");
			return 3;
		}
		die("write (encoded) to", file);
	}
	if (fsync(fd) || close(fd))
		die("sync", file);
	return 0;
}

static int cmd_version(const char *file, const char *gen)
{
	int fd = open(file, O_RDONLY);
	long v;

	if (fd < 0)
		die("open", file);
	if (gen) {
		v = strtol(gen, NULL, 0);
		if (ioctl(fd, FS_IOC_SETVERSION, &v))
			die("set the generation of", file);
	}
	if (ioctl(fd, FS_IOC_GETVERSION, &v))
		die("get the generation of", file);
	printf("%ld\n", v & 0xffffffffL);
	close(fd);
	return 0;
}

/* EXT4_IOC_MOVE_EXT's argument (fs/ext4/ext4.h; not in the uapi headers) */
struct ext4_move_extent {
	uint32_t reserved;
	uint32_t donor_fd;
	uint64_t orig_start;	/* in blocks */
	uint64_t donor_start;
	uint64_t len;
	uint64_t moved_len;
};
#define EXT4_IOC_MOVE_EXT	_IOWR('f', 15, struct ext4_move_extent)

static int cmd_moveext(const char *orig, const char *donor, long pages)
{
	int ofd = open(orig, O_RDWR), dfd = open(donor, O_RDWR);
	struct ext4_move_extent me = { 0 };
	struct stat st;

	if (ofd < 0)
		die("open", orig);
	if (dfd < 0 || fstat(dfd, &st))
		die("open", donor);
	me.donor_fd = dfd;
	me.len = pages * (PAGE / st.st_blksize);
	if (ioctl(ofd, EXT4_IOC_MOVE_EXT, &me)) {
		if (errno == ENOTTY || errno == EOPNOTSUPP)
			return 3;
		die("move the extents of", orig);
	}
	printf("moved=%llu\n", (unsigned long long)me.moved_len);
	close(ofd);
	close(dfd);
	return me.moved_len == me.len ? 0 : 1;
}

static void set_version(int fd, long gen, const char *file)
{
	if (ioctl(fd, FS_IOC_SETVERSION, &gen))
		die("set the generation of", file);
}

/*
 * The generation is part of a file's cleancache key.  A child reads the
 * file's pages, one at a time, and evicts each at once (puts), while the
 * generation takes TOGGLES new values (FS_IOC_SETVERSION).  Then, with
 * the child paused, new data is written, and the generation is set back
 * to each value of the round in turn, the file evicted and read: a put
 * that read a generation just before it changed, and stored under it
 * after that change's invalidation, left older data that must not be
 * found when the generation comes back.
 */
/*
 * A racing reader child's side of the pause handshake in ctl[] (shared
 * memory): ctl[0] is 0 to run, 1 to pause, 2 to exit; ctl[1] is the
 * child's ack of a pause.  Returns 1 while paused (the caller loops).
 */
static int reader_paused(volatile int *ctl)
{
	if (ctl[0]) {
		ctl[1] = 1;
		if (ctl[0] == 2)
			_exit(0);
		sched_yield();
		return 1;
	}
	ctl[1] = 0;
	return 0;
}

static int cmd_verrace(const char *file, long pages, long rounds,
		       long toggles)
{
	volatile int *ctl = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long len = pages * PAGE, r, t, j, bad = 0, gen, changes = 0;
	unsigned char *buf = malloc(len), *rbuf = malloc(len);
	int fd, status;
	pid_t child;

	if (ctl == MAP_FAILED || !buf || !rbuf)
		die("allocate", "buffers");
	memset(buf, 0, len);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || pwrite(fd, buf, len, 0) != len || fsync(fd))
		die("create", file);
	if (ioctl(fd, FS_IOC_GETVERSION, &gen))
		die("get the generation of", file);
	gen &= 0xffffffffL;
	ctl[0] = 1;	/* 0: run, 1: pause, 2: exit */
	ctl[1] = 0;	/* the child's ack of a pause */
	child = fork();
	if (child < 0)
		die("fork", "reader");
	if (!child) {
		for (;;) {
			if (reader_paused(ctl))
				continue;
			/* A burst of puts: one eviction of every page */
			if (pread(fd, rbuf, len, 0) < 0)
				_exit(2);
			posix_fadvise(fd, 0, len, POSIX_FADV_DONTNEED);
		}
	}
	for (r = 1; r <= rounds && !bad; r++) {
		long base = gen + (r - 1) * (toggles + 1);

		ctl[1] = 0;
		ctl[0] = 0;
		for (t = 1; t <= toggles; t++, changes++)
			set_version(fd, (base + t) & 0xffffffffL, file);
		ctl[0] = 1;
		while (!ctl[1])
			sched_yield();
		/* Whole pages: nothing is read, the old copies stay put. */
		memset(buf, r & 0xff, len);
		if (pwrite(fd, buf, len, 0) != len || fsync(fd))
			die("write", file);
		for (t = 0; t < toggles && bad < 3; t++, changes++) {
			/* Evict under the key in force, then change it. */
			posix_fadvise(fd, 0, len, POSIX_FADV_DONTNEED);
			set_version(fd, (base + t) & 0xffffffffL, file);
			if (pread(fd, rbuf, len, 0) != len)
				die("read", file);
			for (j = 0; j < len; j += PAGE) {
				if (rbuf[j] == (unsigned char)(r & 0xff))
					continue;
				fprintf(stderr, "ccio: %s: round %ld generation +%ld page %ld is %#x, not %#lx: stale\n",
					file, r, t, j / PAGE, rbuf[j], r & 0xff);
				bad++;
			}
		}
		set_version(fd, (base + toggles + 1) & 0xffffffffL, file);
		changes++;
	}
	ctl[0] = 2;
	waitpid(child, &status, 0);
	printf("rounds=%ld generation_changes=%ld stale_pages=%ld\n", r - 1,
	       changes, bad);
	close(fd);
	return bad ? 1 : 0;
}

static int cmd_nocow(const char *file)
{
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644), flags = 0;

	if (fd < 0)
		die("create", file);
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		die("get the flags of", file);
	flags |= FS_NOCOW_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags))
		die("set FS_NOCOW_FL on", file);
	close(fd);
	return 0;
}

static int cmd_fibmap(const char *file, long blocks)
{
	int fd = open(file, O_RDONLY);
	long i;

	if (fd < 0)
		die("open", file);
	for (i = 0; i < blocks; i++) {
		int blk = i;

		if (ioctl(fd, FIBMAP, &blk))
			die("map a block of", file);
		printf("%d\n", blk);
	}
	close(fd);
	return 0;
}

/*
 * O_DIRECT writes of a new byte to PAGES pages while a child reads the
 * same pages, one at a time, through the page cache and drops each again
 * at once (fadvise DONTNEED: eviction, so cleancache puts).  After each
 * write the child pauses, the file is evicted, and a buffered read must
 * return the new byte: a copy that the child's read cached during the
 * write must not survive it.
 */
static int cmd_diorace(const char *file, long pages, long iters)
{
	volatile int *ctl = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long len = pages * PAGE, i, j, bad = 0;
	unsigned char *buf, *rbuf = malloc(len);
	int fd, dfd, status;
	pid_t child;

	if (ctl == MAP_FAILED || !rbuf || posix_memalign((void **)&buf, PAGE, len))
		die("allocate", "buffers");
	memset(buf, 0, len);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	dfd = open(file, O_RDWR | O_DIRECT);
	if (fd < 0 || dfd < 0 || pwrite(dfd, buf, len, 0) != len)
		die("create", file);
	ctl[0] = 0;	/* 1: pause, 2: exit */
	ctl[1] = 0;	/* the child's ack of a pause */
	rng_state = 1;
	child = fork();
	if (child < 0)
		die("fork", "reader");
	if (!child) {
		/* No readahead: only the page read is cached, and dropped */
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
		for (;;) {
			if (reader_paused(ctl))
				continue;
			/* One page at a time: cached only for a moment */
			j = (rng() % pages) * PAGE;
			if (pread(fd, rbuf, PAGE, j) < 0)
				_exit(2);
			posix_fadvise(fd, j, PAGE, POSIX_FADV_DONTNEED);
		}
	}
	for (i = 1; i <= iters && bad < 3; i++) {
		memset(buf, i & 0xff, len);
		if (pwrite(dfd, buf, len, 0) != len)
			die("write (O_DIRECT)", file);
		ctl[0] = 1;
		while (!ctl[1])
			sched_yield();
		/* Evicted first: the read goes to cleancache, then disk. */
		posix_fadvise(fd, 0, len, POSIX_FADV_DONTNEED);
		if (pread(fd, rbuf, len, 0) != len)
			die("read", file);
		for (j = 0; j < len; j++) {
			if (rbuf[j] != (unsigned char)(i & 0xff)) {
				fprintf(stderr, "ccio: %s: after write %ld byte %ld is %#x: stale\n",
					file, i, j, rbuf[j]);
				bad++;
				break;
			}
		}
		/* Evict what the check read, then let the reader go on. */
		posix_fadvise(fd, 0, len, POSIX_FADV_DONTNEED);
		ctl[0] = 0;
	}
	ctl[0] = 2;
	waitpid(child, &status, 0);
	printf("iterations=%ld stale=%ld\n", i - 1, bad);
	close(fd);
	close(dfd);
	return bad ? 1 : 0;
}

/* ---- coherency stress ---- */

struct model {
	char path[512];
	int fd;		/* buffered and mmap I/O */
	int dfd;	/* O_DIRECT */
	long size;
	unsigned char data[MAX_PAGES * PAGE];
};

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	/* 1: the page cache (the files stay open: their inodes stay anyway) */
	sync();
	if (fd < 0 || write(fd, "1", 1) != 1)
		die("write", "/proc/sys/vm/drop_caches");
	close(fd);
}

static long stress_read(struct model *m, unsigned char *buf, long *mismatch)
{
	long off = m->size ? rng() % m->size : 0;
	long len = 1 + rng() % (8 * PAGE), got, i;

	got = pread(m->fd, buf, len, off);
	if (got < 0)
		die("read", m->path);
	if (got != (off + len > m->size ? m->size - off : len) && m->size) {
		fprintf(stderr, "ccio: %s: short read %ld at %ld (size %ld)\n",
			m->path, got, off, m->size);
		(*mismatch)++;
	}
	for (i = 0; i < got; i++) {
		if (buf[i] != m->data[off + i]) {
			fprintf(stderr, "ccio: %s: stale byte at %ld: %#x, want %#x\n",
				m->path, off + i, buf[i], m->data[off + i]);
			(*mismatch)++;
			break;
		}
	}
	return got;
}

static void stress_write(struct model *m, int how)
{
	long max = MAX_PAGES * PAGE;
	long off, len;
	int byte = rng() & 0xff;

	if (how == 'd') {
		off = (rng() % MAX_PAGES) * PAGE;
		len = (1 + rng() % 4) * PAGE;
	} else {
		off = rng() % max;
		len = 1 + rng() % (4 * PAGE);
	}
	if (off + len > max)
		len = max - off;
	/* Mapped writes reach the disk at the next drop's sync. */
	write_through(how, how == 'd' ? m->dfd : m->fd, m->path, off, len,
		      byte, 0);
	memset(m->data + off, byte, len);
	if (off + len > m->size)
		m->size = off + len;
}

static void stress_truncate(struct model *m)
{
	long size = rng() % (MAX_PAGES * PAGE);

	if (ftruncate(m->fd, size))
		die("truncate", m->path);
	if (size > m->size)
		memset(m->data + m->size, 0, size - m->size);
	else
		memset(m->data + size, 0, m->size - size);
	m->size = size;
}

static void stress_punch(struct model *m)
{
	long off, len;

	if (!m->size)
		return;
	off = rng() % m->size;
	len = 1 + rng() % (8 * PAGE);
	if (off + len > m->size)
		len = m->size - off;
	if (fallocate(m->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
		      len))
		die("punch a hole in", m->path);
	memset(m->data + off, 0, len);
}

static int cmd_stress(const char *dir, int files, long ops, unsigned long seed)
{
	static unsigned char buf[8 * PAGE];
	long op, mismatch = 0, counts[8] = { 0 };
	struct model *m;
	int f;

	rng_state = seed * 2654435761UL + 1;
	m = calloc(files, sizeof(*m));
	if (!m)
		die("allocate", "model");
	for (f = 0; f < files; f++) {
		snprintf(m[f].path, sizeof(m[f].path), "%s/stress.%d", dir, f);
		m[f].fd = open(m[f].path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		m[f].dfd = open(m[f].path, O_RDWR | O_DIRECT);
		if (m[f].fd < 0 || m[f].dfd < 0)
			die("create", m[f].path);
	}
	for (op = 0; op < ops && mismatch < 10; op++) {
		struct model *mf = &m[rng() % files];
		int kind = rng() % 100;

		if (op && op % 251 == 0) {
			drop_caches();
			counts[7]++;
		}
		if (kind < 45) {
			stress_read(mf, buf, &mismatch);
			counts[0]++;
		} else if (kind < 70) {
			stress_write(mf, 'w');
			counts[1]++;
		} else if (kind < 78) {
			stress_write(mf, 'd');
			counts[2]++;
		} else if (kind < 86) {
			stress_write(mf, 'm');
			counts[3]++;
		} else if (kind < 93) {
			stress_truncate(mf);
			counts[4]++;
		} else {
			stress_punch(mf);
			counts[5]++;
		}
	}
	/* A last full pass over every file after a final drop. */
	drop_caches();
	for (f = 0; f < files; f++) {
		long off;

		for (off = 0; off < m[f].size; off += sizeof(buf)) {
			int fd = open(m[f].path, O_RDONLY);
			long got = pread(fd, buf, sizeof(buf), off);

			close(fd);
			if (got < 0 || memcmp(buf, m[f].data + off, got)) {
				fprintf(stderr, "ccio: %s: final check differs near %ld\n",
					m[f].path, off);
				mismatch++;
				break;
			}
		}
		close(m[f].fd);
		close(m[f].dfd);
		unlink(m[f].path);
	}
	printf("ops=%ld reads=%ld writes=%ld dio=%ld mmap=%ld truncates=%ld punches=%ld drops=%ld mismatches=%ld\n",
	       op, counts[0], counts[1], counts[2], counts[3], counts[4],
	       counts[5], counts[7], mismatch);
	free(m);
	return mismatch ? 1 : 0;
}

static long num(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < 0) {
		fprintf(stderr, "ccio: failed to parse number '%s'\n", s);
		exit(2);
	}
	return v;
}

/* DIR/d<i / 1000>/f<i>: many files, no folder too big */
static void many_path(char *buf, size_t len, const char *dir, long i,
		      bool folder)
{
	if (folder)
		snprintf(buf, len, "%s/d%ld", dir, i / 1000);
	else
		snprintf(buf, len, "%s/d%ld/f%ld", dir, i / 1000, i);
}

static int cmd_many(const char *dir, long first, long n, bool make)
{
	unsigned char buf[PAGE];
	char path[4096];
	long i;
	int fd;

	if (make && mkdir(dir, 0755) && errno != EEXIST)
		die("create", dir);
	for (i = first; i < first + n; i++) {
		if (make && i % 1000 == 0) {
			many_path(path, sizeof(path), dir, i, true);
			if (mkdir(path, 0755) && errno != EEXIST)
				die("create", path);
		}
		many_path(path, sizeof(path), dir, i, false);
		fd = open(path, make ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY,
			  0644);
		if (fd < 0)
			die("open", path);
		if (make) {
			memset(buf, (int)(i & 0xff), sizeof(buf));
			if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
				die("write", path);
		} else if (read(fd, buf, sizeof(buf)) < 0) {
			die("read", path);
		}
		close(fd);
	}
	return 0;
}

/* What `btrfs subvolume create` does, for a guest without btrfs-progs */
static int cmd_subvol(const char *dir, const char *name)
{
	struct btrfs_ioctl_vol_args args = {};
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		die("open", dir);
	snprintf(args.name, sizeof(args.name), "%s", name);
	if (ioctl(fd, BTRFS_IOC_SUBVOL_CREATE, &args))
		die("create subvolume", name);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "fill") && argc == 5)
		return cmd_fill(argv[2], num(argv[3]), num(argv[4]));
	if (!strcmp(cmd, "check") && argc == 5)
		return cmd_check(argv[2], num(argv[3]), num(argv[4]));
	if ((!strcmp(cmd, "pwrite") || !strcmp(cmd, "dwrite") ||
	     !strcmp(cmd, "mwrite")) && argc == 6)
		return cmd_write(cmd[0] == 'p' ? 'w' : cmd[0], argv[2],
				 num(argv[3]), num(argv[4]), num(argv[5]));
	if (!strcmp(cmd, "punch") && argc == 5)
		return cmd_punch(argv[2], num(argv[3]), num(argv[4]));
	if (!strcmp(cmd, "expect") && argc == 6)
		return cmd_expect(argv[2], num(argv[3]), num(argv[4]),
				  num(argv[5]));
	if (!strcmp(cmd, "stress") && argc == 6)
		return cmd_stress(argv[2], num(argv[3]), num(argv[4]),
				  num(argv[5]));
	if (!strcmp(cmd, "runas") && argc >= 4) {
		uid_t id = num(argv[2]);

		if (setgroups(0, NULL) || setgid(id) || setuid(id))
			die("drop privileges to", argv[2]);
		execv(argv[3], argv + 3);
		die("run", argv[3]);
	}
	if (!strcmp(cmd, "falloc") && argc == 7)
		return cmd_falloc(argv[2], argv[3], argv[4], num(argv[5]),
				  num(argv[6]));
	if ((!strcmp(cmd, "clone") || !strcmp(cmd, "dedupe") ||
	     !strcmp(cmd, "copy")) && argc == 7) {
		int (*fn)(const char *, long, const char *, long, long) =
			cmd[0] == 'c' ? (cmd[1] == 'l' ? cmd_clone : cmd_copy) :
			cmd_dedupe;

		return fn(argv[2], num(argv[3]), argv[4], num(argv[5]),
			  num(argv[6]));
	}
	if (!strcmp(cmd, "encwrite") && argc == 6)
		return cmd_encwrite(argv[2], num(argv[3]), num(argv[4]),
				    num(argv[5]));
	if (!strcmp(cmd, "version") && (argc == 3 || argc == 4))
		return cmd_version(argv[2], argc == 4 ? argv[3] : NULL);
	if (!strcmp(cmd, "verrace") && argc == 6)
		return cmd_verrace(argv[2], num(argv[3]), num(argv[4]),
				   num(argv[5]));
	if (!strcmp(cmd, "moveext") && argc == 5)
		return cmd_moveext(argv[2], argv[3], num(argv[4]));
	if (!strcmp(cmd, "fibmap") && argc == 4)
		return cmd_fibmap(argv[2], num(argv[3]));
	if (!strcmp(cmd, "nocow") && argc == 3)
		return cmd_nocow(argv[2]);
	if (!strcmp(cmd, "ondisk") && argc == 4)
		return cmd_ondisk(argv[2], num(argv[3]));
	if (!strcmp(cmd, "anon") && argc == 4)
		return cmd_anon(num(argv[2]), num(argv[3]));
	if (!strcmp(cmd, "diorace") && argc == 5)
		return cmd_diorace(argv[2], num(argv[3]), num(argv[4]));
	if (!strcmp(cmd, "subvol") && argc == 4)
		return cmd_subvol(argv[2], argv[3]);
	if (!strcmp(cmd, "mkfiles") && argc == 4)
		return cmd_many(argv[2], 0, num(argv[3]), true);
	if (!strcmp(cmd, "readfiles") && (argc == 4 || argc == 5))
		return cmd_many(argv[2], argc == 5 ? num(argv[4]) : 0,
				num(argv[3]), false);
	fprintf(stderr, "usage: ccio fill|check|pwrite|dwrite|mwrite|punch|expect|"
		"stress|runas|mkfiles|readfiles|subvol|falloc|clone|dedupe|copy|"
		"encwrite|version|verrace|moveext|fibmap|diorace|nocow|ondisk|anon ...\n");
	return 2;
}
