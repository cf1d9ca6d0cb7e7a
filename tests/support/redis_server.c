/*
 * Test support: private redis-server processes (see redis_server.h).
 *
 * The only global state is the table of servers this process started and has not
 * stopped yet, which the atexit() handler walks to kill stragglers. The harness is meant
 * to be driven from one thread (cmocka runs tests on the main thread); PR_SET_PDEATHSIG
 * fires when the *thread* that forked exits, so start servers from a long-lived thread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "support/redis_server.h"
#include "support/redis_server_impl.h"
#include "support/test_util.h"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef POTTERY_REDIS_SERVER
#define POTTERY_REDIS_SERVER "redis-server"
#endif

#define START_TIMEOUT_MS 10000
#define STOP_GRACE_MS 2000
#define START_ATTEMPTS 5
#define RESTART_ATTEMPTS 20

/* ---------------------------------------------------------------------------------------
 * Registry of running servers (for the atexit handler).
 * ------------------------------------------------------------------------------------ */

#define REGISTRY_MAX 128

typedef struct running_server {
    pid_t pid;   /* the server; 0 = free slot */
    pid_t owner; /* the process that started it (a forked child must not kill it) */
    char dir[256];
} running_server;

static running_server registry[REGISTRY_MAX];
static int atexit_installed;

static void remove_tree(const char *dir);

static void atexit_cleanup(void)
{
    pid_t self = getpid();
    for (int i = 0; i < REGISTRY_MAX; i++) {
        running_server *r = &registry[i];
        if (r->pid <= 0 || r->owner != self) continue;
        kill(r->pid, SIGKILL);
        while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        if (r->dir[0]) remove_tree(r->dir);
        r->pid = 0;
        r->dir[0] = '\0';
    }
}

static void registry_add(pid_t pid, const char *dir)
{
    if (!atexit_installed) {
        if (atexit(atexit_cleanup) == 0) atexit_installed = 1;
    }
    for (int i = 0; i < REGISTRY_MAX; i++) {
        if (registry[i].pid == 0) {
            registry[i].pid = pid;
            registry[i].owner = getpid();
            snprintf(registry[i].dir, sizeof registry[i].dir, "%s", dir);
            return;
        }
    }
    fprintf(stderr,
            "test_redis: more than %d servers running; pid %ld not tracked for "
            "atexit cleanup\n",
            REGISTRY_MAX, (long)pid);
}

static void registry_remove(pid_t pid)
{
    for (int i = 0; i < REGISTRY_MAX; i++) {
        if (registry[i].pid == pid) {
            registry[i].pid = 0;
            registry[i].dir[0] = '\0';
        }
    }
}

/* ---------------------------------------------------------------------------------------
 * Small helpers.
 * ------------------------------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    if (dir && dir[0]) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void test_dump_tail(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char buf[4096];
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size > (long)sizeof buf - 1)
            fseek(f, size - (long)(sizeof buf - 1), SEEK_SET);
        else
            fseek(f, 0, SEEK_SET);
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    fprintf(stderr, "test_redis: --- %s (tail) ---\n%s--- end of log ---\n", path, buf);
}

/* Print the tail of the server's log to stderr (start failures). */
static void dump_log(const test_redis *s)
{
    char path[300];
    snprintf(path, sizeof path, "%s/redis.log", s->dir);
    test_dump_tail(path);
}

/* Reap pid if it exited; 1 when it is gone (or not ours), 0 when still running. */
static int reap_nohang(pid_t pid)
{
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) return 1;
    if (r < 0 && errno == ECHILD) return 1;
    return 0;
}

