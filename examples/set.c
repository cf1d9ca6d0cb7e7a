/* RedisSet in C: the seed README's set session, step by step. */
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

/* Print a JSON array snapshot the way Python prints a sorted list. */
static void print_sorted(char *json)
{
    char *text;
    check(pottery_value_repr(&text, pottery_json(json)));
    printf("%s\n", text);
    pottery_free(text);
    pottery_free(json);
}

/* A set of the letters of word, like RedisSet('abracadabra'); key NULL = temporary. */
static pottery_set *letters(pottery_client *redis, const char *key, const char *word)
{
    pottery_value chars[32];
    char text[32][2];
    size_t n = 0;
    for (; word[n] && n < 32; n++) {
        text[n][0] = word[n];
        text[n][1] = '\0';
        chars[n] = pottery_str(text[n]);
    }
    pottery_set_options opts;
    pottery_set_options_init(&opts);
    opts.elements = chars;
    opts.nelements = n;
    pottery_set *s;
    check(pottery_set_open(&s, redis, key, &opts));
    return s;
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* basket = RedisSet({'apple', 'orange', 'apple', 'pear', 'orange', 'banana'}, redis=redis, key='basket') */
    pottery_value fruit[] = {
        pottery_str("apple"), pottery_str("orange"), pottery_str("apple"),
        pottery_str("pear"), pottery_str("orange"), pottery_str("banana"),
    };
    pottery_set_options opts;
    pottery_set_options_init(&opts);
    opts.elements = fruit;
    opts.nelements = 6;
    pottery_set *basket;
    check(pottery_set_open(&basket, redis, "basket", &opts));

    char *json;
    check(pottery_set_to_json(&json, NULL, basket));                        /* sorted(basket) */
    print_sorted(json);

    int found;
    check(pottery_set_contains(&found, basket, pottery_str("orange")));     /* 'orange' in basket */
    printf("%s\n", found ? "True" : "False");
    check(pottery_set_contains(&found, basket, pottery_str("crabgrass")));  /* 'crabgrass' in basket */
    printf("%s\n", found ? "True" : "False");

    pottery_set *a = letters(redis, "magic", "abracadabra");                /* a = RedisSet('abracadabra', ...) */
    pottery_set *b = letters(redis, NULL, "alacazam");                      /* b = RedisSet('alacazam') */
    check(pottery_set_to_json(&json, NULL, a));                             /* sorted(a) */
    print_sorted(json);

    pottery_set *a_minus_b;
    check(pottery_set_difference_new_from(&a_minus_b, a, &b, 1));           /* a - b: a new RedisSet */
    check(pottery_set_to_json(&json, NULL, a_minus_b));                     /* sorted(a - b) */
    print_sorted(json);
    pottery_set_free(a_minus_b);

    check(pottery_set_union_from(&json, NULL, a, &b, 1));                   /* sorted(a | b) */
    print_sorted(json);
    check(pottery_set_intersection_from(&json, NULL, a, &b, 1));            /* sorted(a & b) */
    print_sorted(json);
    check(pottery_set_symmetric_difference_from(&json, NULL, a, b));        /* sorted(a ^ b) */
    print_sorted(json);

    /* As in Python, the operand can be any iterable: here values in memory. */
    pottery_value xy[] = { pottery_str("x"), pottery_str("y") };
    check(pottery_set_union(&json, NULL, a, xy, 2));                        /* sorted(a.union(['x', 'y'])) */
    print_sorted(json);
    check(pottery_set_issuperset(&found, a, xy, 2));                        /* a.issuperset(['x', 'y']) */
    printf("%s\n", found ? "True" : "False");

    /* nirvana = RedisSet({'kurt', 'krist', 'dave'}, redis=redis, key='nirvana') */
    pottery_value band[] = { pottery_str("kurt"), pottery_str("krist"), pottery_str("dave") };
    opts.elements = band;
    opts.nelements = 3;
    pottery_set *nirvana;
    check(pottery_set_open(&nirvana, redis, "nirvana", &opts));

    /* tuple(nirvana.contains_many('kurt', 'krist', 'chat', 'dave')): one round trip */
    pottery_value names[] = { pottery_str("kurt"), pottery_str("krist"), pottery_str("chat"), pottery_str("dave") };
    int member[4];
    check(pottery_set_contains_many(member, nirvana, names, 4));
    printf("(%s, %s, %s, %s)\n", member[0] ? "True" : "False", member[1] ? "True" : "False",
           member[2] ? "True" : "False", member[3] ? "True" : "False");

    /* remove() of a missing element is KeyError: POTTERY_ENOTFOUND, with Python's message. */
    int rc = pottery_set_remove(nirvana, pottery_str("courtney"));
    printf("%s / %s\n", rc == POTTERY_ENOTFOUND ? "POTTERY_ENOTFOUND" : "?", pottery_error_last()->message);

    check(pottery_set_clear(basket));
    check(pottery_set_clear(a));
    check(pottery_set_clear(nirvana));
    pottery_set_free(basket);
    pottery_set_free(a);
    pottery_set_free(b); /* its "pottery:" key is deleted */
    pottery_set_free(nirvana);
    pottery_client_free(redis);
    return 0;
}
