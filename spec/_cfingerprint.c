/* The fast path of spec._fingerprint: the same function, in C.
 *
 * spec/_fingerprint.py is the definition (a pure-Python reference, also the fallback when this
 * extension is not built); this file computes exactly the same 64-bit values, only about ten
 * times faster, because the explorer fingerprints every successor state it generates.
 *
 * A fingerprint is a Merkle hash of the value's canonical encoding: each node of the value
 * (an int, a string, a tuple, a frozenset, a record, ...) is hashed from a type tag and a few
 * 64-bit words -- its payload, or its children's fingerprints -- with xxHash64's round and
 * avalanche functions.  Frozenset children are sorted first, so that equal sets hash alike
 * whatever their insertion order.
 *
 * Two caches keep it fast, both keyed by object address and both holding a strong reference (so
 * that an address cannot be reused while its entry lives):
 *   - enum members (immortal singletons) map to their fingerprint in an open-addressing table;
 *   - nested tuples, frozensets and records (immutable, and mostly shared between a state and
 *     its successors: an action changes one or two fields) in a direct-mapped cache.
 * What kind of value a type holds (record, enum, subclass of a builtin, unsupported) is asked of
 * the Python module once per type (spec._fingerprint._classify) and remembered.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <structmember.h>

/* --- the hash ------------------------------------------------------------------------------ */

#define P1 11400714785074694791ULL
#define P2 14029467366897019727ULL
#define P3 1609587929392839161ULL
#define P5 2870177450012600261ULL
#define SEED 0x6469737463686b31ULL /* "distchk1" */

/* Kept in step with the TAG_* constants of spec/_fingerprint.py. */
enum {
    TAG_NONE = 1, TAG_FALSE = 2, TAG_TRUE = 3, TAG_INT = 4, TAG_BIGINT = 5, TAG_FLOAT = 6,
    TAG_STR = 7, TAG_BYTES = 8, TAG_TUPLE = 9, TAG_FROZENSET = 10, TAG_RECORD = 11,
    TAG_ENUM = 12, TAG_SUBCLASS = 13,
};

/* Kinds returned by _classify (also in step with the Python module). */
enum { KIND_RECORD = 1, KIND_ENUM = 2, KIND_SUBCLASS = 3 };

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

typedef struct { uint64_t h; uint64_t n; } Node;

static inline void node_start(Node *nd, uint64_t tag) { nd->h = SEED + tag * P5; nd->n = 0; }

static inline void absorb(Node *nd, uint64_t w) {
    uint64_t h = nd->h + w * P2;
    nd->h = rotl(h, 31) * P1;
    nd->n++;
}

static inline uint64_t node_finish(Node *nd) {
    uint64_t h = nd->h ^ (nd->n * P3);
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

static void absorb_bytes(Node *nd, const unsigned char *p, Py_ssize_t len) {
    absorb(nd, (uint64_t)len);
    Py_ssize_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w = 0;
        for (int k = 0; k < 8; k++) w |= (uint64_t)p[i + k] << (8 * k);
        absorb(nd, w);
    }
    if (i < len) {
        uint64_t w = 0;
        for (int k = 0; i + k < len; k++) w |= (uint64_t)p[i + k] << (8 * k);
        absorb(nd, w);
    }
}

/* --- module state ---------------------------------------------------------------------------- */

static PyObject *classify = NULL; /* spec._fingerprint._classify(type) -> (kind, seed, extra) */

/* What a type holds, from _classify, in an open-addressing table keyed by the type's address
   (strong references to the type and to extra). */
typedef struct {
    PyTypeObject *tp;
    long kind;
    uint64_t seed;
    PyObject *extra;
    Py_ssize_t nfields;
    Py_ssize_t *offsets; /* records: each field's slot offset, or -1 to use getattr */
} TypeInfo;
static TypeInfo *types = NULL;
static size_t types_cap = 0, types_len = 0;

/* enum members: open addressing on the address, strong references */
typedef struct { PyObject *obj; uint64_t fp; } Entry;
static Entry *enums = NULL;
static size_t enums_cap = 0, enums_len = 0;

/* nested immutable containers: direct-mapped on the address, strong references */
#define CACHE_BITS 16
#define CACHE_SIZE ((size_t)1 << CACHE_BITS)
static Entry cache[CACHE_SIZE];