static void kill_and_reap(pid_t pid)
{
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

int test_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    socklen_t len = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

/* ---------------------------------------------------------------------------------------
 * Raw connections.
 * ------------------------------------------------------------------------------------ */

/* AUTH as the harness's privileged identity: the ACL user when there is one, else the
 * default user's requirepass. 0 on success (or nothing to do), -1 on failure. */
static int raw_auth(redisContext *c, const test_redis *s)
{
    const char *argv[3];
    int argc;
    if (s->opts.acl_user && s->opts.acl_password) {
        argv[0] = "AUTH";
        argv[1] = s->opts.acl_user;
        argv[2] = s->opts.acl_password;
        argc = 3;
    } else if (s->opts.requirepass) {
        argv[0] = "AUTH";
        argv[1] = s->opts.requirepass;
        argc = 2;
    } else {
        return 0;
    }
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
    return ok ? 0 : -1;
}

redisContext *test_redis_connect(const test_redis *s, long connect_timeout_ms, long command_timeout_ms)
{
    struct timeval tv = { connect_timeout_ms / 1000, (connect_timeout_ms % 1000) * 1000 };
    redisContext *c;
    if (s->socket_path[0])
        c = redisConnectUnixWithTimeout(s->socket_path, tv);
    else
        c = redisConnectWithTimeout("127.0.0.1", s->port, tv);
    if (!c) return NULL;
    struct timeval ctv = { command_timeout_ms / 1000, (command_timeout_ms % 1000) * 1000 };
    if (c->err || redisSetTimeout(c, ctv) != REDIS_OK || raw_auth(c, s) < 0) {
        redisFree(c);
        return NULL;
    }
    return c;
}

/* 1 when the server on s's address answers PING and is the process s->pid. */
static int probe(const test_redis *s)
{
    redisContext *c = test_redis_connect(s, 200, 1000);
    if (!c) return 0;
    int ok = 0;
    redisReply *r = redisCommand(c, "PING");
    if (r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0) {
        freeReplyObject(r);
        /* Make sure it is our process, not someone else's server that grabbed the
         * port while ours failed to bind. */
        r = redisCommand(c, "INFO server");
        if (r && r->type == REDIS_REPLY_STRING) {
            const char *p = strstr(r->str, "process_id:");
            if (p && strtol(p + strlen("process_id:"), NULL, 10) == (long)s->pid) ok = 1;
        }
    }
    if (r) freeReplyObject(r);
    redisFree(c);
    return ok;
}

/* ---------------------------------------------------------------------------------------
 * Launching.
 * ------------------------------------------------------------------------------------ */

const char *test_redis_server_path(void)
{
    const char *env = getenv("POTTERY_TEST_REDIS_SERVER");
    return (env && env[0]) ? env : POTTERY_REDIS_SERVER;
}

pid_t test_spawn(const char *const *argv, int out_fd)
{
    long max_fd = sysconf(_SC_OPEN_MAX);
    if (max_fd < 0 || max_fd > 65536) max_fd = 65536;
    pid_t parent = getpid();
    fflush(NULL);

    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "test_redis: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* Child: async-signal-safe calls only until exec. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127); /* the parent died before prctl took effect */
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(out_fd >= 0 ? out_fd : devnull, STDOUT_FILENO);
        }
        if (out_fd >= 0) dup2(out_fd, STDERR_FILENO);
            /* Do not leak the test's sockets (other servers' connections) into the child. */
#ifdef SYS_close_range
        if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
#endif
        {
            for (long fd = 3; fd < max_fd; fd++) close((int)fd);
        }
        execv(argv[0], (char *const *)argv);
        execvp(argv[0], (char *const *)argv);
        static const char msg[] = "test_redis: cannot exec ";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        w = write(STDERR_FILENO, argv[0], strlen(argv[0]));
        w = write(STDERR_FILENO, "\n", 1);
        (void)w;
        _exit(127);
    }
    return pid;
}

