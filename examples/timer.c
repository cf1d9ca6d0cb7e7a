/* ContextTimer in C: stand-alone, then as a scoped block. */
#include <stdio.h>
#include <time.h>

#include <pottery.h>

static void sleep_100ms(void)
{
    struct timespec ts = { 0, 100 * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {}
}

static const char *in_range(const pottery_timer *timer)
{
    int64_t ms = -1;
    pottery_timer_elapsed(&ms, timer);
    return 100 <= ms && ms < 200 ? "True" : "False";
}

int main(void)
{
    /* timer = ContextTimer(); timer.start() ... timer.stop() */
    pottery_timer timer = POTTERY_TIMER_INIT;
    pottery_timer_start(&timer);
    sleep_100ms();
    printf("%s\n", in_range(&timer));
    pottery_timer_stop(&timer);
    sleep_100ms();
    printf("%s\n", in_range(&timer)); /* frozen at stop() */

    /* with ContextTimer() as timer: ... */
    const char *tests[2] = { "?", "?" }; /* the block sets tests[0] if it runs */
    pottery_timer scoped = POTTERY_TIMER_INIT;
    int rc;
    POTTERY_TIMER_SCOPE(rc, &scoped) {
        sleep_100ms();
        tests[0] = in_range(&scoped);
    }
    sleep_100ms();
    tests[1] = in_range(&scoped);
    printf("[%s, %s]\n", tests[0], tests[1]);

    /* with scoped: ... again: RuntimeError, and the block does not run */
    POTTERY_TIMER_SCOPE(rc, &scoped) {
        printf("not printed\n");
    }
    if (rc == POTTERY_ESTATE) printf("POTTERY_ESTATE / %s\n", pottery_error_last()->message);
    return 0;
}