static inline size_t slot_of(PyObject *o, int bits) {
    return (size_t)(((uint64_t)(uintptr_t)o * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

static int enums_lookup(PyObject *o, uint64_t *fp) {
    if (!enums_cap) return 0;
    size_t mask = enums_cap - 1;
    for (size_t i = (size_t)(((uint64_t)(uintptr_t)o * 0x9E3779B97F4A7C15ULL) >> 20) & mask;; i = (i + 1) & mask) {
        if (enums[i].obj == o) { *fp = enums[i].fp; return 1; }
        if (enums[i].obj == NULL) return 0;
    }
}

static int enums_insert(PyObject *o, uint64_t fp) {
    if (2 * (enums_len + 1) > enums_cap) {
        size_t cap = enums_cap ? 2 * enums_cap : 64;
        Entry *t = PyMem_Calloc(cap, sizeof(Entry));
        if (!t) { PyErr_NoMemory(); return -1; }
        for (size_t j = 0; j < enums_cap; j++) {
            if (!enums[j].obj) continue;
            size_t i = (size_t)(((uint64_t)(uintptr_t)enums[j].obj * 0x9E3779B97F4A7C15ULL) >> 20) & (cap - 1);
            while (t[i].obj) i = (i + 1) & (cap - 1);
            t[i] = enums[j];
        }
        PyMem_Free(enums);
        enums = t;
        enums_cap = cap;
    }
    size_t mask = enums_cap - 1;
    size_t i = (size_t)(((uint64_t)(uintptr_t)o * 0x9E3779B97F4A7C15ULL) >> 20) & mask;
    while (enums[i].obj) i = (i + 1) & mask;
    Py_INCREF(o);
    enums[i].obj = o;
    enums[i].fp = fp;
    enums_len++;
    return 0;
}

/* --- the walk -------------------------------------------------------------------------------- */

static int fp_of(PyObject *o, uint64_t *out, int nested);

static int fp_str(PyObject *o, uint64_t tag, uint64_t *out) {
    Py_ssize_t len;
    const char *p = PyUnicode_AsUTF8AndSize(o, &len);
    PyObject *encoded = NULL;
    if (!p) {  /* lone surrogates: encode them as the reference does */
        PyErr_Clear();
        encoded = PyUnicode_AsEncodedString(o, "utf-8", "surrogatepass");
        if (!encoded) return -1;
        p = PyBytes_AS_STRING(encoded);
        len = PyBytes_GET_SIZE(encoded);
    }
    Node nd;
    node_start(&nd, tag);
    absorb_bytes(&nd, (const unsigned char *)p, len);
    Py_XDECREF(encoded);
    *out = node_finish(&nd);
    return 0;
}

static int fp_int(PyObject *o, uint64_t *out) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) return -1;
    Node nd;
    if (!overflow) {
        node_start(&nd, TAG_INT);
        absorb(&nd, (uint64_t)v);
        *out = node_finish(&nd);
        return 0;
    }
    /* beyond 64 bits: the two's-complement bytes, little-endian, as the reference takes them:
       v.to_bytes(v.bit_length() // 8 + 1, "little", signed=True) */
    PyObject *nbits = PyObject_CallMethod(o, "bit_length", NULL);
    if (!nbits) return -1;
    Py_ssize_t n = PyLong_AsSsize_t(nbits);
    Py_DECREF(nbits);
    if (n < 0 && PyErr_Occurred()) return -1;
    PyObject *meth = PyObject_GetAttrString(o, "to_bytes");
    if (!meth) return -1;
    PyObject *args = Py_BuildValue("(ns)", n / 8 + 1, "little");
    PyObject *kw = Py_BuildValue("{s:O}", "signed", Py_True);
    PyObject *b = (args && kw) ? PyObject_Call(meth, args, kw) : NULL;
    Py_XDECREF(args);
    Py_XDECREF(kw);
    Py_DECREF(meth);
    if (!b) return -1;
    node_start(&nd, TAG_BIGINT);
    absorb_bytes(&nd, (const unsigned char *)PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b));
    Py_DECREF(b);
    *out = node_finish(&nd);
    return 0;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static inline void sort_u64(uint64_t *a, Py_ssize_t n) {
    if (n <= 32) {  /* insertion sort: sets in states are small */
        for (Py_ssize_t i = 1; i < n; i++) {
            uint64_t x = a[i];
            Py_ssize_t j = i;
            while (j > 0 && a[j - 1] > x) { a[j] = a[j - 1]; j--; }
            a[j] = x;
        }
    } else {
        qsort(a, (size_t)n, sizeof(uint64_t), cmp_u64);
    }
}

static int fp_frozenset(PyObject *o, uint64_t tag, uint64_t *out) {
    Py_ssize_t n = PySet_GET_SIZE(o);
    uint64_t small[32];
    uint64_t *fps = n <= 32 ? small : PyMem_Malloc((size_t)n * sizeof(uint64_t));
    if (!fps) { PyErr_NoMemory(); return -1; }
    PyObject *it = PyObject_GetIter(o);
    if (!it) goto fail;
    PyObject *item;
    Py_ssize_t i = 0;
    while ((item = PyIter_Next(it)) != NULL) {
        int r = i < n ? fp_of(item, &fps[i], 1) : 0;
        Py_DECREF(item);
        if (r < 0) { Py_DECREF(it); goto fail; }
        i++;
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) goto fail;
    sort_u64(fps, n);
    Node nd;
    node_start(&nd, tag);
    absorb(&nd, (uint64_t)n);
    for (Py_ssize_t a = 0; a < n; a++) absorb(&nd, fps[a]);
    *out = node_finish(&nd);
    if (fps != small) PyMem_Free(fps);
    return 0;
fail:
    if (fps != small) PyMem_Free(fps);
    return -1;
}

static int fp_tuple(PyObject *o, uint64_t tag, uint64_t *out) {
    Py_ssize_t n = PyTuple_GET_SIZE(o);
    Node nd;
    node_start(&nd, tag);
    absorb(&nd, (uint64_t)n);
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t c;
        if (fp_of(PyTuple_GET_ITEM(o, i), &c, 1) < 0) return -1;
        absorb(&nd, c);
    }
    *out = node_finish(&nd);
    return 0;
}

