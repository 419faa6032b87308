/* SPDX-License-Identifier: ISC */
/*
 * ratelimit.c — the host-wide fixed-window rate limiter: a state file
 * mapped MAP_SHARED by every worker, holding a table of counters that
 * threads of all processes update with lock-free 64-bit atomics.
 *
 * File format (host-local, native byte order):
 *	struct rl_header (64 bytes): magic, version, slot count, SipHash key
 *	slots × struct rl_slot (16 bytes): key hash, state
 * A slot stores the 64-bit keyed hash of its key, never the key, so the
 * file holds no user ids or addresses. state packs the end of the slot's
 * window (high 32 bits, seconds on a wrapping 32-bit clock) and the hits
 * counted in it (low 32 bits). The end rather than the start is stored so
 * that whether a window is over does not depend on the window length of
 * whichever caller looks at the slot.
 *
 * Ownership protocol. key_hash and state are two words and cannot be
 * changed together, so a key's slot is only ever given to another key
 * through a "frozen" state, which owners never touch:
 *	1. CAS state: (window over) -> FROZEN(now + RL_FREEZE_SECS)
 *	2. CAS key_hash: old -> new
 *	3. CAS state: FROZEN -> first hit of the new key's window
 * An owner loads state, then checks key_hash, then CASes state; a takeover
 * that slipped in between changed state, so that CAS fails. A worker
 * killed between 1 and 3 leaves the slot frozen only until the freeze
 * runs out; after that it is over like any other window and is taken
 * again. Nothing is ever locked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ratelimit.h"

/* Atomics are only address-free (work through two mappings of one page,
 * in two processes) when they are lock-free; a libatomic lock would live
 * in each process's own memory. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
_Static_assert(UINT_MAX == UINT32_MAX, "limit and window are packed as 32 bits");

#define RL_MAGIC   "LORLIM\r\n" /* CR LF: a text-mode copy is not mistaken for ours */
#define RL_VERSION 1u

/* Slots probed from a key's home slot: two cache lines. */
#define RL_PROBE 8u

/* A count no owner ever stores marks a slot being handed over. */
#define RL_FROZEN UINT32_MAX
/* Longest a takeover may take before the slot is taken from under it. */
#define RL_FREEZE_SECS 2u

#define RL_LIMIT_MAX (UINT32_MAX - 1)
/* Window ends are compared on a wrapping 32-bit clock, which is only
 * ordered for differences below 2^31. */
#define RL_WINDOW_MAX (1u << 30)

/* Waiting for a slot another thread is handing over: yield a few times,
 * then sleep briefly; past RL_PATIENT_ROUNDS (some tens of milliseconds)
 * the handover is presumed dead and the slot is ignored. */
#define RL_YIELD_ROUNDS	  16u
#define RL_PATIENT_ROUNDS (RL_YIELD_ROUNDS + 400u)
#define RL_MAX_ROUNDS	  (RL_PATIENT_ROUNDS + 16u)
#define RL_SLEEP_NS	  50000L

struct rl_header {
	char magic[8];
	uint32_t version;
	uint32_t slots;
	unsigned char key[crypto_shorthash_KEYBYTES];
	unsigned char reserved[32];
};
_Static_assert(sizeof(struct rl_header) == 64, "header keeps slots cache-line aligned");

struct rl_slot {
	_Atomic uint64_t key_hash; /* 0: never used */
	_Atomic uint64_t state;
};
_Static_assert(sizeof(struct rl_slot) == 16, "slot layout is part of the file format");

struct ratelimit {
	void *map;
	size_t maplen;
	struct rl_slot *slots;
	size_t mask;
	unsigned char key[crypto_shorthash_KEYBYTES];
};

enum probe {
	PROBE_DONE,    /* verdict written */
	PROBE_RACE,    /* lost a race; look again */
	PROBE_TRANSIT, /* a slot is being handed over; it may become ours */
	PROBE_FULL,    /* every probed slot is live and taken */
};

static void fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static size_t
file_size(unsigned int slots)
{
	return sizeof(struct rl_header) + (size_t)slots * sizeof(struct rl_slot);
}

