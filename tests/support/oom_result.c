#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/oom_result.h"

void oom_text_add(oom_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    t->s = realloc(t->s, t->len + (size_t)n + 1);
    assert_non_null(t->s);
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void oom_text_value(oom_text *t, pottery_value v)
{
    if (pottery_value_is_null(&v)) {
        oom_text_add(t, "<null>");
        return;
    }
    char *json = NULL;
    assert_ok(pottery_value_to_json(&json, NULL, v));
    oom_text_add(t, "%s", json);
    pottery_free(json);
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *oom_join_sorted(char **items, size_t n)
{
    qsort(items, n, sizeof *items, cmp_text);
    oom_text t = { 0 };
    oom_text_add(&t, "%s", "");
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(items[i], items[i - 1]) != 0) oom_text_add(&t, "%s%s", t.len ? " " : "", items[i]);
    }
    for (size_t i = 0; i < n; i++) free(items[i]);
    return t.s;
}

void oom_result_reset(oom_result *r, const char *want)
{
    free(r->ref);
    r->ref = NULL;
    r->want = want;
}

void oom_result_check_at(oom_result *r, oom_text *got, const char *file, int line)
{
    const char *g = got->s ? got->s : "";
    while (*g == ' ') g++; /* parts are added as " name=value" */
    if (!r->ref) {
        if (r->want && strcmp(g, r->want) != 0) {
            print_error("%s:%d: the reference run returned %s, expected %s\n", file, line, g, r->want);
            _fail(file, line);
        }
        r->ref = strdup(g);
        assert_non_null(r->ref);
    } else if (strcmp(g, r->ref) != 0) {
        print_error("%s:%d: succeeded under allocation failure with %s, the reference run with %s\n", file, line, g,
                    r->ref);
        _fail(file, line);
    }
    free(got->s);
    got->s = NULL;
    got->len = 0;
}

static const char rename_script[] = "local ks = redis.call('KEYS', ARGV[1])\n"
                                    "table.sort(ks)\n"
                                    "for i, k in ipairs(ks) do redis.call('RENAME', k, ARGV[2] .. i) end\n"
                                    "return #ks\n";

char *oom_digest_renaming(const char *pattern, const char *as)
{
    free(raw("EVAL", rename_script, "0", pattern, as, NULL));
    return oom_digest();
}

int oom_state_strict(char **after, const char *start, int rc)
{
    char *now = oom_digest_renaming("pottery:*", "renamed:");
    if (!now) return 0;
    int ok;
    if (!*after) {
        ok = rc >= 0;
        *after = now;
        return ok;
    }
    ok = strcmp(now, rc >= 0 ? *after : start) == 0;
    free(now);
    return ok;
}

int oom_state_unchanged(const char *start)
{
    char *now = oom_digest();
    int ok = now && strcmp(now, start) == 0;
    free(now);
    return ok;
}

void oom_run_rows_at(const oom_row *rows, size_t n, void *ctx, const char *file, int line)
{
    oom_state *st = ctx;
    for (size_t i = 0; i < n; i++) {
        oom_result_reset(&st->res, rows[i].want);
        st->variant = rows[i].variant;
        free(st->after);
        st->after = NULL;
        long total = oom_exhaust_at(&rows[i].op, ctx, file, line);
        if (rows[i].zero && total != 0) {
            print_error("%s:%d: %s allocated %ld times, expected none\n", file, line, rows[i].op.name, total);
            _fail(file, line);
        }
    }
    oom_result_reset(&st->res, NULL);
    free(st->start);
    free(st->after);
    st->start = st->after = NULL;
}

int oom_strict_ok(void *ctx, int rc)
{
    oom_state *st = ctx;
    return oom_state_strict(&st->after, st->start, rc);
}

void oom_text_outputs(oom_text *t, const pottery_value *v, const char *text, int64_t n, int flag)
{
    if (v && !pottery_value_is_null(v)) oom_text_add(t, " v="), oom_text_value(t, *v);
    if (text) oom_text_add(t, " text=%s", text);
    if (n != INT64_MIN) oom_text_add(t, " n=%lld", (long long)n);
    if (flag != -1) oom_text_add(t, " flag=%d", flag);
}

char *oom_join_visited(const pottery_value *keys, const pottery_value *vals, const int64_t *counts, size_t n)
{
    char **items = calloc(n + 1, sizeof *items);
    assert_non_null(items);
    for (size_t i = 0; i < n; i++) {
        oom_text t = { 0 };
        oom_text_value(&t, keys[i]);
        if (vals) oom_text_add(&t, "="), oom_text_value(&t, vals[i]);
        if (counts) oom_text_add(&t, "=%lld", (long long)counts[i]);
        items[i] = t.s;
    }
    char *all = oom_join_sorted(items, n);
    free(items);
    return all;
}
