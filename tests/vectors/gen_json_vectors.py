#!/usr/bin/env python3
"""Generate tests/vectors/json_vectors.txt: what Python's json module and repr() produce,
for the C codec tests to compare against byte for byte.

Usage: python3 tests/vectors/gen_json_vectors.py [OUTPUT]   (stdlib only, deterministic)

One vector per line, fields separated by TAB; lines starting with '#' are comments.
Binary or whitespace-carrying fields are hex-encoded UTF-8 ("hex:" below).

  int     <decimal int64>         <json.dumps(i)>
  double  <float.hex(x)>          <json.dumps(x)>          (C reads the hex with strtod)
  string  <hex: UTF-8 of s>       <json.dumps(s)>
  json    <hex: JSON text>        <json.dumps(json.loads(text), sort_keys=True)>
  repr    <canonical JSON text>   <repr(json.loads(text))>
  key     <canonical JSON scalar> <hex: the dict key text json.dumps makes of it>
  equal   <JSON a>  <JSON b>      <1 if json.loads(a) == json.loads(b) else 0>
  reject  <hex: bytes>            <why>   (the decoder must fail with POTTERY_EDECODE)
"""
import json
import math
import os
import random
import struct
import sys

SEED = 20240607
rng = random.Random(SEED)
lines = []


def dumps(v):
    return json.dumps(v, sort_keys=True)


def hexs(s):
    if isinstance(s, str):
        s = s.encode("utf-8")
    return s.hex()


def emit(*fields):
    for f in fields:
        assert "\t" not in f and "\n" not in f and "\r" not in f, repr(f)
    lines.append("\t".join(fields))


def comment(text):
    lines.append("# " + text)


# ---------------------------------------------------------------- integers
def gen_ints():
    comment("integers: int64 bounds and neighbours, powers of 2 and 10, random")
    vals = [0, 1, -1, 2, -2, 9, 10, 99, 100, 4098, -4127,
            2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32, 2**53, 2**53 + 1, -2**53 - 1,
            2**63 - 1, 2**63 - 2, -2**63, -2**63 + 1]
    vals += [2**k for k in range(0, 63)] + [-(2**k) for k in range(0, 64, 7)]
    vals += [10**k for k in range(0, 19)] + [-(10**k) for k in range(0, 19, 3)]
    vals += [10**k - 1 for k in range(1, 19)]
    vals += [rng.randint(-2**63, 2**63 - 1) for _ in range(40)]
    vals += [rng.randint(-10**6, 10**6) for _ in range(10)]
    seen = set()
    for v in vals:
        if v in seen:
            continue
        seen.add(v)
        assert -2**63 <= v < 2**63
        emit("int", str(v), dumps(v))


