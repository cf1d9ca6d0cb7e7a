/*
 * Client instructions per operation, counted by callgrind: libpottery next to raw hiredis
 * sending the same commands with the same bytes, for dict get and set, Redlock acquire +
 * release (one master) and Bloom add. An instruction count does not depend on what else the
 * machine is doing, so these figures repeat where timings do not.
 *
 * Run plainly, the program runs itself again under `valgrind --tool=callgrind` (the
 * environment's POTTERY_VALGRIND names another valgrind): that run counts nothing until a
 * measured loop starts, counts the loop's N operations alone (warmed up first, outside the
 * count) and dumps the count with the loop's name; this run then reads the dumps and prints
 * instructions per operation of each side, and their ratio (hiredis / libpottery: above 1
 * when libpottery executes fewer). Only the client process is counted, not the server or
 * the kernel.
 *
 * Usage: bench_instructions tcp HOST PORT | unix SOCKET
 */
#include <dirent.h>
#include <valgrind/callgrind.h>

#include "bench_common.h"

enum { N = 2000, WARM = 200, FIELDS = 1000, NAMES = N + WARM, MAX_K = 16 };

static const char dict_key[] = "bench:instr:dict", bloom_key[] = "bench:instr:bloom",
                  raw_bloom_key[] = "bench:instr:bloom:raw", raw_lock_key[] = "redlock:bench:instr:raw",
                  raw_lock_value[] = "0f0e0d0c-0b0a-4908-8706-050403020100";
/* The compare-and-delete the raw side releases with: what src/lua/redlock_release.lua does. */
static const char release_script[] = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
                                     "return redis.call('DEL', KEYS[1])";

static pottery_dict *dict;
static pottery_redlock *lock;
static pottery_bloom *bloom;
static char release_sha[41];
static int k;
static char (*offsets)[MAX_K][24]; /* NAMES x k bit offsets of "n<i>" as text, for the raw side */

/* ---- the operations, as bench_compare's functions ---- */

static void raw_dict_set(bench_target *t, int from, int ops)
{
    char field[32], value[32];
    for (int i = 0; i < ops; i++) {
        size_t flen = bench_json_name(field, sizeof field, 'k', (from + i) % FIELDS);
        int vlen = snprintf(value, sizeof value, "%d", from + i);
        const char *argv[] = { "HSET", dict_key, field, value };
        const size_t lens[] = { 4, sizeof dict_key - 1, flen, (size_t)vlen };
        bench_raw(t->raw, 4, argv, lens);
    }
}

static void pot_dict_set(bench_target *t, int from, int ops)
{
    char field[32];
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_dict_set(dict, bench_name(field, sizeof field, 'k', (from + i) % FIELDS), pottery_int(from + i)) <
            0)
            bench_die("dict set");
}

static void raw_dict_get(bench_target *t, int from, int ops)
{
    char field[32];
    for (int i = 0; i < ops; i++) {
        size_t flen = bench_json_name(field, sizeof field, 'k', (from + i) % FIELDS);
        const char *argv[] = { "HGET", dict_key, field };
        const size_t lens[] = { 4, sizeof dict_key - 1, flen };
        bench_raw_number(t->raw, REDIS_REPLY_STRING, 3, argv, lens, "raw HGET");
    }
}

static void pot_dict_get(bench_target *t, int from, int ops)
{
    char field[32];
    pottery_value v = POTTERY_VALUE_INIT;
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_dict_get(&v, dict, bench_name(field, sizeof field, 'k', (from + i) % FIELDS)) < 0)
            bench_die("dict get");
    pottery_value_dispose(&v);
}

/* Raw Redlock on one master: SET NX PX with a fixed value, then the compare-and-delete. */
static void raw_lock_cycle(bench_target *t, int from, int ops)
{
    (void)from;
    const char *set[] = { "SET", raw_lock_key, raw_lock_value, "PX", "10000", "NX" };
    const char *del[] = { "EVALSHA", release_sha, "1", raw_lock_key, raw_lock_value };
    size_t set_lens[6], del_lens[5];
    for (int i = 0; i < 6; i++) set_lens[i] = strlen(set[i]);
    for (int i = 0; i < 5; i++) del_lens[i] = strlen(del[i]);
    for (int i = 0; i < ops; i++) {
        redisReply *r = redisCommandArgv(t->raw, 6, set, set_lens);
        if (!r || r->type != REDIS_REPLY_STATUS) bench_die("raw SET NX");
        freeReplyObject(r);
        bench_raw_number(t->raw, REDIS_REPLY_INTEGER, 5, del, del_lens, "raw release");
    }
}

