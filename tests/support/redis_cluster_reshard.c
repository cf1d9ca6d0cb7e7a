/*
 * Test support: a private Redis Cluster, slot migrations (see redis_cluster.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "support/redis_cluster.h"
#include "support/redis_cluster_impl.h"
#include "support/test_util.h"

#include <hiredis/hiredis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_TIMEOUT_MS 5000
#define MIGRATE_TIMEOUT "5000"
#define MIGRATE_BATCH 100

static int find_migration(const test_cluster *cl, int slot)
{
    for (int m = 0; m < TEST_CLUSTER_MAX_MIGRATIONS; m++)
        if (cl->migrations[m].slot == slot) return m;
    return -1;
}

int test_cluster_migrate_begin(test_cluster *cl, unsigned slot, size_t to_index)
{
    int from = slot < TEST_CLUSTER_SLOTS ? test_cluster_master_of_slot(cl, slot) : -1;
    int m = find_migration(cl, -1);
    if (from < 0 || !cluster_live_master(cl, to_index) || from == (int)to_index || find_migration(cl, (int)slot) >= 0 ||
        m < 0) {
        fprintf(stderr,
                "test_cluster_migrate_begin: cannot move slot %u from node %d to node %zu (a live master other than "
                "its owner, slot not already moving, at most %d at once)\n",
                slot, from, to_index, TEST_CLUSTER_MAX_MIGRATIONS);
        return -1;
    }
    char s[16];
    snprintf(s, sizeof s, "%u", slot);
    /* Importing first: a key the owner hands over is then accepted at once. */
    if (cluster_node_ok(cl, to_index, "CLUSTER SETSLOT IMPORTING",
                        cluster_node_cmd(cl, to_index, "CLUSTER", "SETSLOT", s, "IMPORTING", cl->nodes[from].id,
                                         (const char *)NULL)) < 0 ||
        cluster_node_ok(cl, (size_t)from, "CLUSTER SETSLOT MIGRATING",
                        cluster_node_cmd(cl, (size_t)from, "CLUSTER", "SETSLOT", s, "MIGRATING", cl->nodes[to_index].id,
                                         (const char *)NULL)) < 0)
        return -1;
    cl->migrations[m].slot = (int)slot;
    cl->migrations[m].from = from;
    cl->migrations[m].to = (int)to_index;
    return 0;
}

int test_cluster_migrate_keys(test_cluster *cl, unsigned slot, size_t max_keys)
{
    int m = find_migration(cl, (int)slot);
    if (m < 0) {
        fprintf(stderr, "test_cluster_migrate_keys: slot %u is not being migrated\n", slot);
        return -1;
    }
    size_t from = (size_t)cl->migrations[m].from;
    const test_redis *to = &cl->nodes[cl->migrations[m].to].redis;
    char s[16], count[24], port[16];
    snprintf(s, sizeof s, "%u", slot);
    snprintf(count, sizeof count, "%zu", max_keys);
    snprintf(port, sizeof port, "%d", to->port);
    redisReply *keys = cluster_node_cmd(cl, from, "CLUSTER", "GETKEYSINSLOT", s, count, (const char *)NULL);
    if (!keys || keys->type != REDIS_REPLY_ARRAY) {
        fprintf(stderr, "test_cluster_migrate_keys: no CLUSTER GETKEYSINSLOT %u from node %zu\n", slot, from);
        if (keys) freeReplyObject(keys);
        return -1;
    }
    int moved = (int)keys->elements;
    if (moved > 0) {
        /* MIGRATE host port "" 0 timeout [AUTH password | AUTH2 user password] KEYS key... */
        size_t argc = 0, n = 10 + keys->elements;
        const char **argv = malloc(n * sizeof *argv);
        size_t *lens = malloc(n * sizeof *lens);
        const char *head[] = { "MIGRATE", "127.0.0.1", port, "", "0", MIGRATE_TIMEOUT };
        if (!argv || !lens) moved = -1;
        for (size_t i = 0; moved > 0 && i < sizeof head / sizeof head[0]; i++) argv[argc++] = head[i];
        if (moved > 0 && to->opts.acl_user && to->opts.acl_password) {
            argv[argc++] = "AUTH2";
            argv[argc++] = to->opts.acl_user;
            argv[argc++] = to->opts.acl_password;
        } else if (moved > 0 && to->opts.requirepass) {
            argv[argc++] = "AUTH";
            argv[argc++] = to->opts.requirepass;
        }
        if (moved > 0) {
            for (size_t i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
            argv[argc] = "KEYS";
            lens[argc++] = 4;
            for (size_t i = 0; i < keys->elements; i++) {
                argv[argc] = keys->element[i]->str;
                lens[argc++] = keys->element[i]->len;
            }
            if (cluster_node_ok(cl, from, "MIGRATE",
                                cluster_node_argv(cl, from, 0, COMMAND_TIMEOUT_MS, (int)argc, argv, lens)) < 0)
                moved = -1;
        }
        free(argv);
        free(lens);
    }
    freeReplyObject(keys);
    return moved;
}

/* Every live node's CLUSTER SLOTS names node to for slot. */
static int slot_served_by(test_cluster *cl, int slot, int to)
{
    static short map[TEST_CLUSTER_SLOTS];
    for (size_t i = 0; i < cl->count; i++)
        if (cluster_live(cl, i) && (cluster_read_slots(cl, i, map) < 0 || map[slot] != to)) return 0;
    return 1;
}

int test_cluster_migrate_end(test_cluster *cl, unsigned slot)
{
    int m = find_migration(cl, (int)slot);
    if (m < 0) {
        fprintf(stderr, "test_cluster_migrate_end: slot %u is not being migrated\n", slot);
        return -1;
    }
    int moved;
    while ((moved = test_cluster_migrate_keys(cl, slot, MIGRATE_BATCH)) > 0) {
    }
    if (moved < 0) return -1;
    int from = cl->migrations[m].from, to = cl->migrations[m].to;
    char s[16];
    snprintf(s, sizeof s, "%u", slot);
    /* The target first (it bumps its epoch, so its claim wins the gossip), then the old owner,
     * then the other masters, so that all of them redirect at once. */
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < cl->count; i++) {
            int order = (int)i == to ? 0 : (int)i == from ? 1 : 2;
            if (order != pass || !cluster_live_master(cl, i)) continue;
            if (cluster_node_ok(
                    cl, i, "CLUSTER SETSLOT NODE",
                    cluster_node_cmd(cl, i, "CLUSTER", "SETSLOT", s, "NODE", cl->nodes[to].id, (const char *)NULL)) < 0)
                return -1;
        }
    cl->migrations[m].slot = -1;
    double deadline = now_ms() + SLOT_TIMEOUT_MS;
    while (!slot_served_by(cl, (int)slot, to)) {
        if (now_ms() > deadline) {
            fprintf(stderr, "test_cluster_migrate_end: not every node says node %d serves slot %u after %d ms\n", to,
                    slot, SLOT_TIMEOUT_MS);
            return -1;
        }
        sleep_ms(20);
    }
    cl->owner[slot] = (short)to;
    return 0;
}

int test_cluster_move_slot(test_cluster *cl, unsigned slot, size_t to_index)
{
    if (slot < TEST_CLUSTER_SLOTS && test_cluster_master_of_slot(cl, slot) == (int)to_index) return 0;
    if (test_cluster_migrate_begin(cl, slot, to_index) < 0) return -1;
    return test_cluster_migrate_end(cl, slot);
}