static inline size_t addr_slot(const void *p, size_t mask) {
    return (size_t)(((uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ULL) >> 20) & mask;
}

static TypeInfo *type_lookup(PyTypeObject *tp) {
    if (!types_cap) return NULL;
    size_t mask = types_cap - 1;
    for (size_t i = addr_slot(tp, mask);; i = (i + 1) & mask) {
        if (types[i].tp == tp) return &types[i];
        if (types[i].tp == NULL) return NULL;
    }
}

/* The slot offset of a record field when the class stores it in a plain __slots__ member
   (attrs' slotted classes do): reading it directly skips the attribute-lookup machinery. */
static Py_ssize_t slot_offset(PyTypeObject *tp, PyObject *name) {
    PyObject *d = PyObject_GetAttr((PyObject *)tp, name);
    if (!d) { PyErr_Clear(); return -1; }
    Py_ssize_t off = -1;
    if (Py_IS_TYPE(d, &PyMemberDescr_Type)) {
        PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
        if (m->type == T_OBJECT_EX && !(m->flags & READ_RESTRICTED)) off = m->offset;
    }
    Py_DECREF(d);
    return off;
}

static TypeInfo *kind_of(PyTypeObject *tp) {
    TypeInfo *known = type_lookup(tp);
    if (known) return known;
    PyObject *info = PyObject_CallOneArg(classify, (PyObject *)tp);
    if (!info) return NULL;
    if (!PyTuple_Check(info) || PyTuple_GET_SIZE(info) != 3) {
        Py_DECREF(info);
        PyErr_SetString(PyExc_SystemError, "_classify must return (kind, seed, extra)");
        return NULL;
    }
    TypeInfo t = {tp, PyLong_AsLong(PyTuple_GET_ITEM(info, 0)),
                  PyLong_AsUnsignedLongLongMask(PyTuple_GET_ITEM(info, 1)),
                  Py_NewRef(PyTuple_GET_ITEM(info, 2)), 0, NULL};
    Py_DECREF(info);
    if (PyErr_Occurred()) { Py_DECREF(t.extra); return NULL; }
    if (t.kind == KIND_RECORD) {
        t.nfields = PyTuple_GET_SIZE(t.extra);
        t.offsets = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(t.nfields ? t.nfields : 1));
        if (!t.offsets) { Py_DECREF(t.extra); PyErr_NoMemory(); return NULL; }
        for (Py_ssize_t i = 0; i < t.nfields; i++) t.offsets[i] = slot_offset(tp, PyTuple_GET_ITEM(t.extra, i));
    }
    if (2 * (types_len + 1) > types_cap) {
        size_t cap = types_cap ? 2 * types_cap : 64;
        TypeInfo *n = PyMem_Calloc(cap, sizeof(TypeInfo));
        if (!n) { PyErr_NoMemory(); return NULL; }
        for (size_t j = 0; j < types_cap; j++) {
            if (!types[j].tp) continue;
            size_t i = addr_slot(types[j].tp, cap - 1);
            while (n[i].tp) i = (i + 1) & (cap - 1);
            n[i] = types[j];
        }
        PyMem_Free(types);
        types = n;
        types_cap = cap;
    }
    size_t i = addr_slot(tp, types_cap - 1);
    while (types[i].tp) i = (i + 1) & (types_cap - 1);
    Py_INCREF(tp);
    types[i] = t;
    types_len++;
    return &types[i];
}

