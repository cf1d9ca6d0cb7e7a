/* RedisSimpleQueue in C: a producer and a consumer sharing one queue. */
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

static void print_repr(pottery_value v)
{
    char *text;
    check(pottery_value_repr(&text, v));
    printf("%s\n", text);
    pottery_free(text);
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* Producer: jobs = RedisSimpleQueue(redis=redis, key='jobs') */
    pottery_queue *jobs;
    check(pottery_queue_open(&jobs, redis, "jobs", NULL));
    check(pottery_queue_put(jobs, pottery_str("resize cat.jpg")));                  /* jobs.put('resize cat.jpg') */
    check(pottery_queue_put(jobs, pottery_json("{\"to\": \"guido\", \"n\": 2}")));  /* jobs.put({'to': 'guido', 'n': 2}) */
    check(pottery_queue_put(jobs, pottery_int(42)));                               /* jobs.put(42) */

    int64_t size;
    check(pottery_queue_qsize(&size, jobs));                                       /* jobs.qsize() */
    printf("%lld\n", (long long)size);

    /* Consumer (usually another process): a handle on the same key. */
    pottery_queue *inbox;
    check(pottery_queue_open(&inbox, redis, "jobs", NULL));
    pottery_value job = POTTERY_VALUE_INIT;
    for (int i = 0; i < 3; i++) {
        check(pottery_queue_get(&job, inbox, 1, POTTERY_FOREVER));                /* inbox.get() */
        print_repr(job);
    }
    pottery_value_dispose(&job);

    int empty;
    check(pottery_queue_empty(&empty, inbox));                                     /* inbox.empty() */
    printf("%s\n", empty ? "True" : "False");

    /* Nothing left: QueueEmptyError is POTTERY_EEMPTY, at once. */
    int rc = pottery_queue_get_nowait(&job, inbox);                                /* inbox.get_nowait() */
    printf("%s / %s\n", rc == POTTERY_EEMPTY ? "POTTERY_EEMPTY" : "?", pottery_error_last()->message);

    /* inbox.get(timeout=0.25): waits up to 250 ms for an item, then QueueEmptyError. */
    pottery_timer timer = POTTERY_TIMER_INIT;
    int timed;
    POTTERY_TIMER_SCOPE(timed, &timer) {
        rc = pottery_queue_get(&job, inbox, 1, 250);
    }
    check(timed);
    int64_t ms;
    check(pottery_timer_elapsed(&ms, &timer));
    printf("%s after %s\n", rc == POTTERY_EEMPTY ? "POTTERY_EEMPTY" : "?", ms >= 250 ? ">= 250 ms" : "< 250 ms");

    check(pottery_queue_clear(jobs));
    pottery_queue_free(inbox);
    pottery_queue_free(jobs);
    pottery_client_free(redis);
    return 0;
}
