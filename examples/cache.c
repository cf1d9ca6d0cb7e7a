/* redis_cache in C: the seed README's expensive_function, cached in Redis. */
#include <inttypes.h>
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

/* def expensive_function(n): time.sleep(.1); return n */
static int expensive_function(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    (void)nargs;
    (void)payload;
    struct timespec pause = { 0, 100 * 1000 * 1000 }; /* Simulate an expensive computation. */
    nanosleep(&pause, NULL);
    return pottery_value_copy(result, &args[0]);
}

/* Print pottery_cache_info as Python prints functools' CacheInfo. */
static void print_info(pottery_cache *cache)
{
    pottery_cache_info info;
    check(pottery_cache_info_get(&info, cache));
    printf("CacheInfo(hits=%" PRId64 ", misses=%" PRId64 ", maxsize=None, currsize=%" PRId64 ")\n", info.hits,
           info.misses, info.currsize);
}

/* expensive_function(n), printed */
static void call(pottery_cache *cache, int64_t n)
{
    pottery_value arg = pottery_int(n), result = POTTERY_VALUE_INIT;
    check(pottery_cache_call(&result, cache, &arg, 1));
    printf("%" PRId64 "\n", pottery_value_int(&result));
    pottery_value_dispose(&result);
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* @redis_cache(redis=redis, key='expensive-function-cache') */
    pottery_cache *cache;
    check(pottery_cache_open(&cache, redis, "expensive-function-cache", expensive_function, NULL, NULL));

    call(cache, 5);     /* expensive_function(5): a miss, 100 ms */
    print_info(cache);  /* expensive_function.cache_info() */
    call(cache, 5);     /* a hit: one round trip */
    print_info(cache);
    call(cache, 6);
    print_info(cache);

    print_info(cache);
    check(pottery_cache_clear(cache)); /* expensive_function.cache_clear() */
    print_info(cache);

    pottery_cache_free(cache);
    pottery_client_free(redis);
    return 0;
}