static int fp_other(PyObject *o, uint64_t *out, int *cacheable) {
    if (enums_lookup(o, out)) return 0;
    TypeInfo *info = kind_of(Py_TYPE(o));
    if (!info) return -1;
    long kind = info->kind;
    uint64_t seed = info->seed;
    PyObject *extra = info->extra;
    Node nd;
    if (kind == KIND_RECORD) {  /* extra: the field names, in order */
        node_start(&nd, TAG_RECORD);
        absorb(&nd, seed);
        for (Py_ssize_t i = 0; i < info->nfields; i++) {
            PyObject *v;
            Py_ssize_t off = info->offsets[i];
            if (off >= 0 && (v = *(PyObject **)((char *)o + off)) != NULL) {
                Py_INCREF(v);
            } else {
                v = PyObject_GetAttr(o, PyTuple_GET_ITEM(extra, i));
                if (!v) return -1;
            }
            uint64_t c;
            int r = fp_of(v, &c, 1);
            Py_DECREF(v);
            if (r < 0) return -1;
            absorb(&nd, c);
        }
        *out = node_finish(&nd);
        *cacheable = 1; /* records are frozen */
        return 0;
    }
    if (kind == KIND_ENUM) {  /* a member: its class and its name (a flag's pseudo-member has
                                 none, and is told apart by its value, as the 1-tuple (value,)) */
        PyObject *name = PyObject_GetAttrString(o, "_name_");
        if (!name) return -1;
        uint64_t c;
        int r;
        if (PyUnicode_Check(name)) {
            r = fp_str(name, TAG_STR, &c);
        } else {
            PyObject *value = PyObject_GetAttrString(o, "_value_");
            PyObject *key = value ? PyTuple_Pack(1, value) : NULL;
            Py_XDECREF(value);
            r = key ? fp_of(key, &c, 0) : -1;
            Py_XDECREF(key);
        }
        Py_DECREF(name);
        if (r < 0) return -1;
        node_start(&nd, TAG_ENUM);
        absorb(&nd, seed);
        absorb(&nd, c);
        *out = node_finish(&nd);
        return enums_insert(o, *out);
    }
    if (kind == KIND_SUBCLASS) {  /* extra: the builtin base; the value is fingerprinted as one */
        PyObject *base = PyObject_CallOneArg(extra, o);
        if (!base) return -1;
        uint64_t c;
        int r = fp_of(base, &c, 0);
        Py_DECREF(base);
        if (r < 0) return -1;
        node_start(&nd, TAG_SUBCLASS);
        absorb(&nd, seed);
        absorb(&nd, c);
        *out = node_finish(&nd);
        return 0;
    }
    /* unsupported: extra is the message */
    PyErr_SetObject(PyExc_TypeError, extra);
    return -1;
}

static int fp_of(PyObject *o, uint64_t *out, int nested) {
    PyTypeObject *tp = Py_TYPE(o);
    Node nd;
    if (tp == &PyLong_Type) return fp_int(o, out);
    if (o == Py_None) { node_start(&nd, TAG_NONE); *out = node_finish(&nd); return 0; }
    if (tp == &PyBool_Type) {
        node_start(&nd, o == Py_True ? TAG_TRUE : TAG_FALSE);
        *out = node_finish(&nd);
        return 0;
    }
    if (tp == &PyUnicode_Type) return fp_str(o, TAG_STR, out);
    if (tp == &PyFloat_Type) {
        double d = PyFloat_AS_DOUBLE(o);
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        node_start(&nd, TAG_FLOAT);
        absorb(&nd, bits);
        *out = node_finish(&nd);
        return 0;
    }
    if (tp == &PyBytes_Type) {
        node_start(&nd, TAG_BYTES);
        absorb_bytes(&nd, (const unsigned char *)PyBytes_AS_STRING(o), PyBytes_GET_SIZE(o));
        *out = node_finish(&nd);
        return 0;
    }
    /* containers and records: nested ones are cached (states share them with their parent) */
    size_t slot = slot_of(o, CACHE_BITS);
    if (cache[slot].obj == o) { *out = cache[slot].fp; return 0; }  /* a hit even at the top: a field compared by same_value */
    if (Py_EnterRecursiveCall(" while fingerprinting a state")) return -1;
    int r, cacheable = 0;
    if (tp == &PyTuple_Type) { r = fp_tuple(o, TAG_TUPLE, out); cacheable = 1; }
    else if (tp == &PyFrozenSet_Type) { r = fp_frozenset(o, TAG_FROZENSET, out); cacheable = 1; }
    else r = fp_other(o, out, &cacheable);
    Py_LeaveRecursiveCall();
    if (r < 0) return -1;
    if (nested && cacheable) {
        PyObject *old = cache[slot].obj;
        Py_INCREF(o);
        cache[slot].obj = o;
        cache[slot].fp = *out;
        Py_XDECREF(old);
    }
    return 0;
}

/* --- fingerprints of renamed values (symmetry) ---------------------------------------------- *
 *
 * spec/_orbits.py compiles a state type into a program (nested tuples, ops below) and a list of
 * G renamings; permuted() then computes, for every renaming k, fingerprint(rename_k(value))
 * without building a renamed value: a node whose type holds ids yields G fingerprints at once,
 * from its children's G, and a node whose type holds none is fingerprinted once (fp_of and its
 * caches) for all k.  The same tags and words as fp_of, so the same values as the reference,
 * spec/_orbits.py's python_fingerprints (rename with the type's permuters, then fingerprint).
 * Where a value is not as the type says (an id that is not one, a tuple of the wrong length, a
 * set two of whose members one renaming merges), a node answers BAIL and the caller computes
 * the reference instead: this walk only takes the case where it provably agrees with it. */

enum { OP_CONST = 0, OP_ID = 1, OP_TUPLE = 2, OP_SET = 3, OP_RECORD = 4, OP_PRODUCT = 5,
       OP_UNION = 6, OP_PY = 7 };