static void pot_lock_cycle(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++) {
        int acquired = 0;
        if (pottery_redlock_acquire(&acquired, lock, 0, POTTERY_FOREVER) < 0 || !acquired) bench_die("acquire");
        if (pottery_redlock_release(lock) < 0) bench_die("release");
    }
}

/* Raw Bloom add in the fewest commands: one BITFIELD setting the k bits (offsets
 * precomputed, as the JSON text of the other rows is). */
static void raw_bloom_add(bench_target *t, int from, int ops)
{
    const char *argv[2 + 4 * MAX_K] = { "BITFIELD", raw_bloom_key };
    size_t lens[2 + 4 * MAX_K];
    int argc = 2 + 4 * k;
    for (int i = 0; i < ops; i++) {
        for (int j = 0; j < k; j++) {
            argv[2 + 4 * j] = "SET";
            argv[3 + 4 * j] = "u1";
            argv[4 + 4 * j] = offsets[(from + i) % NAMES][j];
            argv[5 + 4 * j] = "1";
        }
        for (int a = 0; a < argc; a++) lens[a] = strlen(argv[a]);
        redisReply *r = redisCommandArgv(t->raw, argc, argv, lens);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != (size_t)k) bench_die("raw BITFIELD");
        freeReplyObject(r);
    }
}

static void pot_bloom_add(bench_target *t, int from, int ops)
{
    char name[32];
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_bloom_add(bloom, bench_name(name, sizeof name, 'n', (from + i) % NAMES)) < 0)
            bench_die("bloom add");
}

typedef struct measured {
    const char *module, *operation;
    bench_fn raw, pot;
} measured;

static const measured table[] = {
    { "dict", "set (HSET)", raw_dict_set, pot_dict_set }, /* first: the gets find the fields */
    { "dict", "get (HGET)", raw_dict_get, pot_dict_get },
    { "redlock", "acquire+release, 1 master", raw_lock_cycle, pot_lock_cycle },
    { "bloom", "add (vs 1 BITFIELD)", raw_bloom_add, pot_bloom_add },
};
enum { MEASURED = sizeof table / sizeof table[0] };

/* ---- under callgrind: run and count ---- */

static void setup(bench_target *t)
{
    bench_raw_del(t->raw, dict_key, bloom_key, "{bench:instr:bloom}:bloom", raw_bloom_key, raw_lock_key,
                  "redlock:bench:instr", NULL);
    if (pottery_dict_open(&dict, t->client, dict_key, NULL) < 0) bench_die("dict open");
    if (pottery_redlock_new(&lock, "bench:instr", &t->client, 1, NULL) < 0) bench_die("redlock new");
    if (pottery_bloom_open(&bloom, t->client, bloom_key, 10000, 0.01, NULL) < 0) bench_die("bloom open");
    k = pottery_bloom_num_hashes(bloom);
    if (k > MAX_K) bench_die("too many hashes");
    offsets = malloc(sizeof *offsets * NAMES);
    if (!offsets) bench_die("out of memory");
    for (int i = 0; i < NAMES; i++) {
        char name[32];
        int64_t off[MAX_K];
        if (pottery_bloom_offsets(off, bloom, bench_name(name, sizeof name, 'n', i)) < 0) bench_die("offsets");
        for (int j = 0; j < k; j++) snprintf(offsets[i][j], sizeof offsets[i][j], "%lld", (long long)off[j]);
    }
    redisReply *r = redisCommand(t->raw, "SCRIPT LOAD %s", release_script);
    if (!r || r->type != REDIS_REPLY_STRING) bench_die("SCRIPT LOAD");
    snprintf(release_sha, sizeof release_sha, "%s", r->str);
    freeReplyObject(r);
}

/* One loop of N operations counted alone; the dump is named "<index>|<side>|<round trips/op>". */
static void count(bench_target *t, int index, const char *side, bench_fn fn)
{
    fn(t, 0, WARM); /* connections, scripts and caches warm, outside the count */
    pottery_client_stats before, after;
    pottery_client_stats_get(&before, t->client);
    CALLGRIND_ZERO_STATS;
    CALLGRIND_START_INSTRUMENTATION;
    fn(t, WARM, N);
    CALLGRIND_STOP_INSTRUMENTATION;
    pottery_client_stats_get(&after, t->client);
    char label[64];
    snprintf(label, sizeof label, "%d|%s|%.2f", index, side, (double)(after.round_trips - before.round_trips) / N);
    CALLGRIND_DUMP_STATS_AT(label);
}

