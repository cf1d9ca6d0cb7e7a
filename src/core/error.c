/* The thread-local last-error record and pottery_strerror(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

/* A fixed buffer per thread: setting an error never allocates (so ENOMEM can be reported)
 * and nothing is left to free when a thread ends. */
enum { MESSAGE_MAX = POTTERY_ERROR_MESSAGE_MAX };

static _Thread_local char last_message[MESSAGE_MAX];
static _Thread_local pottery_error last_error = { 0, "" };

int pottery__error_record(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    last_error.code = code;
    last_error.message = last_message;
    return code;
}

void pottery__error_save(pottery_error_saved *saved)
{
    saved->code = last_error.code;
    snprintf(saved->message, sizeof saved->message, "%s", last_error.message ? last_error.message : "");
}

void pottery__error_restore(const pottery_error_saved *saved)
{
    snprintf(last_message, sizeof last_message, "%s", saved->message);
    last_error.code = saved->code;
    last_error.message = last_message;
}

int pottery_error_set(int code, const char *message)
{
    if (message == last_message) { /* the current message again: copying it onto itself overlaps */
        last_error.code = code;
        last_error.message = last_message;
        return code;
    }
    return pottery__error(code, "%s", message ? message : "");
}

const pottery_error *pottery_error_last(void)
{
    if (last_error.message == NULL) last_error.message = "";
    return &last_error;
}

void pottery_error_clear(void)
{
    last_message[0] = '\0';
    last_error.code = 0;
    last_error.message = last_message;
}

const char *pottery_strerror(int code)
{
    switch (code) {
    case POTTERY_OK: return "success";
    case POTTERY_ENOTFOUND: return "key or element not found";
    case POTTERY_EINDEX: return "index out of range";
    case POTTERY_EEMPTY: return "queue is empty";
    case POTTERY_EEXISTS: return "key already exists";
    case POTTERY_ETYPE: return "value cannot be encoded as JSON";
    case POTTERY_EDECODE: return "data in Redis is not valid JSON";
    case POTTERY_EREDIS: return "Redis replied with an error";
    case POTTERY_ECONN: return "connection to Redis failed";
    case POTTERY_ETIMEOUT: return "timed out";
    case POTTERY_EQUORUM: return "quorum not achieved";
    case POTTERY_EIMPOSSIBLE: return "quorum is impossible";
    case POTTERY_EUNLOCKED: return "lock is not held";
    case POTTERY_EEXTENSIONS: return "too many lock extensions";
    case POTTERY_ENOMEM: return "out of memory";
    case POTTERY_EINVAL: return "invalid argument";
    case POTTERY_EITEROVER: return "iteration is over";
    case POTTERY_ERANDOMKEY: return "could not find an unused random key";
    case POTTERY_ECONFLICT: return "transaction kept conflicting with concurrent writers";
    case POTTERY_ESTATE: return "operation not valid in the current state";
    case POTTERY_ERANGE: return "number out of range";
    case POTTERY_EPROTOCOL: return "unexpected reply from the server";
    case POTTERY_ECANCELED: return "operation cancelled";
    case POTTERY_ECROSSSLOT: return "keys in different cluster hash slots";
    case POTTERY_ECLUSTER: return "the cluster cannot serve the call";
    default: return "unknown error";
    }
}
