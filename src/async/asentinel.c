/* Event-loop connections with a redis+sentinel:// URL: the search for the master, by the
 * blocking client's rules (conn/sentinel.h), without blocking the loop. Each sentinel is
 * asked over an event-loop connection of its own (AUTH with the sentinel password when one
 * is given, then SENTINEL get-master-addr-by-name); a loop timer ends its share of the time,
 * so the connection itself waits without a limit of its own. */
#include <string.h>

#include "async/async_impl.h"
#include "conn/client_impl.h"
#include "conn/sentinel.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"

struct pottery_alocate {
    pottery_loop loop;
    pottery_alocate_done done;
    void *arg;
    pottery_loop_timer *timer; /* the end of the share of the sentinel being asked */
    int64_t share_ms;          /* that share (POTTERY_FOREVER: no limit) */
    int64_t deadline_ms;       /* when it ends (INT64_MAX: never) */
    pottery_async *sentinel;   /* the connection to the sentinel being asked; NULL: none */
    pottery_areq *req;         /* the question on it */
    pottery_buf wire;          /* the question as RESP */
    pottery_sentinel_search search;
};

static void on_answer(void *owner, size_t index, int code, pottery_reply *reply);

/* Forget the sentinel being asked: its connection closes, a reply on its way is dropped. */
static void hang_up(pottery_alocate *l)
{
    pottery__areq_cancel(l->req);
    l->req = NULL;
    pottery_async_free(l->sentinel); /* from its own callback: once that returns */
    l->sentinel = NULL;
    l->loop.timer_stop(l->timer);
}

/* Ask sentinel sn within share_ms: 0, or an error with nothing left running. */
static int ask(pottery_alocate *l, const pottery_url_sentinel *sn, int64_t share_ms)
{
    pottery_address a;
    pottery_cmd cmd;
    memset(&a, 0, sizeof a);
    a.connect_timeout_ms = a.command_timeout_ms = POTTERY_FOREVER;
    int rc = pottery__sentinel_url(&a.url, &a.endpoint, l->search.url, sn);
    if (rc == 0) rc = pottery__async_open_at(&l->sentinel, &l->loop, &a);
    if (rc < 0) return rc;
    pottery__sentinel_cmd(&cmd, l->search.url);
    pottery__buf_clear(&l->wire);
    if ((rc = pottery__cmd_check(&cmd, 0)) == 0) rc = pottery__resp_append(&l->wire, 0, NULL, NULL, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0 &&
        !(l->req = pottery__async_send(l->sentinel, l->wire.data, l->wire.len, POTTERY_FOREVER, on_answer, l, 0)))
        rc = POTTERY_ENOMEM;
    l->share_ms = share_ms;
    l->deadline_ms = pottery__deadline_after(pottery__monotonic_ms(), share_ms);
    if (rc == 0 && l->deadline_ms != INT64_MAX && l->loop.timer_start(l->timer, share_ms) != 0)
        rc = pottery__error(POTTERY_ENOMEM, "locating master \"%s\": the loop could not start a timer",
                            l->search.url->master_name);
    if (rc < 0) {
        pottery_error_saved why;
        pottery__error_save(&why);
        hang_up(l);
        pottery__error_restore(&why);
    }
    return rc;
}

/* Ask the next sentinel: 1 when asking, else the search's failure (none left) or the error
 * that stopped it. */
static int ask_next(pottery_alocate *l)
{
    int64_t share = 0;
    const pottery_url_sentinel *sn = pottery__sentinel_search_next(&l->search, &share);
    if (!sn) return pottery__sentinel_search_fail(&l->search);
    int rc = ask(l, sn, share);
    return rc < 0 ? rc : 1;
}

/* The sentinel asked is done with (rc as pottery__sentinel_search_answer returns it): ask
 * the next one, or report. */
static void settle(pottery_alocate *l, int rc)
{
    if (rc == 0) {
        rc = ask_next(l);
        if (rc == 1) return;
    } else if (rc == 1) {
        rc = 0;
    }
    l->done(l->arg, rc); /* last: it may free l */
}

static void on_answer(void *owner, size_t index, int code, pottery_reply *reply)
{
    pottery_alocate *l = owner;
    (void)index;
    l->req = NULL;
    int rc = pottery__sentinel_search_answer(&l->search, code, reply);
    pottery__reply_free(reply);
    hang_up(l);
    settle(l, rc);
}

static void on_timer(void *arg)
{
    pottery_alocate *l = arg;
    if (!l->sentinel) return;
    int64_t left = l->deadline_ms - pottery__monotonic_ms();
    if (left > 0) { /* a loop whose clock runs ahead of the library's */
        (void)l->loop.timer_start(l->timer, left);
        return;
    }
    hang_up(l);
    pottery__error(POTTERY_ETIMEOUT, "no answer within %lld ms", (long long)l->share_ms);
    settle(l, pottery__sentinel_search_answer(&l->search, POTTERY_ETIMEOUT, NULL));
}

pottery_alocate *pottery__alocate_new(const pottery_loop *loop, pottery_alocate_done done, void *arg)
{
    pottery_alocate *l = pottery__calloc(1, sizeof *l);
    if (!l) return NULL;
    l->loop = *loop;
    l->done = done;
    l->arg = arg;
    if (!(l->timer = loop->timer_open(loop->data, on_timer, l))) {
        pottery__free(l);
        return NULL;
    }
    return l;
}

int pottery__alocate_start(pottery_alocate *l, struct pottery_url *url, char **endpoint, int64_t timeout_ms)
{
    hang_up(l);
    pottery__sentinel_search_begin(&l->search, url, endpoint, timeout_ms);
    int rc = ask_next(l);
    return rc < 0 ? rc : 0;
}

void pottery__alocate_free(pottery_alocate *l)
{
    if (!l) return;
    hang_up(l);
    l->loop.timer_close(l->timer);
    pottery__buf_free(&l->wire);
    pottery__free(l);
}
