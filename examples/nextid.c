/* NextID in C: increasing IDs across processes and machines, the seed README's session. */
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

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */
    pottery_client *masters[] = { redis };          /* in production: five independent masters */

    /* tweet_ids = NextID(key='tweet-ids', masters={redis}) */
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.key = "tweet-ids";
    pottery_nextid *tweet_ids;
    check(pottery_nextid_new(&tweet_ids, masters, 1, &opts));

    int64_t id;
    for (int i = 0; i < 3; i++) {
        check(pottery_nextid_next(&id, tweet_ids)); /* next(tweet_ids) */
        printf("%" PRId64 "\n", id);
    }

    char *repr;
    check(pottery_nextid_repr(&repr, tweet_ids));
    printf("%s\n", repr); /* <NextID key=nextid:tweet-ids> */
    pottery_free(repr);

    check(pottery_nextid_reset(tweet_ids)); /* tweet_ids.reset(): the next id is 1 again */
    pottery_nextid_free(tweet_ids);
    pottery_client_free(redis);
    return 0;
}
