/* Lock lifetime in C: a watchdog keeps a lock held through a critical section longer than
 * its lease, fencing tokens let a store refuse a stale holder, and the watchdog's cap stops
 * a stuck holder. One master ($REDIS_URL). */
#include <stdatomic.h>
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

/* A store that remembers the highest token it saw and refuses writes with lower ones. */
static int64_t highest_token;

static int store_write(int64_t token)
{
    if (token < highest_token) return 0;
    highest_token = token;
    return 1;
}

/* Runs on the watchdog's thread: tell the holder (a log line, a metric, an alarm...). */
static void on_lost(pottery_redlock *lock, int reason, void *payload)
{
    (void)lock;
    atomic_store((_Atomic int *)payload, reason);
}

int main(void)
{
    const char *url = getenv("REDIS_URL");
    if (!url) url = "redis://localhost:6379/0";
    pottery_client *redis;
    check(pottery_client_open(&redis, url, NULL));
    pottery_client *masters[] = { redis }; /* in production: five masters */

    /* One watchdog (a thread with its own connections) serves every lock on these masters. */
    pottery_watchdog *wd;
    check(pottery_watchdog_new(&wd, &url, 1, NULL));

    static _Atomic int lost_reason;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 300;  /* a short lease: a crashed holder blocks others briefly */
    opts.fencing = 1;                 /* each grant also draws a fencing token */
    opts.watchdog_max_hold_ms = 2000; /* no holder keeps it longer than 2 s */
    opts.on_lost = on_lost;
    opts.on_lost_payload = (void *)&lost_reason;
    pottery_redlock *report;
    check(pottery_redlock_new(&report, "report", masters, 1, &opts));

    int acquired;
    int64_t token;
    check(pottery_redlock_acquire(&acquired, report, 1, POTTERY_FOREVER));
    check(pottery_redlock_watch(report, wd)); /* renewed every 100 ms from now on */
    check(pottery_redlock_fencing_token(&token, report));
    printf("acquired, fencing token %lld\n", (long long)token);
    for (int step = 0; step < 10 && !pottery_redlock_lost(report); step++) sleep_ms(100); /* work */
    int64_t validity_ms;
    check(pottery_redlock_locked(&validity_ms, report));
    printf("after 1 s of work (3 leases): held %s\n", validity_ms > 0 ? "True" : "False");
    printf("store accepts token %lld: %s\n", (long long)token, store_write(token) ? "True" : "False");
    check(pottery_redlock_release(report)); /* also unwatches */

    /* The next grant's token is larger: a holder still writing with the old one is refused. */
    check(pottery_redlock_acquire(&acquired, report, 1, POTTERY_FOREVER));
    int64_t next;
    check(pottery_redlock_fencing_token(&next, report));
    printf("acquired again, fencing token %lld\n", (long long)next);
    printf("store accepts token %lld: %s\n", (long long)next, store_write(next) ? "True" : "False");
    printf("store accepts token %lld: %s\n", (long long)token, store_write(token) ? "True" : "False");

    /* A holder that never finishes: the watchdog stops at watchdog_max_hold_ms. */
    check(pottery_redlock_watch(report, wd));
    while (!pottery_redlock_lost(report)) sleep_ms(10); /* the critical section polls the flag */
    printf("stuck holder: lost (%s)\n", pottery_redlock_lost(report) == POTTERY_REDLOCK_LOST_MAX_HOLD ? "max hold" : "?");
    while (!atomic_load(&lost_reason)) sleep_ms(1); /* on_lost runs just after the flag is set */
    printf("on_lost was called\n");

    pottery_redlock_free(report);
    pottery_watchdog_free(wd);
    pottery_client_free(redis);
    return 0;
}
