/* The fast path of checker/linearizability/_search.py: the search loop of one partition, in C.
 *
 * _search.py sets the event list up (in Python: it is O(n log n) and runs once) and hands this
 * object its arrays; run() is then the loop of _search.search, step for step -- the same
 * candidates in the same order, the same memo, the same pruning -- so both give the same
 * outcome.  What changes is where the bookkeeping lives:
 *
 *   - the linearized set is a bitset of 64-bit words, with a Zobrist hash (the XOR of one random
 *     key per operation) kept up to date on every lift and unlift, instead of a Python int that
 *     is rehashed each time;
 *   - the cache of explored configurations is one open-addressing table of (bitset, state id)
 *     entries, the bitsets in an arena, instead of a Python set of ints per state;
 *   - each operation's step per state (the memo, shared by equal signatures) is an
 *     open-addressing table of (memo id, state id) -> next state id, -1 when illegal.
 *
 * Model states stay Python objects: the model's step is called as it is from Python, and new
 * states are interned in the Python list `states` and dict `sid_of` that _search.py reads.
 * run(budget) returns None when it pauses (every `budget` steps, or when stop[0] is true after a
 * model call), True when every definite operation is linearized, False when the configuration
 * space is exhausted; an exception from the model propagates, with `failed_node` naming the call
 * node whose step raised (-1 when the error is not the model's, e.g. MemoryError here).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint64_t key; /* memo id << 32 | state id */
    int32_t value;
    int32_t used;
} MemoSlot;

typedef struct {
    uint64_t hash;
    int64_t sid;  /* -1: empty */
    size_t words; /* offset of the bitset in the arena */
} SeenSlot;

typedef struct {
    PyObject_HEAD
    Py_ssize_t size, nwords;
    int32_t *nxt, *prv, *match, *opi, *memo_id, *need;
    uint8_t *ro;
    uint64_t *zkey;  /* per operation */
    PyObject *node_ops, *step, *states, *sid_of, *stop;
    /* memo */
    MemoSlot *memo;
    size_t memo_cap, memo_n;
    /* per state id: bit (memo id % 64) set when the memo may hold (memo id, state id).  Most
     * look-ups are for a state just reached, whose steps are all still unknown: the mask answers
     * them without touching the table (perf on kv/c50-ok: the table's cache misses were 17%). */
    uint64_t *memo_mask;
    size_t mask_cap;
    /* seen */
    SeenSlot *seen;
    size_t seen_cap, seen_n;
    uint64_t *arena;
    size_t arena_cap, arena_n; /* in words */
    /* search state */
    uint64_t *lin;
    uint64_t lin_hash;
    int32_t *stack_node, *stack_sid;
    Py_ssize_t depth;
    int32_t node, sid;
    int backtracking; /* paused just before a backtrack */
    int started;
    Py_ssize_t best_depth;
    int32_t *best_node, *best_sid;
    int32_t best_at_sid, best_at_node;
    int failed_node;
} Search;