#define BAIL 1

typedef struct PNode {
    int op;
    int dom;                /* OP_ID, OP_TUPLE: the domain's index (-1: a tuple not indexed by one) */
    Py_ssize_t nkids;       /* OP_TUPLE, OP_SET: 1; OP_RECORD: its fields; OP_PRODUCT, OP_UNION */
    struct PNode **kids;
    PyTypeObject *cls;      /* OP_RECORD (strong reference) */
    uint64_t seed;          /* OP_RECORD: the class's seed */
    Py_ssize_t *offsets;    /* OP_RECORD: the fields' slot offsets (-1: getattr) */
    PyObject *names;        /* OP_RECORD: the field names, in fingerprint order */
    PyObject *dispatch;     /* OP_UNION: {type: index of kid}; a type not in it: kid nkids-1 */
    PyObject *fn;           /* OP_PY: fn(value, k) -> fingerprint of renaming k of value */
} PNode;

typedef struct {
    PNode *root;
    Py_ssize_t G, ndom;
    Py_ssize_t *n;          /* each domain's size */
    Py_ssize_t **perm;      /* perm[k * ndom + d][i]: the new id of old id i */
    Py_ssize_t **inv;       /* inv[k * ndom + d][j]: the old id of new id j */
    uint64_t **idfp;        /* idfp[d][j]: the fingerprint of the int j */
} Program;

static void pnode_free(PNode *nd) {
    if (!nd) return;
    for (Py_ssize_t i = 0; i < nd->nkids; i++) pnode_free(nd->kids[i]);
    PyMem_Free(nd->kids);
    PyMem_Free(nd->offsets);
    Py_XDECREF(nd->cls);
    Py_XDECREF(nd->names);
    Py_XDECREF(nd->dispatch);
    Py_XDECREF(nd->fn);
    PyMem_Free(nd);
}

static void program_free(PyObject *capsule) {
    Program *p = PyCapsule_GetPointer(capsule, "distcheck.permuted");
    if (!p) return;
    pnode_free(p->root);
    for (Py_ssize_t i = 0; i < p->G * p->ndom; i++) {
        if (p->perm) PyMem_Free(p->perm[i]);
        if (p->inv) PyMem_Free(p->inv[i]);
    }
    for (Py_ssize_t d = 0; d < p->ndom; d++) if (p->idfp) PyMem_Free(p->idfp[d]);
    PyMem_Free(p->perm);
    PyMem_Free(p->inv);
    PyMem_Free(p->idfp);
    PyMem_Free(p->n);
    PyMem_Free(p);
}

static PNode *pnode_compile(PyObject *prog, Py_ssize_t ndom) {
    if (!PyTuple_Check(prog) || PyTuple_GET_SIZE(prog) < 1) {
        PyErr_SetString(PyExc_ValueError, "a program node is a non-empty tuple");
        return NULL;
    }
    PNode *nd = PyMem_Calloc(1, sizeof(PNode));
    if (!nd) { PyErr_NoMemory(); return NULL; }
    nd->op = (int)PyLong_AsLong(PyTuple_GET_ITEM(prog, 0));
    nd->dom = -1;
    Py_ssize_t size = PyTuple_GET_SIZE(prog);
    PyObject *kids = NULL;
    switch (nd->op) {
    case OP_CONST:
        break;
    case OP_ID:
        if (size != 2) goto bad;
        nd->dom = (int)PyLong_AsLong(PyTuple_GET_ITEM(prog, 1));
        if (nd->dom < 0 || nd->dom >= ndom) goto bad;
        break;
    case OP_TUPLE:
        if (size != 3) goto bad;
        nd->dom = (int)PyLong_AsLong(PyTuple_GET_ITEM(prog, 2));
        if (nd->dom < -1 || nd->dom >= ndom) goto bad;
        /* fall through: one kid */
    case OP_SET:
        if (size < 2) goto bad;
        nd->nkids = 1;
        nd->kids = PyMem_Calloc(1, sizeof(PNode *));
        if (!nd->kids) goto nomem;
        if (!(nd->kids[0] = pnode_compile(PyTuple_GET_ITEM(prog, 1), ndom))) goto fail;
        break;
    case OP_RECORD: {  /* (OP_RECORD, cls, (field program, ...) in fingerprint order) */
        if (size != 3 || !PyType_Check(PyTuple_GET_ITEM(prog, 1))) goto bad;
        PyTypeObject *cls = (PyTypeObject *)PyTuple_GET_ITEM(prog, 1);
        TypeInfo *info = kind_of(cls);
        if (!info) goto fail;
        if (info->kind != KIND_RECORD) goto bad;
        nd->cls = (PyTypeObject *)Py_NewRef((PyObject *)cls);
        nd->seed = info->seed;
        nd->names = Py_NewRef(info->extra);
        kids = PyTuple_GET_ITEM(prog, 2);
        if (!PyTuple_Check(kids) || PyTuple_GET_SIZE(kids) != info->nfields) goto bad;
        nd->offsets = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(info->nfields ? info->nfields : 1));
        if (!nd->offsets) goto nomem;
        for (Py_ssize_t i = 0; i < info->nfields; i++) nd->offsets[i] = info->offsets[i];
        goto compile_kids;
    }
    case OP_PRODUCT:  /* (OP_PRODUCT, (program, ...)) */
        if (size != 2) goto bad;
        kids = PyTuple_GET_ITEM(prog, 1);
        goto compile_kids;
    case OP_UNION:  /* (OP_UNION, {type: index}, (program, ..., default program)) */
        if (size != 3 || !PyDict_Check(PyTuple_GET_ITEM(prog, 1))) goto bad;
        nd->dispatch = Py_NewRef(PyTuple_GET_ITEM(prog, 1));
        kids = PyTuple_GET_ITEM(prog, 2);
        if (!PyTuple_Check(kids) || PyTuple_GET_SIZE(kids) < 1) goto bad;
        goto compile_kids;
    case OP_PY:
        if (size != 2) goto bad;
        nd->fn = Py_NewRef(PyTuple_GET_ITEM(prog, 1));
        break;
    default:
        goto bad;
    }
    if (PyErr_Occurred()) goto fail;
    return nd;
