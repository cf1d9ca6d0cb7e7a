/* libFuzzer target: arbitrary RESP from a fake server to every module's operations.
 *
 * An input is two bytes choosing an operation of fuzz_reply_ops.c, then the server's side:
 * chunks of bytes separated by "=====". The fake server (a thread on a private unix socket,
 * started once) numbers the connections of an input in the order it accepts them: the
 * fixture's client c[0] is 0, c[1] and c[2] (opened when an operation first needs them)
 * and reconnections the next numbers. The server answers the handshakes of the fixture's
 * clients itself (the operations that open clients themselves leave them to the input).
 * When connection n sends its first command while the operation runs, the server writes
 * chunk n (nothing if there is none), shuts its side down and reads whatever else
 * comes, so that a client waits for nothing: it parses what it got, then meets the end of
 * the stream (POTTERY_ECONN). Every call must keep the contract that fx_check states, never
 * crash, leak or hang.
 *
 * Every TCP connection the process makes reaches the fake server's loopback port, whatever
 * address it was made to (connect() and getaddrinfo() below), so that replies may name
 * servers: a sentinel's master, a cluster's nodes.
 *
 * Seeds: FUZZ_REPLY_RECORD=<unix socket of a redis-server> FUZZ_REPLY_SEEDS=<dir> makes the
 * target run every operation once against that server instead (the fake server relays each
 * connection to it) and write what the server answered, as an input, to <dir>/<operation>;
 * `-merge=1` then keeps those that reach new code. FUZZ_REPLY_VERBOSE=1 prints every call
 * and its outcome. */
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "fuzz_reply.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "====="
enum { MAX_CHUNKS = 16, MAX_CONNS = 64 };

/* A connection of the fake server. */
typedef struct sconn {
    int fd; /* -1: free slot */
    int up; /* recording: the connection to the real server, or -1 */
    unsigned gen;
    int serial; /* its number within its input */
    int fed;    /* its chunk was queued (or, recording, it is relayed) */
    int shut;   /* shut the writing side down once out is sent */
    char *in;   /* before it is fed: commands not answered yet */
    size_t inlen;
    char *out; /* bytes to send */
    size_t outlen, outoff;
} sconn;

/* What the server thread and the fuzzing thread share, under lock. */
static struct {
    pthread_mutex_t lock;
    unsigned gen;    /* the input running */
    int fuzzing;     /* 0 while the fixture opens */
    int next_serial; /* the number of the next connection accepted */
    const uint8_t *chunk[MAX_CHUNKS];
    size_t chunk_len[MAX_CHUNKS];
    size_t nchunks;
    const char *upstream;  /* recording: the real server's socket */
    char *rec[MAX_CHUNKS]; /* recording: what each connection received */
    size_t rec_len[MAX_CHUNKS];
} S = { .lock = PTHREAD_MUTEX_INITIALIZER };

static sconn conns[MAX_CONNS];
static char sock_path[108];
static int tcp_port;
static char urls[3][160];

static void die(const char *what)
{
    fprintf(stderr, "fuzz_reply: %s: %s\n", what, strerror(errno));
    abort();
}

const char *fx_url(int db)
{
    return urls[db];
}

static int verbose; /* FUZZ_REPLY_VERBOSE set: every call and its outcome on stderr */

void fx_check(int rc, const char *call)
{
    const pottery_error *e = pottery_error_last();
    if (verbose) fprintf(stderr, "fuzz_reply: %s: %d %s\n", call, rc, rc < 0 ? e->message : "");
    if (rc >= 0 || rc == POTTERY_EITEROVER) return; /* an iterator's end is not a failure */
    if (rc >= POTTERY_ECLUSTER && e->code == rc && e->message && e->message[0]) return;
    fprintf(stderr,
            "fuzz_reply: %s returned %d (%s), last error %d \"%s\": want >= 0 or a POTTERY_E* code with a message\n",
            call, rc, pottery_strerror(rc), e->code, e->message ? e->message : "(null)");
    abort();
}

int fx_clear(void)
{
    pottery_error_clear();
    return 0;
}

/* ---- the server thread ---- */

