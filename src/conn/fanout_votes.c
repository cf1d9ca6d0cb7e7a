/* The votes of a fan-out: what each master answered and how that counts, shared by the
 * blocking fan-out (fanout.c) and the event-loop one (async/afanout.c), which differ only in
 * how the requests travel. See conn.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "core/error.h"

void pottery__fanout_init(pottery_fanout *f, pottery_client *const *clients, size_t n, size_t quorum)
{
    memset(f, 0, sizeof *f);
    f->clients = clients;
    f->n = n;
    f->quorum = quorum;
    f->timeout_ms = POTTERY_FOREVER;
}

void pottery__fanout_free(pottery_fanout *f)
{
    if (!f || !f->results) return;
    for (size_t i = 0; i < f->n; i++) {
        pottery__reply_free(f->results[i].reply);
        pottery__free(f->results[i].message);
    }
    pottery__free(f->results);
    f->results = NULL;
    f->yes = f->no = f->failed = f->pending = 0;
}

static pottery_fanout_status status_of(int code)
{
    switch (code) {
    case POTTERY_ECONN: return POTTERY_FANOUT_UNREACHABLE;
    case POTTERY_ETIMEOUT: return POTTERY_FANOUT_TIMEOUT;
    case POTTERY_EPROTOCOL: return POTTERY_FANOUT_PROTOCOL;
    case POTTERY_EREDIS: return POTTERY_FANOUT_REDIS_ERROR;
    default: return POTTERY_FANOUT_FAILED;
    }
}

/* Master i failed with code; message is copied (NULL: the last error's). */
void pottery__fanout_settle_failure(pottery_fanout *f, size_t i, int code, const char *message)
{
    pottery_fanout_result *res = &f->results[i];
    res->status = status_of(code);
    res->code = code;
    res->message = pottery__strdup(message ? message : pottery_error_last()->message);
    f->failed++;
    f->pending--;
}

int pottery__fanout_oom(const pottery_fanout *f)
{
    for (size_t i = 0; f->results && i < f->n; i++)
        if (f->results[i].code == POTTERY_ENOMEM)
            return pottery__error(POTTERY_ENOMEM, "out of memory while asking %s: %s", f->results[i].endpoint,
                                  f->results[i].message ? f->results[i].message : "no reply");
    return 0;
}

static void settle_vote(pottery_fanout *f, size_t i, pottery_reply *r, int yes)
{
    f->results[i].status = yes ? POTTERY_FANOUT_YES : POTTERY_FANOUT_NO;
    f->results[i].reply = r;
    if (yes)
        f->yes++;
    else
        f->no++;
    f->pending--;
}

int pottery__fanout_decided(const pottery_fanout *f)
{
    if (f->pending == 0) return 1;
    if (f->decide) return f->decide(f, f->ctx);
    if (f->quorum == 0) return 0;
    return f->yes >= f->quorum || f->n - (f->no + f->failed) < f->quorum;
}

int pottery__fanout_start(pottery_fanout *f)
{
    pottery__fanout_free(f);
    f->elapsed_ms = 0;
    f->results = pottery__calloc(f->n, sizeof *f->results);
    if (!f->results) return pottery__error_oom();
    f->pending = f->n;
    return 0;
}

int pottery__fanout_waiting(const pottery_fanout *f, size_t i)
{
    return f->results[i].status == POTTERY_FANOUT_PENDING && f->results[i].code == 0;
}

void pottery__fanout_settle_reply(pottery_fanout *f, size_t i, pottery_reply *r)
{
    if (pottery__reply_type(r) == POTTERY_REPLY_ERROR) {
        const char *text = pottery__reply_str(r, NULL);
        pottery__fanout_settle_failure(f, i, POTTERY_EREDIS, text ? text : "");
        pottery__reply_free(r);
        return;
    }
    int vote = f->check ? f->check(r, i, f->ctx) : 1;
    if (vote < 0) {
        pottery__fanout_settle_failure(f, i, vote, NULL);
        pottery__reply_free(r);
        return;
    }
    settle_vote(f, i, r, vote > 0);
}

/* ---- the failure summary ---- */

typedef struct text {
    char *buf;
    size_t size;
    size_t len; /* the full length, even past size */
} text;

static void put(text *t, const char *fmt, ...) POTTERY_PRINTF(2, 3);
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = t->len < t->size ? t->size - t->len : 0;
    int n = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n;
}

static void put_reason(text *t, const pottery_fanout_result *res)
{
    const char *msg = res->message ? res->message : "";
    switch (res->status) {
    case POTTERY_FANOUT_PENDING: put(t, "no answer yet"); break;
    case POTTERY_FANOUT_NO: put(t, "no"); break;
    case POTTERY_FANOUT_TIMEOUT: put(t, "timeout"); break;
    case POTTERY_FANOUT_UNREACHABLE:
        if (strstr(msg, "refused") || strstr(msg, "Refused"))
            put(t, "connection refused");
        else if (strstr(msg, "closed") || strstr(msg, "lost") || strstr(msg, "reset"))
            put(t, "connection lost");
        else
            put(t, "unreachable (%s)", msg);
        break;
    case POTTERY_FANOUT_REDIS_ERROR: put(t, "error %s", msg); break;
    case POTTERY_FANOUT_PROTOCOL: put(t, "protocol error (%s)", msg); break;
    case POTTERY_FANOUT_FAILED: put(t, "failed (%s)", msg); break;
    case POTTERY_FANOUT_YES: break;
    }
}

size_t pottery__fanout_describe(char *buf, size_t size, const pottery_fanout *f)
{
    text t = { buf, size, 0 };
    if (size) buf[0] = '\0';
    if (!f || !f->results) {
        put(&t, "no fan-out ran");
        return t.len;
    }
    put(&t, "%zu of %zu", f->yes, f->n);
    const char *sep = " (";
    for (size_t i = 0; i < f->n; i++) {
        const pottery_fanout_result *res = &f->results[i];
        if (res->status == POTTERY_FANOUT_YES) continue;
        put(&t, "%s%s ", sep, res->endpoint ? res->endpoint : "?");
        put_reason(&t, res);
        sep = ", ";
    }
    if (sep[0] == ',') put(&t, ")");
    return t.len;
}
