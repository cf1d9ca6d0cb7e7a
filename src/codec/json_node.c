/* Allocation and release of parsed JSON trees. */
#include <stdlib.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "core/error.h"

pottery_json_node *pottery__json_node_new(pottery_json_kind kind)
{
    pottery_json_node *n = pottery__calloc(1, sizeof *n);
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
    pottery__free(n->keys);
    pottery__free(n->items);
    pottery__free(n->text);
    pottery__free(n);
}
