/* AIORedlock in C on libevent: the session of aioredlock.h (the README's two asyncio
 * examples of pottery's AIORedlock) on an event_base, over one master ($REDIS_URL). */
#include <stdio.h>

#include <event2/event.h>
#include <pottery/adapters/libevent.h>

#include "aioredlock.h"

int main(void)
{
    struct event_base *base = event_base_new();
    if (!base) {
        fprintf(stderr, "error: event_base_new failed\n");
        return 1;
    }
    pottery_loop loop;
    check(pottery_libevent_loop(&loop, base));

    app a;
    start_session(&a, &loop);

    /* asyncio.run(main()): run the loop until the last step has freed the handles */
    int rc = event_base_dispatch(base);
    event_base_free(base);
    if (rc < 0) {
        fprintf(stderr, "error: event_base_dispatch failed\n");
        return 1;
    }
    return 0;
}