static uint64_t mix(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* ---- memo: (memo id, state id) -> next state id (-1 illegal); -2 when absent ---- */

static int memo_grow(Search *s) {
    size_t cap = s->memo_cap ? s->memo_cap * 2 : 1024;
    MemoSlot *t = PyMem_Calloc(cap, sizeof(MemoSlot));
    if (!t) { PyErr_NoMemory(); return -1; }
    for (size_t i = 0; i < s->memo_cap; i++) {
        if (!s->memo[i].used) continue;
        size_t h = mix(s->memo[i].key) & (cap - 1);
        while (t[h].used) h = (h + 1) & (cap - 1);
        t[h] = s->memo[i];
    }
    PyMem_Free(s->memo);
    s->memo = t;
    s->memo_cap = cap;
    return 0;
}

static int32_t memo_get(Search *s, int32_t mid, int32_t sid) {
    if ((size_t)sid >= s->mask_cap || !((s->memo_mask[sid] >> (mid & 63)) & 1)) return -2;
    uint64_t key = ((uint64_t)(uint32_t)mid << 32) | (uint32_t)sid;
    size_t h = mix(key) & (s->memo_cap - 1);
    while (s->memo[h].used) {
        if (s->memo[h].key == key) return s->memo[h].value;
        h = (h + 1) & (s->memo_cap - 1);
    }
    return -2;
}

static int memo_put(Search *s, int32_t mid, int32_t sid, int32_t value) {
    if (2 * (s->memo_n + 1) > s->memo_cap && memo_grow(s) < 0) return -1;
    if ((size_t)sid >= s->mask_cap) {
        size_t cap = s->mask_cap ? s->mask_cap : 1024;
        while (cap <= (size_t)sid) cap *= 2;
        uint64_t *m = PyMem_Realloc(s->memo_mask, cap * sizeof(uint64_t));
        if (!m) { PyErr_NoMemory(); return -1; }
        memset(m + s->mask_cap, 0, (cap - s->mask_cap) * sizeof(uint64_t));
        s->memo_mask = m;
        s->mask_cap = cap;
    }
    s->memo_mask[sid] |= 1ULL << (mid & 63);
    uint64_t key = ((uint64_t)(uint32_t)mid << 32) | (uint32_t)sid;
    size_t h = mix(key) & (s->memo_cap - 1);
    while (s->memo[h].used) h = (h + 1) & (s->memo_cap - 1);
    s->memo[h].key = key;
    s->memo[h].value = value;
    s->memo[h].used = 1;
    s->memo_n++;
    return 0;
}

/* ---- seen: configurations (linearized set, state id) already explored ---- */

static int seen_grow(Search *s) {
    size_t cap = s->seen_cap ? s->seen_cap * 2 : 1024;
    SeenSlot *t = PyMem_Malloc(cap * sizeof(SeenSlot));
    if (!t) { PyErr_NoMemory(); return -1; }
    for (size_t i = 0; i < cap; i++) t[i].sid = -1;
    for (size_t i = 0; i < s->seen_cap; i++) {
        if (s->seen[i].sid < 0) continue;
        size_t h = s->seen[i].hash & (cap - 1);
        while (t[h].sid >= 0) h = (h + 1) & (cap - 1);
        t[h] = s->seen[i];
    }
    PyMem_Free(s->seen);
    s->seen = t;
    s->seen_cap = cap;
    return 0;
}

/* Add (lin, sid), lin given by its words and hash: 1 if added, 0 if present, -1 on error. */
static int seen_add(Search *s, const uint64_t *lin, uint64_t lin_hash, int32_t sid) {
    if (2 * (s->seen_n + 1) > s->seen_cap && seen_grow(s) < 0) return -1;
    uint64_t hash = mix(lin_hash ^ ((uint64_t)(uint32_t)sid * 0x9E3779B97F4A7C15ULL));
    size_t h = hash & (s->seen_cap - 1);
    size_t nbytes = (size_t)s->nwords * sizeof(uint64_t);
    while (s->seen[h].sid >= 0) {
        SeenSlot *e = &s->seen[h];
        if (e->hash == hash && e->sid == sid && memcmp(s->arena + e->words, lin, nbytes) == 0)
            return 0;
        h = (h + 1) & (s->seen_cap - 1);
    }
    if (s->arena_n + (size_t)s->nwords > s->arena_cap) {
        size_t cap = s->arena_cap ? s->arena_cap * 2 : 4096;
        while (cap < s->arena_n + (size_t)s->nwords) cap *= 2;
        uint64_t *a = PyMem_Realloc(s->arena, cap * sizeof(uint64_t));
        if (!a) { PyErr_NoMemory(); return -1; }
        s->arena = a;
        s->arena_cap = cap;
    }
    memcpy(s->arena + s->arena_n, lin, nbytes);
    s->seen[h].hash = hash;
    s->seen[h].sid = sid;
    s->seen[h].words = s->arena_n;
    s->arena_n += (size_t)s->nwords;
    s->seen_n++;
    return 1;
}

/* ---- construction ---- */

static int32_t *int_array(PyObject *seq, Py_ssize_t n, const char *what) {
    PyObject *fast = PySequence_Fast(seq, what);
    if (!fast) return NULL;
    if (PySequence_Fast_GET_SIZE(fast) != n) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd items", what, n);
        Py_DECREF(fast);
        return NULL;
    }
    int32_t *a = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(int32_t));
    if (!a) { Py_DECREF(fast); PyErr_NoMemory(); return NULL; }
    for (Py_ssize_t i = 0; i < n; i++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, i));
        if (v == -1 && PyErr_Occurred()) { PyMem_Free(a); Py_DECREF(fast); return NULL; }
        a[i] = (int32_t)v;
    }
    Py_DECREF(fast);
    return a;
}

