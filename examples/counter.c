/* RedisCounter in C: the seed README's counter session, step by step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pottery.h>

static void check(int rc)
{
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", pottery_error_last()->message);
        exit(1);
    }
}

static void print_repr(pottery_value v)
{
    char *text;
    check(pottery_value_repr(&text, v));
    fputs(text, stdout);
    pottery_free(text);
}

static void print_counter(pottery_counter *c)
{
    char *repr;
    check(pottery_counter_repr(&repr, c));
    printf("%s\n", repr);
    pottery_free(repr);
}

/* One key per letter, as Python's Counter('gallahad') iterates a string. */
static pottery_counter *open_letters(pottery_client *redis, const char *key, const char *word)
{
    char letters[32][2] = { { 0 } };
    pottery_value keys[32];
    size_t n = strlen(word) < 32 ? strlen(word) : 32;
    for (size_t i = 0; i < n; i++) {
        letters[i][0] = word[i];
        keys[i] = pottery_str(letters[i]);
    }
    pottery_counter_options opts;
    pottery_counter_options_init(&opts);
    opts.keys = keys;
    opts.nkeys = n;
    pottery_counter *c;
    check(pottery_counter_open(&c, redis, key, &opts));
    return c;
}

static int by_text(const void *a, const void *b)
{
    const pottery_value *x = a, *y = b;
    return strcmp(pottery_value_str(x, NULL), pottery_value_str(y, NULL));
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* c = RedisCounter('gallahad', redis=redis, key='my-counter'): each key counts 1 */
    pottery_value gallahad[] = {
        pottery_str("g"), pottery_str("a"), pottery_str("l"), pottery_str("l"),
        pottery_str("a"), pottery_str("h"), pottery_str("a"), pottery_str("d"),
    };
    pottery_counter_options opts;
    pottery_counter_options_init(&opts);
    opts.keys = gallahad;
    opts.nkeys = 8;
    pottery_counter *c;
    check(pottery_counter_open(&c, redis, "my-counter", &opts));
    print_counter(c);                                                      /* c */
    check(pottery_counter_clear(c));                                       /* c.clear() */
    pottery_counter_free(c);

    /* c = RedisCounter(['eggs', 'ham'], redis=redis, key='my-counter') */
    pottery_value food[] = { pottery_str("eggs"), pottery_str("ham") };
    opts.keys = food;
    opts.nkeys = 2;
    check(pottery_counter_open(&c, redis, "my-counter", &opts));
    int64_t count;
    check(pottery_counter_get(&count, c, pottery_str("bacon")));           /* c['bacon'] */
    printf("%lld\n", (long long)count);
    check(pottery_counter_set(c, pottery_str("sausage"), 0));              /* c['sausage'] = 0 */
    check(pottery_counter_del(c, pottery_str("sausage")));                 /* del c['sausage'] */
    check(pottery_counter_clear(c));
    pottery_counter_free(c);

    /* c = RedisCounter(redis=redis, key='my-counter', a=4, b=2, c=0, d=-2) */
    pottery_counter_pair abcd[] = {
        { pottery_str("a"), 4 }, { pottery_str("b"), 2 }, { pottery_str("c"), 0 }, { pottery_str("d"), -2 },
    };
    pottery_counter_options_init(&opts);
    opts.items = abcd;
    opts.nitems = 4;
    check(pottery_counter_open(&c, redis, "my-counter", &opts));

    /* sorted(c.elements()) */
    pottery_value elements[16] = { POTTERY_VALUE_INIT };
    size_t n = 0;
    pottery_counter_iter *it;
    check(pottery_counter_elements_new(&it, c));
    int rc = 0;
    while (n < 16 && (rc = pottery_counter_iter_next(&elements[n], NULL, it)) == 0) n++;
    if (rc != POTTERY_EITEROVER) check(rc);
    pottery_counter_iter_free(it);
    qsort(elements, n, sizeof elements[0], by_text);
    printf("[");
    for (size_t i = 0; i < n; i++) {
        if (i) printf(", ");
        print_repr(elements[i]);
        pottery_value_dispose(&elements[i]);
    }
    printf("]\n");
    check(pottery_counter_clear(c));
    pottery_counter_free(c);

    /* RedisCounter('abracadabra', redis=redis, key='my-counter').most_common(3) */
    c = open_letters(redis, "my-counter", "abracadabra");
    pottery_counter_pair *top;
    size_t ntop;
    check(pottery_counter_most_common(&top, &ntop, c, 3));
    printf("[");
    for (size_t i = 0; i < ntop; i++) {
        printf(i ? ", (" : "(");
        print_repr(top[i].key);
        printf(", %lld)", (long long)top[i].count);
    }
    printf("]\n");
    pottery_counter_pairs_free(top, ntop);
    check(pottery_counter_clear(c));
    pottery_counter_free(c);

    /* c = RedisCounter(redis=redis, key='my-counter', a=4, b=2, c=0, d=-2) */
    check(pottery_counter_open(&c, redis, "my-counter", &opts));
    pottery_counter_pair d[] = {                                           /* d = Counter(a=1, b=2, c=3, d=4) */
        { pottery_str("a"), 1 }, { pottery_str("b"), 2 }, { pottery_str("c"), 3 }, { pottery_str("d"), 4 },
    };
    check(pottery_counter_subtract(c, d, 4));                              /* c.subtract(d) */
    char *repr;
    check(pottery_counter_repr(&repr, c));                                 /* c */
    printf("%s\n", repr);
    pottery_free(repr);

    /* Beyond the seed README: atomic increments and the total. */
    check(pottery_counter_incr(&count, c, pottery_str("a"), 2));           /* c['a'] += 2, atomically */
    printf("%lld\n", (long long)count);
    check(pottery_counter_total(&count, c));                               /* c.total() */
    printf("%lld\n", (long long)count);

    check(pottery_counter_clear(c));
    pottery_counter_free(c);
    pottery_client_free(redis);
    return 0;
}