int test_run(const char *const *argv, const char *log_path, long timeout_ms)
{
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "test_redis: %s: %s\n", log_path, strerror(errno));
        return -1;
    }
    pid_t pid = test_spawn(argv, fd);
    close(fd);
    if (pid < 0) return -1;
    double deadline = now_ms() + (double)timeout_ms;
    int st;
    pid_t r;
    while ((r = waitpid(pid, &st, WNOHANG)) == 0 && now_ms() < deadline) sleep_ms(10);
    if (r == 0) {
        fprintf(stderr, "test_redis: %s ran longer than %ld ms\n", argv[0], timeout_ms);
        kill_and_reap(pid);
        return -1;
    }
    return r == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Fork/exec one server with the current s->port / s->socket_path. Returns the pid, or -1
 * (fork failure). */
static pid_t spawn(const test_redis *s)
{
    char port[16], bus_port[16], node_timeout[24], logfile[300], user_pass[300], conf[300], replicaof[32];
    snprintf(port, sizeof port, "%d", s->socket_path[0] ? 0 : s->port);
    snprintf(logfile, sizeof logfile, "%s/redis.log", s->dir);

    const char *argv[64];
    int n = 0;
    argv[n++] = test_redis_server_path();
    if (s->opts.sentinel_master_name) {
        snprintf(conf, sizeof conf, "%s/sentinel.conf", s->dir);
        argv[n++] = conf;
        argv[n++] = "--sentinel";
    }
    argv[n++] = "--port";
    argv[n++] = port;
    if (s->socket_path[0]) {
        argv[n++] = "--unixsocket";
        argv[n++] = s->socket_path;
        argv[n++] = "--unixsocketperm";
        argv[n++] = "700";
    } else {
        argv[n++] = "--bind";
        argv[n++] = "127.0.0.1";
    }
    /* Blocking commands time out on the server's clock tick: at the default 10 Hz an
     * XREAD BLOCK 50 answers after up to 100 ms, too coarse for the timeout tests. */
    argv[n++] = "--hz";
    argv[n++] = "100";
    argv[n++] = "--save";
    argv[n++] = "";
    argv[n++] = "--appendonly";
    argv[n++] = "no";
    argv[n++] = "--dir";
    argv[n++] = s->dir;
    argv[n++] = "--daemonize";
    argv[n++] = "no";
    argv[n++] = "--loglevel";
    argv[n++] = "warning";
    argv[n++] = "--logfile";
    argv[n++] = logfile;
    if (s->opts.cluster_enabled) {
        /* The bus port is chosen free like the port: port + 10000 may be taken or past 65535. */
        snprintf(bus_port, sizeof bus_port, "%d", s->cluster_port);
        argv[n++] = "--cluster-enabled";
        argv[n++] = "yes";
        argv[n++] = "--cluster-config-file";
        argv[n++] = "nodes.conf"; /* in --dir */
        argv[n++] = "--cluster-port";
        argv[n++] = bus_port;
        if (s->opts.cluster_node_timeout_ms > 0) {
            snprintf(node_timeout, sizeof node_timeout, "%d", s->opts.cluster_node_timeout_ms);
            argv[n++] = "--cluster-node-timeout";
            argv[n++] = node_timeout;
        }
    }
    if (s->opts.replicaof_port > 0) {
        snprintf(replicaof, sizeof replicaof, "127.0.0.1 %d", s->opts.replicaof_port);
        argv[n++] = "--replicaof";
        argv[n++] = replicaof;
    }
    if (s->opts.replicaof_port > 0 || s->opts.cluster_enabled) {
        /* A replica's first full sync would wait 5 s for more replicas to join it. */
        argv[n++] = "--repl-diskless-sync-delay";
        argv[n++] = "0";
    }
    if (s->opts.requirepass) {
        argv[n++] = "--requirepass";
        argv[n++] = s->opts.requirepass;
    }
    if (s->opts.acl_user && s->opts.acl_password) {
        snprintf(user_pass, sizeof user_pass, ">%s", s->opts.acl_password);
        argv[n++] = "--user";
        argv[n++] = s->opts.acl_user;
        argv[n++] = "on";
        argv[n++] = user_pass;
        argv[n++] = "~*";
        argv[n++] = "&*";
        argv[n++] = "+@all";
    }
    if (!s->opts.sentinel_master_name) {
        /* A replica (a cluster node may become one) authenticates to its master as the
         * harness does. */
        if (s->opts.acl_user && s->opts.acl_password) {
            argv[n++] = "--masteruser";
            argv[n++] = s->opts.acl_user;
            argv[n++] = "--masterauth";
            argv[n++] = s->opts.acl_password;
        } else if (s->opts.requirepass) {
            argv[n++] = "--masterauth";
            argv[n++] = s->opts.requirepass;
        }
    }
    argv[n] = NULL;
    return test_spawn(argv, -1);
}