static void append(char **buf, size_t *len, const void *p, size_t n)
{
    if (n == 0) return;
    char *b = realloc(*buf, *len + n);
    if (!b) die("out of memory");
    memcpy(b + *len, p, n);
    *buf = b;
    *len += n;
}

static void conn_close(sconn *c)
{
    if (c->fd >= 0) close(c->fd);
    if (c->up >= 0) close(c->up);
    free(c->in);
    free(c->out);
    memset(c, 0, sizeof *c);
    c->fd = c->up = -1;
}

static void queue_out(sconn *c, const void *p, size_t n)
{
    append(&c->out, &c->outlen, p, n);
}

/* The name of the first complete command in c->in (into name), and the bytes it takes:
 * 0 while incomplete, -1 if it is not a RESP array of bulk strings. */
static long parse_command(const char *buf, size_t len, char *name, size_t name_size)
{
    size_t pos = 0;
    if (len == 0) return 0;
    if (buf[0] != '*') return -1;
    const char *eol = memchr(buf, '\n', len);
    if (!eol) return 0;
    long n = strtol(buf + 1, NULL, 10);
    if (n < 1 || n > 1024 * 1024) return -1;
    pos = (size_t)(eol - buf) + 1;
    name[0] = '\0';
    for (long i = 0; i < n; i++) {
        if (pos >= len) return 0;
        if (buf[pos] != '$') return -1;
        eol = memchr(buf + pos, '\n', len - pos);
        if (!eol) return 0;
        long blen = strtol(buf + pos + 1, NULL, 10);
        if (blen < 0) return -1;
        pos = (size_t)(eol - buf) + 1;
        if (pos + (size_t)blen + 2 > len) return 0;
        if (i == 0) {
            size_t k = (size_t)blen < name_size - 1 ? (size_t)blen : name_size - 1;
            memcpy(name, buf + pos, k);
            name[k] = '\0';
        }
        pos += (size_t)blen + 2;
    }
    return (long)pos;
}

/* While the fixture opens: answer the handshakes as Redis would. */
static void answer_setup(sconn *c)
{
    for (;;) {
        char name[32];
        long used = parse_command(c->in, c->inlen, name, sizeof name);
        if (used == 0) return;
        if (used < 0) {
            c->inlen = 0;
            queue_out(c, "-ERR malformed command\r\n", 24);
            c->shut = 1;
            return;
        }
        const char *reply = "-ERR unexpected before the input\r\n";
        if (strcasecmp(name, "PING") == 0)
            reply = "+PONG\r\n";
        else if (strcasecmp(name, "SELECT") == 0 || strcasecmp(name, "AUTH") == 0)
            reply = "+OK\r\n";
        queue_out(c, reply, strlen(reply));
        memmove(c->in, c->in + used, c->inlen - (size_t)used);
        c->inlen -= (size_t)used;
    }
}

static int connect_unix(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connecting to the recorded server");
    return fd;
}

static void send_blocking(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k <= 0) return;
        p += k;
        n -= (size_t)k;
    }
}

/* Bytes came from a client (S.lock held). */
static void on_bytes(sconn *c, const char *p, size_t n)
{
    if (c->gen != S.gen) return; /* a connection of an input that is over */
    if (!c->fed && S.fuzzing) {
        c->fed = 1;
        if (S.upstream) {
            c->up = connect_unix(S.upstream);
        } else {
            if ((size_t)c->serial < S.nchunks) queue_out(c, S.chunk[c->serial], S.chunk_len[c->serial]);
            c->shut = 1;
        }
        free(c->in);
        c->in = NULL;
        c->inlen = 0;
    }
    if (c->fed) {
        if (c->up >= 0) send_blocking(c->up, p, n);
        return;
    }
    append(&c->in, &c->inlen, p, n);
    answer_setup(c);
}

static void flush_out(sconn *c)
{
    while (c->outoff < c->outlen) {
        ssize_t k = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && errno == EAGAIN) return;
        if (k <= 0) {
            c->outoff = c->outlen;
            break;
        }
        c->outoff += (size_t)k;
    }
    free(c->out);
    c->out = NULL;
    c->outlen = c->outoff = 0;
    if (c->shut) {
        shutdown(c->fd, SHUT_WR);
        c->shut = 0;
    }
}