static void Search_dealloc(Search *s) {
    PyMem_Free(s->nxt); PyMem_Free(s->prv); PyMem_Free(s->match); PyMem_Free(s->opi);
    PyMem_Free(s->memo_id); PyMem_Free(s->need); PyMem_Free(s->ro); PyMem_Free(s->zkey);
    PyMem_Free(s->memo); PyMem_Free(s->memo_mask); PyMem_Free(s->seen); PyMem_Free(s->arena); PyMem_Free(s->lin);
    PyMem_Free(s->stack_node); PyMem_Free(s->stack_sid);
    PyMem_Free(s->best_node); PyMem_Free(s->best_sid);
    Py_XDECREF(s->node_ops); Py_XDECREF(s->step); Py_XDECREF(s->states);
    Py_XDECREF(s->sid_of); Py_XDECREF(s->stop);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

/* Search(nxt, prv, match, opi, memo_id, ro, need, node_ops, n_ops, step, states, sid_of, stop):
 * the arrays of _search.search, one entry per node (node 0 the head, 2n + 1 the tail); need[node]
 * is the index + 1 of the operation that must be linearized first, 0 for none. */
static PyObject *Search_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    PyObject *nxt, *prv, *match, *opi, *memo_id, *ro, *need, *node_ops, *step, *states, *sid_of, *stop;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "OOOOOOOOnOO!O!O!:Search", &nxt, &prv, &match, &opi, &memo_id, &ro,
                          &need, &node_ops, &n, &step, &PyList_Type, &states, &PyDict_Type, &sid_of,
                          &PyList_Type, &stop))
        return NULL;
    if (n < 0 || n > 0x3FFFFFFF) { PyErr_SetString(PyExc_ValueError, "n_ops out of range"); return NULL; }
    if (PyList_GET_SIZE(stop) < 1) { PyErr_SetString(PyExc_ValueError, "stop: a list of one flag"); return NULL; }
    Search *s = (Search *)type->tp_alloc(type, 0);
    if (!s) return NULL;
    Py_ssize_t size = 2 * n + 2;
    s->size = size;
    s->nwords = (n + 63) / 64 ? (n + 63) / 64 : 1;
    s->failed_node = -1;
    if (!(s->nxt = int_array(nxt, size, "nxt")) || !(s->prv = int_array(prv, size, "prv")) ||
        !(s->match = int_array(match, size, "match")) || !(s->opi = int_array(opi, size, "opi")) ||
        !(s->memo_id = int_array(memo_id, size, "memo_id")) || !(s->need = int_array(need, size, "need")))
        goto fail;
    int32_t *ro32 = int_array(ro, size, "ro");
    if (!ro32) goto fail;
    s->ro = PyMem_Malloc((size_t)size);
    if (!s->ro) { PyMem_Free(ro32); PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t i = 0; i < size; i++) s->ro[i] = ro32[i] != 0;
    PyMem_Free(ro32);
    if (!PySequence_Check(node_ops) || PySequence_Size(node_ops) != size) {
        PyErr_SetString(PyExc_ValueError, "node_ops: expected one item per node");
        goto fail;
    }
    for (Py_ssize_t i = 0; i < size; i++) {
        int32_t v = s->nxt[i];
        if (v < 0 || v > size || s->prv[i] < -1 || s->prv[i] >= size || s->match[i] >= size ||
            s->opi[i] < 0 || s->opi[i] >= (n ? n : 1) || s->need[i] < 0 || s->need[i] > n) {
            PyErr_SetString(PyExc_ValueError, "node arrays out of range");
            goto fail;
        }
    }
    s->zkey = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
    s->lin = PyMem_Calloc((size_t)s->nwords, sizeof(uint64_t));
    s->stack_node = PyMem_Malloc((size_t)(n + 1) * sizeof(int32_t));
    s->stack_sid = PyMem_Malloc((size_t)(n + 1) * sizeof(int32_t));
    s->best_node = PyMem_Malloc((size_t)(n + 1) * sizeof(int32_t));
    s->best_sid = PyMem_Malloc((size_t)(n + 1) * sizeof(int32_t));
    if (!s->zkey || !s->lin || !s->stack_node || !s->stack_sid || !s->best_node || !s->best_sid) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) s->zkey[i] = mix(0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1));
    Py_INCREF(node_ops); s->node_ops = node_ops;
    Py_INCREF(step); s->step = step;
    Py_INCREF(states); s->states = states;
    Py_INCREF(sid_of); s->sid_of = sid_of;
    Py_INCREF(stop); s->stop = stop;
    s->best_depth = -1;
    return (PyObject *)s;
