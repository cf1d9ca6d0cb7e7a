#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "container.h"
#include "core/error.h"

int pottery__container_init(pottery_container *c, pottery_client *client, const char *key)
{
    c->client = client;
    c->key = NULL;
    c->keylen = 0;
    c->value = NULL;
    if (key && key[0] == '\0')
        return pottery__error(POTTERY_EINVAL,
                              "the key is \"\" (empty); pass NULL for a temporary \"pottery:<uuid4>\" key");
    char random_key[POTTERY_RANDOM_KEY_SIZE];
    if (key == NULL) {
        int rc = pottery__random_key(random_key, client);
        if (rc < 0) return rc;
        key = random_key;
    }
    size_t len = strlen(key);
    c->key = pottery__malloc(len + 1);
    if (!c->key) return pottery__error_oom();
    memcpy(c->key, key, len + 1);
    c->keylen = len;
    return 0;
}

int pottery__container_open(pottery_container **out, size_t size, pottery_client *client, const char *key,
                            int (*fill)(pottery_container *c, const void *ctx), const void *ctx)
{
    *out = NULL;
    pottery_container *c = pottery__calloc(1, size);
    if (!c) return pottery__error_oom();
    int rc = pottery__container_init(c, client, key);
    if (rc == 0 && fill) {
        pottery_client_stats before, after;
        pottery_client_stats_get(&before, client);
        rc = fill(c, ctx);
        pottery_client_stats_get(&after, client);
        /* A write to a new temporary key that failed once sent (its reply lost, say) would
         * leave a key that no handle owns. */
        if (rc < 0 && !key && after.commands != before.commands) pottery__unlink_if_temporary(client, c->key);
    }
    if (rc < 0) {
        /* A fill out of memory once it may have written (its reply unread) must not leave a
         * random key that nobody would delete: UNLINK it (the fresh key held nothing before). */
        if (key == NULL && fill && rc == POTTERY_ENOMEM) pottery__container_release(c);
        pottery__container_abandon(c);
        pottery__free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void pottery__container_close(pottery_container *c)
{
    if (!c) return;
    pottery__container_release(c);
    pottery__free(c);
}

void pottery__container_release(pottery_container *c)
{
    if (c->key) pottery__unlink_if_temporary(c->client, c->key);
    pottery__free(c->key);
    c->key = NULL;
}

void pottery__container_abandon(pottery_container *c)
{
    pottery__free(c->key);
    c->key = NULL;
}

int pottery__container_on_cluster(const pottery_container *c)
{
    return pottery__client_is_cluster(c->client);
}

static unsigned slot_of(const pottery_container *c)
{
    return pottery__key_slot(c->key, c->keylen);
}

int pottery__containers_colocated(const pottery_container *a, const pottery_container *b)
{
    if (!pottery__client_same_server(a->client, b->client)) return 0;
    return !pottery__container_on_cluster(a) || slot_of(a) == slot_of(b);
}

int pottery__containers_need_slot(const pottery_container *a, const pottery_container *b, const char *func,
                                  const char *instead)
{
    if (!pottery__container_on_cluster(a) || slot_of(a) == slot_of(b)) return 0;
    return pottery__error(POTTERY_ECROSSSLOT,
                          "%s: '%s' (hash slot %u) and '%s' (hash slot %u) are in different Redis Cluster hash "
                          "slots, and this runs on the server in one call; give the keys a common {hash tag} "
                          "(e.g. {user1}:cart and {user1}:wishlist), or %s",
                          func, a->key, slot_of(a), b->key, slot_of(b), instead);
}

/* A hash tag of slot: the first decimal number whose slot it is (for every slot one below
 * 110,000 does), into out (at least 8 bytes). */
static void tag_of_slot(char *out, size_t size, unsigned slot)
{
    for (unsigned long n = 0; n < (1ul << 17); n++) {
        int len = snprintf(out, size, "%lu", n);
        if (pottery__key_slot(out, (size_t)len) == slot) return;
    }
}

int pottery__temporary_key(char **out, const pottery_container *c)
{
    static const size_t plen = sizeof POTTERY_RANDOM_KEY_PREFIX - 1;
    char key[POTTERY_RANDOM_KEY_SIZE];
    int rc = pottery__random_key_unchecked(key);
    if (rc < 0) return rc;
    if (!pottery__container_on_cluster(c)) {
        *out = pottery__strdup(key);
        return *out ? 0 : pottery__error_oom();
    }
    /* The prefix, then c's key as the hash tag and ":<uuid4>" (the prefix's last byte). */
    char *beside = NULL;
    rc = pottery__key_beside(&beside, c->key, c->keylen, key + plen - 1);
    if (rc < 0) return rc;
    size_t len = strlen(beside);
    if (pottery__key_slot(beside, len) != slot_of(c)) {
        /* A key that cannot be a tag (a '}' and no tag of its own): a number in its slot is. */
        char tag[16];
        tag_of_slot(tag, sizeof tag, slot_of(c));
        pottery__free(beside);
        beside = NULL;
        rc = pottery__key_beside(&beside, tag, strlen(tag), key + plen - 1);
        if (rc < 0) return rc;
        len = strlen(beside);
    }
    *out = pottery__malloc(plen + len + 1);
    if (*out) {
        memcpy(*out, key, plen);
        memcpy(*out + plen, beside, len + 1);
    }
    pottery__free(beside);
    return *out ? 0 : pottery__error_oom();
}

int pottery__cmd_key(pottery_cmd *cmd, const pottery_container *c)
{
    return pottery__cmd_arg(cmd, c->key, c->keylen);
}

/* A new command "<verb> key". */
static void begin_command(pottery_cmd *cmd, const pottery_container *c, const char *verb)
{
    pottery__cmd_init(cmd);
    pottery__cmd_cstr(cmd, verb);
    pottery__cmd_key(cmd, c);
}

/* Run cmd on the container's client, then free it. */
static int run_command(pottery_reply **r, const pottery_container *c, pottery_cmd *cmd)
{
    int rc = pottery__exec(r, c->client, cmd);
    pottery__cmd_free(cmd);
    return rc;
}

int pottery__container_command(pottery_reply **r, const pottery_container *c, const char *verb,
                               const pottery_value *value)
{
    pottery_cmd cmd;
    begin_command(&cmd, c, verb);
    if (value) pottery__cmd_value(&cmd, value);
    return run_command(r, c, &cmd);
}

int pottery__container_command_bytes(pottery_reply **r, const pottery_container *c, const char *verb, const char *bytes,
                                     size_t len)
{
    pottery_cmd cmd;
    begin_command(&cmd, c, verb);
    pottery__cmd_arg(&cmd, bytes, len);
    return run_command(r, c, &cmd);
}

int pottery__container_create(const pottery_container *c, const pottery_script *s, pottery_cmd *args)
{
    pottery_reply *r = NULL;
    long long created = 0;
    int rc = pottery__eval(&r, c->client, s, 1, args);
    if (rc == 0) rc = pottery__reply_int_in(&created, r, 0, 1, s->name);
    if (rc == 0 && !created) rc = pottery__error(POTTERY_EEXISTS, "KeyExistsError: key '%s' already exists", c->key);
    pottery__reply_free(r);
    return rc;
}

int pottery__container_count(int64_t *out, const pottery_container *c, const char *verb)
{
    pottery_reply *r = NULL;
    long long n = 0;
    int rc = pottery__container_command(&r, c, verb, NULL);
    if (rc == 0) rc = pottery__reply_int_in(&n, r, 0, LLONG_MAX, verb);
    if (rc == 0) *out = (int64_t)n;
    pottery__reply_free(r);
    return rc;
}

int pottery__container_has(int *out, const pottery_container *c, const char *verb, const pottery_value *value)
{
    pottery_reply *r = NULL;
    int rc = pottery__container_command(&r, c, verb, value);
    if (rc == POTTERY_ETYPE) {
        *out = 0;
        rc = 0;
    } else if (rc == 0) {
        long long found = 0;
        rc = pottery__reply_int_in(&found, r, 0, 1, verb);
        if (rc == 0) *out = (int)found;
    }
    pottery__reply_free(r);
    return rc;
}

int pottery__exec_int(long long *out, pottery_client *client, pottery_cmd *cmd, long long lo, long long hi,
                      const char *what)
{
    pottery_reply *r = NULL;
    long long n = 0;
    int rc = pottery__exec(&r, client, cmd);
    pottery__cmd_free(cmd);
    if (rc == 0) rc = pottery__reply_int_in(&n, r, lo, hi, what);
    if (rc == 0 && out) *out = n;
    pottery__reply_free(r);
    return rc;
}

int pottery__container_clear(const pottery_container *c)
{
    pottery_cmd cmd;
    begin_command(&cmd, c, "UNLINK");
    return pottery__exec_int(NULL, c->client, &cmd, 0, 1, "UNLINK");
}

/* Bytes for a message, quoted: printable ASCII as is, any other byte as \xNN, cut after
 * SHOW_BYTES. Nothing is allocated: it also serves when memory ran out. */
enum { SHOW_BYTES = 40 };
static void show_bytes(char *dst, size_t cap, const char *m, size_t len)
{
    size_t o = 0, i = 0;
    dst[o++] = '\'';
    for (; i < len && i < SHOW_BYTES; i++) {
        unsigned char ch = (unsigned char)m[i];
        int plain = ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'';
        o += (size_t)snprintf(dst + o, cap - o, plain ? "%c" : "\\x%02x", ch);
    }
    snprintf(dst + o, cap - o, "'%s", i < len ? "..." : "");
}

int pottery__pop_failed(const pottery_container *c, const pottery_error_saved *decode, int back, const char *entry,
                        const char *bytes, size_t len)
{
    char shown[4 * SHOW_BYTES + 8];
    show_bytes(shown, sizeof shown, bytes, len);
    if (back == 0)
        return pottery__error(decode->code, "key '%s': the popped %s %s could not be decoded (%s); it was put back",
                              c->key, entry, shown, decode->message);
    char why[POTTERY_ERROR_MESSAGE_MAX];
    snprintf(why, sizeof why, "%s", pottery_error_last()->message);
    return pottery__error(back, "key '%s': the popped %s %s could not be restored and is lost (%s); it failed with: %s",
                          c->key, entry, shown, why, decode->message);
}

int pottery__container_put_back(const pottery_container *c, const char *verb, const char *bytes, size_t len,
                                const char *entry)
{
    pottery_error_saved decode;
    pottery__error_save(&decode);
    pottery_cmd cmd;
    begin_command(&cmd, c, verb);
    pottery__cmd_arg(&cmd, bytes, len);
    return pottery__pop_failed(c, &decode, pottery__exec_int(NULL, c->client, &cmd, 0, LLONG_MAX, verb), entry, bytes,
                               len);
}

int pottery__error_value(int code, const char *what, const pottery_value *v)
{
    char *repr = NULL;
    if (pottery_value_repr(&repr, *v) < 0) {
        pottery__error(code, "%s", what);
    } else {
        pottery__error(code, "%s: %s", what, repr);
    }
    pottery_free(repr);
    return code;
}

int pottery__reply_bytes_or_nil(const char **s, size_t *len, const pottery_reply *r, const char *what)
{
    *s = NULL;
    if (len) *len = 0;
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return 0;
    if (pottery__reply_type(r) != POTTERY_REPLY_STRING)
        return pottery__reply_unexpected(r, what, "a bulk string or nil");
    return pottery__reply_bytes(s, len, r, what);
}

int pottery__reply_to_value(pottery_value *out, const pottery_reply *r)
{
    pottery_value tmp = POTTERY_VALUE_INIT;
    int rc = pottery__reply_decode(&tmp, r);
    if (rc < 0) return rc;
    pottery_value_dispose(out);
    *out = tmp;
    return 0;
}

int pottery__value_assign(pottery_value *out, const pottery_value *src)
{
    pottery_value tmp = POTTERY_VALUE_INIT;
    int rc = pottery_value_copy(&tmp, src);
    if (rc < 0) return rc;
    pottery_value_dispose(out);
    *out = tmp;
    return 0;
}