compile_kids:
    if (!PyTuple_Check(kids)) goto bad;
    nd->nkids = PyTuple_GET_SIZE(kids);
    nd->kids = PyMem_Calloc((size_t)(nd->nkids ? nd->nkids : 1), sizeof(PNode *));
    if (!nd->kids) goto nomem;
    for (Py_ssize_t i = 0; i < nd->nkids; i++)
        if (!(nd->kids[i] = pnode_compile(PyTuple_GET_ITEM(kids, i), ndom))) goto fail;
    return nd;
bad:
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "malformed program node");
    goto fail;
nomem:
    PyErr_NoMemory();
fail:
    pnode_free(nd);
    return NULL;
}

/* permuted_compile(program, perms): perms is a list of G renamings, each a tuple of one
   permutation (a tuple of ints) per domain. */
static PyObject *permuted_compile(PyObject *self, PyObject *args) {
    PyObject *prog, *perms;
    if (!PyArg_ParseTuple(args, "OO!", &prog, &PyList_Type, &perms)) return NULL;
    Py_ssize_t G = PyList_GET_SIZE(perms);
    if (G < 1 || !PyTuple_Check(PyList_GET_ITEM(perms, 0))) {
        PyErr_SetString(PyExc_ValueError, "perms: a non-empty list of tuples of permutations");
        return NULL;
    }
    Program *p = PyMem_Calloc(1, sizeof(Program));
    if (!p) return PyErr_NoMemory();
    PyObject *capsule = PyCapsule_New(p, "distcheck.permuted", program_free);
    if (!capsule) { PyMem_Free(p); return NULL; }
    Py_ssize_t ndom = PyTuple_GET_SIZE(PyList_GET_ITEM(perms, 0));
    p->G = G;
    p->ndom = ndom;
    p->n = PyMem_Calloc((size_t)(ndom ? ndom : 1), sizeof(Py_ssize_t));
    p->perm = PyMem_Calloc((size_t)(G * ndom > 0 ? G * ndom : 1), sizeof(Py_ssize_t *));
    p->inv = PyMem_Calloc((size_t)(G * ndom > 0 ? G * ndom : 1), sizeof(Py_ssize_t *));
    p->idfp = PyMem_Calloc((size_t)(ndom ? ndom : 1), sizeof(uint64_t *));
    if (!p->n || !p->perm || !p->inv || !p->idfp) { PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t k = 0; k < G; k++) {
        PyObject *r = PyList_GET_ITEM(perms, k);
        if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != ndom) goto bad;
        for (Py_ssize_t d = 0; d < ndom; d++) {
            PyObject *q = PyTuple_GET_ITEM(r, d);
            if (!PyTuple_Check(q)) goto bad;
            Py_ssize_t n = PyTuple_GET_SIZE(q);
            if (k == 0) p->n[d] = n;
            else if (n != p->n[d]) goto bad;
            Py_ssize_t *f = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n ? n : 1));
            Py_ssize_t *b = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n ? n : 1));
            p->perm[k * ndom + d] = f;
            p->inv[k * ndom + d] = b;
            if (!f || !b) { PyErr_NoMemory(); goto fail; }
            for (Py_ssize_t i = 0; i < n; i++) b[i] = -1;
            for (Py_ssize_t i = 0; i < n; i++) {
                Py_ssize_t j = PyLong_AsSsize_t(PyTuple_GET_ITEM(q, i));
                if (j < 0 || j >= n || b[j] != -1) goto bad;  /* (an error is -1 too) */
                f[i] = j;
                b[j] = i;
            }
        }
    }
    for (Py_ssize_t d = 0; d < ndom; d++) {
        p->idfp[d] = PyMem_Malloc(sizeof(uint64_t) * (size_t)(p->n[d] ? p->n[d] : 1));
        if (!p->idfp[d]) { PyErr_NoMemory(); goto fail; }
        for (Py_ssize_t j = 0; j < p->n[d]; j++) {
            Node nd;
            node_start(&nd, TAG_INT);
            absorb(&nd, (uint64_t)j);
            p->idfp[d][j] = node_finish(&nd);
        }
    }
    if (!(p->root = pnode_compile(prog, ndom))) goto fail;
    return capsule;
