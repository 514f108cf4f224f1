/* The fast path of checker/explore/_seen.py: the explorer's seen-set, compact, in C.
 *
 * The seen-set maps each distinct state's 64-bit fingerprint to its parent's fingerprint (None
 * for an initial state).  A Python dict of ints costs about 120 bytes a state (the dict entry,
 * its index slot, and two int objects); this table costs about 25 (measured by
 * bench/seen_memory.py), so the seen-set is no longer what bounds a run's memory.
 *
 * Layout -- three arrays, no Python objects:
 *   fps[i]      the i-th fingerprint added (8 bytes a state): insertion order, as a dict keeps
 *               it (the engine asks for the last state found);
 *   parents[i]  the parent as a 32-bit *index* into fps (4 bytes a state), not a fingerprint:
 *               NO_PARENT for None; with FOREIGN set, an index into a second, small table of
 *               parents that are not members themselves (a worker of a partitioned search
 *               records successors whose parents live in another worker's partition);
 *   slots[h]    an open-addressing hash table (linear probing, load <= 1/2) of indexes into
 *               fps, stored as index + 1 so that 0 means empty (4 bytes a slot, 8 to 16 a state).
 * Because a slot holds an index and not the fingerprint itself, no fingerprint value is reserved
 * to mark an empty slot: 0 and 2**64 - 1 are fingerprints like any other.
 *
 * The slot of a fingerprint is chosen by Fibonacci hashing (multiply, keep the high bits): the
 * explorer's fingerprints are well mixed already, but the table must not degrade on values that
 * agree in their low bits.
 *
 * Capacity: one table holds at most 2**31 - 1 members (the top bit of a parent index tells a
 * member from a foreign parent).  Past that, and whenever an allocation fails, adding raises
 * MemoryError and leaves the table as it was; the explorer turns MemoryError into an `unknown`
 * verdict with its statistics (checker/explore/_engine.py, _run).  2**31 states are 47 GB of
 * table, beyond one worker of these machines.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define NO_PARENT 0xFFFFFFFFu
#define FOREIGN 0x80000000u
#define MAX_ENTRIES 0x7FFFFFFFu /* per table: indexes 0 .. 2**31 - 2, never colliding with NO_PARENT */
#define MIN_CAP 1024
#define MIN_SLOTS_LOG2 11
#define GOLDEN 0x9E3779B97F4A7C15ULL

/* One hash table over an insertion-ordered array of fingerprints. */
typedef struct {
    uint64_t *fps;
    uint32_t *slots;  /* index + 1; 0 is empty */
    size_t n, cap;    /* fingerprints held, allocated */
    size_t nslots;    /* a power of two */
    int shift;        /* 64 - log2(nslots) */
} Table;

typedef struct {
    PyObject_HEAD
    Table members;
    uint32_t *parents;   /* parallel to members.fps; allocated with members.cap entries */
    Table foreign;       /* parents that are not members */
    /* The parent resolved last (BFS admits a state's new successors one after another, all
     * with the same parent): entries never move, so a resolved index stays right forever. */
    uint64_t cached_fp;
    uint32_t cached_parent;
    int cached;
} SeenSet;

/* --- the table ------------------------------------------------------------------------------ */

static inline size_t home(const Table *t, uint64_t fp) { return (size_t)((fp * GOLDEN) >> t->shift); }

/* The index of fp, or -1 (then *pos is the empty slot where it would go). */
static inline int64_t probe(const Table *t, uint64_t fp, size_t *pos) {
    size_t mask = t->nslots - 1, i = home(t, fp);
    for (;;) {
        uint32_t s = t->slots[i];
        if (s == 0) {
            *pos = i;
            return -1;
        }
        if (t->fps[s - 1] == fp) {
            *pos = i;
            return (int64_t)(s - 1);
        }
        i = (i + 1) & mask;
    }
}