/* Spawn and wait for PING. 0: running; 1: exited early (port taken?); -1: timeout or
 * fork failure (nothing left running). */
static int launch_once(test_redis *s)
{
    pid_t pid = spawn(s);
    if (pid < 0) return -1;
    s->pid = pid;
    double deadline = now_ms() + START_TIMEOUT_MS;
    for (;;) {
        if (reap_nohang(pid)) {
            s->pid = 0;
            return 1;
        }
        if (probe(s)) return 0;
        if (now_ms() > deadline) break;
        sleep_ms(10);
    }
    fprintf(stderr, "test_redis: server pid %ld did not answer PING within %d ms\n", (long)pid, START_TIMEOUT_MS);
    kill_and_reap(pid);
    s->pid = 0;
    return -1;
}

static void set_url(test_redis *s)
{
    if (s->socket_path[0])
        snprintf(s->url, sizeof s->url, "unix://%s?db=0", s->socket_path);
    else
        snprintf(s->url, sizeof s->url, "redis://127.0.0.1:%d/0", s->port);
}

static int make_dir(test_redis *s)
{
    const char *candidates[2] = { getenv("TMPDIR"), "/tmp" };
    for (int i = 0; i < 2; i++) {
        const char *base = candidates[i];
        if (!base || !base[0]) continue;
        char tmpl[sizeof s->dir];
        int len = snprintf(tmpl, sizeof tmpl, "%s/pottery-redis-XXXXXX", base);
        /* Leave room for "/redis.sock" within a unix socket path (108 bytes). */
        if (len < 0 || len + (int)sizeof "/redis.sock" > 100) continue;
        if (mkdtemp(tmpl)) {
            memcpy(s->dir, tmpl, (size_t)len + 1);
            return 0;
        }
        fprintf(stderr, "test_redis: mkdtemp(%s): %s\n", tmpl, strerror(errno));
    }
    return -1;
}

/* A sentinel's configuration, in its directory (the sentinel rewrites it as it learns). */
static int write_sentinel_conf(const test_redis *s)
{
    char path[300];
    snprintf(path, sizeof path, "%s/sentinel.conf", s->dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "test_redis: %s: %s\n", path, strerror(errno));
        return -1;
    }
    const char *name = s->opts.sentinel_master_name;
    fprintf(f,
            "sentinel resolve-hostnames no\n"
            "sentinel monitor %s 127.0.0.1 %d 2\n"
            "sentinel down-after-milliseconds %s 500\n"
            "sentinel failover-timeout %s 5000\n"
            "sentinel parallel-syncs %s 1\n",
            name, s->opts.sentinel_master_port, name, name, name);
    return fclose(f) == 0 ? 0 : -1;
}