fail:
    Py_DECREF(s);
    return NULL;
}

#define HAS(s, i) (((s)->lin[(i) >> 6] >> ((i) & 63)) & 1)
#define FLIP(s, i) do { (s)->lin[(i) >> 6] ^= 1ULL << ((i) & 63); (s)->lin_hash ^= (s)->zkey[i]; } while (0)

/* Interpret the model's step for call node `node` in state `sid`: the next state id, -1 if
 * illegal, -3 on error. */
static int32_t call_step(Search *s, int32_t node, int32_t sid) {
    PyObject *state = PyList_GET_ITEM(s->states, sid);
    PyObject *op = PySequence_GetItem(s->node_ops, node);
    if (!op) return -3;
    PyObject *argv[2] = {state, op};
    Py_INCREF(state);
    PyObject *r = PyObject_Vectorcall(s->step, argv, 2, NULL);
    Py_DECREF(state);
    Py_DECREF(op);
    if (!r) { s->failed_node = node; return -3; }
    PyObject *ok, *nw;
    if (PyTuple_CheckExact(r) && PyTuple_GET_SIZE(r) == 2) {
        ok = PyTuple_GET_ITEM(r, 0); nw = PyTuple_GET_ITEM(r, 1);
        Py_INCREF(ok); Py_INCREF(nw);
    } else {
        /* unpack as Python does ("ok, new = step(...)"), with its error */
        PyObject *it = PyObject_GetIter(r);
        ok = nw = NULL;
        if (it) {
            ok = PyIter_Next(it);
            nw = ok ? PyIter_Next(it) : NULL;
            PyObject *extra = nw ? PyIter_Next(it) : NULL;
            if (!PyErr_Occurred()) {
                if (!ok || !nw)
                    PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected 2, got %d)",
                                 ok ? 1 : 0);
                else if (extra)
                    PyErr_SetString(PyExc_ValueError, "too many values to unpack (expected 2)");
            }
            Py_XDECREF(extra);
            Py_DECREF(it);
        }
        if (PyErr_Occurred()) {
            Py_XDECREF(ok); Py_XDECREF(nw); Py_DECREF(r);
            s->failed_node = node;
            return -3;
        }
    }
    Py_DECREF(r);
    int truth = PyObject_IsTrue(ok);
    Py_DECREF(ok);
    if (truth < 0) { Py_DECREF(nw); s->failed_node = node; return -3; }
    if (!truth) { Py_DECREF(nw); return -1; }
    PyObject *known = PyDict_GetItemWithError(s->sid_of, nw);
    if (known) {
        Py_DECREF(nw);
        return (int32_t)PyLong_AsLong(known);
    }
    if (PyErr_Occurred()) { Py_DECREF(nw); s->failed_node = node; return -3; } /* unhashable */
    Py_ssize_t ns = PyList_GET_SIZE(s->states);
    if (ns >= 0x7FFFFFFF) { Py_DECREF(nw); PyErr_NoMemory(); return -3; }
    PyObject *id = PyLong_FromSsize_t(ns);
    if (!id || PyDict_SetItem(s->sid_of, nw, id) < 0 || PyList_Append(s->states, nw) < 0) {
        Py_XDECREF(id); Py_DECREF(nw);
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_MemoryError)) s->failed_node = node;
        return -3;
    }
    Py_DECREF(id);
    Py_DECREF(nw);
    return (int32_t)ns;
}

