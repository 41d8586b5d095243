/* The compiled MAF block scanner: one pass over a block of whole lines, per line the same answer as
 * mafscan_plain.PlainScanner (the rule written out in Python: the fallback where this module cannot
 * be built, and its reference in tests/test_mafscan.py).
 *
 * For each line: its end (memchr), the tabs up to the deepest column read (memchr each), then
 *   - a '#' line or an empty line is skipped;
 *   - a line whose Chromosome field is the header's Chromosome name is a repeated header;
 *   - a line is a candidate when its Chromosome is 17/chr17 (any casing) and its Start_Position is not
 *     a plain number of 1-10 digits or lies in a prefilter window, or when its Hugo_Symbol is ERBB2;
 *   - its Tumor_Sample_Barcode, when not empty and not seen before in the file, is listed.
 * A line missing a column has that field empty at the line's end; the \r of a CRLF line belongs to no
 * field. Barcodes seen are kept in an open-addressing hash set of the scanner (compared byte by byte,
 * so a hash collision never hides one), so memory grows with distinct barcodes, not with rows.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct {
    uint64_t hash;
    Py_ssize_t offset; /* in the arena */
    Py_ssize_t length;
} Barcode;

typedef struct {
    PyObject_HEAD
    Py_ssize_t hugo, chrom, start, barcode; /* columns; hugo is -1 when the file has none */
    Py_ssize_t deepest;                     /* the highest tab number a read column needs */
    Py_ssize_t *tabs;                       /* deepest + 1 tab positions of the current line */
    long long *low, *high;                  /* prefilter windows of Start_Position, inclusive */
    Py_ssize_t windows;
    char *header_chrom;                     /* the header's Chromosome name: marks a repeated header */
    Py_ssize_t header_chrom_length;
    uint64_t hash_mask;                     /* all ones; tests narrow it to force collisions */
    Barcode *barcodes;
    Py_ssize_t count, capacity;
    Py_ssize_t *slots;                      /* index + 1 into barcodes, 0 = empty */
    Py_ssize_t slot_count;                  /* a power of two, at least twice count */
    char *arena;
    Py_ssize_t arena_length, arena_capacity;
    Py_ssize_t last;                        /* index of the barcode of the line before, -1 */
} Scanner;

static uint64_t
hash_bytes(const char *p, Py_ssize_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, p, (size_t)n);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
    }
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 32);
}

static int
grow_slots(Scanner *s)
{
    Py_ssize_t count = s->slot_count ? s->slot_count * 2 : 1024;
    Py_ssize_t *slots = PyMem_Calloc((size_t)count, sizeof(Py_ssize_t));
    if (!slots)
        return -1;
    for (Py_ssize_t i = 0; i < s->count; i++) {
        size_t at = (size_t)(s->barcodes[i].hash & s->hash_mask) & (size_t)(count - 1);
        while (slots[at])
            at = (at + 1) & (size_t)(count - 1);
        slots[at] = i + 1;
    }
    PyMem_Free(s->slots);
    s->slots = slots;
    s->slot_count = count;
    return 0;
}

