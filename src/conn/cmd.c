/* pottery_cmd: binary-safe argv vectors, borrowed or copied into the command's arena. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "conn/client_impl.h"
#include "core/error.h"

/* The argument storage is inline while cap == POTTERY_CMD_INLINE and on the heap once it
 * has grown (always to more than POTTERY_CMD_INLINE). Deriving it from cap rather than
 * trusting c->args keeps a command usable after it was moved (copied by value). */
static pottery_cmd_arg *storage(pottery_cmd *c)
{
    if (c->cap <= POTTERY_CMD_INLINE) {
        c->cap = POTTERY_CMD_INLINE; /* also adopts a zero-initialised command */
        c->args = c->inline_args;
    }
    return c->args;
}

const pottery_cmd_arg *pottery__cmd_argv(const pottery_cmd *cmd)
{
    return cmd->cap > POTTERY_CMD_INLINE ? cmd->args : cmd->inline_args;
}

const char *pottery__cmd_arg_ptr(const pottery_cmd *cmd, size_t i)
{
    const pottery_cmd_arg *a = &pottery__cmd_argv(cmd)[i];
    if (a->ptr) return a->ptr;
    return cmd->arena.data ? cmd->arena.data + a->off : "";
}

void pottery__cmd_init(pottery_cmd *c)
{
    if (!c) return;
    memset(c, 0, sizeof *c);
    c->args = c->inline_args;
    c->cap = POTTERY_CMD_INLINE;
}

void pottery__cmd_reset(pottery_cmd *c)
{
    if (!c) return;
    storage(c);
    c->argc = 0;
    c->err = 0;
    pottery__buf_clear(&c->arena);
}

void pottery__cmd_free(pottery_cmd *c)
{
    if (!c) return;
    if (c->cap > POTTERY_CMD_INLINE) pottery__free(c->args);
    pottery__buf_free(&c->arena);
    pottery__cmd_init(c);
}

static int fail(pottery_cmd *c, int rc)
{
    if (!c->err) c->err = rc;
    return rc;
}

static int push(pottery_cmd *c, const char *ptr, size_t off, size_t len)
{
    pottery_cmd_arg *a = storage(c);
    if (c->argc == c->cap) {
        size_t cap = c->cap * 2;
        if (cap > ((size_t)-1) / sizeof *a) return fail(c, pottery__error_oom());
        pottery_cmd_arg *n;
        if (a == c->inline_args) {
            n = pottery__malloc(cap * sizeof *n);
            if (n) memcpy(n, a, c->argc * sizeof *n);
        } else {
            n = pottery__realloc(a, cap * sizeof *n);
        }
        if (!n) return fail(c, pottery__error_oom());
        c->args = a = n;
        c->cap = cap;
    }
    a[c->argc].ptr = ptr;
    a[c->argc].off = off;
    a[c->argc].len = len;
    c->argc++;
    return 0;
}

int pottery__cmd_arg(pottery_cmd *c, const char *s, size_t len)
{
    POTTERY_CHECK_ARG(c);
    if (c->err) return c->err;
    if (!s && len > 0) return fail(c, pottery__error(POTTERY_EINVAL, "command argument is NULL"));
    return push(c, s ? s : "", 0, len);
}

int pottery__cmd_cstr(pottery_cmd *c, const char *s)
{
    POTTERY_CHECK_ARG(c);
    if (c->err) return c->err;
    if (!s) return fail(c, pottery__error(POTTERY_EINVAL, "command argument is NULL"));
    return push(c, s, 0, strlen(s));
}

int pottery__cmd_push_arena(pottery_cmd *c, size_t off, size_t len)
{
    if (c->err) return c->err;
    return push(c, NULL, off, len);
}

int pottery__cmd_copy(pottery_cmd *c, const char *s, size_t len)
{
    POTTERY_CHECK_ARG(c);
    if (c->err) return c->err;
    if (!s && len > 0) return fail(c, pottery__error(POTTERY_EINVAL, "command argument is NULL"));
    size_t off = c->arena.len;
    if (pottery__buf_append(&c->arena, s ? s : "", len) < 0) return fail(c, POTTERY_ENOMEM);
    return push(c, NULL, off, len);
}

int pottery__cmd_int(pottery_cmd *c, long long v)
{
    char tmp[POTTERY_INT64_TEXT_SIZE];
    POTTERY_CHECK_ARG(c);
    if (c->err) return c->err;
    return pottery__cmd_copy(c, tmp, pottery__int64_text(tmp, (int64_t)v));
}

int pottery__cmd_check(const pottery_cmd *cmd, int allow_empty)
{
    if (!cmd) return pottery__error(POTTERY_EINVAL, "command is NULL");
    if (cmd->err) {
        /* Keep the detailed message of the failed push if it is still the last error. */
        if (pottery_error_last()->code == cmd->err) return cmd->err;
        return pottery__error(cmd->err, "the command could not be built: %s", pottery_strerror(cmd->err));
    }
    if (cmd->argc == 0 && !allow_empty) return pottery__error(POTTERY_EINVAL, "empty command");
    return 0;
}