bad:
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "perms: each renaming is one permutation per domain");
fail:
    Py_DECREF(capsule);
    return NULL;
}

static int pwalk(const Program *p, const PNode *nd, PyObject *o, uint64_t *out);

/* The children's fingerprints, G per child: child i's renaming k at kid[i * G + k]. */
static int pwalk_record(const Program *p, const PNode *nd, PyObject *o, uint64_t *kid) {
    Py_ssize_t G = p->G;
    for (Py_ssize_t i = 0; i < nd->nkids; i++) {
        PyObject *v;
        Py_ssize_t off = nd->offsets[i];
        if (off >= 0 && (v = *(PyObject **)((char *)o + off)) != NULL) Py_INCREF(v);
        else if (!(v = PyObject_GetAttr(o, PyTuple_GET_ITEM(nd->names, i)))) return -1;
        int r = pwalk(p, nd->kids[i], v, kid + i * G);
        Py_DECREF(v);
        if (r) return r;
    }
    return 0;
}

static int pwalk(const Program *p, const PNode *nd, PyObject *o, uint64_t *out) {
    Py_ssize_t G = p->G;
    switch (nd->op) {
    case OP_CONST: {
        uint64_t c;
        if (fp_of(o, &c, 1) < 0) return -1;
        for (Py_ssize_t k = 0; k < G; k++) out[k] = c;
        return 0;
    }
    case OP_ID: {
        if (!PyLong_CheckExact(o)) return BAIL;
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        Py_ssize_t d = nd->dom;
        if (overflow || v < 0 || v >= p->n[d]) { PyErr_Clear(); return BAIL; }
        for (Py_ssize_t k = 0; k < G; k++) out[k] = p->idfp[d][p->perm[k * p->ndom + d][v]];
        return 0;
    }
    case OP_PY: {
        for (Py_ssize_t k = 0; k < G; k++) {
            PyObject *kk = PyLong_FromSsize_t(k);
            PyObject *r = kk ? PyObject_CallFunctionObjArgs(nd->fn, o, kk, NULL) : NULL;
            Py_XDECREF(kk);
            if (!r) return -1;
            out[k] = PyLong_AsUnsignedLongLongMask(r);
            Py_DECREF(r);
            if (PyErr_Occurred()) return -1;
        }
        return 0;
    }
    case OP_UNION: {
        PyObject *idx = PyDict_GetItemWithError(nd->dispatch, (PyObject *)Py_TYPE(o));
        Py_ssize_t i = nd->nkids - 1;
        if (idx) i = PyLong_AsSsize_t(idx);
        else if (PyErr_Occurred()) return -1;
        if (i < 0 || i >= nd->nkids) { if (!PyErr_Occurred()) PyErr_SetString(PyExc_SystemError, "bad union index"); return -1; }
        return pwalk(p, nd->kids[i], o, out);
    }
    default:
        break;
    }
    /* containers: their children's fingerprints first */
    Py_ssize_t n;
    if (nd->op == OP_TUPLE || nd->op == OP_PRODUCT) {
        if (!PyTuple_CheckExact(o)) return BAIL;
        n = PyTuple_GET_SIZE(o);
        if (nd->op == OP_PRODUCT && n != nd->nkids) return BAIL;
        if (nd->op == OP_TUPLE && nd->dom >= 0 && n != p->n[nd->dom]) return BAIL;
    } else if (nd->op == OP_SET) {
        if (!PyFrozenSet_CheckExact(o)) return BAIL;
        n = PySet_GET_SIZE(o);
    } else {  /* OP_RECORD */
        if (Py_TYPE(o) != nd->cls) return BAIL;
        n = nd->nkids;
    }
    uint64_t small[512];
    size_t need = (size_t)(n * G + (nd->op == OP_SET ? n : 0));
    uint64_t *kid = need <= 512 ? small : PyMem_Malloc(need * sizeof(uint64_t));
    if (!kid) { PyErr_NoMemory(); return -1; }
    int r = 0;
    if (Py_EnterRecursiveCall(" while fingerprinting a renamed state")) { r = -1; goto done; }
    if (nd->op == OP_RECORD) {
        r = pwalk_record(p, nd, o, kid);
    } else if (nd->op == OP_SET) {
        PyObject *it = PyObject_GetIter(o), *item;
        Py_ssize_t i = 0;
        if (!it) r = -1;
        while (!r && (item = PyIter_Next(it)) != NULL) {
            r = i < n ? pwalk(p, nd->kids[0], item, kid + i * G) : BAIL;
            Py_DECREF(item);
            i++;
        }
        Py_XDECREF(it);
        if (!r && PyErr_Occurred()) r = -1;
        if (!r && i != n) r = BAIL;
    } else {
        for (Py_ssize_t i = 0; !r && i < n; i++)
            r = pwalk(p, nd->op == OP_PRODUCT ? nd->kids[i] : nd->kids[0], PyTuple_GET_ITEM(o, i), kid + i * G);
    }
    Py_LeaveRecursiveCall();
    if (r) goto done;
    for (Py_ssize_t k = 0; k < G; k++) {
        Node h;
        if (nd->op == OP_RECORD) {
            node_start(&h, TAG_RECORD);
            absorb(&h, nd->seed);
            for (Py_ssize_t i = 0; i < n; i++) absorb(&h, kid[i * G + k]);
        } else if (nd->op == OP_SET) {
            uint64_t *col = kid + n * G;
            for (Py_ssize_t i = 0; i < n; i++) col[i] = kid[i * G + k];
            sort_u64(col, n);
            /* two members one renaming makes one value: the set would shrink; the reference
               knows which one it keeps */
            for (Py_ssize_t i = 1; i < n; i++) if (col[i] == col[i - 1]) { r = BAIL; goto done; }
            node_start(&h, TAG_FROZENSET);
            absorb(&h, (uint64_t)n);
            for (Py_ssize_t i = 0; i < n; i++) absorb(&h, col[i]);
        } else {
            node_start(&h, TAG_TUPLE);
            absorb(&h, (uint64_t)n);
            if (nd->op == OP_TUPLE && nd->dom >= 0) {
                const Py_ssize_t *inv = p->inv[k * p->ndom + nd->dom];
                for (Py_ssize_t j = 0; j < n; j++) absorb(&h, kid[inv[j] * G + k]);
            } else {
                for (Py_ssize_t i = 0; i < n; i++) absorb(&h, kid[i * G + k]);
            }
        }
        out[k] = node_finish(&h);
    }
done:
    if (kid != small) PyMem_Free(kid);
    return r;
}

