/* Allocation and release of parsed JSON trees. */
#include <stdlib.h>

#include "codec/codec.h"
#include "core/error.h"

pottery_json_node *pottery__json_node_new(pottery_json_kind kind)
{
    pottery_json_node *n = calloc(1, sizeof *n);
    if (!n) {
        pottery__error_oom();
        return NULL;
    }
    n->kind = kind;
    return n;
}

void pottery__json_free(pottery_json_node *n)
{
    if (!n) return;
    for (size_t k = 0; k < n->count; k++) {
        if (n->keys) pottery__json_free(n->keys[k]);
        if (n->items) pottery__json_free(n->items[k]);
    }
    free(n->keys);
    free(n->items);
    free(n->text);
    free(n);
}
