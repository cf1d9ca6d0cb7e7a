/* A counting semaphore: at most two holders at once, across processes and machines; the
 * permit of a holder that crashes comes back by itself when its lease ends. */
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

    /* two GPUs, shared by every worker; a permit lasts 30 s unless extended or released */
    pottery_semaphore_options opts;
    pottery_semaphore_options_init(&opts);
    opts.lease_ms = 30000;
    pottery_semaphore *gpus;
    check(pottery_semaphore_open(&gpus, redis, "gpus", 2, &opts));

    pottery_semaphore_permit first, second, third;
    int acquired;
    check(pottery_semaphore_acquire(&acquired, &first, gpus, 1, POTTERY_FOREVER));
    check(pottery_semaphore_acquire(&acquired, &second, gpus, 1, POTTERY_FOREVER));
    check(pottery_semaphore_acquire(&acquired, &third, gpus, 1, 100)); /* wait 100 ms at most */
    printf("third worker got a GPU: %s\n", acquired ? "yes" : "no");

    int64_t held, available;
    check(pottery_semaphore_held(&held, gpus));
    check(pottery_semaphore_available(&available, gpus));
    printf("held %" PRId64 ", available %" PRId64 "\n", held, available);

    check(pottery_semaphore_extend(gpus, &first)); /* a long job: 30 s more */
    check(pottery_semaphore_release(gpus, &second));
    check(pottery_semaphore_acquire(&acquired, &third, gpus, 0, 0)); /* one try */
    printf("after a release: %s\n", acquired ? "yes" : "no");

    check(pottery_semaphore_release(gpus, &first));
    check(pottery_semaphore_release(gpus, &third));
    int rc = pottery_semaphore_release(gpus, &third); /* twice: not held any more */
    printf("release again: %s\n", rc == POTTERY_EUNLOCKED ? "POTTERY_EUNLOCKED" : "?");

    pottery_semaphore_free(gpus);
    pottery_client_free(redis);
    return 0;
}