/* 1 when the barcode is new (it is then kept), 0 when seen before, -1 on a memory error. */
static int
remember(Scanner *s, const char *p, Py_ssize_t n)
{
    if (s->last >= 0) { /* MAFs are written sample by sample: most lines repeat the barcode before */
        Barcode *b = &s->barcodes[s->last];
        if (b->length == n && memcmp(s->arena + b->offset, p, (size_t)n) == 0)
            return 0;
    }
    uint64_t hash = hash_bytes(p, n);
    size_t mask = (size_t)(s->slot_count - 1);
    size_t at = (size_t)(hash & s->hash_mask) & mask;
    for (; s->slots[at]; at = (at + 1) & mask) {
        Py_ssize_t i = s->slots[at] - 1;
        Barcode *b = &s->barcodes[i];
        if (b->hash == hash && b->length == n && memcmp(s->arena + b->offset, p, (size_t)n) == 0) {
            s->last = i;
            return 0;
        }
    }
    if (s->count == s->capacity) {
        Py_ssize_t capacity = s->capacity ? s->capacity * 2 : 256;
        Barcode *grown = PyMem_Realloc(s->barcodes, (size_t)capacity * sizeof(Barcode));
        if (!grown)
            return -1;
        s->barcodes = grown;
        s->capacity = capacity;
    }
    if (s->arena_length + n > s->arena_capacity) {
        Py_ssize_t capacity = s->arena_capacity ? s->arena_capacity * 2 : 1 << 16;
        while (capacity < s->arena_length + n)
            capacity *= 2;
        char *grown = PyMem_Realloc(s->arena, (size_t)capacity);
        if (!grown)
            return -1;
        s->arena = grown;
        s->arena_capacity = capacity;
    }
    memcpy(s->arena + s->arena_length, p, (size_t)n);
    s->barcodes[s->count] = (Barcode){hash, s->arena_length, n};
    s->arena_length += n;
    s->slots[at] = s->count + 1;
    s->last = s->count++;
    if (s->count * 2 > s->slot_count && grow_slots(s) < 0)
        return -1;
    return 1;
}

/* The end of the line starting at ``start`` (its newline, or ``length``), with the positions of its
 * first tabs, up to the deepest needed, in s->tabs (the line's end for tabs the line lacks). The
 * bytes up to the deepest tab are looked at 16 at a time for a tab or a newline, the rest of the
 * line with memchr. */
static inline Py_ssize_t
line_end(Scanner *s, const char *data, Py_ssize_t start, Py_ssize_t length)
{
    Py_ssize_t at = start, tab = 0, end = -1;
#ifdef __SSE2__
    const __m128i tabs = _mm_set1_epi8('\t'), newlines = _mm_set1_epi8('\n');
    while (tab <= s->deepest && at + 16 <= length) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(data + at));
        unsigned is_tab = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, tabs));
        unsigned is_newline = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, newlines));
        if (is_newline)
            is_tab &= (is_newline & -is_newline) - 1; /* the tabs before the newline */
        for (; is_tab && tab <= s->deepest; is_tab &= is_tab - 1)
            s->tabs[tab++] = at + __builtin_ctz(is_tab);
        if (is_newline) {
            end = at + __builtin_ctz(is_newline);
            break;
        }
        at += 16;
    }
#endif
    if (end < 0) {
        for (; tab <= s->deepest && at < length; at++) {
            if (data[at] == '\n')
                break;
            if (data[at] == '\t')
                s->tabs[tab++] = at;
        }
        const char *newline = at < length ? memchr(data + at, '\n', (size_t)(length - at)) : NULL;
        end = newline ? newline - data : length;
    }
    for (; tab <= s->deepest; tab++)
        s->tabs[tab] = end;
    return end;
}

typedef struct {
    Py_ssize_t begin, end;
    int present; /* the line has the column (its tab before is on the line) */
} Field;

static inline Field
field_of(const Scanner *s, Py_ssize_t column, Py_ssize_t line_start, Py_ssize_t line_end, int crlf)
{
    Field f;
    f.end = s->tabs[column];
    if (column == 0) {
        f.begin = line_start;
        f.present = 1;
    } else {
        Py_ssize_t before = s->tabs[column - 1];
        f.present = before < line_end;
        f.begin = f.present ? before + 1 : line_end;
    }
    if (crlf && f.end == line_end && f.end > f.begin)
        f.end--;
    return f;
}

/* Start_Position keeps its line when it is not a plain number of 1-10 digits or lies in a window. */
static inline int
start_kept(const Scanner *s, const char *p, Py_ssize_t n)
{
    if (n < 1 || n > 10)
        return 1;
    long long value = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned digit = (unsigned char)p[i] - '0';
        if (digit > 9)
            return 1;
        value = value * 10 + digit;
    }
    for (Py_ssize_t w = 0; w < s->windows; w++)
        if (s->low[w] <= value && value <= s->high[w])
            return 1;
    return 0;
}