# ---------------------------------------------------------------- doubles
def bits_to_double(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def emit_double(x):
    emit("double", x.hex(), dumps(x))


def gen_doubles():
    comment("doubles: specials, boundaries, powers of 10")
    specials = [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 100.0, 4139.5, 0.1, 0.2, 0.3, 1 / 3, 2 / 3,
                1e16, 1e15, 999999999999999.9, 9999999999999998.0, 1e-4, 1e-5, 0.0001,
                0.00011, 1.5e-10, 1e22, 1e23, 1e100, 1e-100, 1e308, 1e-308,
                5e-324, -5e-324, 1e-323, 2.2250738585072014e-308, 2.225073858507201e-308,
                1.7976931348623157e308, -1.7976931348623157e308, 123456789012345678.0,
                1.2345678901234567, 9007199254740993.0, 9007199254740992.0, 4.35,
                0.1 + 0.2, 1e21, 1e-7, 123e-20, 2.5, 3.0e15, 3.0e16,
                float("nan"), float("inf"), float("-inf")]
    for x in specials:
        emit_double(x)
    for k in range(-325, 310):
        x = float("1e%d" % k)
        emit_double(x)
    comment("doubles: every power of two (lopsided rounding intervals)")
    for k in range(-1074, 1024):
        emit_double(math.ldexp(1.0, k))
    comment("doubles: neighbours of powers of two and of powers of ten")
    for k in range(-1022, 1024, 37):
        p = math.ldexp(1.0, k)
        emit_double(math.nextafter(p, 0.0))
        emit_double(math.nextafter(p, math.inf))
    for k in range(-300, 300, 23):
        p = float("1e%d" % k)
        emit_double(math.nextafter(p, 0.0))
        emit_double(math.nextafter(p, math.inf))
    comment("doubles: random bit patterns")
    for _ in range(400):
        emit_double(bits_to_double(rng.getrandbits(64)))
    comment("doubles: random short decimals")
    for _ in range(150):
        digits = rng.randint(1, 17)
        mant = rng.randint(0, 10**digits - 1)
        exp = rng.randint(-30, 30)
        x = float("%de%d" % (mant, exp))
        if rng.random() < 0.3:
            x = -x
        emit_double(x)


# ---------------------------------------------------------------- strings
POOL = ([chr(c) for c in range(0x20, 0x7F)] * 3 +
        [chr(c) for c in range(0, 0x20)] + ["\x7f", "\x80", "\x9f", "\xa0", "\xad", "\xe9",
        "\xff", "\u0100", "\u0378", "\u07ff", "\u0800", "\u2028", "\u2029", "\u200b", "\u4e2d",
        "\u6587", "\ud7ff", "\ue000", "\ufeff", "\ufffd", "\uffff", "\U00010000",
        "\U0001f600", "\U0001f4a9", "\U0010ffff", '"', "\\", "/", "'"])


def gen_strings():
    comment("strings: every escape class")
    fixed = ["", "jack", "guido", "a b", '"', "\\", "/", "'", "it's", 'say "hi"', "\b\f\n\r\t",
             "\x00", "a\x00b", "\x00\x00", "\x01\x1f", "\x7f", "\x80", "é", "café", "naïve",
             "中文", "日本語テキスト", "😀", "👍🏽", "\U0010ffff", "\uffff", "\ue000", "\u2028",
             "\ufeff", "tab\there", "line\nbreak", "</script>", "a/b/c", "\\u0041",
             "mixed é 中 😀 \x00 \x7f \" \\ /"]
    fixed += [chr(c) for c in range(0, 0x20)]
    for s in fixed:
        emit("string", hexs(s), dumps(s))
    comment("strings: random")
    for _ in range(120):
        n = rng.randint(0, 24)
        s = "".join(rng.choice(POOL) for _ in range(n))
        emit("string", hexs(s), dumps(s))


# ---------------------------------------------------------------- JSON texts
def ws():
    return "".join(rng.choice(" \t\n\r") for _ in range(rng.choice([0, 0, 0, 1, 2])))


def write_str(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        r = rng.random()
        if ch == '"':
            out.append('\\"' if r < 0.7 else "\\u0022")
        elif ch == "\\":
            out.append("\\\\" if r < 0.7 else "\\u005C")
        elif ch == "/":
            out.append("\\/" if r < 0.5 else "/")
        elif c < 0x20:
            short = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}
            out.append(short[c] if c in short and r < 0.6 else "\\u%04x" % c)
        elif c < 0x7F:
            out.append(ch if r < 0.9 else "\\u%04X" % c)
        elif r < 0.5:
            out.append(ch)  # raw UTF-8
        elif c > 0xFFFF:
            hi = 0xD800 + ((c - 0x10000) >> 10)
            lo = 0xDC00 + ((c - 0x10000) & 0x3FF)
            fmt = "\\u%04x\\u%04x" if r < 0.75 else "\\u%04X\\u%04X"
            out.append(fmt % (hi, lo))
        else:
            out.append(("\\u%04x" if r < 0.75 else "\\u%04X") % c)
    out.append('"')
    return "".join(out)


def write_float(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    r = rng.random()
    if r < 0.4:
        return repr(x)
    if r < 0.6:
        return "%.17e" % x
    if r < 0.8:
        g = "%.17g" % x
        if "e" in g:
            return g.replace("e", "E")
        return g if "." in g else g + ".0"
    return "%.20e" % x


def write_json(v):
    """Non-canonical JSON for v: random whitespace, shuffled keys, escapes, duplicates."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return write_float(v)
    if isinstance(v, str):
        return write_str(v)
    if isinstance(v, list):
        if not v:
            return "[" + ws() + "]"
        return "[" + ",".join(ws() + write_json(x) + ws() for x in v) + "]"
    assert isinstance(v, dict)
    items = list(v.items())
    rng.shuffle(items)
    parts = []
    for k, x in items:
        if rng.random() < 0.15:  # an earlier duplicate, overridden by the later one
            parts.append(ws() + write_str(k) + ws() + ":" + ws() + write_json(rand_scalar()) + ws())
        parts.append(ws() + write_str(k) + ws() + ":" + ws() + write_json(x) + ws())
    if not parts:
        return "{" + ws() + "}"
    return "{" + ",".join(parts) + "}"


KEYS = ["a", "b", "A", "B", "aa", "ab", "", " ", "z", "é", "e", "f", "ä", "中", "😀", "\uffff",
        "\ue000", "key", "Key", "k\x00", "k", "a\nb", "1", "10", "2", "-", "_", "~", "\x7f",
        "\u00ff", "\u0100", "\U00010000", "\U0010ffff", '"', "\\"]


def rand_scalar():
    r = rng.random()
    if r < 0.1:
        return None
    if r < 0.2:
        return rng.random() < 0.5
    if r < 0.45:
        return rng.choice([0, 1, -1, 2**63 - 1, -2**63, rng.randint(-10**9, 10**9),
                           2**64, -2**70, 10**30])
    if r < 0.7:
        return rng.choice([0.0, -0.0, 1.0, 1e16, 1e-5, 1.5, float("inf"), float("-inf"),
                           bits_to_double(rng.getrandbits(64)), rng.uniform(-1e6, 1e6)])
    n = rng.randint(0, 6)
    return "".join(rng.choice(POOL) for _ in range(n))


def rand_value(depth):
    r = rng.random()
    if depth >= 3 or r < 0.35:
        return rand_scalar()
    if r < 0.65:
        return [rand_value(depth + 1) for _ in range(rng.randint(0, 5))]
    return {rng.choice(KEYS): rand_value(depth + 1) for _ in range(rng.randint(0, 6))}


def emit_json(text):
    expected = dumps(json.loads(text))
    emit("json", hexs(text), expected)


def gen_json():
    comment("json: fixed cases")
    fixed = ['{"b": 1, "a": 2}', '{"a":[1,2],"b":1}', "[]", "{}", " [ ] ", "\t{ }\n",
             "null", "true", "false", " 0 ", "-0", "-0.0", "0.0", "1E2", "1e2", "1e+2",
             "1.5E-10", "1e400", "-1e400", "1e-400", "NaN", "Infinity", "-Infinity",
             "[NaN, Infinity, -Infinity]", "12345678901234567890",
             "18446744073709551616", "-18446744073709551617", "1180591620717411303424",
             "[1180591620717411303424, -1180591620717411303424, 9223372036854775808]",
             '{"big": 99999999999999999999999999999999999999}',
             "9223372036854775807", "-9223372036854775808", "9223372036854775808",
             "-9223372036854775809", '"\\u00e9"', '"\\u00E9"', '"é"', '"\\/"',
             '"\\ud83d\\ude00"', '"\\uD83D\\uDE00"', '"😀"', '"\\u0000"',
             '{"é": 1, "e": 2, "f": 3, "z": 4, "ä": 5}',
             '{"\\uffff": 1, "\\ud800\\udc00": 2, "\\ue000": 3}',
             '{"a": 1, "a": 2}', '{"a": {"y": 1, "x": 2}, "a": [3]}',
             '{"k": {"b": {"d": 1, "c": 2}, "a": null}}', '[{"b": 1, "a": 2}, {"d": [], "c": {}}]',
             '[1.0, 1, true, "1"]', '{"": 0, " ": 1}', "3.14159", "1.0e0", "0.1e1",
             "100.0", "1e16", "1e15", "123.456e3", "0.000001", "1e-5", '"\\"\\\\\\b\\f\\n\\r\\t"',
             "[[[[[]]]]]", '{"a":{"b":{"c":{"d":{}}}}}']
    fixed.append("[" * 100 + "]" * 100)
    fixed.append('{"x": ' * 60 + "1" + "}" * 60)
    fixed.append("[" * 500 + "0" + "]" * 500)
    for text in fixed:
        emit_json(text)
    comment("json: random values written non-canonically")
    for _ in range(220):
        emit_json(ws() + write_json(rand_value(0)) + ws())


# ---------------------------------------------------------------- repr, keys, equality
def gen_repr():
    comment("repr: Python repr(json.loads(canonical text))")
    values = [None, True, False, 0, -1, 4098, 2**63 - 1, -2**63, 2**64, -2**70, 0.0, -0.0, 1.0,
              1.5, 0.1, 1e16, 1e-5, 1.5e-10, 5e-324, 1.7976931348623157e308,
              float("nan"), float("inf"), float("-inf"), "", "jack", "it's", 'say "hi"',
              "both ' and \"", "back\\slash", "\t\n\r", "\x00\x01\x1f\x7f", "\x80\x9f\xa0\xad",
              "é", "中文", "😀", "\u2028\u2029", "\u200b", "\ue000", "\U000f0000", "\u0378",
              "\U000e0001", "\ufeff", "\uffff", "\U0010ffff", "\U0001f600\u00e9\x00",
              [], {}, [1, "a"], {"a": 1, "b": [2]}, [None, True, False, 1.5, "x"],
              {"é": {"x": [1, {"y": None}]}, "a": "b"}, [[[]]], {"k": {}}, [float("inf")],
              {"'": '"', '"': "'"}]
    for v in values:
        text = dumps(v)
        emit("repr", text, repr(json.loads(text)))


def gen_keys():
    comment("key: the dict key text json.dumps makes of a scalar")
    for v in [None, True, False, 0, 1, -7, 2**63 - 1, 2**64, 0.0, -0.0, 1.0, 1.5, 1e16,
              1e-5, float("nan"), float("inf"), float("-inf"), "", "a", "é", "a\x00b",
              "😀", '"q"']:
        text = dumps(v)
        key = next(iter(json.loads(json.dumps({v: 0}))))
        emit("key", text, hexs(key))


def gen_equal():
    comment("equal: Python == of json.loads(a) and json.loads(b)")
    pairs = [("1", "1.0"), ("1", "true"), ("1.0", "true"), ("0", "false"), ("0", "-0.0"),
             ("-0.0", "0.0"), ("false", "0.0"), ("0", "null"), ("null", "null"),
             ("false", "null"), ('""', "null"), ('"1"', "1"), ('"a"', '"a"'),
             ('"a"', '"A"'), ('"a\\u0000"', '"a"'), ("[1]", "[1.0]"), ("[1]", "[true]"),
             ("[1, 2]", "[2, 1]"), ("[1]", "[1, 1]"), ("[]", "[]"), ("[]", "{}"),
             ('{"a": 1}', '{"a": 1.0}'), ('{"a": 1}', '{"a": 1, "b": 2}'),
             ('{"a": 1, "b": 2}', '{"b": 2, "a": 1}'), ('{"a": 1}', '{"b": 1}'),
             ('{"a": [1, {"b": true}]}', '{"a": [1.0, {"b": 1}]}'), ("{}", "{}"),
             ("9007199254740993", "9007199254740992.0"), ("9007199254740992", "9007199254740992.0"),
             ("9223372036854775807", "9223372036854775808.0"),
             ("9223372036854775808", "9223372036854775808.0"),
             ("-9223372036854775808", "-9223372036854775808.0"),
             ("18446744073709551616", "18446744073709551616.0"),
             ("18446744073709551617", "18446744073709551616.0"),
             ("18446744073709551616", "18446744073709551616"),
             ("18446744073709551616", "18446744073709551617"),
             ("1e300", str(int(1e300))),
             ("1e300", "1" + "0" * 300), ("Infinity", "Infinity"), ("Infinity", "-Infinity"),
             ("1.5", "1.5"), ("1.5", "1"), ("2", "2.0000000000000001"), ("0.1", "0.1")]
    for a, b in pairs:
        eq = json.loads(a) == json.loads(b)
        emit("equal", a, b, "1" if eq else "0")
    comment("equal: random canonical values against themselves and a mutation")
    for _ in range(30):
        v = rand_value(0)
        text = dumps(v)
        if "NaN" in text:
            continue
        emit("equal", text, text, "1")
        other = dumps([v])
        emit("equal", text, other, "1" if json.loads(text) == json.loads(other) else "0")


# ---------------------------------------------------------------- rejections
def gen_reject():
    comment("reject: invalid input the decoder must refuse (Python refuses it too)")
    bad = [b"", b" ", b"nul", b"nulll", b"True", b"None", b"nan", b"inf", b"-inf", b"+1",
           b"01", b"-01", b"00", b"1.", b".5", b"-", b"1e", b"1e+", b"1.e5", b"--1", b"0x10",
           b"-NaN", b"+Infinity", b"infinity", b"[", b"]", b"[1,]", b"[,1]", b"[1 2]",
           b"{", b"}", b'{"a"}', b'{"a":}', b'{"a":1,}', b"{1: 2}", b"{'a': 1}", b"{a: 1}",
           b'{"a" 1}', b"'a'", b'"abc', b'"\\"', b'"\\x41"', b'"\\u12"', b'"\\u12G4"',
           b'"\\U00000041"', b'"\\a"', b'"\x00"', b'"\x1f"', b'"a\nb"', b'"\t"',
           b"1 2", b"[] []", b"{}x", b"null,", b"\xef\xbb\xbf1", b"[1]]", b"[[1]",
           b'"\xff"', b'"\xc0\xaf"', b'"\xe0\x80\xaf"', b'"\xed\xa0\x80"', b'"\xf4\x90\x80\x80"',
           b'"\x80"', b'"\xc3"', b'"\xe4\xb8"', b'"\xf0\x9f\x98"', b"\x00", b"1\x00", b"[1,,2]",
           b"\x0b1", b"\x0c1", b"\xa01", b"tru", b"fals", b"Infinit", b"-Infinit"]
    for data in bad:
        try:
            json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            pass
        else:
            raise AssertionError("Python accepts %r" % data)
        emit("reject", data.hex(), "invalid: %r" % data)
    # Python keeps lone surrogates in str; they cannot become UTF-8, so we refuse them.
    for text in ['"\\ud800"', '"\\udc00"', '"a\\ud83d"', '"\\ud83d\\u0041"', '"\\ude00\\ud83d"',
                 '["\\ud800x"]', '{"\\udfff": 1}']:
        try:
            json.dumps(json.loads(text), ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            pass
        else:
            raise AssertionError("no lone surrogate in %r" % text)
        emit("reject", hexs(text), "lone surrogate (Python keeps it; not representable in UTF-8)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "json_vectors.txt")
    lines.append("# Generated by tests/vectors/gen_json_vectors.py (seed %d). Do not edit." % SEED)
    lines.append("# Format: see the generator's docstring.")
    gen_ints()
    gen_doubles()
    gen_strings()
    gen_json()
    gen_repr()
    gen_keys()
    gen_equal()
    gen_reject()
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    n = sum(1 for line in lines if not line.startswith("#"))
    print("%s: %d vectors" % (out, n), file=sys.stderr)


if __name__ == "__main__":
    main()