/* Read what a client sent; 0 when it hung up. */
static int read_client(sconn *c)
{
    char buf[65536];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 1;
        if (n <= 0) return 0;
        pthread_mutex_lock(&S.lock);
        on_bytes(c, buf, (size_t)n);
        pthread_mutex_unlock(&S.lock);
    }
}

/* Recording: relay what the real server answered, and keep it. */
static int read_upstream(sconn *c)
{
    char buf[65536];
    ssize_t n = recv(c->up, buf, sizeof buf, 0);
    if (n <= 0) return 0;
    pthread_mutex_lock(&S.lock);
    if (c->gen == S.gen && c->serial < MAX_CHUNKS) append(&S.rec[c->serial], &S.rec_len[c->serial], buf, (size_t)n);
    pthread_mutex_unlock(&S.lock);
    queue_out(c, buf, (size_t)n);
    return 1;
}

static void accept_client(int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    int one = 1; /* a TCP connection: small replies leave at once, as Redis sends them */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (int i = 0; i < MAX_CONNS; i++) {
        sconn *c = &conns[i];
        if (c->fd >= 0) continue;
        c->fd = fd;
        pthread_mutex_lock(&S.lock);
        c->gen = S.gen;
        c->serial = S.next_serial++;
        /* not the fixture's: nothing to answer before the input */
        int feed_now = S.fuzzing && !S.upstream && (size_t)c->serial >= S.nchunks;
        pthread_mutex_unlock(&S.lock);
        if (feed_now) {
            c->fed = 1;
            c->shut = 1;
            flush_out(c);
        }
        return;
    }
    close(fd); /* no room: the client sees the connection drop */
}

static void *server_main(void *arg)
{
    const int *lfd = arg; /* the unix socket's and the TCP port's listeners */
    for (int i = 0; i < MAX_CONNS; i++) conns[i].fd = conns[i].up = -1;
    for (;;) {
        struct pollfd pfd[2 * MAX_CONNS + 2];
        int who[2 * MAX_CONNS + 2];
        nfds_t n = 0;
        for (int i = 0; i < 2; i++) {
            pfd[n].fd = lfd[i];
            pfd[n].events = POLLIN;
            who[n++] = -1;
        }
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd < 0) continue;
            pfd[n].fd = conns[i].fd;
            pfd[n].events = (short)(POLLIN | (conns[i].outoff < conns[i].outlen ? POLLOUT : 0));
            who[n++] = i;
            if (conns[i].up >= 0) {
                pfd[n].fd = conns[i].up;
                pfd[n].events = POLLIN;
                who[n++] = MAX_CONNS + i;
            }
        }
        if (poll(pfd, n, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        for (nfds_t k = 2; k < n; k++) {
            if (!pfd[k].revents) continue;
            sconn *c = &conns[who[k] % MAX_CONNS];
            if (c->fd < 0 || pfd[k].fd != (who[k] < MAX_CONNS ? c->fd : c->up)) continue;
            int alive = who[k] < MAX_CONNS ? ((pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) ? read_client(c) : 1)
                                           : read_upstream(c);
            if (alive) flush_out(c);
            if (!alive) conn_close(c);
        }
        for (int i = 0; i < 2; i++)
            if (pfd[i].revents & POLLIN) accept_client(lfd[i]);
    }
    return NULL;
}

/* The sockets of runs that ended in a crash (atexit did not run): removed. */
static void remove_stale_sockets(void)
{
    DIR *dir = opendir("/tmp");
    if (!dir) return;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        int pid = 0, end = 0;
        if (sscanf(e->d_name, "fuzz_reply.%d.sock%n", &pid, &end) != 1 || e->d_name[end] != '\0') continue;
        if (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH) {
            char path[300];
            snprintf(path, sizeof path, "/tmp/%s", e->d_name);
            unlink(path);
        }
    }
    closedir(dir);
}

