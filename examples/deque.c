/* RedisDeque in C: the seed README's deque session, step by step, then a bounded deque. */
#include <ctype.h>
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

static void print_value(pottery_value v)
{
    char *text;
    check(pottery_value_repr(&text, v));
    printf("%s\n", text);
    pottery_free(text);
}

static void print_deque(pottery_deque *d)
{
    char *repr;
    check(pottery_deque_repr(&repr, d));
    printf("%s\n", repr);
    pottery_free(repr);
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* d = RedisDeque('ghi', redis=redis, key='letters') */
    pottery_value ghi[] = { pottery_str("g"), pottery_str("h"), pottery_str("i") };
    pottery_deque_options opts;
    pottery_deque_options_init(&opts);
    opts.items = ghi;
    opts.nitems = 3;
    pottery_deque *d;
    check(pottery_deque_open(&d, redis, "letters", &opts));

    /* for elem in d: print(elem.upper()) */
    pottery_value elem = POTTERY_VALUE_INIT;
    pottery_deque_iter *it;
    check(pottery_deque_iter_new(&it, d));
    while (pottery_deque_iter_next(&elem, it) == 0)
        printf("%c\n", toupper((unsigned char)pottery_value_str(&elem, NULL)[0]));
    pottery_deque_iter_free(it);

    check(pottery_deque_append(d, pottery_str("j")));                   /* d.append('j') */
    check(pottery_deque_appendleft(d, pottery_str("f")));               /* d.appendleft('f') */
    print_deque(d);                                                     /* d */

    check(pottery_deque_pop(&elem, d));                                 /* d.pop() */
    print_value(elem);
    check(pottery_deque_popleft(&elem, d));                             /* d.popleft() */
    print_value(elem);

    char *all;
    check(pottery_deque_to_json(&all, NULL, d));                        /* list(d) */
    print_value(pottery_json(all));
    pottery_free(all);
    check(pottery_deque_peekleft(&elem, d));                            /* d[0] */
    print_value(elem);
    check(pottery_deque_peek(&elem, d));                                /* d[-1] */
    print_value(elem);

    /* list(reversed(d)) */
    pottery_value backwards[3] = { POTTERY_VALUE_INIT, POTTERY_VALUE_INIT, POTTERY_VALUE_INIT };
    size_t count = 0;
    check(pottery_deque_iter_new_reversed(&it, d));
    while (count < 3 && pottery_deque_iter_next(&backwards[count], it) == 0) count++;
    pottery_deque_iter_free(it);
    printf("[");
    for (size_t i = 0; i < count; i++) {
        char *text;
        check(pottery_value_repr(&text, backwards[i]));
        printf("%s%s", i ? ", " : "", text);
        pottery_free(text);
    }
    printf("]\n");
    for (size_t i = 0; i < count; i++) pottery_value_dispose(&backwards[i]);

    int found;
    check(pottery_deque_contains(&found, d, pottery_str("h")));         /* 'h' in d */
    printf("%s\n", found ? "True" : "False");

    pottery_value jkl[] = { pottery_str("j"), pottery_str("k"), pottery_str("l") };
    check(pottery_deque_extend(d, jkl, 3));                             /* d.extend('jkl') */
    print_deque(d);
    check(pottery_deque_rotate(d, 1));                                  /* d.rotate(1) */
    print_deque(d);
    check(pottery_deque_rotate(d, -1));                                 /* d.rotate(-1) */
    print_deque(d);

    /* RedisDeque(reversed(d), redis=redis): a temporary "pottery:" key, deleted on free */
    pottery_value reversed[6];
    size_t n = 0;
    for (size_t i = 0; i < 6; i++) reversed[i] = pottery_null();
    check(pottery_deque_iter_new_reversed(&it, d));
    while (n < 6 && pottery_deque_iter_next(&reversed[n], it) == 0) n++;
    pottery_deque_iter_free(it);
    pottery_deque_options copy;
    pottery_deque_options_init(&copy);
    copy.items = reversed;
    copy.nitems = n;
    pottery_deque *tmp;
    check(pottery_deque_open(&tmp, redis, NULL, &copy));
    print_deque(tmp);
    pottery_deque_free(tmp);
    for (size_t i = 0; i < n; i++) pottery_value_dispose(&reversed[i]);

    check(pottery_deque_clear(d));                                      /* d.clear() */
    pottery_value abc[] = { pottery_str("a"), pottery_str("b"), pottery_str("c") };
    check(pottery_deque_extendleft(d, abc, 3));                         /* d.extendleft('abc') */
    print_deque(d);

    /* A bounded deque: recent = RedisDeque('ghi', maxlen=2, redis=redis, key='recent') */
    pottery_deque_options bounded;
    pottery_deque_options_init(&bounded);
    bounded.items = ghi;
    bounded.nitems = 3;
    bounded.maxlen = 2;
    pottery_deque *recent;
    check(pottery_deque_open(&recent, redis, "recent", &bounded));
    print_deque(recent);                                                /* only the last 2 */
    check(pottery_deque_appendleft(recent, pottery_str("g")));          /* drops 'i' */
    print_deque(recent);

    /* Popping an empty deque is IndexError: POTTERY_EINDEX, with Python's message. */
    check(pottery_deque_clear(recent));
    int rc = pottery_deque_pop(&elem, recent);
    printf("%s / %s\n", rc == POTTERY_EINDEX ? "POTTERY_EINDEX" : "?", pottery_error_last()->message);

    pottery_value_dispose(&elem);
    check(pottery_deque_clear(d));
    pottery_deque_free(recent);
    pottery_deque_free(d);
    pottery_client_free(redis);
    return 0;
}
