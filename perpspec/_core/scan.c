/*
 * A strict scanner of the canonical JSON Lines subset perpspec writes (docs/ledger.md).
 *
 * A line is handled only when it is, byte for byte, the compact form the writer produces:
 * one object, no whitespace, first the keys "seq" (an integer), "ts" and "type" (strings),
 * then keys whose values are strings, integers, null, or lists of strings, integers, null and
 * flat objects of those; every byte printable ASCII, no backslash, integers of at most 18
 * digits (so they fit 64 bits), no repeated key in any object, the line ending in "\n".
 * Anything else (escapes, exponents, points in JSON numbers, booleans, spaces, non-ASCII
 * text, a carriage return, a missing newline) is "not handled": the caller reads such a line
 * with the general reader. The scanner never guesses: on a handled line a JSON parser gives
 * exactly the values whose spans it reports, with no float and no repeated key.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef PERPSPEC_CORE_SOURCE_HASH
#define PERPSPEC_CORE_SOURCE_HASH "unknown"
#endif

/* Value kinds, as reported per field (kept in step with perpspec/_core/__init__.py). */
enum { KIND_STRING = 1, KIND_INTEGER = 2, KIND_NULL = 3, KIND_LIST = 4 };

/* Line statuses for perpspec_scan_lines. */
enum { LINE_NOT_HANDLED = 0, LINE_HANDLED = 1 };

/* Fields of one object compared for repeats; a ledger record has about twenty. */
#define MAX_KEYS 256
#define MAX_INTEGER_DIGITS 18

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} cursor;

typedef struct {
    int32_t start;
    int32_t length;
} span;

const char *perpspec_core_source_hash(void) { return PERPSPEC_CORE_SOURCE_HASH; }

/* A string: '"', printable ASCII without '"' or '\\', '"'. Returns 0 when outside the subset. */
static int scan_string(cursor *c, span *out, const uint8_t *base) {
    if (c->p >= c->end || *c->p != '"') return 0;
    const uint8_t *start = ++c->p;
    while (c->p < c->end) {
        uint8_t b = *c->p;
        if (b == '"') {
            out->start = (int32_t)(start - base);
            out->length = (int32_t)(c->p - start);
            c->p++;
            return 1;
        }
        if (b < 0x20 || b > 0x7e || b == '\\') return 0;
        c->p++;
    }
    return 0;
}

/* An integer: '-'? ('0' | [1-9][0-9]*), at most 18 digits, followed by ',', '}' or ']'. */
static int scan_integer(cursor *c) {
    if (c->p < c->end && *c->p == '-') c->p++;
    const uint8_t *digits = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    ptrdiff_t count = c->p - digits;
    if (count == 0 || count > MAX_INTEGER_DIGITS) return 0;
    if (digits[0] == '0' && count > 1) return 0;
    if (c->p >= c->end) return 0;
    return *c->p == ',' || *c->p == '}' || *c->p == ']';
}

static int scan_null(cursor *c) {
    if (c->end - c->p < 4 || memcmp(c->p, "null", 4) != 0) return 0;
    c->p += 4;
    return 1;
}

/* A scalar (string, integer, null); *kind says which. */
static int scan_scalar(cursor *c, int *kind, const uint8_t *base) {
    span ignored;
    if (c->p >= c->end) return 0;
    uint8_t b = *c->p;
    if (b == '"') {
        *kind = KIND_STRING;
        return scan_string(c, &ignored, base);
    }
    if (b == '-' || (b >= '0' && b <= '9')) {
        *kind = KIND_INTEGER;
        return scan_integer(c);
    }
    if (b == 'n') {
        *kind = KIND_NULL;
        return scan_null(c);
    }
    return 0;
}

static int is_repeat(const uint8_t *base, const span *keys, int count) {
    const span *last = &keys[count];
    for (int i = 0; i < count; i++) {
        if (keys[i].length == last->length &&
            memcmp(base + keys[i].start, base + last->start, (size_t)last->length) == 0)
            return 1;
    }
    return 0;
}

/* A flat object: '{' '}' or '{' key ':' scalar (',' key ':' scalar)* '}', keys unique. */
static int scan_flat_object(cursor *c, const uint8_t *base) {
    span keys[MAX_KEYS];
    int count = 0;
    int kind;
    if (c->p >= c->end || *c->p != '{') return 0;
    c->p++;
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 1;
    }
    for (;;) {
        if (count >= MAX_KEYS) return 0;
        if (!scan_string(c, &keys[count], base)) return 0;
        if (is_repeat(base, keys, count)) return 0;
        count++;
        if (c->p >= c->end || *c->p != ':') return 0;
        c->p++;
        if (!scan_scalar(c, &kind, base)) return 0;
        if (c->p >= c->end) return 0;
        if (*c->p == '}') {
            c->p++;
            return 1;
        }
        if (*c->p != ',') return 0;
        c->p++;
    }
}