static void start_server(void)
{
    static pthread_t thread;
    static int lfd[2];
    remove_stale_sockets();
    snprintf(sock_path, sizeof sock_path, "/tmp/fuzz_reply.%d.sock", (int)getpid());
    unlink(sock_path);
    lfd[0] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
    if (lfd[0] < 0 || bind(lfd[0], (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd[0], 64) < 0) die("listening");
    for (int db = 0; db < 3; db++) snprintf(urls[db], sizeof urls[db], "unix://%s?db=%d", sock_path, db);

    lfd[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in in;
    socklen_t len = sizeof in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd[1] < 0 || bind(lfd[1], (struct sockaddr *)&in, sizeof in) < 0 || listen(lfd[1], 64) < 0 ||
        getsockname(lfd[1], (struct sockaddr *)&in, &len) < 0)
        die("listening on loopback");
    tcp_port = ntohs(in.sin_port);
    if (pthread_create(&thread, NULL, server_main, lfd) != 0) die("starting the server thread");
}

int fx_tcp_port(void)
{
    return tcp_port;
}

/* ---- every address is the fake server's ----
 *
 * Replies name servers (a sentinel's master, a cluster's nodes, a MOVED target): whatever
 * they name, the process connects to the fake server's TCP port, and no name is looked up.
 * These definitions take the place of the C library's (and AddressSanitizer's) for the
 * whole program. */

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    if (addr && addr->sa_family == AF_INET) {
        memset(&in4, 0, sizeof in4);
        in4.sin_family = AF_INET;
        in4.sin_port = htons((uint16_t)tcp_port);
        in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr = (const struct sockaddr *)&in4;
        len = sizeof in4;
    } else if (addr && addr->sa_family == AF_INET6) {
        memset(&in6, 0, sizeof in6);
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons((uint16_t)tcp_port);
        inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
        addr = (const struct sockaddr *)&in6;
        len = sizeof in6;
    }
    return (int)syscall(SYS_connect, fd, addr, len);
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    typedef int (*lookup_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
    static lookup_fn lookup;
    if (!lookup) *(void **)&lookup = dlsym(RTLD_NEXT, "getaddrinfo");
    if (!lookup) return EAI_FAIL;
    struct addrinfo numeric;
    if (hints) {
        numeric = *hints;
        numeric.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
        hints = &numeric;
    }
    char port[16];
    snprintf(port, sizeof port, "%d", tcp_port);
    return lookup(node ? "127.0.0.1" : NULL, service ? port : NULL, hints, res);
}

static void remove_socket(void)
{
    unlink(sock_path);
}

/* ---- one input ---- */

pottery_client *fx_client(fx *f, int db)
{
    if (f->c[db]) return f->c[db];
    pthread_mutex_lock(&S.lock);
    int fuzzing = S.fuzzing;
    S.fuzzing = 0; /* the server answers this handshake itself */
    pthread_mutex_unlock(&S.lock);
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.connect_timeout_ms = FX_CONNECT_MS;
    o.command_timeout_ms = FX_TIMEOUT_MS;
    if (pottery_client_open(&f->c[db], fx_url(db), &o) != 0) {
        fprintf(stderr, "fuzz_reply: the fixture's client %d did not open: %s\n", db, pottery_error_last()->message);
        abort();
    }
    pthread_mutex_lock(&S.lock);
    S.fuzzing = fuzzing;
    pthread_mutex_unlock(&S.lock);
    return f->c[db];
}

void fx_close(fx *f)
{
    pottery_nextid_free(f->nid3);
    pottery_nextid_free(f->nid);
    pottery_redlock_free(f->lock3);
    pottery_redlock_free(f->lock);
    pottery_rwlock_free(f->rw3);
    pottery_rwlock_free(f->rw);
    pottery_rlock_free(f->rlk3);
    pottery_rlock_free(f->rlk);
    pottery_rqueue_free(f->rq);
    pottery_ratelimit_free(f->rl);
    pottery_semaphore_free(f->sem);
    pottery_bloom_free(f->bf);
    pottery_hll_free(f->h2);
    pottery_hll_free(f->h);
    pottery_cached_ordered_dict_free(f->cod);
    pottery_cache_free(f->chx);
    pottery_cache_free(f->ch);
    pottery_queue_free(f->u);
    pottery_counter_free(f->kx);
    pottery_counter_free(f->k2);
    pottery_counter_free(f->k);
    pottery_deque_free(f->qb);
    pottery_deque_free(f->q2);
    pottery_deque_free(f->q);
    pottery_list_free(f->lx);
    pottery_list_free(f->l2);
    pottery_list_free(f->l);
    pottery_set_free(f->sx);
    pottery_set_free(f->s2);
    pottery_set_free(f->s);
    pottery_dict_free(f->dx);
    pottery_dict_free(f->d2);
    pottery_dict_free(f->d);
    for (int i = 0; i < 3; i++) pottery_client_free(f->c[i]);
    memset(f, 0, sizeof *f);
}

static void run_op(const fuzz_op *op, const uint8_t *data, size_t size)
{
    pthread_mutex_lock(&S.lock);
    S.gen++;
    S.next_serial = 0;
    S.fuzzing = (op->flags & NO_SETUP) != 0;
    S.nchunks = 0;
    while (S.nchunks < MAX_CHUNKS) {
        const uint8_t *sep =
            S.nchunks + 1 < MAX_CHUNKS ? memmem(data, size, SEP, sizeof SEP - 1) : NULL; /* the last takes the rest */
        size_t len = sep ? (size_t)(sep - data) : size;
        S.chunk[S.nchunks] = data;
        S.chunk_len[S.nchunks++] = len;
        if (!sep) break;
        data += len + sizeof SEP - 1;
        size -= len + sizeof SEP - 1;
    }
    pthread_mutex_unlock(&S.lock);

    fx f;
    memset(&f, 0, sizeof f);
    if (!(op->flags & NO_SETUP)) {
        fx_client(&f, 0);
        pthread_mutex_lock(&S.lock);
        S.fuzzing = 1;
        pthread_mutex_unlock(&S.lock);
    }
    op->run(&f);
    fx_close(&f);

    pthread_mutex_lock(&S.lock);
    S.gen++; /* whatever is left of this input's connections is ignored */
    S.nchunks = 0;
    pthread_mutex_unlock(&S.lock);
}

static const fuzz_op *op_of(const uint8_t *data)
{
    return &fuzz_ops[(data[0] | (size_t)data[1] << 8) % fuzz_nops];
}

/* Recording: every operation once against the real server, each written as a seed. */
static void record(const char *upstream, const char *dir)
{
    S.upstream = upstream;
    /* the clearing operations last, so that the others find something */
    for (size_t pass = 0; pass < 2 * fuzz_nops; pass++) {
        size_t i = pass % fuzz_nops;
        if ((strstr(fuzz_ops[i].name, "clear") != NULL) != (pass >= fuzz_nops)) continue;
        const uint8_t head[2] = { (uint8_t)(i & 0xff), (uint8_t)(i >> 8) };
        run_op(&fuzz_ops[i], head, 0);
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, fuzz_ops[i].name);
        FILE *out = fopen(path, "wb");
        if (!out) die(path);
        fwrite(head, 1, 2, out);
        pthread_mutex_lock(&S.lock);
        size_t last = 0;
        for (size_t k = 0; k < MAX_CHUNKS; k++)
            if (S.rec_len[k]) last = k + 1;
        for (size_t k = 0; k < last; k++) {
            if (k) fputs(SEP, out);
            fwrite(S.rec[k] ? S.rec[k] : "", 1, S.rec_len[k], out);
        }
        for (size_t k = 0; k < MAX_CHUNKS; k++) {
            free(S.rec[k]);
            S.rec[k] = NULL;
            S.rec_len[k] = 0;
        }
        pthread_mutex_unlock(&S.lock);
        fclose(out);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    start_server();
    atexit(remove_socket);
    verbose = getenv("FUZZ_REPLY_VERBOSE") != NULL;
    const char *upstream = getenv("FUZZ_REPLY_RECORD"), *dir = getenv("FUZZ_REPLY_SEEDS");
    if (upstream && dir) {
        record(upstream, dir);
        exit(0);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    run_op(op_of(data), data + 2, size - 2);
    return 0;
}
