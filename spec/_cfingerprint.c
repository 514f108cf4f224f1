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
    if (n <= 32) {  /* insertion sort: sets in states are small */
        for (Py_ssize_t a = 1; a < n; a++) {
            uint64_t x = fps[a];
            Py_ssize_t b = a;
            while (b > 0 && fps[b - 1] > x) { fps[b] = fps[b - 1]; b--; }
            fps[b] = x;
        }
    } else {
        qsort(fps, (size_t)n, sizeof(uint64_t), cmp_u64);
    }
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
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cfingerprint", NULL, -1, methods};

PyMODINIT_FUNC PyInit__cfingerprint(void) { return PyModule_Create(&module); }
