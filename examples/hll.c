/* HyperLogLog in C: the seed README's Google searches, counted in Redis. */
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

/* len(google_searches), printed */
static void print_len(pottery_hll *hll)
{
    int64_t n;
    check(pottery_hll_len(&n, hll));
    printf("%" PRId64 "\n", n);
}

/* element in google_searches, printed as Python prints a bool */
static void print_contains(pottery_hll *hll, const char *element)
{
    int in;
    check(pottery_hll_contains(&in, hll, pottery_str(element)));
    printf("%s\n", in ? "True" : "False");
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* google_searches = HyperLogLog(redis=redis, key='google-searches') */
    pottery_hll *google_searches;
    check(pottery_hll_open(&google_searches, redis, "google-searches", NULL, 0));

    check(pottery_hll_add(google_searches, pottery_str("sonic the hedgehog video game")));
    print_len(google_searches);

    const pottery_value searches[] = {
        pottery_str("google in 1998"), pottery_str("minesweeper"),        pottery_str("joey tribbiani"),
        pottery_str("wizard of oz"),   pottery_str("rgb to hex"),         pottery_str("pac-man"),
        pottery_str("breathing exercise"), pottery_str("do a barrel roll"), pottery_str("snake"),
    };
    check(pottery_hll_update(google_searches, searches, 9)); /* one round trip */
    print_len(google_searches);

    print_contains(google_searches, "joey tribbiani");
    print_contains(google_searches, "jennifer aniston");

    /* tuple(google_searches.contains_many('joey tribbiani', 'jennifer aniston')) */
    const pottery_value probe[] = { pottery_str("joey tribbiani"), pottery_str("jennifer aniston") };
    int answers[2];
    check(pottery_hll_contains_many(answers, google_searches, probe, 2)); /* one round trip */
    printf("(%s, %s)\n", answers[0] ? "True" : "False", answers[1] ? "True" : "False");

    check(pottery_hll_clear(google_searches));
    print_len(google_searches);

    pottery_hll_free(google_searches);
    pottery_client_free(redis);
    return 0;
}