/*
 * Open path and lock it. Whoever replaces a bad file does so holding the
 * lock on the old inode, so after getting the lock check that path still
 * names what was opened; if not, open the new file.
 */
static int
open_locked(const char *path, char *err, size_t errlen)
{
	struct stat a, b;
	int fd;

	for (int tries = 0; tries < 100; tries++) {
		if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) == -1)
			goto fail;
		while (flock(fd, LOCK_EX) == -1)
			if (errno != EINTR)
				goto fail;
		if (fstat(fd, &a) == -1)
			goto fail;
		if (lstat(path, &b) == -1) {
			if (errno != ENOENT)
				goto fail;
		} else if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return fd;
		close(fd);
		fd = -1;
	}
	fail(err, errlen, "%s: keeps being replaced", path);
	return -1;
fail:
	fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * 1 when fd holds a state file of this version for slots keys that only
 * we can read (a key others could read lets them craft collisions), with
 * its hash key in key; 0 when it must be replaced.
 */
static int
header_ok(int fd, const struct stat *st, unsigned int slots, unsigned char *key)
{
	struct rl_header h;
	int ok;

	/* The size first: the header's slot count is only believed once
	 * the file is big enough to hold that many. */
	if ((st->st_mode & 077) != 0 || st->st_size < 0 ||
	    (uint64_t)st->st_size != (uint64_t)file_size(slots))
		return 0;
	ok = pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	     memcmp(h.magic, RL_MAGIC, sizeof(h.magic)) == 0 && h.version == RL_VERSION &&
	     h.slots == slots;
	if (ok)
		memcpy(key, h.key, sizeof(h.key));
	sodium_memzero(&h, sizeof(h));
	return ok;
}

/*
 * Write a fresh state file beside path and rename it over path. Processes
 * mapping the old inode keep their (now private) table. Returns an fd on
 * the new file, with its hash key in key, or -1.
 */
static int
replace(const char *path, unsigned int slots, unsigned char *key, char *err, size_t errlen)
{
	struct rl_header h;
	size_t tlen = strlen(path) + sizeof(".XXXXXX");
	char *tmp;
	int fd = -1;

	if ((tmp = malloc(tlen)) == NULL) {
		fail(err, errlen, "%s: out of memory", path);
		return -1;
	}
	snprintf(tmp, tlen, "%s.XXXXXX", path);
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RL_MAGIC, sizeof(h.magic));
	h.version = RL_VERSION;
	h.slots = slots;
	randombytes_buf(h.key, sizeof(h.key));

	/* mkostemp creates the file 0600. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		fail(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	/* Sparse zeros: every slot empty. A short pwrite on a regular
	 * file means the disk is full. */
	errno = ENOSPC;
	if (ftruncate(fd, (off_t)file_size(slots)) == -1 ||
	    pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || rename(tmp, path) == -1) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	memcpy(key, h.key, sizeof(h.key));
	sodium_memzero(&h, sizeof(h));
	free(tmp);
	return fd;
fail:
	sodium_memzero(&h, sizeof(h));
	if (fd != -1)
		close(fd);
	free(tmp);
	return -1;
}

