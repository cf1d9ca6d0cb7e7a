/* Fake Redis servers for connection fault tests (see fake_server.h). */
#include "fake_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CLIENTS = 16, MAX_ARGS = 1 << 20 };

typedef struct fake_conn {
    int fd;
    int serial; /* 1 for the first connection accepted, 2 for the next... */
    char *buf;
    size_t len;
    size_t cap;
} fake_conn;

struct fake_server {
    int lfd;
    int port;
    int wake[2]; /* pipe: a byte wakes the thread up; 's' stops it, 'd' drops clients */
    pthread_t thread;
    fake_reply_fn fn;
    fake_action_fn act; /* used instead of fn when set */
    void *userdata;
    fake_conn conns[MAX_CLIENTS];
    atomic_int accepted;
    atomic_int commands;
};

static int listen_loopback(int backlog, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t alen = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, backlog) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static void conn_close(fake_conn *c)
{
    if (c->fd >= 0) close(c->fd);
    free(c->buf);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* Parse one complete RESP array of bulk strings at the start of buf. Returns the bytes it
 * used (0 if incomplete, -1 if malformed). */
static long parse_command(const char *buf, size_t len, int *argc, char **argv)
{
    size_t pos = 0;
    const char *eol;
    if (len == 0) return 0;
    if (buf[0] != '*') return -1;
    eol = memchr(buf, '\r', len);
    if (!eol || (size_t)(eol - buf) + 1 >= len) return 0;
    long n = strtol(buf + 1, NULL, 10);
    if (n < 1 || n > MAX_ARGS) return -1;
    pos = (size_t)(eol - buf) + 2;
    for (long i = 0; i < n; i++) {
        if (pos >= len) return 0;
        if (buf[pos] != '$') return -1;
        eol = memchr(buf + pos, '\r', len - pos);
        if (!eol || (size_t)(eol - buf) + 1 >= len) return 0;
        long blen = strtol(buf + pos + 1, NULL, 10);
        if (blen < 0) return -1;
        pos = (size_t)(eol - buf) + 2;
        if (pos + (size_t)blen + 2 > len) return 0;
        if (argv) {
            argv[i] = malloc((size_t)blen + 1);
            if (argv[i]) {
                memcpy(argv[i], buf + pos, (size_t)blen);
                argv[i][blen] = '\0';
            }
        }
        pos += (size_t)blen + 2;
    }
    *argc = (int)n;
    return (long)pos;
}

static int send_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Send len bytes, one every pace_us microseconds if pace_us > 0. -1 as soon as the peer
 * hangs up, or if the server is told to stop or drop its clients meanwhile (the wake byte
 * is left for the main loop). */
static int send_paced(fake_server *s, int fd, const char *p, size_t len, long pace_us)
{
    if (pace_us <= 0) return send_all(fd, p, len);
    for (size_t i = 0; i < len; i++) {
        if (send_all(fd, p + i, 1) < 0) return -1;
        struct timespec ts = { pace_us / 1000000, (pace_us % 1000000) * 1000 };
        struct pollfd events[2] = { { s->wake[0], POLLIN, 0 }, { fd, POLLRDHUP, 0 } };
        if (ppoll(events, 2, &ts, NULL) != 0) return -1;
    }
    return 0;
}

static int serve_input(fake_server *s, fake_conn *c)
{
    char tmp[16384];
    ssize_t n = recv(c->fd, tmp, sizeof tmp, 0);
    if (n <= 0) return -1;
    if (c->len + (size_t)n > c->cap) {
        size_t cap = (c->cap ? c->cap * 2 : 16384) + (size_t)n;
        char *b = realloc(c->buf, cap);
        if (!b) return -1;
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, tmp, (size_t)n);
    c->len += (size_t)n;
    for (;;) {
        int argc = 0;
        long used = parse_command(c->buf, c->len, &argc, NULL);
        if (used < 0) return -1;
        if (used == 0) return 0;
        char **argv = calloc((size_t)argc, sizeof *argv);
        if (!argv) return -1;
        parse_command(c->buf, c->len, &argc, argv);
        atomic_fetch_add(&s->commands, 1);
        fake_action a = { NULL, 0, 0 };
        if (s->act)
            a = s->act(c->serial, argc, argv, s->userdata);
        else
            a.bytes = s->fn(argc, argv, s->userdata);
        int sent = a.bytes ? send_paced(s, c->fd, a.bytes, strlen(a.bytes), a.pace_us) : 0;
        for (int i = 0; i < argc; i++) free(argv[i]);
        free(argv);
        if (sent < 0 || a.close) return -1;
        memmove(c->buf, c->buf + used, c->len - (size_t)used);
        c->len -= (size_t)used;
    }
}

static void *server_main(void *arg)
{
    fake_server *s = arg;
    for (;;) {
        struct pollfd pfd[MAX_CLIENTS + 2];
        int idx[MAX_CLIENTS + 2];
        int n = 0;
        pfd[n].fd = s->wake[0];
        pfd[n].events = POLLIN;
        idx[n++] = -1;
        pfd[n].fd = s->lfd;
        pfd[n].events = POLLIN;
        idx[n++] = -2;
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (s->conns[i].fd >= 0) {
                pfd[n].fd = s->conns[i].fd;
                pfd[n].events = POLLIN;
                idx[n++] = i;
            }
        if (poll(pfd, (nfds_t)n, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pfd[0].revents) {
            char ch = 0;
            if (read(s->wake[0], &ch, 1) == 1 && ch == 'd') {
                for (int i = 0; i < MAX_CLIENTS; i++) conn_close(&s->conns[i]);
                continue;
            }
            break; /* stop */
        }
        if (pfd[1].revents & POLLIN) {
            int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                int serial = atomic_fetch_add(&s->accepted, 1) + 1;
                int one = 1; /* as Redis does: small replies leave at once */
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                int slot = -1;
                for (int i = 0; i < MAX_CLIENTS && slot < 0; i++)
                    if (s->conns[i].fd < 0) slot = i;
                if (slot < 0) {
                    close(fd);
                } else {
                    s->conns[slot].fd = fd;
                    s->conns[slot].serial = serial;
                }
            }
        }
        for (int k = 2; k < n; k++)
            if (pfd[k].revents && serve_input(s, &s->conns[idx[k]]) < 0) conn_close(&s->conns[idx[k]]);
    }
    for (int i = 0; i < MAX_CLIENTS; i++) conn_close(&s->conns[i]);
    return NULL;
}

static int start(fake_server **out, fake_reply_fn fn, fake_action_fn act, void *userdata)
{
    fake_server *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) return -1;
    s->fn = fn;
    s->act = act;
    s->userdata = userdata;
    for (int i = 0; i < MAX_CLIENTS; i++) s->conns[i].fd = -1;
    atomic_init(&s->accepted, 0);
    atomic_init(&s->commands, 0);
    s->lfd = listen_loopback(16, &s->port);
    if (s->lfd < 0) {
        free(s);
        return -1;
    }
    if (pipe2(s->wake, O_CLOEXEC) < 0) {
        close(s->lfd);
        free(s);
        return -1;
    }
    if (pthread_create(&s->thread, NULL, server_main, s) != 0) {
        close(s->lfd);
        close(s->wake[0]);
        close(s->wake[1]);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int fake_server_start(fake_server **out, fake_reply_fn fn, void *userdata)
{
    return start(out, fn, NULL, userdata);
}

int fake_server_start_actions(fake_server **out, fake_action_fn fn, void *userdata)
{
    return start(out, NULL, fn, userdata);
}

int fake_server_port(const fake_server *s)
{
    return s->port;
}

int fake_server_accepted(const fake_server *s)
{
    return atomic_load(&((fake_server *)s)->accepted);
}

int fake_server_commands(const fake_server *s)
{
    return atomic_load(&((fake_server *)s)->commands);
}

void fake_server_drop_clients(fake_server *s)
{
    char ch = 'd';
    if (write(s->wake[1], &ch, 1) != 1) return;
    /* let the thread act on it before the test goes on */
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
}

void fake_server_stop(fake_server *s)
{
    if (!s) return;
    char ch = 's';
    if (write(s->wake[1], &ch, 1) == 1) pthread_join(s->thread, NULL);
    close(s->lfd);
    close(s->wake[0]);
    close(s->wake[1]);
    free(s);
}

static fake_action sentinel_act(int conn, int argc, char **argv, void *userdata)
{
    fake_sentinel *fs = userdata;
    fake_action a = { "-ERR unexpected\r\n", 0, 0 };
    if (argc == 2 && strcasecmp(argv[0], "AUTH") == 0) {
        int ok = fs->password && strcmp(argv[1], fs->password) == 0;
        if (ok) fs->authed = conn;
        a.bytes = ok ? "+OK\r\n" : "-WRONGPASS invalid username-password pair\r\n";
    } else if (fs->password && fs->authed != conn) {
        a.bytes = "-NOAUTH Authentication required.\r\n";
    } else if (argc == 3 && strcasecmp(argv[0], "SENTINEL") == 0) {
        char port[16];
        int n = snprintf(port, sizeof port, "%d", atomic_load(&fs->port));
        snprintf(fs->reply, sizeof fs->reply, "*2\r\n$9\r\n127.0.0.1\r\n$%d\r\n%s\r\n", n, port);
        a.bytes = fs->reply;
    } else if (argc == 1 && strcasecmp(argv[0], "PING") == 0) {
        a.bytes = "+PONG\r\n";
    }
    return a;
}

int fake_sentinel_start(fake_sentinel *fs, int port, const char *password)
{
    memset(fs, 0, sizeof *fs);
    atomic_init(&fs->port, port);
    fs->password = password;
    return fake_server_start_actions(&fs->server, sentinel_act, fs);
}

void fake_sentinel_name(fake_sentinel *fs, int port)
{
    atomic_store(&fs->port, port);
}

int fake_sentinel_port(const fake_sentinel *fs)
{
    return fake_server_port(fs->server);
}

void fake_sentinel_stop(fake_sentinel *fs)
{
    fake_server_stop(fs->server);
    fs->server = NULL;
}

int full_listener_open(full_listener *l)
{
    memset(l, 0, sizeof *l);
    l->fd = listen_loopback(0, &l->port);
    if (l->fd < 0) return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)l->port);
    /* Fill the accept queue (backlog 0 still admits one connection) with non-blocking
     * connects that are never accepted; the later SYNs are dropped by the kernel. */
    for (int i = 0; i < (int)(sizeof l->fillers / sizeof l->fillers[0]); i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) break;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
            close(fd);
            break;
        }
        l->fillers[l->nfillers++] = fd;
    }
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    return 0;
}

void full_listener_close(full_listener *l)
{
    for (int i = 0; i < l->nfillers; i++) close(l->fillers[i]);
    if (l->fd >= 0) close(l->fd);
    memset(l, 0, sizeof *l);
    l->fd = -1;
}