/* permuted(program, value, least): the fingerprints of value's G renamings (a list), or their
   least (an int) if least is true; None where the walk bails (see above). */
static PyObject *permuted(PyObject *self, PyObject *args) {
    PyObject *capsule, *o;
    int least;
    if (!PyArg_ParseTuple(args, "OOp", &capsule, &o, &least)) return NULL;
    Program *p = PyCapsule_GetPointer(capsule, "distcheck.permuted");
    if (!p) return NULL;
    uint64_t small[64];
    uint64_t *out = p->G <= 64 ? small : PyMem_Malloc(sizeof(uint64_t) * (size_t)p->G);
    if (!out) return PyErr_NoMemory();
    PyObject *res = NULL;
    int r = pwalk(p, p->root, o, out);
    if (r == BAIL) {
        res = Py_NewRef(Py_None);
    } else if (r == 0 && least) {
        uint64_t m = out[0];
        for (Py_ssize_t k = 1; k < p->G; k++) if (out[k] < m) m = out[k];
        res = PyLong_FromUnsignedLongLong(m);
    } else if (r == 0) {
        res = PyList_New(p->G);
        for (Py_ssize_t k = 0; res && k < p->G; k++) {
            PyObject *x = PyLong_FromUnsignedLongLong(out[k]);
            if (!x) { Py_CLEAR(res); break; }
            PyList_SET_ITEM(res, k, x);
        }
    }
    if (out != small) PyMem_Free(out);
    return res;
}

/* --- the module ------------------------------------------------------------------------------ */

static PyObject *fingerprint(PyObject *self, PyObject *o) {
    uint64_t fp;
    if (fp_of(o, &fp, 0) < 0) return NULL;
    return PyLong_FromUnsignedLongLong(fp);
}

static PyObject *setup(PyObject *self, PyObject *fn) {
    Py_XSETREF(classify, Py_NewRef(fn));
    Py_RETURN_NONE;
}

static PyObject *clear_caches(PyObject *self, PyObject *unused) {
    for (size_t i = 0; i < CACHE_SIZE; i++) Py_CLEAR(cache[i].obj);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"fingerprint", fingerprint, METH_O, "The 64-bit fingerprint of a state value (see spec._fingerprint)."},
    {"setup", setup, METH_O, "Install the Python function that classifies types."},
    {"clear_caches", clear_caches, METH_NOARGS, "Forget the cached fingerprints of nested values."},
    {"permuted_compile", permuted_compile, METH_VARARGS, "Compile a renaming program (see spec._orbits)."},
    {"permuted", permuted, METH_VARARGS, "The fingerprints of a value's renamings (see spec._orbits)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cfingerprint", NULL, -1, methods};

PyMODINIT_FUNC PyInit__cfingerprint(void) { return PyModule_Create(&module); }