struct ratelimit *
ratelimit_open(const char *path, unsigned int slots, char *err, size_t errlen)
{
	struct ratelimit *rl = NULL;
	struct stat st;
	int fd = -1, fresh = -1;
	void *map;

	if (slots < RATELIMIT_SLOTS_MIN || slots > RATELIMIT_SLOTS_MAX ||
	    (slots & (slots - 1)) != 0) {
		fail(err, errlen, "%s: slots must be a power of two in %u..%u", path,
		    RATELIMIT_SLOTS_MIN, RATELIMIT_SLOTS_MAX);
		return NULL;
	}
	if (sodium_init() < 0) {
		fail(err, errlen, "%s: libsodium failed to initialise", path);
		return NULL;
	}
	if ((rl = calloc(1, sizeof(*rl))) == NULL) {
		fail(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if ((fd = open_locked(path, err, errlen)) == -1)
		goto fail;
	if (fstat(fd, &st) == -1) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		fail(err, errlen, "%s: owned by another user", path);
		goto fail;
	}
	/* Still holding the lock on the old inode: openers waiting for it
	 * will see that path has moved on and follow. */
	if (!header_ok(fd, &st, slots, rl->key) &&
	    (fresh = replace(path, slots, rl->key, err, errlen)) == -1)
		goto fail;

	rl->maplen = file_size(slots);
	map =
	    mmap(NULL, rl->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fresh != -1 ? fresh : fd, 0);
	if (map == MAP_FAILED) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	rl->map = map;
	rl->slots = (struct rl_slot *)((char *)map + sizeof(struct rl_header));
	rl->mask = (size_t)slots - 1;
	if (!atomic_is_lock_free(&rl->slots[0].state)) {
		fail(err, errlen, "%s: 64-bit atomics are not lock-free here", path);
		goto fail;
	}
	/* The mapping outlives the descriptors. It also holds a reference to
	 * the open file, so closing fd alone would keep its flock for as
	 * long as the mapping lives, and every later opener (a reload, a
	 * sibling process) would wait for it forever: unlock explicitly. */
	if (fresh != -1)
		close(fresh);
	flock(fd, LOCK_UN);
	close(fd);
	return rl;
fail:
	if (fresh != -1)
		close(fresh);
	if (fd != -1)
		close(fd);
	ratelimit_close(rl);
	return NULL;
}

void
ratelimit_close(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	if (rl->map != NULL)
		munmap(rl->map, rl->maplen);
	sodium_memzero(rl, sizeof(*rl));
	free(rl);
}

static uint64_t
key_hash(const struct ratelimit *rl, const void *key, size_t keylen)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, keylen != 0 ? key : (const void *)"", keylen, rl->key);
	memcpy(&h, out, sizeof(h));
	/* 0 marks a slot never used. */
	return h != 0 ? h : 1;
}

size_t
ratelimit_slot_of(const struct ratelimit *rl, const void *key, size_t keylen)
{
	return (size_t)(key_hash(rl, key, keylen) & rl->mask);
}

static uint64_t
pack(uint32_t end, uint32_t count)
{
	return (uint64_t)end << 32 | count;
}

static uint32_t
state_end(uint64_t st)
{
	return (uint32_t)(st >> 32);
}

static uint32_t
state_count(uint64_t st)
{
	return (uint32_t)st;
}

static int
is_frozen(uint64_t st)
{
	return state_count(st) == RL_FROZEN;
}

/* The window (or freeze) of st has ended at t: t >= end on a clock that
 * wraps every 2^32 s (serial-number arithmetic, as in RFC 1982). An empty
 * slot (count 0) has no window. */
static int
is_over(uint64_t st, uint32_t t)
{
	return state_count(st) == 0 || (uint32_t)(t - state_end(st)) < 0x80000000u;
}

static void
verdict(struct rl_verdict *v, int allowed, uint32_t limit, uint32_t count, uint32_t left)
{
	v->allowed = allowed;
	v->limit = limit;
	v->remaining = allowed ? limit - count : 0;
	v->reset = left;
	v->retry_after = allowed ? 0 : left;
}

/*
 * Count a hit in s, which held h when probed. 1 with the verdict written;
 * 0 when the slot turned out not to be h's (handed over meanwhile).
 */
static int
count_hit(struct rl_slot *s, uint64_t h, uint32_t limit, uint32_t window, uint32_t t,
    struct rl_verdict *v)
{
	uint64_t st = atomic_load(&s->state);
	uint32_t end, count;

	for (;;) {
		/* key_hash after state: see the ownership protocol above. */
		if (is_frozen(st) || atomic_load(&s->key_hash) != h)
			return 0;
		if (is_over(st, t)) {
			end = t + window;
			count = 1;
		} else if (state_count(st) >= limit) {
			/* Refusals are not counted: the window end stays put. */
			verdict(v, 0, limit, 0, state_end(st) - t);
			return 1;
		} else {
			end = state_end(st);
			count = state_count(st) + 1;
		}
		if (atomic_compare_exchange_weak(&s->state, &st, pack(end, count))) {
			verdict(v, 1, limit, count, end - t);
			return 1;
		}
	}
}

