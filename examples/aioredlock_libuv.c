/* AIORedlock in C on libuv: the session of aioredlock.h (the README's two asyncio examples
 * of pottery's AIORedlock) on a uv_loop_t, over one master ($REDIS_URL). */
#define _POSIX_C_SOURCE 200809L /* <uv.h> uses POSIX types, hidden by a strict -std=c11 */

#include <stdio.h>

#include <pottery/adapters/libuv.h>
#include <uv.h>

#include "aioredlock.h"

int main(void)
{
    uv_loop_t uv;
    int rc = uv_loop_init(&uv);
    if (rc != 0) {
        fprintf(stderr, "error: uv_loop_init: %s\n", uv_strerror(rc));
        return 1;
    }
    pottery_loop loop;
    check(pottery_libuv_loop(&loop, &uv));

    app a;
    start_session(&a, &loop);

    /* asyncio.run(main()): run the loop until the last step has freed the handles and
     * libuv has run their close callbacks, which free the adapter's watchers and timers */
    uv_run(&uv, UV_RUN_DEFAULT);
    rc = uv_loop_close(&uv);
    if (rc != 0) {
        fprintf(stderr, "error: uv_loop_close: %s\n", uv_strerror(rc));
        return 1;
    }
    return 0;
}
