/* RedisDict in C: the seed README's dict session, step by step. */
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

static int by_text(const void *a, const void *b)
{
    const pottery_value *x = a, *y = b;
    return strcmp(pottery_value_str(x, NULL), pottery_value_str(y, NULL));
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* tel = RedisDict({'jack': 4098, 'sape': 4139}, redis=redis, key='tel') */
    pottery_pair initial[] = {
        { pottery_str("jack"), pottery_int(4098) },
        { pottery_str("sape"), pottery_int(4139) },
    };
    pottery_dict_options opts;
    pottery_dict_options_init(&opts);
    opts.items = initial;
    opts.nitems = 2;
    pottery_dict *tel;
    check(pottery_dict_open(&tel, redis, "tel", &opts));

    check(pottery_dict_set(tel, pottery_str("guido"), pottery_int(4127)));  /* tel['guido'] = 4127 */

    char *repr;
    check(pottery_dict_repr(&repr, tel));                                    /* tel */
    printf("%s\n", repr);
    pottery_free(repr);

    pottery_value number = POTTERY_VALUE_INIT;
    check(pottery_dict_get(&number, tel, pottery_str("jack")));              /* tel['jack'] */
    printf("%lld\n", (long long)pottery_value_int(&number));
    pottery_value_dispose(&number);

    check(pottery_dict_del(tel, pottery_str("sape")));                       /* del tel['sape'] */
    check(pottery_dict_set(tel, pottery_str("irv"), pottery_int(4127)));    /* tel['irv'] = 4127 */
    check(pottery_dict_repr(&repr, tel));
    printf("%s\n", repr);
    pottery_free(repr);

    /* list(tel), then sorted(tel) */
    pottery_value names[3] = { POTTERY_VALUE_INIT, POTTERY_VALUE_INIT, POTTERY_VALUE_INIT };
    size_t count = 0;
    pottery_dict_iter *it;
    check(pottery_dict_iter_new(&it, tel));
    int rc;
    while (count < 3 && (rc = pottery_dict_iter_next(&names[count], NULL, it)) == 0) count++;
    pottery_dict_iter_free(it);
    for (int sorted = 0; sorted < 2; sorted++) {
        if (sorted) qsort(names, count, sizeof names[0], by_text);
        printf("[");
        for (size_t i = 0; i < count; i++) {
            if (i) printf(", ");
            print_repr(names[i]);
        }
        printf("]\n");
    }
    for (size_t i = 0; i < count; i++) pottery_value_dispose(&names[i]);

    int found;
    check(pottery_dict_contains(&found, tel, pottery_str("guido")));        /* 'guido' in tel */
    printf("%s\n", found ? "True" : "False");
    check(pottery_dict_contains(&found, tel, pottery_str("jack")));         /* 'jack' not in tel */
    printf("%s\n", !found ? "True" : "False");

    /* A missing key is KeyError: POTTERY_ENOTFOUND, with Python's message. */
    rc = pottery_dict_get(&number, tel, pottery_str("sape"));
    printf("%s / %s\n", rc == POTTERY_ENOTFOUND ? "POTTERY_ENOTFOUND" : "?", pottery_error_last()->message);

    check(pottery_dict_clear(tel));
    pottery_dict_free(tel);
    pottery_client_free(redis);
    return 0;
}
