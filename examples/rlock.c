/* The reentrant lock: a recursive function takes the lock at each level ($REDIS_URL). */
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

/* Each level takes the lock again before it recurses, and gives it back after. */
static void visit(pottery_rlock *lock, int depth)
{
    int acquired;
    check(pottery_rlock_acquire(&acquired, lock, 1, POTTERY_FOREVER));
    printf("depth %d: held %d times\n", depth, pottery_rlock_count(lock));
    if (depth < 3) visit(lock, depth + 1);
    check(pottery_rlock_release(lock));
}

int main(void)
{
    pottery_client *redis;
    check(pottery_client_open(&redis, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */
    pottery_client *masters[] = { redis };           /* in production: five masters */

    pottery_rlock *tree, *other;
    check(pottery_rlock_new(&tree, "tree", masters, 1, NULL));  /* owner: the handle */
    check(pottery_rlock_new(&other, "tree", masters, 1, NULL)); /* another owner */

    int acquired;
    check(pottery_rlock_acquire(&acquired, tree, 1, POTTERY_FOREVER));
    visit(tree, 1);
    printf("after the walk: held %d time(s)\n", pottery_rlock_count(tree));

    check(pottery_rlock_acquire(&acquired, other, 0, POTTERY_FOREVER));
    printf("another owner gets it: %s\n", acquired ? "yes" : "no");
    int rc = pottery_rlock_release(other);
    printf("another owner releases it: %s\n", rc == POTTERY_EUNLOCKED ? "POTTERY_EUNLOCKED" : "ok");

    check(pottery_rlock_release(tree));
    check(pottery_rlock_acquire(&acquired, other, 0, POTTERY_FOREVER));
    printf("once released: another owner gets it: %s\n", acquired ? "yes" : "no");
    check(pottery_rlock_release(other));

    pottery_rlock_free(tree);
    pottery_rlock_free(other);
    pottery_client_free(redis);
    return 0;
}
