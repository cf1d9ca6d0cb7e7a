/* Redlock in C: the README's tour of pottery's Redlock, over one master ($REDIS_URL). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <pottery.h>

static void check(int rc)
{
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", pottery_error_last()->message);
        exit(1);
    }
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {}
}

static const char *held(pottery_redlock *lock) /* bool(lock.locked()) */
{
    int64_t validity_ms;
    check(pottery_redlock_locked(&validity_ms, lock));
    return validity_ms > 0 ? "True" : "False";
}

static int print_stuff(void *payload)
{
    (void)payload;
    printf("printer_lock is locked\n");
    return 0;
}

typedef struct locks {
    pottery_redlock *first, *second;
} locks;

static int nested(void *payload)
{
    locks *l = payload;
    int rc = pottery_redlock_with(l->second, print_stuff, NULL); /* waits 200 ms */
    if (rc == POTTERY_EQUORUM) printf("POTTERY_EQUORUM\n");
    printf("printer_lock_1 is %s\n", held(l->first)[0] == 'T' ? "locked" : "unlocked");
    printf("printer_lock_2 is %s\n", held(l->second)[0] == 'T' ? "locked" : "unlocked");
    return 0;
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */
    pottery_client *masters[] = { redis };           /* in production: five masters */

    /* printer_lock = Redlock(key='printer', masters={redis}, auto_release_time=.2) */
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 200;
    pottery_redlock *printer_lock;
    check(pottery_redlock_new(&printer_lock, "printer", masters, 1, &opts));

    int acquired;
    check(pottery_redlock_acquire(&acquired, printer_lock, 1, POTTERY_FOREVER));
    if (acquired) {
        /* Critical section - print stuff here. */
        printf("printer_lock is locked\n");
        check(pottery_redlock_release(printer_lock));
    }
    printf("%s\n", held(printer_lock));

    /* with printer_lock: ... */
    check(pottery_redlock_with(printer_lock, print_stuff, NULL));
    printf("%s\n", held(printer_lock));

    /* The lease runs out by itself. */
    check(pottery_redlock_acquire(&acquired, printer_lock, 1, POTTERY_FOREVER));
    if (acquired) sleep_ms(opts.auto_release_time_ms);
    printf("%s\n", held(printer_lock));

    check(pottery_redlock_acquire(&acquired, printer_lock, 1, POTTERY_FOREVER));
    if (acquired) sleep_ms(opts.auto_release_time_ms / 2);
    printf("%s\n", held(printer_lock));
    sleep_ms(opts.auto_release_time_ms / 2 + 10); /* and past the lease on the server too */
    printf("%s\n", held(printer_lock));

    /* blocking=False returns at once; a timeout bounds the wait. */
    pottery_redlock *printer_lock_1, *printer_lock_2;
    check(pottery_redlock_new(&printer_lock_1, "printer", masters, 1, &opts));
    check(pottery_redlock_new(&printer_lock_2, "printer", masters, 1, &opts));
    check(pottery_redlock_acquire(&acquired, printer_lock_1, 0, POTTERY_FOREVER));
    printf("%s\n", acquired ? "True" : "False");
    check(pottery_redlock_acquire(&acquired, printer_lock_2, 0, POTTERY_FOREVER)); /* Returns immediately. */
    printf("%s\n", acquired ? "True" : "False");
    check(pottery_redlock_release(printer_lock_1));

    check(pottery_redlock_acquire(&acquired, printer_lock_1, 1, POTTERY_FOREVER));
    printf("%s\n", acquired ? "True" : "False");
    check(pottery_redlock_acquire(&acquired, printer_lock_2, 1, 100)); /* Waits 100 milliseconds. */
    printf("%s\n", acquired ? "True" : "False");
    int rc = pottery_redlock_release(printer_lock_1); /* the lease may have run out */
    if (rc != 0 && rc != POTTERY_EUNLOCKED) check(rc);
    pottery_redlock_free(printer_lock_1);
    pottery_redlock_free(printer_lock_2);

    /* The scoped helper's blocking and timeout come from the options. */
    pottery_redlock_options_init(&opts);
    opts.context_manager_timeout_ms = 200;
    locks l;
    check(pottery_redlock_new(&l.first, "printer", masters, 1, &opts));
    check(pottery_redlock_new(&l.second, "printer", masters, 1, &opts));
    check(pottery_redlock_with(l.first, nested, &l));
    pottery_redlock_free(l.first);
    pottery_redlock_free(l.second);

    pottery_redlock_free(printer_lock);
    pottery_client_free(redis);
    return 0;
}
