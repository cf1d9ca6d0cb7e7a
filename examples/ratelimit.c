/* A rate limiter: 3 calls per second, shared by every process that opens the same key. */
#include <inttypes.h>
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

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* the API we call allows 3 requests per second; a burst of 3 is fine */
    pottery_ratelimit *api;
    check(pottery_ratelimit_open(&api, redis, "api:weather", 3, 1000, NULL));

    for (int i = 1; i <= 4; i++) {
        int allowed;
        int64_t wait_ms;
        check(pottery_ratelimit_try(&allowed, &wait_ms, api, 1));
        if (allowed)
            printf("request %d: sent\n", i);
        else /* one request's share of the second: 333 ms, less the time spent so far */
            printf("request %d: refused, retry in about %" PRId64 " ms\n", i, (wait_ms + 50) / 100 * 100);
    }

    int allowed;
    check(pottery_ratelimit_acquire(&allowed, api, 1, POTTERY_FOREVER)); /* sleeps until allowed */
    printf("request 4: sent after waiting\n");

    /* a batch of 2 costs 2 units: more than is left now */
    check(pottery_ratelimit_acquire(&allowed, api, 2, 0));
    printf("batch of 2 now: %s\n", allowed ? "sent" : "refused");

    check(pottery_ratelimit_reset(api)); /* forget what was spent */
    pottery_ratelimit_free(api);
    pottery_client_free(redis);
    return 0;
}