static int table_init(Table *t) {
    t->n = 0;
    t->cap = MIN_CAP;
    t->nslots = (size_t)1 << MIN_SLOTS_LOG2;
    t->shift = 64 - MIN_SLOTS_LOG2;
    t->fps = PyMem_RawMalloc(t->cap * sizeof(uint64_t));
    t->slots = PyMem_RawCalloc(t->nslots, sizeof(uint32_t));
    if (t->fps == NULL || t->slots == NULL) {
        PyMem_RawFree(t->fps);
        PyMem_RawFree(t->slots);
        t->fps = NULL;
        t->slots = NULL;
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void table_free(Table *t) {
    PyMem_RawFree(t->fps);
    PyMem_RawFree(t->slots);
    t->fps = NULL;
    t->slots = NULL;
}

/* Double the slots (rehashing every index) once one more entry would pass load 1/2. */
static int grow_slots(Table *t) {
    if ((t->n + 1) * 2 <= t->nslots)
        return 0;
    size_t nslots = t->nslots * 2;
    if (nslots > SIZE_MAX / sizeof(uint32_t)) {
        PyErr_NoMemory();
        return -1;
    }
    uint32_t *slots = PyMem_RawCalloc(nslots, sizeof(uint32_t));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    PyMem_RawFree(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    t->shift--;
    size_t mask = nslots - 1;
    for (size_t k = 0; k < t->n; k++) {
        size_t i = home(t, t->fps[k]);
        while (slots[i] != 0)
            i = (i + 1) & mask;
        slots[i] = (uint32_t)(k + 1);
    }
    return 0;
}

/* Room for one more fingerprint (and parent, when parents is given): grow by half, not by
 * double, so that at most a third of the arrays is slack. */
static int grow_arrays(Table *t, uint32_t **parents) {
    if (t->n < t->cap)
        return 0;
    if (t->n >= MAX_ENTRIES) {
        PyErr_SetString(PyExc_MemoryError, "the seen-set holds at most 2**31 - 1 states");
        return -1;
    }
    size_t cap = t->cap + t->cap / 2;
    if (cap > MAX_ENTRIES)
        cap = MAX_ENTRIES;
    uint64_t *fps = PyMem_RawRealloc(t->fps, cap * sizeof(uint64_t));
    if (fps == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    t->fps = fps; /* larger, harmless if what follows fails: cap still says the old size */
    if (parents != NULL) {
        uint32_t *p = PyMem_RawRealloc(*parents, cap * sizeof(uint32_t));
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        *parents = p;
    }
    t->cap = cap;
    return 0;
}

/* Append fp, known absent, whose empty slot probe() found at pos; its index, or -1 with
 * MemoryError set and the table unchanged. */
static int64_t table_add(Table *t, uint64_t fp, size_t pos, uint32_t **parents) {
    if (grow_arrays(t, parents) < 0)
        return -1;
    size_t nslots = t->nslots;
    if (grow_slots(t) < 0)
        return -1;
    if (t->nslots != nslots)
        probe(t, fp, &pos); /* again: the slots were rehashed */
    size_t k = t->n++;
    t->fps[k] = fp;
    t->slots[pos] = (uint32_t)(k + 1);
    return (int64_t)k;
}

static size_t table_bytes(const Table *t) {
    return t->cap * sizeof(uint64_t) + t->nslots * sizeof(uint32_t);
}

/* --- conversions --------------------------------------------------------------------------- */

/* The value of int o read from its digits: 0 (in *fp), 1 if it is not in 0 .. 2**64 - 1, or 2 on
 * a Python whose layout is not known here.  Why not PyLong_AsUnsignedLongLong: above 2**30 (every
 * fingerprint) it goes through _PyLong_AsByteArray, several times slower than a dict hashing the
 * same int -- measurable, since `fp in seen` runs once per successor the explorer generates. */
static inline int digits_fp(PyObject *o, uint64_t *fp) {
#if PY_VERSION_HEX >= 0x030C0000 && PY_VERSION_HEX < 0x030E0000
    uintptr_t tag = ((PyLongObject *)o)->long_value.lv_tag;
    if ((tag & 3) == 2) /* the sign bits: 0 positive, 1 zero, 2 negative */
        return 1;
    Py_ssize_t n = (Py_ssize_t)(tag >> 3);
    const digit *d = ((PyLongObject *)o)->long_value.ob_digit;
#elif PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
    Py_ssize_t n = Py_SIZE(o); /* its sign is the int's */
    if (n < 0)
        return 1;
    const digit *d = ((PyLongObject *)o)->ob_digit;
#else
    (void)o;
    (void)fp;
    return 2;
#endif
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000
    uint64_t v = 0;
    for (Py_ssize_t i = n - 1; i >= 0; i--) { /* most significant digit first */
        if (v >> (64 - PyLong_SHIFT))
            return 1; /* the next shift would lose bits */
        v = (v << PyLong_SHIFT) | d[i];
    }
    *fp = v;
    return 0;
#endif
}

/* A fingerprint from a Python int in 0 .. 2**64 - 1: 0 if it is one, else 1 (not an int, or out
 * of range; no exception set), or -1 with an exception set (only when strict). */
static inline int as_fp(PyObject *o, uint64_t *fp, int strict) {
    if (!PyLong_Check(o)) {
        if (strict)
            PyErr_Format(PyExc_TypeError, "a fingerprint is an int, not %.100s", Py_TYPE(o)->tp_name);
        return strict ? -1 : 1;
    }
    int r = digits_fp(o, fp);
    if (r == 0)
        return 0;
    if (r == 1) {
        if (strict)
            PyErr_SetString(PyExc_OverflowError, "a fingerprint is an int in 0 .. 2**64 - 1");
        return strict ? -1 : 1;
    }
    unsigned long long v = PyLong_AsUnsignedLongLong(o);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
        if (strict) {
            if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
                PyErr_Clear();
                PyErr_SetString(PyExc_OverflowError, "a fingerprint is an int in 0 .. 2**64 - 1");
            }
            return -1;
        }
        PyErr_Clear();
        return 1;
    }
    *fp = (uint64_t)v;
    return 0;
}

/* --- the type ------------------------------------------------------------------------------- */

static PyObject *SeenSet_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    if (PyTuple_GET_SIZE(args) != 0 || (kwds != NULL && PyDict_GET_SIZE(kwds) != 0)) {
        PyErr_SetString(PyExc_TypeError, "SeenSet() takes no arguments");
        return NULL;
    }
    SeenSet *self = (SeenSet *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    if (table_init(&self->members) < 0 || table_init(&self->foreign) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    self->parents = PyMem_RawMalloc(self->members.cap * sizeof(uint32_t));
    if (self->parents == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static void SeenSet_dealloc(SeenSet *self) {
    table_free(&self->members);
    table_free(&self->foreign);
    PyMem_RawFree(self->parents);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* `fp in seen`: the explorer's hot path (once per successor generated). */
static int SeenSet_contains(SeenSet *self, PyObject *key) {
    uint64_t fp;
    if (as_fp(key, &fp, 0) != 0)
        return 0; /* not a fingerprint, so not a member (as for a dict) */
    size_t pos;
    return probe(&self->members, fp, &pos) >= 0;
}

static Py_ssize_t SeenSet_len(SeenSet *self) { return (Py_ssize_t)self->members.n; }

/* `seen[fp]`: the parent's fingerprint, or None. */
static PyObject *SeenSet_getitem(SeenSet *self, PyObject *key) {
    uint64_t fp;
    size_t pos;
    int64_t k;
    if (as_fp(key, &fp, 0) != 0 || (k = probe(&self->members, fp, &pos)) < 0) {
        PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    uint32_t p = self->parents[k];
    if (p == NO_PARENT)
        Py_RETURN_NONE;
    if (p & FOREIGN)
        return PyLong_FromUnsignedLongLong(self->foreign.fps[p & ~FOREIGN]);
    return PyLong_FromUnsignedLongLong(self->members.fps[p]);
}

/* `seen[fp] = parent`: add fp, or change the parent of a member (DFS finds shorter ways in). */
static int SeenSet_setitem(SeenSet *self, PyObject *key, PyObject *value) {
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "states cannot be removed from the seen-set");
        return -1;
    }
    uint64_t fp, parent_fp;
    if (as_fp(key, &fp, 1) < 0)
        return -1;
    uint32_t parent = NO_PARENT;
    size_t pos;
    if (value != Py_None) {
        if (as_fp(value, &parent_fp, 1) < 0)
            return -1;
        if (self->cached && self->cached_fp == parent_fp) {
            parent = self->cached_parent;
        } else {
            int64_t k = probe(&self->members, parent_fp, &pos);
            if (k < 0) {
                k = probe(&self->foreign, parent_fp, &pos);
                if (k < 0 && (k = table_add(&self->foreign, parent_fp, pos, NULL)) < 0)
                    return -1;
                parent = FOREIGN | (uint32_t)k;
            } else {
                parent = (uint32_t)k;
            }
            self->cached_fp = parent_fp;
            self->cached_parent = parent;
            self->cached = 1;
        }
    }
    int64_t k = probe(&self->members, fp, &pos);
    if (k < 0) {
        /* Absent: append (an unused foreign entry made above is harmless if this fails). */
        if ((k = table_add(&self->members, fp, pos, &self->parents)) < 0)
            return -1;
        /* A self-parent (seen[fp] = fp on a new fp) found no member above: foreign, still right. */
    }
    self->parents[k] = parent;
    return 0;
}

/* `seen.index(fp)`: fp's position in the insertion order, or -1 if it is not a member (the
 * liveness pass numbers states so, and stores its edges as these numbers). */
static PyObject *SeenSet_index(SeenSet *self, PyObject *key) {
    uint64_t fp;
    size_t pos;
    if (as_fp(key, &fp, 0) != 0)
        return PyLong_FromLong(-1);
    return PyLong_FromLongLong(probe(&self->members, fp, &pos));
}

static PyObject *SeenSet_last(SeenSet *self, PyObject *Py_UNUSED(ignored)) {
    if (self->members.n == 0)
        Py_RETURN_NONE;
    return PyLong_FromUnsignedLongLong(self->members.fps[self->members.n - 1]);
}

static PyObject *SeenSet_nbytes(SeenSet *self, void *Py_UNUSED(closure)) {
    size_t n = sizeof(SeenSet) + table_bytes(&self->members) + self->members.cap * sizeof(uint32_t)
               + table_bytes(&self->foreign);
    return PyLong_FromSize_t(n);
}

static PyObject *SeenSet_sizeof(SeenSet *self, PyObject *Py_UNUSED(ignored)) {
    return SeenSet_nbytes(self, NULL);
}

/* --- dump and load: the checkpoint format (checker/explore/_seen.py documents it) ---------- */

#define DUMP_MAGIC "DCSEEN01"
#define DUMP_CHUNK (1u << 17) /* entries per write() or read() call */

static int is_big_endian(void) {
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 0;
}

static void swap_bytes(char *p, size_t n, size_t width) {
    for (size_t k = 0; k < n; k++, p += width)
        for (size_t i = 0; i < width / 2; i++) {
            char c = p[i];
            p[i] = p[width - 1 - i];
            p[width - 1 - i] = c;
        }
}

/* write(bytes) for n entries of `width` bytes at p, little-endian, in chunks. */
static int dump_array(PyObject *write, const void *p, size_t n, size_t width) {
    const char *c = p;
    for (size_t done = 0; done < n;) {
        size_t k = n - done < DUMP_CHUNK ? n - done : DUMP_CHUNK;
        PyObject *b = PyBytes_FromStringAndSize(c + done * width, (Py_ssize_t)(k * width));
        if (b == NULL)
            return -1;
        if (is_big_endian())
            swap_bytes(PyBytes_AS_STRING(b), k, width);
        PyObject *r = PyObject_CallOneArg(write, b);
        Py_DECREF(b);
        if (r == NULL)
            return -1;
        Py_DECREF(r);
        done += k;
    }
    return 0;
}

static PyObject *SeenSet_dump(SeenSet *self, PyObject *write) {
    uint64_t head[2] = {self->members.n, self->foreign.n};
    char header[24];
    memcpy(header, DUMP_MAGIC, 8);
    memcpy(header + 8, head, 16);
    if (is_big_endian())
        swap_bytes(header + 8, 2, 8);
    if (dump_array(write, header, 1, 24) < 0 || dump_array(write, self->members.fps, self->members.n, 8) < 0
        || dump_array(write, self->parents, self->members.n, 4) < 0
        || dump_array(write, self->foreign.fps, self->foreign.n, 8) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* Exactly n * width bytes from read(), into p; ValueError on a short read. */
static int load_array(PyObject *read, void *p, size_t n, size_t width) {
    char *c = p;
    for (size_t done = 0; done < n;) {
        size_t k = n - done < DUMP_CHUNK ? n - done : DUMP_CHUNK;
        PyObject *b = PyObject_CallFunction(read, "n", (Py_ssize_t)(k * width));
        if (b == NULL)
            return -1;
        if (!PyBytes_Check(b) || (size_t)PyBytes_GET_SIZE(b) != k * width) {
            Py_DECREF(b);
            PyErr_SetString(PyExc_ValueError, "truncated seen-set");
            return -1;
        }
        memcpy(c + done * width, PyBytes_AS_STRING(b), k * width);
        Py_DECREF(b);
        if (is_big_endian())
            swap_bytes(c + done * width, k, width);
        done += k;
    }
    return 0;
}

/* Size t for n entries (the arrays, and slots at load <= 1/2), then read n fingerprints into it
 * and index them; a repeated fingerprint is a corrupt dump. */
static int table_load(Table *t, PyObject *read, size_t n, uint32_t **parents) {
    size_t cap = n < MIN_CAP ? MIN_CAP : n;
    int log2 = MIN_SLOTS_LOG2;
    while (((size_t)1 << log2) < 2 * (n + 1))
        log2++;
    uint64_t *fps = PyMem_RawRealloc(t->fps, cap * sizeof(uint64_t));
    if (fps == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    t->fps = fps;
    uint32_t *slots = PyMem_RawCalloc((size_t)1 << log2, sizeof(uint32_t));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    PyMem_RawFree(t->slots);
    t->slots = slots;
    t->nslots = (size_t)1 << log2;
    t->shift = 64 - log2;
    t->n = 0;
    t->cap = cap;
    if (parents != NULL) {
        uint32_t *p = PyMem_RawRealloc(*parents, cap * sizeof(uint32_t));
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        *parents = p;
    }
    if (load_array(read, t->fps, n, 8) < 0)
        return -1;
    for (size_t k = 0; k < n; k++) {
        size_t pos;
        if (probe(t, t->fps[k], &pos) >= 0) {
            PyErr_SetString(PyExc_ValueError, "corrupt seen-set: a fingerprint appears twice");
            return -1;
        }
        t->slots[pos] = (uint32_t)(k + 1);
        t->n = k + 1;
    }
    return 0;
}

static PyObject *SeenSet_load(PyTypeObject *type, PyObject *read) {
    char header[24];
    if (load_array(read, header, 1, 24) < 0)
        return NULL;
    if (memcmp(header, DUMP_MAGIC, 8) != 0) {
        PyErr_SetString(PyExc_ValueError, "not a seen-set dump");
        return NULL;
    }
    uint64_t head[2];
    memcpy(head, header + 8, 16);
    if (is_big_endian())
        swap_bytes((char *)head, 2, 8);
    if (head[0] > MAX_ENTRIES || head[1] > MAX_ENTRIES) {
        PyErr_SetString(PyExc_ValueError, "corrupt seen-set: impossible size");
        return NULL;
    }
    PyObject *empty = PyTuple_New(0);
    if (empty == NULL)
        return NULL;
    SeenSet *self = (SeenSet *)SeenSet_new(type, empty, NULL);
    Py_DECREF(empty);
    if (self == NULL)
        return NULL;
    size_t n = (size_t)head[0], m = (size_t)head[1];
    if (table_load(&self->members, read, n, &self->parents) < 0 || load_array(read, self->parents, n, 4) < 0
        || table_load(&self->foreign, read, m, NULL) < 0)
        goto fail;
    for (size_t k = 0; k < n; k++) {
        uint32_t p = self->parents[k];
        if (p != NO_PARENT && ((p & FOREIGN) ? (p & ~FOREIGN) >= m : p >= n)) {
            PyErr_SetString(PyExc_ValueError, "corrupt seen-set: a parent link points nowhere");
            goto fail;
        }
    }
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

/* --- iteration: the members in insertion order ---------------------------------------------- */

typedef struct {
    PyObject_HEAD
    SeenSet *seen;
    size_t next, n; /* n: the size when iteration began (a change is an error, as for a dict) */
} SeenIter;

static PyTypeObject SeenIterType;

static PyObject *SeenSet_iter(SeenSet *self) {
    SeenIter *it = PyObject_New(SeenIter, &SeenIterType);
    if (it == NULL)
        return NULL;
    Py_INCREF(self);
    it->seen = self;
    it->next = 0;
    it->n = self->members.n;
    return (PyObject *)it;
}

static PyObject *SeenSet_keys(SeenSet *self, PyObject *Py_UNUSED(ignored)) { return SeenSet_iter(self); }

static void SeenIter_dealloc(SeenIter *it) {
    Py_DECREF(it->seen);
    PyObject_Free(it);
}

static PyObject *SeenIter_next(SeenIter *it) {
    if (it->seen->members.n != it->n) {
        PyErr_SetString(PyExc_RuntimeError, "seen-set changed size during iteration");
        return NULL;
    }
    if (it->next >= it->n)
        return NULL;
    return PyLong_FromUnsignedLongLong(it->seen->members.fps[it->next++]);
}

static PyTypeObject SeenIterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "checker.explore._cseen.SeenSetIterator",
    .tp_basicsize = sizeof(SeenIter),
    .tp_dealloc = (destructor)SeenIter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)SeenIter_next,
};

static PySequenceMethods SeenSet_as_sequence = {
    .sq_length = (lenfunc)SeenSet_len,
    .sq_contains = (objobjproc)SeenSet_contains,
};

static PyMappingMethods SeenSet_as_mapping = {
    .mp_length = (lenfunc)SeenSet_len,
    .mp_subscript = (binaryfunc)SeenSet_getitem,
    .mp_ass_subscript = (objobjargproc)SeenSet_setitem,
};

static PyMethodDef SeenSet_methods[] = {
    {"last", (PyCFunction)SeenSet_last, METH_NOARGS, "The fingerprint added last, or None if empty."},
    {"index", (PyCFunction)SeenSet_index, METH_O, "index(fp): fp's position in the insertion order, or -1."},
    {"keys", (PyCFunction)SeenSet_keys, METH_NOARGS, "The fingerprints, in the order they were added."},
    {"__sizeof__", (PyCFunction)SeenSet_sizeof, METH_NOARGS, "nbytes."},
    {"dump", (PyCFunction)SeenSet_dump, METH_O, "dump(write): the set in the checkpoint format, by write(bytes) calls."},
    {"load", (PyCFunction)SeenSet_load, METH_O | METH_CLASS, "load(read): a set from dump()'s bytes, read by read(n) calls."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef SeenSet_getset[] = {
    {"nbytes", (getter)SeenSet_nbytes, NULL, "Bytes allocated by the table (slack included).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject SeenSetType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "checker.explore._cseen.SeenSet",
    .tp_doc = "SeenSet(): fingerprint -> parent fingerprint (or None), compact; see checker/explore/_seen.py.",
    .tp_basicsize = sizeof(SeenSet),
    .tp_dealloc = (destructor)SeenSet_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = SeenSet_new,
    .tp_iter = (getiterfunc)SeenSet_iter,
    .tp_as_sequence = &SeenSet_as_sequence,
    .tp_as_mapping = &SeenSet_as_mapping,
    .tp_methods = SeenSet_methods,
    .tp_getset = SeenSet_getset,
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, .m_name = "_cseen", .m_size = -1};

PyMODINIT_FUNC PyInit__cseen(void) {
    if (PyType_Ready(&SeenSetType) < 0 || PyType_Ready(&SeenIterType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&SeenSetType);
    if (PyModule_AddObject(m, "SeenSet", (PyObject *)&SeenSetType) < 0) {
        Py_DECREF(&SeenSetType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