static inline int
is_chromosome_17(const char *p, Py_ssize_t n)
{
    if (n == 2)
        return p[0] == '1' && p[1] == '7';
    return n == 5 && (p[0] | 0x20) == 'c' && (p[1] | 0x20) == 'h' && (p[2] | 0x20) == 'r' && p[3] == '1' &&
           p[4] == '7';
}

/* Append a new reference (NULL: an error already set) to ``list``; the list keeps its own reference. */
static int
append_new(PyObject *list, PyObject *item)
{
    if (!item)
        return -1;
    int failed = PyList_Append(list, item);
    Py_DECREF(item);
    return failed;
}

PyDoc_STRVAR(block_doc,
"block(data, length) -> (lines, candidates, barcodes, first_row, repeated_headers)\n\n"
"Scan the first ``length`` bytes of ``data`` (whole lines; the last may lack its newline). Line numbers\n"
"count from the block's first line (0). ``candidates`` are (line, begin, end) byte spans of the lines\n"
"to read in Python, ``barcodes`` the Tumor_Sample_Barcodes not seen before in this scanner's file, as\n"
"written, in first-seen order, ``first_row`` the span of the first data line (None: none),\n"
"``repeated_headers`` the lines repeating the column header.");

static PyObject *
Scanner_block(Scanner *s, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t length;
    if (!PyArg_ParseTuple(args, "y*n", &view, &length))
        return NULL;
    PyObject *candidates = NULL, *barcodes = NULL, *repeated = NULL, *result = NULL;
    if (length < 0 || length > view.len) {
        PyErr_SetString(PyExc_ValueError, "length outside the buffer");
        goto done;
    }
    candidates = PyList_New(0);
    barcodes = PyList_New(0);
    repeated = PyList_New(0);
    if (!candidates || !barcodes || !repeated)
        goto done;

    const char *data = view.buf;
    Py_ssize_t at = 0, line = 0, first_row = -1, first_start = 0, first_end = 0;
    while (at < length) {
        Py_ssize_t start = at, end = line_end(s, data, at, length);
        Py_ssize_t number = line++;
        at = end + 1;
        if (end == start || data[start] == '#')
            continue;
        int crlf = data[end - 1] == '\r';
        Field chrom = field_of(s, s->chrom, start, end, crlf);
        Py_ssize_t chrom_length = chrom.end - chrom.begin;
        if (chrom.present && chrom_length == s->header_chrom_length &&
            memcmp(data + chrom.begin, s->header_chrom, (size_t)chrom_length) == 0) {
            if (append_new(repeated, PyLong_FromSsize_t(number)) < 0)
                goto done;
            continue;
        }
        if (first_row < 0) {
            first_row = number;
            first_start = start;
            first_end = end;
        }
        int wanted = 0;
        if (chrom.present && is_chromosome_17(data + chrom.begin, chrom_length)) {
            Field pos = field_of(s, s->start, start, end, crlf);
            wanted = start_kept(s, data + pos.begin, pos.end - pos.begin);
        }
        if (!wanted && s->hugo >= 0) {
            Field hugo = field_of(s, s->hugo, start, end, crlf);
            wanted = hugo.present && hugo.end - hugo.begin == 5 && memcmp(data + hugo.begin, "ERBB2", 5) == 0;
        }
        if (wanted && append_new(candidates, Py_BuildValue("(nnn)", number, start, end)) < 0)
            goto done;
        Field barcode = field_of(s, s->barcode, start, end, crlf);
        if (barcode.present && barcode.end > barcode.begin) {
            int fresh = remember(s, data + barcode.begin, barcode.end - barcode.begin);
            if (fresh < 0) {
                PyErr_NoMemory();
                goto done;
            }
            if (fresh && append_new(barcodes, PyBytes_FromStringAndSize(data + barcode.begin,
                                                                    barcode.end - barcode.begin)) < 0)
                goto done;
        }
    }
    if (first_row < 0)
        result = Py_BuildValue("(nOOOO)", line, candidates, barcodes, Py_None, repeated);
    else
        result = Py_BuildValue("(nOO(nnn)O)", line, candidates, barcodes, first_row, first_start, first_end, repeated);
done:
    Py_XDECREF(candidates);
    Py_XDECREF(barcodes);
    Py_XDECREF(repeated);
    PyBuffer_Release(&view);
    return result;
}

