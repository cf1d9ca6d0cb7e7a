/* AIONextID in C on libevent: the README's NextID session with a callback for each
 * `await anext(tweet_ids)`, over one master ($REDIS_URL). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>
#include <pottery.h>
#include <pottery/adapters/libevent.h>

static void check(int rc)
{
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", pottery_error_last()->message);
        exit(1);
    }
}

typedef struct app {
    pottery_async *redis;
    pottery_aionextid *tweet_ids;
    int left; /* ids still to print */
} app;

static void on_reset(int status, void *payload)
{
    app *a = payload;
    check(status);
    /* The last step frees the handles: with no connection left to watch, the loop returns. */
    pottery_aionextid_free(a->tweet_ids);
    pottery_async_free(a->redis);
}

static void on_next(int status, int64_t id, void *payload)
{
    app *a = payload;
    check(status);
    printf("%" PRId64 "\n", id);
    if (--a->left > 0)
        check(pottery_aionextid_next(a->tweet_ids, on_next, a)); /* one operation at a time */
    else
        check(pottery_aionextid_reset(a->tweet_ids, on_reset, a)); /* the next id is 1 again */
}

int main(void)
{
    struct event_base *base = event_base_new();
    if (!base) {
        fprintf(stderr, "error: event_base_new failed\n");
        return 1;
    }
    pottery_loop loop;
    check(pottery_libevent_loop(&loop, base));

    app a = { .left = 3 };
    check(pottery_async_open(&a.redis, &loop, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */
    pottery_async *masters[] = { a.redis };                 /* in production: five masters */

    /* tweet_ids = AIONextID(key='tweet-ids', masters={aioredis}) */
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.key = "tweet-ids";
    check(pottery_aionextid_new(&a.tweet_ids, masters, 1, &opts));
    check(pottery_aionextid_next(a.tweet_ids, on_next, &a)); /* await anext(tweet_ids) */

    int rc = event_base_dispatch(base); /* until on_reset has freed the handles */
    event_base_free(base);
    if (rc < 0) {
        fprintf(stderr, "error: event_base_dispatch failed\n");
        return 1;
    }
    return 0;
}
