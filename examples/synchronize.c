/* synchronize() in C: only one caller at a time, across threads, processes and machines. */
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

static int func(void *payload)
{
    /* Only one thread can execute this function at a time. */
    *(int *)payload = 1;
    return 0;
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */
    pottery_client *masters[] = { redis };

    /* @synchronize(key='synchronized-func', masters={redis}, auto_release_time=1.5,
     *              blocking=True, timeout=-1) */
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 1500;
    opts.context_manager_blocking = 1;
    opts.context_manager_timeout_ms = POTTERY_FOREVER;

    int result = 0;
    check(pottery_synchronize("synchronized-func", masters, 1, &opts, func, &result));
    printf("%s\n", result ? "True" : "False");

    pottery_client_free(redis);
    return 0;
}