int test_redis_start(test_redis *s, const test_redis_options *opts)
{
    static const test_redis_options defaults = TEST_REDIS_OPTIONS_INIT;
    memset(s, 0, sizeof *s);
    s->opts = opts ? *opts : defaults;
    if (make_dir(s) < 0) {
        fprintf(stderr, "test_redis: cannot create a private directory\n");
        return -1;
    }
    if (s->opts.sentinel_master_name && write_sentinel_conf(s) < 0) {
        remove_tree(s->dir);
        s->dir[0] = '\0';
        return -1;
    }
    if (s->opts.use_unix_socket) {
        /* make_dir() keeps the directory short enough for a unix socket path. */
        size_t dlen = strlen(s->dir);
        memcpy(s->socket_path, s->dir, dlen);
        memcpy(s->socket_path + dlen, "/redis.sock", sizeof "/redis.sock");
        s->port = 0;
    }
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        if (!s->opts.use_unix_socket) {
            s->port = test_free_port();
            if (s->port <= 0) {
                fprintf(stderr, "test_redis: no free port: %s\n", strerror(errno));
                break;
            }
        }
        if (s->opts.cluster_enabled) {
            do s->cluster_port = test_free_port();
            while (s->cluster_port == s->port);
            if (s->cluster_port <= 0) {
                fprintf(stderr, "test_redis: no free port: %s\n", strerror(errno));
                break;
            }
        }
        int rc = launch_once(s);
        if (rc == 0) {
            set_url(s);
            registry_add(s->pid, s->dir);
            return 0;
        }
        if (rc < 0 || s->opts.use_unix_socket) break;
        /* Exited early: most likely the port was taken meanwhile; try another. */
    }
    fprintf(stderr, "test_redis: could not start %s\n", test_redis_server_path());
    dump_log(s);
    remove_tree(s->dir);
    s->dir[0] = '\0';
    s->pid = 0;
    return -1;
}

void test_redis_kill(test_redis *s)
{
    if (!s || s->pid <= 0) return;
    registry_remove(s->pid);
    kill_and_reap(s->pid);
    s->pid = 0;
}

void test_redis_stop(test_redis *s)
{
    if (!s) return;
    if (s->pid > 0) {
        pid_t pid = s->pid;
        registry_remove(pid);
        kill(pid, SIGTERM);
        kill(pid, SIGCONT); /* a paused server handles SIGTERM only once it runs again */
        double deadline = now_ms() + STOP_GRACE_MS;
        int gone = 0;
        while (!(gone = reap_nohang(pid)) && now_ms() < deadline) sleep_ms(5);
        if (!gone) kill_and_reap(pid);
        s->pid = 0;
    }
    if (s->dir[0]) {
        remove_tree(s->dir);
        s->dir[0] = '\0';
    }
}

void test_redis_pause(test_redis *s)
{
    if (s && s->pid > 0) kill(s->pid, SIGSTOP);
}

void test_redis_resume(test_redis *s)
{
    if (s && s->pid > 0) kill(s->pid, SIGCONT);
}

int test_redis_start_n(test_redis *s, size_t n, const test_redis_options *opts)
{
    for (size_t i = 0; i < n; i++)
        if (test_redis_start(&s[i], opts) != 0) {
            test_redis_stop_n(s, i);
            return -1;
        }
    return 0;
}

void test_redis_stop_n(test_redis *s, size_t n)
{
    for (size_t i = 0; i < n; i++) test_redis_stop(&s[i]);
}

int test_redis_restart(test_redis *s)
{
    if (!s || (!s->port && !s->socket_path[0])) {
        fprintf(stderr, "test_redis_restart: server was never started\n");
        return -1;
    }
    if (s->pid > 0) test_redis_kill(s);
    if (!s->dir[0]) {
        /* Stopped: recreate the same directory (the socket path lives in it). */
        if (s->socket_path[0]) {
            const char *slash = strrchr(s->socket_path, '/');
            size_t len = (size_t)(slash - s->socket_path);
            memcpy(s->dir, s->socket_path, len);
            s->dir[len] = '\0';
            if (mkdir(s->dir, 0700) < 0 && errno != EEXIST) {
                fprintf(stderr, "test_redis_restart: mkdir(%s): %s\n", s->dir, strerror(errno));
                s->dir[0] = '\0';
                return -1;
            }
        } else if (make_dir(s) < 0) {
            return -1;
        }
    }
    if (s->socket_path[0]) unlink(s->socket_path);
    /* Same port/socket: if the port is briefly held by someone else, wait and retry. */
    for (int attempt = 0; attempt < RESTART_ATTEMPTS; attempt++) {
        int rc = launch_once(s);
        if (rc == 0) {
            set_url(s);
            registry_add(s->pid, s->dir);
            return 0;
        }
        if (rc < 0) break;
        sleep_ms(100);
    }
    fprintf(stderr,
            "test_redis_restart: could not restart the server (port %d, socket "
            "'%s')\n",
            s->port, s->socket_path);
    dump_log(s);
    return -1;
}

