/* The reply fuzzer's operations on connections themselves: a client's handshake, a pool,
 * and the clients whose URL makes replies name the servers to use (a sentinel's master, a
 * cluster's nodes and redirections), all answered by the input. */
#include <stdio.h>

#include "fuzz_reply.h"

#define KEY pottery_str("k")
#define VAL pottery_int(1)

static pottery_client_options client_options(void)
{
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.connect_timeout_ms = FX_CONNECT_MS;
    o.command_timeout_ms = FX_TIMEOUT_MS;
    return o;
}

/* A few calls on a client opened by URL: the input answers everything from the handshake
 * on (a sentinel's answers, a cluster's slot map, redirections, the servers they name). */
static void open_and_use(fx *f, const char *scheme, const char *path)
{
    char url[128];
    snprintf(url, sizeof url, "%s://127.0.0.1:%d%s", scheme, fx_tcp_port(), path);
    pottery_client_options o = client_options();
    CALL(pottery_client_open(&f->c[0], url, &o));
    if (!f->c[0]) return;
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n = 0;
    CALL(pottery_dict_open(&f->d, f->c[0], "dict", NULL));
    CALL(pottery_dict_get(&v, f->d, KEY));
    pottery_value_dispose(&v);
    CALL(pottery_dict_set(f->d, KEY, VAL));
    CALL(pottery_set_open(&f->s, f->c[0], "set", NULL));
    CALL(pottery_set_len(&n, f->s));
    CALL(pottery_client_ping(f->c[0]));
}

void fx_op_cluster(fx *f)
{
    open_and_use(f, "redis+cluster", "");
}

void fx_op_sentinel(fx *f)
{
    open_and_use(f, "redis+sentinel", "/fz");
}

/* The input answers the handshake: open, then a PING. */
void fx_op_client_open(fx *f)
{
    pottery_client_options o = client_options();
    CALL(pottery_client_open(&f->c[0], fx_url(0), &o));
    CALL(pottery_client_ping(f->c[0]));
    CALL(pottery_client_open(&f->c[1], fx_url(1), &o));
    CALL(pottery_client_ping(f->c[1]));
}

void fx_op_pool(fx *f)
{
    (void)f;
    pottery_client_options co = client_options();
    pottery_pool_options o = POTTERY_POOL_OPTIONS_INIT;
    o.size = 2;
    o.wait_timeout_ms = 0;
    o.client = &co;
    pottery_pool *pool = NULL;
    CALL(pottery_pool_open(&pool, fx_url(0), &o));
    if (!pool) return;
    pottery_dict *d = NULL;
    CALL(pottery_dict_open(&d, pottery_pool_client(pool), "dict", NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    CALL(pottery_dict_get(&v, d, KEY));
    pottery_value_dispose(&v);
    CALL(pottery_client_ping(pottery_pool_client(pool)));
    pottery_dict_free(d);
    pottery_pool_free(pool);
}
