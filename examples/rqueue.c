/* A reliable work queue: an item whose worker dies is delivered again, and one that keeps
 * failing ends up in the dead letters. */
#include <stdio.h>
#include <stdlib.h>

#include <pottery.h>

static void check(int rc)
{
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", pottery_error_last()->message);
        exit(1);
    }
}

static void show(const char *who, const pottery_rqueue_item *item)
{
    char *text;
    check(pottery_value_repr(&text, item->value));
    printf("%s got %s (delivery %lld)\n", who, text, (long long)item->deliveries);
    pottery_free(text);
}

/* A worker: its own consumer name, a 200 ms visibility timeout, 2 deliveries at most. */
static pottery_rqueue *worker(pottery_client *redis, const char *name)
{
    pottery_rqueue_options opts;
    pottery_rqueue_options_init(&opts);
    opts.consumer = name;
    opts.visibility_timeout_ms = 200;
    opts.max_deliveries = 2;
    pottery_rqueue *q;
    check(pottery_rqueue_open(&q, redis, "jobs", &opts));
    return q;
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    pottery_rqueue *a = worker(redis, "worker-a"), *b = worker(redis, "worker-b");
    pottery_value jobs[] = { pottery_str("resize cat.jpg"), pottery_str("bad.jpg") };
    check(pottery_rqueue_put_many(a, jobs, 2));

    /* worker-a takes a job, then dies without acknowledging it. */
    pottery_rqueue_item item = POTTERY_RQUEUE_ITEM_INIT;
    check(pottery_rqueue_take(&item, a, POTTERY_FOREVER));
    show("worker-a", &item);
    pottery_rqueue_free(a);

    /* worker-b fails twice on bad.jpg and gives it back each time. */
    for (int i = 0; i < 2; i++) {
        check(pottery_rqueue_take(&item, b, POTTERY_FOREVER));
        show("worker-b", &item);
        check(pottery_rqueue_release(b, &item));
    }

    /* bad.jpg was delivered twice: the next take moves it to the dead letters, then waits
     * until worker-a's job is 200 ms old and delivers it again. */
    check(pottery_rqueue_take(&item, b, 1000));
    show("worker-b", &item);
    check(pottery_rqueue_ack(b, &item));
    int rc = pottery_rqueue_take(&item, b, 0);
    printf("%s\n", rc == POTTERY_EEMPTY ? "POTTERY_EEMPTY" : "?");

    pottery_rqueue_item dead[4] = { POTTERY_RQUEUE_ITEM_INIT, POTTERY_RQUEUE_ITEM_INIT, POTTERY_RQUEUE_ITEM_INIT,
                                    POTTERY_RQUEUE_ITEM_INIT };
    size_t n;
    check(pottery_rqueue_dead_letters(dead, &n, b, 4));
    for (size_t i = 0; i < n; i++) show(pottery_rqueue_dead_letter_key(b), &dead[i]);
    int64_t left;
    check(pottery_rqueue_len(&left, b));
    printf("%lld left\n", (long long)left);

    for (size_t i = 0; i < n; i++) pottery_rqueue_item_dispose(&dead[i]);
    pottery_rqueue_item_dispose(&item);
    check(pottery_rqueue_clear(b));
    pottery_rqueue_free(b);
    pottery_client_free(redis);
    return 0;
}