/* ---------------------------------------------------------------------------------------
 * Commands.
 * ------------------------------------------------------------------------------------ */

typedef struct strbuf {
    char *p;
    size_t len, cap;
    int oom;
} strbuf;

static void sb_add(strbuf *b, const char *data, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void render(strbuf *b, const redisReply *r)
{
    char num[32];
    switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
#ifdef REDIS_REPLY_DOUBLE
    case REDIS_REPLY_DOUBLE:
#endif
#ifdef REDIS_REPLY_VERB
    case REDIS_REPLY_VERB:
#endif
#ifdef REDIS_REPLY_BIGNUM
    case REDIS_REPLY_BIGNUM:
#endif
        sb_add(b, r->str, r->len);
        break;
    case REDIS_REPLY_INTEGER:
#ifdef REDIS_REPLY_BOOL
    case REDIS_REPLY_BOOL:
#endif
        snprintf(num, sizeof num, "%lld", r->integer);
        sb_add(b, num, strlen(num));
        break;
    case REDIS_REPLY_NIL: sb_add(b, "(nil)", 5); break;
    case REDIS_REPLY_ERROR:
        sb_add(b, "ERR: ", 5);
        sb_add(b, r->str, r->len);
        break;
    default: /* arrays (and RESP3 maps/sets/pushes) */
        for (size_t i = 0; i < r->elements; i++) {
            if (i) sb_add(b, "\n", 1);
            render(b, r->element[i]);
        }
        break;
    }
}

char *test_reply_render(const redisReply *r)
{
    strbuf b = { NULL, 0, 0, 0 };
    sb_add(&b, "", 0);
    render(&b, r);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *test_redis_cmd(const test_redis *s, int argc, const char **argv, const size_t *lens)
{
    if (!s || argc <= 0) return NULL;
    redisContext *c = test_redis_connect(s, 5000, 30000);
    if (!c) return NULL;
    redisReply *r = redisCommandArgv(c, argc, argv, lens);
    redisFree(c);
    if (!r) return NULL;
    char *out = test_reply_render(r);
    freeReplyObject(r);
    return out;
}

const char **test_args_from_va(int *argc, const char *arg0, va_list ap)
{
    va_list count;
    int n = 1;
    va_copy(count, ap);
    while (va_arg(count, const char *) != NULL) n++;
    va_end(count);
    const char **argv = malloc((size_t)n * sizeof *argv);
    if (!argv) return NULL;
    argv[0] = arg0;
    for (int i = 1; i < n; i++) argv[i] = va_arg(ap, const char *);
    *argc = n;
    return argv;
}

char *test_redis_cmdva(const test_redis *s, const char *arg0, va_list ap)
{
    if (!arg0) return NULL;
    int argc;
    const char **argv = test_args_from_va(&argc, arg0, ap);
    char *out = argv ? test_redis_cmd(s, argc, argv, NULL) : NULL;
    free(argv);
    return out;
}

char *test_redis_cmdv(const test_redis *s, const char *arg0, ...)
{
    va_list ap;
    va_start(ap, arg0);
    char *out = test_redis_cmdva(s, arg0, ap);
    va_end(ap);
    return out;
}