static int
Scanner_init(Scanner *s, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"hugo", "chrom", "start", "barcode", "windows", "header_chrom", "hash_mask", NULL};
    PyObject *windows;
    const char *header_chrom;
    Py_ssize_t header_chrom_length;
    unsigned long long hash_mask = ~0ull;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "nnnnOy#|K", keywords, &s->hugo, &s->chrom, &s->start,
                                     &s->barcode, &windows, &header_chrom, &header_chrom_length, &hash_mask))
        return -1;
    if (s->tabs) {
        PyErr_SetString(PyExc_RuntimeError, "Scanner is initialised once");
        return -1;
    }
    if (s->hugo < -1 || s->chrom < 0 || s->start < 0 || s->barcode < 0) {
        PyErr_SetString(PyExc_ValueError, "column numbers must be >= 0 (hugo: -1 when absent)");
        return -1;
    }
    s->deepest = s->chrom;
    if (s->start > s->deepest) s->deepest = s->start;
    if (s->barcode > s->deepest) s->deepest = s->barcode;
    if (s->hugo > s->deepest) s->deepest = s->hugo;
    s->hash_mask = hash_mask;
    s->last = -1;
    PyObject *seq = PySequence_Fast(windows, "windows must be a sequence of (low, high)");
    if (!seq)
        return -1;
    s->windows = PySequence_Fast_GET_SIZE(seq);
    s->tabs = PyMem_Malloc((size_t)(s->deepest + 1) * sizeof(Py_ssize_t));
    s->low = PyMem_Malloc((size_t)(s->windows + 1) * sizeof(long long));
    s->high = PyMem_Malloc((size_t)(s->windows + 1) * sizeof(long long));
    s->header_chrom = PyMem_Malloc((size_t)header_chrom_length + 1);
    if (!s->tabs || !s->low || !s->high || !s->header_chrom) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(s->header_chrom, header_chrom, (size_t)header_chrom_length);
    s->header_chrom_length = header_chrom_length;
    for (Py_ssize_t w = 0; w < s->windows; w++) {
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, w), "LL", &s->low[w], &s->high[w])) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    if (grow_slots(s) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void
Scanner_dealloc(Scanner *s)
{
    PyMem_Free(s->tabs);
    PyMem_Free(s->low);
    PyMem_Free(s->high);
    PyMem_Free(s->header_chrom);
    PyMem_Free(s->barcodes);
    PyMem_Free(s->slots);
    PyMem_Free(s->arena);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static PyMethodDef Scanner_methods[] = {
    {"block", (PyCFunction)Scanner_block, METH_VARARGS, block_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(Scanner_doc,
"Scanner(hugo, chrom, start, barcode, windows, header_chrom, hash_mask=2**64-1)\n\n"
"The block scanner of one MAF file: column numbers (hugo -1 when absent), the prefilter windows of\n"
"Start_Position on chr17 as (low, high) inclusive, and the header's Chromosome name as bytes.\n"
"``hash_mask`` narrows the barcode hash (tests force collisions with 0).");

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "her2cli.io._mafscan.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = Scanner_doc,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scanner_init,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "her2cli.io._mafscan",
    .m_doc = "The compiled MAF block scanner (see her2cli.io.maf).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__mafscan(void)
{
    if (PyType_Ready(&ScannerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(m, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