static int run_counted(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    setup(&t);
    for (int m = 0; m < MEASURED; m++) {
        count(&t, m, "hiredis", table[m].raw);
        count(&t, m, "pottery", table[m].pot);
    }
    bench_raw_del(t.raw, dict_key, bloom_key, "{bench:instr:bloom}:bloom", raw_bloom_key, NULL);
    pottery_dict_free(dict);
    pottery_redlock_free(lock);
    pottery_bloom_free(bloom);
    free(offsets);
    bench_close(&t);
    return 0;
}

/* ---- plainly: run under callgrind, read the dumps ---- */

typedef struct counted {
    double ir[2]; /* hiredis, pottery: instructions per operation (-1: not counted) */
    double round_trips;
} counted;

/* Read one callgrind dump: the label of its trigger and its total instruction count. */
static int read_dump(const char *path, counted *out)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    int index = -1;
    char side[16] = "";
    double rtt = 0, totals = -1;
    while (fgets(line, sizeof line, f)) {
        const char *trigger = "desc: Trigger: Client Request: ";
        if (strncmp(line, trigger, strlen(trigger)) == 0)
            sscanf(line + strlen(trigger), "%d|%15[^|]|%lf", &index, side, &rtt);
        else if (strncmp(line, "totals:", 7) == 0)
            totals = strtod(line + 7, NULL);
    }
    fclose(f);
    if (index < 0 || index >= MEASURED || totals < 0) return 0; /* the end-of-program dump */
    int pot = strcmp(side, "pottery") == 0;
    out[index].ir[pot] = totals / N;
    if (pot) out[index].round_trips = rtt;
    return 0;
}

static int run_callgrind(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s tcp HOST PORT | unix SOCKET\n", argv[0]);
        return 2;
    }
    char dir[] = "/tmp/pottery-callgrind-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_instructions: cannot create a directory in /tmp\n");
        return 1;
    }
    char self[4096], out_file[256];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return 1;
    self[len] = '\0';
    snprintf(out_file, sizeof out_file, "--callgrind-out-file=%s/cg", dir);
    const char *valgrind = getenv("POTTERY_VALGRIND");
    if (!valgrind || !*valgrind) valgrind = "valgrind";
    char *args[16] = { (char *)valgrind, "--tool=callgrind", "--instr-atstart=no", out_file, "-q", self };
    int a = 6;
    for (int i = 1; i < argc && a < 15; i++) args[a++] = argv[i];
    args[a] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execvp(valgrind, args);
        fprintf(stderr, "bench_instructions: cannot run %s (install valgrind)\n", valgrind);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_instructions: the callgrind run failed\n");
        return 1;
    }
    counted results[MEASURED];
    for (int m = 0; m < MEASURED; m++) results[m] = (counted){ { -1, -1 }, 0 };
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        read_dump(path, results);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(dir);

    bench_rows_source(argv[0], argv[1]);
    printf("\nClient instructions per operation (callgrind; %d operations counted per line)\n", N);
    printf("%-10s %-28s %12s %12s %7s %10s\n", "module", "operation", "pottery Ir", "hiredis Ir", "ratio*", "rtt/op");
    int ok = 1;
    for (int m = 0; m < MEASURED; m++) {
        const counted *c = &results[m];
        if (c->ir[0] <= 0 || c->ir[1] <= 0) {
            fprintf(stderr, "bench_instructions: no count for %s %s\n", table[m].module, table[m].operation);
            ok = 0;
            continue;
        }
        printf("%-10s %-28s %12.0f %12.0f %7.3f %10.2f\n", table[m].module, table[m].operation, c->ir[1], c->ir[0],
               c->ir[0] / c->ir[1], c->round_trips);
        bench_rows_module(table[m].module);
        bench_row(table[m].operation, c->ir[1], c->ir[0], c->ir[0] / c->ir[1], c->round_trips);
    }
    printf("* ratio: hiredis instructions / libpottery instructions (above 1: libpottery executes fewer)\n");
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    return RUNNING_ON_VALGRIND ? run_counted(argc, argv) : run_callgrind(argc, argv);
}
