/* CachedOrderedDict in C: the seed README's search results, hydrated and cached. */
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

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* print(sorted(results.misses())) */
static void print_sorted_misses(pottery_cached_ordered_dict *results)
{
    pottery_value misses = POTTERY_VALUE_INIT, id = POTTERY_VALUE_INIT;
    int64_t n, ids[16];
    check(pottery_cached_ordered_dict_misses(&misses, results));
    check(pottery_value_len(&n, &misses));
    for (int64_t i = 0; i < n && i < 16; i++) {
        check(pottery_value_at(&id, &misses, i));
        ids[i] = pottery_value_int(&id);
    }
    qsort(ids, (size_t)n, sizeof ids[0], by_value);
    printf("[");
    for (int64_t i = 0; i < n; i++) printf("%s%" PRId64, i ? ", " : "", ids[i]);
    printf("]\n");
    pottery_value_dispose(&id);
    pottery_value_dispose(&misses);
}

/* for key, value in results.items(): print(f'{key}: {value}') */
static void print_items(pottery_cached_ordered_dict *results)
{
    pottery_cached_ordered_dict_iter *it;
    pottery_value key = POTTERY_VALUE_INIT, value = POTTERY_VALUE_INIT;
    check(pottery_cached_ordered_dict_iter_new(&it, results));
    while (pottery_cached_ordered_dict_iter_next(&key, &value, NULL, it) == 0)
        printf("%" PRId64 ": %s\n", pottery_value_int(&key), pottery_value_str(&value, NULL));
    pottery_cached_ordered_dict_iter_free(it);
    pottery_value_dispose(&key);
    pottery_value_dispose(&value);
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* search_results_1 = CachedOrderedDict(redis_client=redis, redis_key='search-results',
     *                                      dict_keys=(1, 2, 3, 4, 5)) */
    pottery_value ids_1[] = { pottery_int(1), pottery_int(2), pottery_int(3), pottery_int(4), pottery_int(5) };
    pottery_cached_ordered_dict *search_results_1;
    check(pottery_cached_ordered_dict_open(&search_results_1, redis, "search-results", ids_1, 5, NULL));

    print_sorted_misses(search_results_1);                                  /* [1, 2, 3, 4, 5] */
    const char *names[] = { "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten" };
    for (int64_t id = 1; id <= 5; id++)                                     /* search_results_1[1] = 'one' ... */
        check(pottery_cached_ordered_dict_set(search_results_1, pottery_int(id), pottery_str(names[id - 1])));
    print_sorted_misses(search_results_1);                                  /* [] */
    print_items(search_results_1);

    /* search_results_2 = CachedOrderedDict(..., dict_keys=(2, 4, 6, 8, 10)) */
    pottery_value ids_2[] = { pottery_int(2), pottery_int(4), pottery_int(6), pottery_int(8), pottery_int(10) };
    pottery_cached_ordered_dict *search_results_2;
    check(pottery_cached_ordered_dict_open(&search_results_2, redis, "search-results", ids_2, 5, NULL));
    print_sorted_misses(search_results_2);                                  /* [6, 8, 10] */

    pottery_value doc = POTTERY_VALUE_INIT;
    char *repr;
    check(pottery_cached_ordered_dict_get(&doc, search_results_2, pottery_int(2)));  /* search_results_2[2] */
    check(pottery_value_repr(&repr, doc));
    printf("%s\n", repr);                                                   /* 'two' */
    pottery_free(repr);
    pottery_value_dispose(&doc);

    for (int64_t id = 6; id <= 10; id += 2)                                 /* search_results_2[6] = 'six' ... */
        check(pottery_cached_ordered_dict_set(search_results_2, pottery_int(id), pottery_str(names[id - 1])));
    print_sorted_misses(search_results_2);                                  /* [] */
    print_items(search_results_2);

    pottery_cached_ordered_dict_free(search_results_2);
    pottery_cached_ordered_dict_free(search_results_1);

    /* The cache is a RedisDict's hash: a pottery_dict on the same key clears it. */
    pottery_dict *cache;
    check(pottery_dict_open(&cache, redis, "search-results", NULL));
    check(pottery_dict_clear(cache));
    pottery_dict_free(cache);
    pottery_client_free(redis);
    return 0;
}
