/* pottery_nextid: NextID (nextid_core.c) on the blocking fan-out (conn/fanout.c). */
#include <stdio.h>
#include <string.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "nextid_core.h"
#include "pottery/nextid.h"

struct pottery_nextid {
    pottery_nextid_core core;
    pottery_client **masters; /* n distinct clients, borrowed (the array is ours) */
};

int pottery_nextid_new(pottery_nextid **out, pottery_client *const *masters, size_t n,
                       const pottery_nextid_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    int rc = pottery__check_masters((const void *const *)masters, n, __func__);
    if (rc < 0) return rc;
    pottery_nextid *gen = pottery__calloc(1, sizeof *gen);
    if (!gen) return pottery__error_oom();
    if ((rc = pottery__nextid_core_init(&gen->core, n, opts, __func__)) < 0) {
        pottery__free(gen);
        return rc;
    }
    gen->masters = pottery__calloc(n, sizeof *gen->masters);
    if (!gen->masters) {
        pottery_nextid_free(gen);
        return pottery__error_oom();
    }
    memcpy(gen->masters, masters, n * sizeof *masters);
    *out = gen;
    return 0;
}

void pottery_nextid_free(pottery_nextid *gen)
{
    if (!gen) return;
    pottery__nextid_core_free(&gen->core);
    pottery__free(gen->masters);
    pottery__free(gen);
}

const char *pottery_nextid_key(const pottery_nextid *gen)
{
    return gen ? gen->core.key : NULL;
}

pottery_client *const *pottery_nextid_masters(size_t *n, const pottery_nextid *gen)
{
    if (n) *n = gen ? gen->core.n : 0;
    return gen ? gen->masters : NULL;
}

int pottery_nextid_repr(char **out, const pottery_nextid *gen)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(gen);
    return pottery__nextid_repr(out, "NextID", &gen->core);
}

int pottery_nextid_next(int64_t *id, pottery_nextid *gen)
{
    POTTERY_CHECK_ARG(id);
    POTTERY_CHECK_ARG(gen);
    pottery_fanout f;
    pottery__fanout_init(&f, gen->masters, gen->core.n, gen->core.quorum);
    pottery_nextid_run run;
    pottery__nextid_run_start(&run, &gen->core);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    int rc;
    for (;;) {
        const pottery_script *script;
        pottery__cmd_reset(&cmd);
        rc = pottery__nextid_run_request(&cmd, &script, &f, &run, &gen->core);
        if (rc == 0) rc = pottery__nextid_run_exhausted(&run, &gen->core, &f);
        if (rc < 0) break;
        rc = script ? pottery__fanout_eval(&f, script, 1, &cmd) : pottery__fanout_exec(&f, &cmd);
        if (rc == 0) rc = pottery__nextid_run_judge(id, &run, &gen->core, &f);
        if (rc != 0) break;
    }
    pottery__cmd_free(&cmd);
    pottery__fanout_free(&f);
    return rc < 0 ? rc : 0;
}

int pottery_nextid_reset(pottery_nextid *gen)
{
    POTTERY_CHECK_ARG(gen);
    pottery_fanout f;
    pottery__fanout_init(&f, gen->masters, gen->core.n, 0);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__nextid_reset_request(&cmd, &f, &gen->core);
    int rc = pottery__fanout_exec(&f, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = pottery__nextid_reset_judge(&gen->core, &f);
    pottery__fanout_free(&f);
    return rc;
}