/* Give s, whose window is over (state st, key_hash k), to h with its
 * first hit. 0 when another thread got there first. */
static int
take_over(struct rl_slot *s, uint64_t st, uint64_t k, uint64_t h, uint32_t limit, uint32_t window,
    uint32_t t, struct rl_verdict *v)
{
	uint64_t frozen = pack(t + RL_FREEZE_SECS, RL_FROZEN);

	if (!atomic_compare_exchange_strong(&s->state, &st, frozen))
		return 0;
	if (!atomic_compare_exchange_strong(&s->key_hash, &k, h)) {
		/* An earlier taker, stalled past its freeze, set the key after
		 * all. It has lost the state, so nobody counts here: release
		 * the slot as empty rather than keep it frozen. */
		atomic_compare_exchange_strong(&s->state, &frozen, 0);
		return 0;
	}
	/* Fails only if we stalled past our own freeze and lost the slot. */
	if (!atomic_compare_exchange_strong(&s->state, &frozen, pack(t + window, 1)))
		return 0;
	verdict(v, 1, limit, 1, window);
	return 1;
}

/*
 * One pass over h's probe window: count the hit in h's slot, or give h
 * the first slot whose window is over. While patient, a slot being handed
 * over makes us wait rather than take another, since it may be becoming
 * h's: two slots for one key would split its count.
 */
static enum probe
probe(struct ratelimit *rl, uint64_t h, uint32_t limit, uint32_t window, uint32_t t, int patient,
    struct rl_verdict *v)
{
	struct rl_slot *take = NULL;
	uint64_t take_st = 0, take_k = 0;
	int transit = 0;

	for (unsigned int i = 0; i < RL_PROBE; i++) {
		struct rl_slot *s = &rl->slots[(h + i) & rl->mask];
		uint64_t st = atomic_load(&s->state);
		uint64_t k = atomic_load(&s->key_hash);

		if (is_frozen(st) && !is_over(st, t)) {
			transit = 1;
			continue;
		}
		if (k == h && !is_frozen(st))
			return count_hit(s, h, limit, window, t, v) ? PROBE_DONE : PROBE_RACE;
		if (take == NULL && is_over(st, t)) {
			take = s;
			take_st = st;
			take_k = k;
		}
	}
	if (transit && patient)
		return PROBE_TRANSIT;
	if (take == NULL)
		return PROBE_FULL;
	return take_over(take, take_st, take_k, h, limit, window, t, v) ? PROBE_DONE : PROBE_RACE;
}

static void
back_off(unsigned int round)
{
	struct timespec ts = {0, RL_SLEEP_NS};

	if (round < RL_YIELD_ROUNDS)
		sched_yield();
	else
		nanosleep(&ts, NULL);
}

void
ratelimit_hit(struct ratelimit *rl, const void *key, size_t keylen, unsigned int limit,
    unsigned int window, time_t now, struct rl_verdict *v)
{
	uint64_t h = key_hash(rl, key, keylen);
	/* Low 32 bits of the time: is_over copes with the wrap. */
	uint32_t t = (uint32_t)now;

	limit = limit < 1 ? 1 : limit > RL_LIMIT_MAX ? RL_LIMIT_MAX : limit;
	window = window < 1 ? 1 : window > RL_WINDOW_MAX ? RL_WINDOW_MAX : window;

	for (unsigned int round = 0; round < RL_MAX_ROUNDS; round++) {
		switch (probe(rl, h, limit, window, t, round < RL_PATIENT_ROUNDS, v)) {
		case PROBE_DONE:
			return;
		case PROBE_FULL:
			goto fail_open;
		case PROBE_RACE:
		case PROBE_TRANSIT:
			back_off(round);
			break;
		}
	}
fail_open:
	/*
	 * Fail open: every slot h may use is live and held by another key
	 * (or we kept losing races). A full table must not lock users out,
	 * so the hit is allowed and simply not counted.
	 */
	verdict(v, 1, limit, 1, window);
}