/* A list: '[' ']' or '[' item (',' item)* ']', an item a scalar or a flat object. */
static int scan_list(cursor *c, const uint8_t *base) {
    int kind;
    if (c->p >= c->end || *c->p != '[') return 0;
    c->p++;
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return 1;
    }
    for (;;) {
        if (c->p >= c->end) return 0;
        if (*c->p == '{') {
            if (!scan_flat_object(c, base)) return 0;
        } else if (!scan_scalar(c, &kind, base)) {
            return 0;
        }
        if (c->p >= c->end) return 0;
        if (*c->p == ']') {
            c->p++;
            return 1;
        }
        if (*c->p != ',') return 0;
        c->p++;
    }
}

/*
 * Scan one line (its bytes without the final "\n"). On success returns the number of fields
 * and fills fields[5*i ..]: key start, key length, kind, value start, value length (a
 * string's span excludes its quotes; a list's span is the whole list text). Returns -1 when
 * the line is outside the subset or has more than `capacity` fields.
 */
static int32_t scan_record(const uint8_t *line, int64_t length, int32_t *fields, int32_t capacity) {
    static const char *const first_keys[3] = {"seq", "ts", "type"};
    static const int first_kinds[3] = {KIND_INTEGER, KIND_STRING, KIND_STRING};
    span keys[MAX_KEYS];
    cursor c = {line, line + length};
    int32_t count = 0;
    if (length <= 0 || length > INT32_MAX || line[0] != '{') return -1;
    c.p++;
    for (;;) {
        span value;
        int kind;
        if (count >= capacity || count >= MAX_KEYS) return -1;
        if (!scan_string(&c, &keys[count], line)) return -1;
        if (is_repeat(line, keys, count)) return -1;
        if (c.p >= c.end || *c.p != ':') return -1;
        c.p++;
        if (c.p >= c.end) return -1;
        value.start = (int32_t)(c.p - line);
        if (*c.p == '[') {
            kind = KIND_LIST;
            if (!scan_list(&c, line)) return -1;
            value.length = (int32_t)(c.p - line) - value.start;
        } else if (*c.p == '"') {
            kind = KIND_STRING;
            if (!scan_string(&c, &value, line)) return -1;
        } else {
            if (!scan_scalar(&c, &kind, line)) return -1;
            value.length = (int32_t)(c.p - line) - value.start;
        }
        if (count < 3) {
            size_t key_length = strlen(first_keys[count]);
            if (kind != first_kinds[count] || (size_t)keys[count].length != key_length ||
                memcmp(line + keys[count].start, first_keys[count], key_length) != 0)
                return -1;
        }
        int32_t *out = &fields[5 * count];
        out[0] = keys[count].start;
        out[1] = keys[count].length;
        out[2] = kind;
        out[3] = value.start;
        out[4] = value.length;
        count++;
        if (c.p >= c.end) return -1;
        if (*c.p == '}') {
            c.p++;
            break;
        }
        if (*c.p != ',') return -1;
        c.p++;
    }
    if (c.p != c.end || count < 3) return -1;
    return count;
}

/* The public one-line entry: `line` excludes its "\n" (see scan_record). */
int32_t perpspec_scan_record(const uint8_t *line, int64_t length, int32_t *fields,
                             int32_t capacity) {
    return scan_record(line, length, fields, capacity);
}

/*
 * Split `data` into lines and scan each. A line is the bytes up to and including a "\n";
 * when `at_end` is set, bytes after the last "\n" are one more line. For each line writes
 * out[2*i] = the offset just past it and out[2*i+1] = its status (LINE_HANDLED: a "\n"-ended
 * line in the subset; LINE_NOT_HANDLED otherwise). Stops after `capacity` lines, or at an
 * unfinished line when `at_end` is 0, or at a line longer than `max_line` bytes (reported
 * not handled, for the caller to refuse). Returns the number of lines written.
 */
int64_t perpspec_scan_lines(const uint8_t *data, int64_t length, int32_t at_end, int64_t max_line,
                            int64_t *out, int64_t capacity) {
    int32_t fields[5 * MAX_KEYS];
    int64_t position = 0;
    int64_t lines = 0;
    while (position < length && lines < capacity) {
        const uint8_t *start = data + position;
        int64_t remaining = length - position;
        const uint8_t *newline = memchr(start, '\n', (size_t)remaining);
        int64_t line_length;
        int32_t status = LINE_NOT_HANDLED;
        if (newline == NULL) {
            if (!at_end && remaining <= max_line) break;
            line_length = remaining;
        } else {
            line_length = (int64_t)(newline - start) + 1;
            if (line_length <= max_line &&
                scan_record(start, line_length - 1, fields, MAX_KEYS) >= 0)
                status = LINE_HANDLED;
        }
        position += line_length;
        out[2 * lines] = position;
        out[2 * lines + 1] = status;
        lines++;
        if (line_length > max_line) break;
    }
    return lines;
}
