/**
 * @file
 * Error codes and the thread-local last-error record.
 *
 * Every function that can fail returns int: 0 on success, a negative POTTERY_E* code on
 * failure. The codes mirror pottery's (Python's) exceptions. After a failure,
 * pottery_error_last() describes it in words, including the text of a Redis error reply
 * (for example "WRONGTYPE Operation against a key holding the wrong kind of value").
 * The library never prints, aborts or exits because of bad input.
 */
#ifndef POTTERY_ERRORS_H
#define POTTERY_ERRORS_H

#include "common.h"

POTTERY_BEGIN_DECLS

/** What a failing call returns: 0 or one of these negative codes. */
typedef enum pottery_error_code {
    POTTERY_OK = 0,            /**< success */
    POTTERY_ENOTFOUND = -1,    /**< KeyError / ValueError "x not in ...": no such key or element */
    POTTERY_EINDEX = -2,       /**< IndexError: index out of range, pop from an empty sequence */
    POTTERY_EEMPTY = -3,       /**< QueueEmptyError: nothing to get from a queue */
    POTTERY_EEXISTS = -4,      /**< KeyExistsError: initial data given for a key that exists */
    POTTERY_ETYPE = -5,        /**< TypeError: a value that cannot be encoded as JSON (invalid
                                 UTF-8, malformed JSON text, ...) */
    POTTERY_EDECODE = -6,      /**< data found in Redis is not JSON this library can decode */
    POTTERY_EREDIS = -7,       /**< Redis answered with an error reply (text in the message) */
    POTTERY_ECONN = -8,        /**< connection failed or dropped; the next call reconnects */
    POTTERY_ETIMEOUT = -9,     /**< connect or command timeout elapsed */
    POTTERY_EQUORUM = -10,     /**< QuorumNotAchieved */
    POTTERY_EIMPOSSIBLE = -11, /**< QuorumIsImpossible */
    POTTERY_EUNLOCKED = -12,   /**< ReleaseUnlockedLock / ExtendUnlockedLock */
    POTTERY_EEXTENSIONS = -13, /**< TooManyExtensions */
    POTTERY_ENOMEM = -14,      /**< out of memory */
    POTTERY_EINVAL = -15,      /**< invalid argument (NULL handle, malformed URL, ...) */
    POTTERY_EITEROVER = -16,   /**< StopIteration: an iterator has no more items (not a failure) */
    POTTERY_ERANDOMKEY = -17,  /**< RandomKeyError: every random key candidate already existed */
    POTTERY_ECONFLICT = -18,   /**< concurrent writers kept a WATCH transaction from committing */
    POTTERY_ESTATE = -19,      /**< RuntimeError: call not valid in the object's state */
    POTTERY_ERANGE = -20,      /**< a number does not fit the C type asked for */
    POTTERY_EPROTOCOL = -21,   /**< the server answered what the command cannot answer (a reply
                                 of the wrong type or shape, or announcing an absurd size);
                                 the connection is dropped if it may be out of step */
    POTTERY_ECANCELED = -22,   /**< an asynchronous operation was cancelled: its handle was
                                 freed while it ran (the callback's last call) */
    POTTERY_ECROSSSLOT = -23,  /**< Redis Cluster: one atomic operation would touch keys of
                                 different hash slots; give the keys a common {hash tag} */
    POTTERY_ECLUSTER = -24     /**< Redis Cluster: the cluster cannot serve the call now
                                 (CLUSTERDOWN, a slot no node serves, redirections that do not
                                 settle, a slot moved in the middle of a streamed write) */
} pottery_error_code;

/** The last error raised on the calling thread. */
typedef struct pottery_error {
    int code;            /**< a pottery_error_code, or 0 if nothing failed yet */
    const char *message; /**< never NULL; valid until the next failing call on this thread */
} pottery_error;

/** The last error set on this thread. Never NULL. Successful calls do not reset it; the
 * record belongs to the library (do not free it). */
POTTERY_API const pottery_error *pottery_error_last(void);

/** Forget the last error on this thread (code 0, empty message). */
POTTERY_API void pottery_error_clear(void);

/** Record code and message as this thread's last error, and return code. For libraries
 * built on libpottery (the cJSON bridge, event-loop adapters), so that their failures read
 * like the library's own. The message is copied (at most 511 bytes); NULL means "". */
POTTERY_API int pottery_error_set(int code, const char *message);

/** Static English text for a code, e.g. "index out of range" for POTTERY_EINDEX; unknown
 * codes give "unknown error". The text is static: never free it. */
POTTERY_API const char *pottery_strerror(int code);

POTTERY_END_DECLS

#endif /* POTTERY_ERRORS_H */
