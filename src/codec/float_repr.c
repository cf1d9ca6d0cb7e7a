/*
 * Python's repr(float), which json.dumps uses: the shortest digit string that reads back
 * as the same double (ties: the one closest to the exact value), laid out positionally when
 * the decimal exponent E is in [-4, 16) and in scientific notation otherwise.
 *
 * Digits come from snprintf("%.*e") (correctly rounded by the C library) at increasing
 * precision; each candidate is checked by reading it back with strtod. At powers of two the
 * rounding interval is lopsided, so the nearest p-digit string may miss while its neighbour
 * on the p-digit grid hits: the neighbours are tried too. Candidates are read back as
 * "DIGITSe<exp>" (no decimal point), so the current locale's radix character never matters.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"

enum { MAX_DIGITS = 17 };

/* Read back digits[0..n) x 10^(e - n + 1). */
static double read_back(const char *digits, int n, int e)
{
    char tmp[MAX_DIGITS + 16];
    memcpy(tmp, digits, (size_t)n);
    snprintf(tmp + n, sizeof tmp - (size_t)n, "e%d", e - n + 1);
    return strtod(tmp, NULL);
}

/* The p-digit rendering of x (> 0, finite): digits into d, decimal exponent into *e. */
static void nearest_digits(double x, int p, char *d, int *e)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, x);
    int n = 0;
    const char *s = tmp;
    while (*s && *s != 'e' && n < p) {
        if (*s >= '0' && *s <= '9') d[n++] = *s;
        s++;
    }
    while (n < p) d[n++] = '0';
    while (*s && *s != 'e') s++;
    *e = *s ? (int)strtol(s + 1, NULL, 10) : 0; /* printf wrote the exponent: it parses */
}

/* The next p-digit decimal above d x 10^e. */
static void grid_up(char *d, int p, int *e)
{
    int k = p - 1;
    while (k >= 0 && d[k] == '9') d[k--] = '0';
    if (k >= 0) {
        d[k]++;
    } else { /* 99..9 -> 100..0 one decade up */
        d[0] = '1';
        (*e)++;
    }
}

/* The next p-digit decimal below d x 10^e (d is not all zeros). */
static void grid_down(char *d, int p, int *e)
{
    int k = p - 1;
    while (k >= 0 && d[k] == '0') d[k--] = '9';
    d[k]--;
    if (d[0] == '0') { /* 10..0 -> 99..9 one decade down */
        for (int j = 0; j < p; j++) d[j] = '9';
        (*e)--;
    }
}

/* Shortest round-tripping digits of x (> 0, finite). Returns the digit count. */
static int shortest_digits(double x, char *out, int *out_e)
{
    char d[MAX_DIGITS], c[MAX_DIGITS];
    int e, ce;
    for (int p = 1; p <= MAX_DIGITS; p++) {
        nearest_digits(x, p, d, &e);
        if (read_back(d, p, e) == x) {
            memcpy(out, d, (size_t)p);
            *out_e = e;
            return p;
        }
        memcpy(c, d, (size_t)p);
        ce = e;
        grid_up(c, p, &ce);
        if (read_back(c, p, ce) == x) {
            memcpy(out, c, (size_t)p);
            *out_e = ce;
            return p;
        }
        memcpy(c, d, (size_t)p);
        ce = e;
        grid_down(c, p, &ce);
        if (read_back(c, p, ce) == x) {
            memcpy(out, c, (size_t)p);
            *out_e = ce;
            return p;
        }
    }
    /* 17 significant digits always round-trip; not reached. */
    nearest_digits(x, MAX_DIGITS, out, out_e);
    return MAX_DIGITS;
}

static size_t put(char *buf, size_t at, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + at, s, n + 1);
    return at + n;
}

size_t pottery__format_double(char *buf, double d)
{
    if (isnan(d)) return put(buf, 0, "NaN");
    if (isinf(d)) return put(buf, 0, d < 0 ? "-Infinity" : "Infinity");
    size_t at = 0;
    if (signbit(d)) {
        buf[at++] = '-';
        d = -d;
    }
    if (d == 0.0) return put(buf, at, "0.0");

    char digits[MAX_DIGITS];
    int e;
    int n = shortest_digits(d, digits, &e);
    while (n > 1 && digits[n - 1] == '0') n--;

    if (e >= -4 && e < 16) {
        if (e >= 0) {
            for (int k = 0; k <= e; k++) buf[at++] = k < n ? digits[k] : '0';
            buf[at++] = '.';
            if (n > e + 1) {
                for (int k = e + 1; k < n; k++) buf[at++] = digits[k];
            } else {
                buf[at++] = '0';
            }
        } else {
            buf[at++] = '0';
            buf[at++] = '.';
            for (int k = 0; k < -e - 1; k++) buf[at++] = '0';
            for (int k = 0; k < n; k++) buf[at++] = digits[k];
        }
        buf[at] = '\0';
        return at;
    }
    buf[at++] = digits[0];
    if (n > 1) {
        buf[at++] = '.';
        for (int k = 1; k < n; k++) buf[at++] = digits[k];
    }
    char ex[16];
    snprintf(ex, sizeof ex, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    return put(buf, at, ex);
}
