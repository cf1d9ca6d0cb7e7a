/* Random keys "pottery:<uuid4>" for temporary containers, and their clean-up. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "conn/client_impl.h"
#include "core/error.h"

/* Fill buf from getrandom(2), or /dev/urandom where the kernel lacks it. */
static int os_random(unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n > 0) {
            got += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    if (got == len) return 0;

    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n > 0)
            got += (size_t)n;
        else if (!(n < 0 && errno == EINTR))
            break;
    }
    close(fd);
    return got == len ? 0 : -1;
}

int pottery__uuid4(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    POTTERY_CHECK_ARG(out);
    if (os_random(b, sizeof b) < 0)
        return pottery__error(POTTERY_ERANDOMKEY,
                              "no random bytes from the operating system (getrandom, /dev/urandom)");
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10xx (RFC 4122) */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = '\0';
    return 0;
}

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