static PyObject *Search_run(Search *s, PyObject *arg) {
    long budget = PyLong_AsLong(arg);
    if (budget == -1 && PyErr_Occurred()) return NULL;
    if (budget < 1) budget = 1;
    long countdown = budget;
    int32_t *nxt = s->nxt, *prv = s->prv, *match = s->match;
    int32_t node = s->node, sid = s->sid;
    if (!s->started) { s->started = 1; node = nxt[0]; }
    s->failed_node = -1;
    if (s->backtracking) { s->backtracking = 0; goto backtrack; }
    for (;;) {
        int32_t m = match[node];
        if (m > 0) { /* a call: try to linearize it now */
            int32_t need = s->need[node];
            if (need && !HAS(s, need - 1)) { node = nxt[node]; continue; }
            int32_t ns = memo_get(s, s->memo_id[node], sid);
            if (ns == -2) { /* first time for this (operation, state): run the model */
                ns = call_step(s, node, sid);
                if (ns == -3) goto error;
                if (memo_put(s, s->memo_id[node], sid, ns) < 0) goto error;
                countdown--;
                if (!countdown || PyObject_IsTrue(PyList_GET_ITEM(s->stop, 0)) == 1) {
                    /* pause; resuming at this node finds the step in the memo */
                    s->node = node; s->sid = sid;
                    Py_RETURN_NONE;
                }
            }
            if (ns >= 0) {
                int32_t i = s->opi[node];
                FLIP(s, i);
                int added = seen_add(s, s->lin, s->lin_hash, ns);
                if (added < 0) { FLIP(s, i); goto error; }
                if (added) {
                    /* lift the call and its return out of the list */
                    int32_t p = prv[node], q = nxt[node];
                    nxt[p] = q; prv[q] = p;
                    p = prv[m]; q = nxt[m];
                    nxt[p] = q; prv[q] = p;
                    s->stack_node[s->depth] = s->ro[node] ? -node : node;
                    s->stack_sid[s->depth] = sid;
                    s->depth++;
                    sid = ns;
                    node = nxt[0];
                    countdown--;
                    if (!countdown) { s->node = node; s->sid = sid; Py_RETURN_NONE; }
                    continue;
                }
                FLIP(s, i);
                if (!s->ro[node]) { node = nxt[node]; continue; }
                /* an explored configuration equivalent to this one: fall through to backtrack */
            } else {
                node = nxt[node];
                continue;
            }
        } else if (m < 0) { /* every definite operation is linearized */
            s->node = node; s->sid = sid;
            Py_RETURN_TRUE;
        } else if (s->depth > s->best_depth) {
            s->best_depth = s->depth;
            memcpy(s->best_node, s->stack_node, (size_t)s->depth * sizeof(int32_t));
            memcpy(s->best_sid, s->stack_sid, (size_t)s->depth * sizeof(int32_t));
            s->best_at_sid = sid;
            s->best_at_node = node;
        }
        countdown--;
        if (!countdown) {
            s->node = node; s->sid = sid; s->backtracking = 1;
            Py_RETURN_NONE;
        }
    backtrack: /* undo the last choice and try the next candidate after it */
        for (;;) {
            if (!s->depth) { s->node = node; s->sid = sid; Py_RETURN_FALSE; }
            s->depth--;
            node = s->stack_node[s->depth];
            sid = s->stack_sid[s->depth];
            int forced = node < 0;
            if (forced) node = -node;
            FLIP(s, s->opi[node]);
            int32_t m2 = match[node];
            int32_t p = prv[m2], q = nxt[m2];
            nxt[p] = m2; prv[q] = m2;
            p = prv[node]; q = nxt[node];
            nxt[p] = node; prv[q] = node;
            if (!forced) { node = nxt[node]; break; }
        }
    }
error:
    s->node = node; s->sid = sid;
    return NULL;
}

