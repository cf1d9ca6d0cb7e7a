/* BloomFilter in C: the seed README's dilberts, in a Redis bitmap that pottery shares. */
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

/* 'name' in dilberts, printed as Python prints it */
static void print_contains(pottery_bloom *dilberts, const char *name)
{
    int seen;
    check(pottery_bloom_contains(&seen, dilberts, pottery_str(name)));
    printf("%s\n", seen ? "True" : "False");
}

static void print_len(pottery_bloom *dilberts)
{
    int64_t n;
    check(pottery_bloom_len(&n, dilberts));
    printf("%" PRId64 "\n", n);
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* dilberts = BloomFilter(num_elements=100, false_positives=0.01, redis=redis, key='dilberts') */
    pottery_bloom *dilberts;
    check(pottery_bloom_open(&dilberts, redis, "dilberts", 100, 0.01, NULL));

    check(pottery_bloom_add(dilberts, pottery_str("rajiv")));
    print_contains(dilberts, "rajiv");  /* 'rajiv' in dilberts */
    print_contains(dilberts, "raj");
    print_contains(dilberts, "dan");
    print_len(dilberts);                /* len(dilberts): an estimate */

    pottery_value more[] = { pottery_str("raj"), pottery_str("dan") };
    check(pottery_bloom_update(dilberts, more, 2));

    /* tuple(dilberts.contains_many('rajiv', 'raj', 'dan', 'luis')): one round trip */
    pottery_value names[] = { pottery_str("rajiv"), pottery_str("raj"), pottery_str("dan"), pottery_str("luis") };
    int seen[4];
    check(pottery_bloom_contains_many(seen, dilberts, names, 4));
    printf("(%s, %s, %s, %s)\n", seen[0] ? "True" : "False", seen[1] ? "True" : "False",
           seen[2] ? "True" : "False", seen[3] ? "True" : "False");

    check(pottery_bloom_clear(dilberts));
    print_len(dilberts);

    pottery_bloom_free(dilberts);
    pottery_client_free(redis);
    return 0;
}
