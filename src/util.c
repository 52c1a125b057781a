/* util.c - arena, vectors, buffers and file reading. Pure helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct sp_arena_chunk {
	struct sp_arena_chunk *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

#define SP_ARENA_CHUNK (64u * 1024u)

void *sp_arena_alloc(struct sp_arena *a, size_t size)
{
	void *p = sp_arena_alloc_raw(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *sp_arena_alloc_raw(struct sp_arena *a, size_t size)
{
	struct sp_arena_chunk *c = a->head;
	size_t align = sizeof(max_align_t);
	size_t need = (size + align - 1) / align * align;
	void *p;

	if (size == 0)
		need = align;
	if (c && c->size - c->used < need && need > SP_ARENA_CHUNK / 4) {
		/* a large block gets a chunk of its own behind the current one,
		 * which goes on serving small blocks: replacing it would leave
		 * up to a quarter of each chunk unused (rules of 200 chains per
		 * syscall wasted half the ruleset's memory that way) */
		struct sp_arena_chunk *own = malloc(sizeof(*own) + need);
		if (!own)
			return NULL;
		own->size = own->used = need;
		own->next = c->next;
		c->next = own;
		return own->data;
	}
	if (!c || c->size - c->used < need) {
		size_t csize = need > SP_ARENA_CHUNK ? need : SP_ARENA_CHUNK;
		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	return p;
}

char *sp_arena_strndup(struct sp_arena *a, const char *s, size_t n)
{
	char *p = sp_arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void sp_arena_free(struct sp_arena *a)
{
	struct sp_arena_chunk *c = a->head;
	while (c) {
		struct sp_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

void *sp_vec_push(struct sp_vec *v)
{
	char *slot;

	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void *items = realloc(v->items, cap * v->item_size);
		if (!items)
			return NULL;
		v->items = items;
		v->cap = cap;
	}
	slot = (char *)v->items + v->len * v->item_size;
	memset(slot, 0, v->item_size);
	v->len++;
	return slot;
}

void sp_vec_free(struct sp_vec *v)
{
	free(v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}

void sp_buf_add(struct sp_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *d;
		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->oom = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sp_buf_puts(struct sp_buf *b, const char *s)
{
	sp_buf_add(b, s, strlen(s));
}

void sp_buf_printf(struct sp_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		sp_buf_add(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sp_buf_add(b, big, (size_t)n);
	free(big);
}

void sp_buf_json_str(struct sp_buf *b, const char *s)
{
	/* Go's encoding/json escapes <, > and & as \u003c etc. by default,
	 * and U+2028/U+2029; the rest follows RFC 8259. */
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	sp_buf_add(b, "\"", 1);
	for (; *p; p++) {
		char esc[8];
		switch (*p) {
		case '"': sp_buf_add(b, "\\\"", 2); continue;
		case '\\': sp_buf_add(b, "\\\\", 2); continue;
		case '\n': sp_buf_add(b, "\\n", 2); continue;
		case '\r': sp_buf_add(b, "\\r", 2); continue;
		case '\t': sp_buf_add(b, "\\t", 2); continue;
		default: break;
		}
		if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
			snprintf(esc, sizeof(esc), "\\u00%c%c", hex[*p >> 4], hex[*p & 15]);
			sp_buf_add(b, esc, 6);
		} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			sp_buf_add(b, p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			p += 2;
		} else {
			sp_buf_add(b, (const char *)p, 1);
		}
	}
	sp_buf_add(b, "\"", 1);
}

void sp_buf_free(struct sp_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int sp_read_file(const char *path, size_t max, char **out, size_t *len, secprof_error *err)
{
	struct stat st;
	char *data = NULL;
	size_t n = 0, cap;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return sp_err(err, SECPROF_E_SYSTEM, path, NULL, NULL, "cannot open: %s",
			      strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		close(fd);
		return sp_err(err, SECPROF_E_LIMIT, path, NULL, NULL,
			      "file is %llu bytes, larger than the %zu-byte limit for a profile",
			      (unsigned long long)st.st_size, max);
	}
	cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
	data = malloc(cap);
	for (;;) {
		ssize_t r;
		if (!data) {
			close(fd);
			return sp_err(err, ENOMEM, path, NULL, NULL, "out of memory");
		}
		if (n == cap) {
			char *d;
			if (cap > max) {
				free(data);
				close(fd);
				return sp_err(err, SECPROF_E_LIMIT, path, NULL, NULL,
					      "input is larger than the %zu-byte limit for a profile",
					      max);
			}
			cap *= 2;
			d = realloc(data, cap);
			if (!d)
				free(data);
			data = d;
			continue;
		}
		r = read(fd, data + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(data);
			close(fd);
			return sp_err(err, SECPROF_E_SYSTEM, path, NULL, NULL, "cannot read: %s",
				      strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(data);
			close(fd);
			return sp_err(err, SECPROF_E_LIMIT, path, NULL, NULL,
				      "input is larger than the %zu-byte limit for a profile", max);
		}
	}
	close(fd);
	*out = data;
	*len = n;
	return 0;
}

bool sp_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}
