/* RedisList in C: the seed README's list session, step by step. */
#include <stdio.h>
#include <stdlib.h>

#include <pottery.h>
#include <pottery/list.h>

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
    printf("%s\n", text);
    pottery_free(text);
}

static void print_list(pottery_list *list)
{
    char *repr;
    check(pottery_list_repr(&repr, list));
    printf("%s\n", repr);
    pottery_free(repr);
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */

    /* squares = RedisList([1, 4, 9, 16, 25], redis=redis, key='squares') */
    pottery_value initial[] = { pottery_int(1), pottery_int(4), pottery_int(9), pottery_int(16), pottery_int(25) };
    pottery_list_options opts;
    pottery_list_options_init(&opts);
    opts.items = initial;
    opts.nitems = 5;
    pottery_list *squares;
    check(pottery_list_open(&squares, redis, "squares", &opts));

    print_list(squares);                                                        /* squares */

    pottery_value v = POTTERY_VALUE_INIT;
    check(pottery_list_get(&v, squares, 0));                                    /* squares[0] */
    print_repr(v);
    check(pottery_list_get(&v, squares, -1));                                   /* squares[-1] */
    print_repr(v);
    pottery_slice last3 = pottery_slice_of(-3, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE);
    check(pottery_list_get_slice(&v, squares, last3));                          /* squares[-3:] */
    print_repr(v);
    check(pottery_list_get_slice(&v, squares, pottery_slice_all()));            /* squares[:] */
    print_repr(v);
    pottery_value_dispose(&v);

    pottery_list *more;                                                         /* squares + [36, ...] */
    check(pottery_list_add_json(&more, squares, "[36, 49, 64, 81, 100]"));
    print_list(more);
    pottery_list_free(more); /* its random "pottery:" key is deleted */

    /* An index past the end is IndexError: POTTERY_EINDEX, with Python's message. */
    int rc = pottery_list_get(&v, squares, 5);
    printf("%s / %s\n", rc == POTTERY_EINDEX ? "POTTERY_EINDEX" : "?", pottery_error_last()->message);

    check(pottery_list_clear(squares));
    pottery_list_free(squares);
    pottery_client_free(redis);
    return 0;
}
