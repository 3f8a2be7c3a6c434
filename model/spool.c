/* SPDX-License-Identifier: MIT */
#include "spool.h"

#include <blocsim/error.h>
#include <blocsim/model.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes of items kept in memory: big enough that the file sees 4 MiB
 * writes, small against a run's other state. */
#define SPOOL_BUF_BYTES (4u << 20)
/* Bytes asked of one pread() at most. */
#define READ_MAX ((size_t)1 << 30)

void bsim__spool_init(struct bsim_spool *s, size_t elem)
{
	*s = (struct bsim_spool){ .elem = elem, .fd = -1 };
}

void bsim__spool_finish(struct bsim_spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	*s = (struct bsim_spool){ .fd = -1 };
}

static int open_tmp(struct bsim_spool *s)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	if (!dir || !*dir)
		dir = "/tmp";
	if (snprintf(path, sizeof(path), "%s/blocsim-spool-XXXXXX", dir) >=
	    (int)sizeof(path)) {
		s->err = ENAMETOOLONG;
		return -1;
	}
	s->fd = mkstemp(path);
	if (s->fd < 0) {
		s->err = errno;
		return -1;
	}
	unlink(path);
	return 0;
}

/* Write the buffer to the end of the file. */
static int spill(struct bsim_spool *s)
{
	size_t bytes = (s->n - s->nfile) * s->elem, done = 0;

	if (s->fd < 0 && open_tmp(s))
		return -1;
	while (done < bytes) {
		ssize_t k = pwrite(s->fd, s->buf + done, bytes - done,
				   (off_t)(s->nfile * s->elem + done));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			s->err = k < 0 ? errno : EIO;
			return -1;
		}
		done += (size_t)k;
	}
	s->nfile = s->n;
	return 0;
}

int bsim__spool_push(struct bsim_spool *s, const void *item)
{
	if (s->err)
		return -1;
	if (!s->buf) {
		s->cap = SPOOL_BUF_BYTES / s->elem;
		s->buf = malloc(s->cap * s->elem);
		if (!s->buf) {
			s->err = ENOMEM;
			return -1;
		}
	}
	if (s->n - s->nfile == s->cap && spill(s))
		return -1;
	memcpy(s->buf + (s->n - s->nfile) * s->elem, item, s->elem);
	s->n++;
	return 0;
}

int bsim_spool_read(const struct bsim_spool *s, size_t first, size_t n,
		    void *out)
{
	unsigned char *o = out;

	if (!s || first > s->n || n > s->n - first)
		return BSIM_EINVAL;
	if (n && first < s->nfile) {
		size_t k = s->nfile - first < n ? s->nfile - first : n;
		size_t bytes = k * s->elem, done = 0;

		/* Bytes, not items: a read may stop anywhere (Linux caps one
		 * at 0x7ffff000 bytes). */
		while (done < bytes) {
			size_t want = bytes - done < READ_MAX ? bytes - done
							      : READ_MAX;
			ssize_t r = pread(s->fd, o + done, want,
					  (off_t)(first * s->elem + done));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return BSIM_EIO;
			done += (size_t)r;
		}
		o += bytes;
		first += k;
		n -= k;
	}
	if (n)
		memcpy(o, s->buf + (first - s->nfile) * s->elem, n * s->elem);
	return 0;
}
