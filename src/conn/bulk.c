/* Bulk writes of any size, the one way every module writes many elements: one command
 * alone when everything fits in one (atomic by itself), else MULTI, the commands, EXEC,
 * streamed so that one command is in memory at a time. One round trip either way, and
 * all-or-nothing: a command that fails to build turns EXEC into DISCARD. */
#include "conn/conn.h"

int pottery__bulk_write(const pottery_bulk *b)
{
    pottery_cmd first, cmd;
    pottery__cmd_init(&first);
    pottery__cmd_init(&cmd);
    /* Build two commands before sending anything: a single one needs no transaction, and
     * the commonest failure (an early value that cannot be encoded) then sends nothing. */
    int rc = b->next(&first, b->ctx);
    int second = rc == 1 ? b->next(&cmd, b->ctx) : 0;
    if (rc == 1 && second < 0) rc = second;
    if (rc == 1 && second == 0) {
        pottery_reply *r = NULL;
        rc = pottery__exec(&r, b->client, &first);
        if (rc == 0) rc = b->check(r, 0, b->ctx);
        pottery__reply_free(r);
    } else if (rc == 1) {
        pottery_stream_txn txn;
        size_t sent = 2;
        pottery__stream_txn_begin(&txn, b->client);
        pottery__stream_txn_send(&txn, &first);
        pottery__stream_txn_send(&txn, &cmd);
        while (pottery__stream_txn_ok(&txn)) {
            pottery__cmd_reset(&cmd);
            int got = b->next(&cmd, b->ctx);
            if (got == 0) break;
            if (got < 0)
                pottery__stream_txn_abort(&txn, got);
            else
                pottery__stream_txn_send(&txn, &cmd);
            sent++;
        }
        pottery_reply *exec = NULL;
        rc = pottery__stream_txn_finish(&exec, &txn);
        if (rc == 0) rc = pottery__reply_array_n(exec, sent, "EXEC");
        for (size_t i = 0; rc == 0 && i < sent; i++) rc = b->check(pottery__reply_at(exec, i), i, b->ctx);
        pottery__reply_free(exec);
    }
    pottery__cmd_free(&first);
    pottery__cmd_free(&cmd);
    return rc;
}