static PyObject *int_list(const int32_t *a, Py_ssize_t n) {
    PyObject *l = PyList_New(n);
    if (!l) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLong(a[i]);
        if (!v) { Py_DECREF(l); return NULL; }
        PyList_SET_ITEM(l, i, v);
    }
    return l;
}

/* (stack nodes, stack state ids, state id): the linearization when run() returned True */
static PyObject *Search_stack(Search *s, PyObject *unused) {
    return Py_BuildValue("(NNi)", int_list(s->stack_node, s->depth), int_list(s->stack_sid, s->depth), s->sid);
}

/* (nodes, state ids, state id, blocking return node) of the deepest dead end */
static PyObject *Search_best(Search *s, PyObject *unused) {
    Py_ssize_t d = s->best_depth < 0 ? 0 : s->best_depth;
    return Py_BuildValue("(NNii)", int_list(s->best_node, d), int_list(s->best_sid, d), s->best_at_sid,
                         s->best_at_node);
}

/* memo_get(node, sid): the next state id of call node's operation in state sid, -1 if illegal,
 * None if never tried */
static PyObject *Search_memo_get(Search *s, PyObject *args) {
    int node, sid;
    if (!PyArg_ParseTuple(args, "ii", &node, &sid)) return NULL;
    if (node < 0 || node >= s->size) { PyErr_SetString(PyExc_IndexError, "node"); return NULL; }
    int32_t v = memo_get(s, s->memo_id[node], sid);
    if (v == -2) Py_RETURN_NONE;
    return PyLong_FromLong(v);
}

static PyObject *Search_failed_node(Search *s, void *unused) { return PyLong_FromLong(s->failed_node); }

static PyMethodDef Search_methods[] = {
    {"run", (PyCFunction)Search_run, METH_O, "run(budget): None (paused), True (ok) or False (exhausted)"},
    {"stack", (PyCFunction)Search_stack, METH_NOARGS, "the current linearization"},
    {"best", (PyCFunction)Search_best, METH_NOARGS, "the deepest dead end"},
    {"memo_get", (PyCFunction)Search_memo_get, METH_VARARGS, "a memoised step"},
    {NULL}
};

static PyGetSetDef Search_getset[] = {
    {"failed_node", (getter)Search_failed_node, NULL, "the call node whose step raised, or -1", NULL},
    {NULL}
};

static PyTypeObject SearchType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "checker.linearizability._csearch.Search",
    .tp_basicsize = sizeof(Search),
    .tp_dealloc = (destructor)Search_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The search loop of one partition (see _search.py).",
    .tp_methods = Search_methods,
    .tp_getset = Search_getset,
    .tp_new = Search_new,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_csearch", "The C search loop of checker.linearizability._search.", -1, NULL,
};

PyMODINIT_FUNC PyInit__csearch(void) {
    if (PyType_Ready(&SearchType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&SearchType);
    if (PyModule_AddObject(m, "Search", (PyObject *)&SearchType) < 0) {
        Py_DECREF(&SearchType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
