/* pottery_aionextid: NextID (nextid_core.c) on the event-loop fan-out (async/afanout.c). */
#include <stdio.h>
#include <string.h>

#include "async/async_impl.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "nextid_core.h"
#include "pottery/aionextid.h"

enum op { OP_NONE, OP_NEXT, OP_RESET };

struct pottery_aionextid {
    pottery_nextid_core core;
    pottery_async **masters;
    pottery_afanout af;
    pottery_cmd cmd; /* the running fan-out's command (it borrows it) */
    pottery_nextid_run run;
    enum op op;
    pottery_aionextid_cb next_cb;
    pottery_aionextid_reset_cb reset_cb;
    void *payload;
};

/* The operation is over: report it (the callback may free gen). */
static void finish(pottery_aionextid *gen, int status, int64_t id)
{
    enum op op = gen->op;
    gen->op = OP_NONE;
    if (op == OP_NEXT)
        gen->next_cb(status, status < 0 ? 0 : id, gen->payload);
    else
        gen->reset_cb(status, gen->payload);
}

static void on_votes(void *arg);

/* Send the run's next request: 0, or an error (nothing running). */
static int step(pottery_aionextid *gen)
{
    const pottery_script *script;
    pottery__cmd_reset(&gen->cmd);
    int rc = pottery__nextid_run_request(&gen->cmd, &script, &gen->af.votes, &gen->run, &gen->core);
    if (rc == 0) return pottery__nextid_run_exhausted(&gen->run, &gen->core, &gen->af.votes);
    if (rc < 0) return rc;
    if (script) return pottery__afanout_eval(&gen->af, script, 1, &gen->cmd, on_votes, gen);
    return pottery__afanout_exec(&gen->af, &gen->cmd, on_votes, gen);
}

static void on_votes(void *arg)
{
    pottery_aionextid *gen = arg;
    int64_t id = 0;
    int rc = pottery__nextid_run_judge(&id, &gen->run, &gen->core, &gen->af.votes);
    if (rc == 0) rc = step(gen);
    if (rc != 0) finish(gen, rc < 0 ? rc : 0, id);
}

static void on_reset(void *arg)
{
    pottery_aionextid *gen = arg;
    finish(gen, pottery__nextid_reset_judge(&gen->core, &gen->af.votes), 0);
}

int pottery_aionextid_new(pottery_aionextid **out, pottery_async *const *masters, size_t n,
                          const pottery_nextid_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    int rc = pottery__check_masters((const void *const *)masters, n, __func__);
    if (rc < 0) return rc;
    pottery_aionextid *gen = pottery__calloc(1, sizeof *gen);
    if (!gen) return pottery__error_oom();
    pottery__cmd_init(&gen->cmd);
    if ((rc = pottery__nextid_core_init(&gen->core, n, opts, __func__)) < 0) {
        pottery__free(gen);
        return rc;
    }
    gen->masters = pottery__calloc(n, sizeof *gen->masters);
    if (!gen->masters) {
        pottery_aionextid_free(gen);
        return pottery__error_oom();
    }
    memcpy(gen->masters, masters, n * sizeof *masters);
    pottery__afanout_init(&gen->af, gen->masters, n, gen->core.quorum);
    *out = gen;
    return 0;
}

void pottery_aionextid_free(pottery_aionextid *gen)
{
    if (!gen) return;
    pottery__afanout_free(&gen->af);
    if (gen->op != OP_NONE) {
        pottery__error(POTTERY_ECANCELED, "%s: the generator was freed while an operation ran", gen->core.key);
        finish(gen, POTTERY_ECANCELED, 0);
    }
    pottery__cmd_free(&gen->cmd);
    pottery__nextid_core_free(&gen->core);
    pottery__free(gen->masters);
    pottery__free(gen);
}

const char *pottery_aionextid_key(const pottery_aionextid *gen)
{
    return gen ? gen->core.key : NULL;
}

static int begin(const pottery_aionextid *gen, int has_cb, const char *fn)
{
    return pottery__async_begin(gen != NULL, "gen", has_cb, gen && gen->op != OP_NONE, gen ? gen->core.key : "", fn);
}

int pottery_aionextid_next(pottery_aionextid *gen, pottery_aionextid_cb cb, void *payload)
{
    int rc = begin(gen, cb != NULL, __func__);
    if (rc < 0) return rc;
    gen->next_cb = cb;
    gen->payload = payload;
    pottery__nextid_run_start(&gen->run, &gen->core);
    if ((rc = step(gen)) < 0) return rc;
    gen->op = OP_NEXT;
    return 0;
}

int pottery_aionextid_reset(pottery_aionextid *gen, pottery_aionextid_reset_cb cb, void *payload)
{
    int rc = begin(gen, cb != NULL, __func__);
    if (rc < 0) return rc;
    gen->reset_cb = cb;
    gen->payload = payload;
    pottery__cmd_reset(&gen->cmd);
    pottery__nextid_reset_request(&gen->cmd, &gen->af.votes, &gen->core);
    if ((rc = pottery__afanout_exec(&gen->af, &gen->cmd, on_reset, gen)) < 0) return rc;
    gen->op = OP_RESET;
    return 0;
}

int pottery_aionextid_repr(char **out, const pottery_aionextid *gen)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(gen);
    return pottery__nextid_repr(out, "AIONextID", &gen->core);
}
