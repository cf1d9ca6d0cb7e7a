/* The read-write lock: readers together, a writer alone ($REDIS_URL). */
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

static const char *yes_no(int acquired)
{
    return acquired ? "yes" : "no";
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */
    pottery_client *masters[] = { redis };           /* in production: five masters */

    pottery_redlock_options opts; /* the lease, retry delay, ... as for Redlock */
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 5000;
    pottery_rwlock *alice, *bob, *writer;
    check(pottery_rwlock_new(&alice, "config", masters, 1, &opts));
    check(pottery_rwlock_new(&bob, "config", masters, 1, &opts));
    check(pottery_rwlock_new(&writer, "config", masters, 1, &opts));

    int acquired;
    check(pottery_rwlock_acquire_read(&acquired, alice, 1, 1000));
    printf("alice reads: %s\n", yes_no(acquired));
    check(pottery_rwlock_acquire_read(&acquired, bob, 1, 1000));
    printf("bob reads too: %s\n", yes_no(acquired));
    check(pottery_rwlock_acquire_write(&acquired, writer, 0, 0));
    printf("the writer, while they read: %s\n", yes_no(acquired));

    check(pottery_rwlock_release(alice));
    check(pottery_rwlock_release(bob));
    check(pottery_rwlock_acquire_write(&acquired, writer, 1, 1000));
    printf("the writer, once they are done: %s\n", yes_no(acquired));
    check(pottery_rwlock_acquire_read(&acquired, alice, 0, 0));
    printf("alice, while it writes: %s\n", yes_no(acquired));
    check(pottery_rwlock_release(writer));

    pottery_rwlock_free(alice);
    pottery_rwlock_free(bob);
    pottery_rwlock_free(writer);
    pottery_client_free(redis);
    return 0;
}
