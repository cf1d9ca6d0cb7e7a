/* Random keys "pottery:<uuid4>" for temporary containers, and their clean-up. */
#include <string.h>

#include "conn/client_impl.h"
#include "core/error.h"

int pottery__random_key_unchecked(char *out)
{
    static const size_t plen = sizeof POTTERY_RANDOM_KEY_PREFIX - 1;
    POTTERY_CHECK_ARG(out);
    memcpy(out, POTTERY_RANDOM_KEY_PREFIX, plen);
    return pottery__uuid4(out + plen);
}

int pottery__random_key(char *out, pottery_client *c)
{
    enum { TRIES = 3 };
    static const size_t plen = sizeof POTTERY_RANDOM_KEY_PREFIX - 1;
    char key[POTTERY_RANDOM_KEY_SIZE];
    POTTERY_CHECK_ARG(out);
    out[0] = '\0';
    POTTERY_CHECK_ARG(c);
    for (int i = 0; i < TRIES; i++) {
        int rc = pottery__random_key_unchecked(key);
        if (rc < 0) return rc;
        pottery_cmd cmd;
        pottery_reply *r = NULL;
        pottery__cmd_init(&cmd);
        pottery__cmd_arg(&cmd, "EXISTS", 6);
        pottery__cmd_arg(&cmd, key, plen + 36);
        rc = pottery__exec(&r, c, &cmd);
        pottery__cmd_free(&cmd);
        if (rc < 0) return rc;
        long long exists = 0;
        rc = pottery__reply_int_in(&exists, r, 0, 1, "EXISTS");
        pottery__reply_free(r);
        if (rc < 0) return rc;
        if (exists == 0) {
            memcpy(out, key, sizeof key);
            return 0;
        }
    }
    return pottery__error(POTTERY_ERANDOMKEY, "%d random keys in a row already existed", TRIES);
}

void pottery__unlink_if_temporary(pottery_client *c, const char *key)
{
    static const size_t plen = sizeof POTTERY_RANDOM_KEY_PREFIX - 1;
    if (!c || !key || strncmp(key, POTTERY_RANDOM_KEY_PREFIX, plen) != 0) return;
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_arg(&cmd, "UNLINK", 6);
    pottery__cmd_cstr(&cmd, key);
    (void)pottery__exec(NULL, c, &cmd); /* freeing never fails */
    pottery__cmd_free(&cmd);
    pottery__error_restore(&saved);
}
