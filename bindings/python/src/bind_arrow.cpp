// The Arrow C stream interface (`__arrow_c_stream__`, Arrow's PyCapsule protocol) of
// ctai.Columns without pyarrow: ctai/_columns.py lays every column out in Arrow's buffers
// (NumPy arrays), this file wraps them in the C structs of the Arrow C data interface
// (ArrowSchema, ArrowArray, ArrowArrayStream: one struct batch) and hands them over in a
// PyCapsule named "arrow_array_stream". No copy: the arrays point into the NumPy buffers,
// which stay alive (a Python reference) until the consumer releases the last array.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"

extern "C" {
// The Arrow C data interface (https://arrow.apache.org/docs/format/CDataInterface.html).
struct ArrowSchema {
    const char* format;
    const char* name;
    const char* metadata;
    std::int64_t flags;
    std::int64_t n_children;
    struct ArrowSchema** children;
    struct ArrowSchema* dictionary;
    void (*release)(struct ArrowSchema*);
    void* private_data;
};
struct ArrowArray {
    std::int64_t length;
    std::int64_t null_count;
    std::int64_t offset;
    std::int64_t n_buffers;
    std::int64_t n_children;
    const void** buffers;
    struct ArrowArray** children;
    struct ArrowArray* dictionary;
    void (*release)(struct ArrowArray*);
    void* private_data;
};
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
    int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
    const char* (*get_last_error)(struct ArrowArrayStream*);
    void (*release)(struct ArrowArrayStream*);
    void* private_data;
};
}

namespace ctai::python {
namespace {

using namespace pybind11::literals;

constexpr std::int64_t arrow_flag_nullable = 2;

// One column (or a dictionary's values) as Arrow buffers held by Python objects.
struct Field {
    std::string name;
    std::string format;
    std::int64_t length = 0;
    std::int64_t null_count = 0;
    std::vector<const void*> buffers;
    std::vector<Field> children;
    std::unique_ptr<Field> dictionary;
};

// The columns and the Python objects that own their buffers. Destroyed when the stream
// and every array it gave are released (perhaps on a consumer's thread: the GIL is taken
// to drop the references).
struct Batch {
    Field root;
    std::vector<py::object> keep;
    Batch() = default;
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    ~Batch() {
        if (keep.empty() || !Py_IsInitialized()) {
            for (auto& k : keep) k.release();  // interpreter gone: leak rather than crash
            return;
        }
        py::gil_scoped_acquire gil;
        keep.clear();
    }
};

// --- schemas ---------------------------------------------------------------------------------
struct SchemaPrivate {
    std::string name, format;
    std::vector<ArrowSchema*> children;
    ArrowSchema* dictionary = nullptr;
};

void release_schema(ArrowSchema* s) {
    if (s == nullptr || s->release == nullptr) return;
    auto* p = static_cast<SchemaPrivate*>(s->private_data);
    for (ArrowSchema* c : p->children) {
        if (c->release) c->release(c);
        delete c;
    }
    if (p->dictionary) {
        if (p->dictionary->release) p->dictionary->release(p->dictionary);
        delete p->dictionary;
    }
    delete p;
    s->release = nullptr;
}

void export_schema(const Field& f, ArrowSchema* out, bool nullable) {
    auto* p = new SchemaPrivate{f.name, f.format, {}, nullptr};
    for (const Field& c : f.children) {
        auto* child = new ArrowSchema{};
        export_schema(c, child, true);
        p->children.push_back(child);
    }
    if (f.dictionary) {
        p->dictionary = new ArrowSchema{};
        export_schema(*f.dictionary, p->dictionary, true);
    }
    out->format = p->format.c_str();
    out->name = p->name.c_str();
    out->metadata = nullptr;
    out->flags = nullable ? arrow_flag_nullable : 0;
    out->n_children = static_cast<std::int64_t>(p->children.size());
    out->children = p->children.empty() ? nullptr : p->children.data();
    out->dictionary = p->dictionary;
    out->release = release_schema;
    out->private_data = p;
}

// --- arrays ----------------------------------------------------------------------------------
struct ArrayPrivate {
    std::shared_ptr<Batch> batch;
    std::vector<const void*> buffers;
    std::vector<ArrowArray*> children;
    ArrowArray* dictionary = nullptr;
};

void release_array(ArrowArray* a) {
    if (a == nullptr || a->release == nullptr) return;
    auto* p = static_cast<ArrayPrivate*>(a->private_data);
    for (ArrowArray* c : p->children) {
        if (c->release) c->release(c);
        delete c;
    }
    if (p->dictionary) {
        if (p->dictionary->release) p->dictionary->release(p->dictionary);
        delete p->dictionary;
    }
    delete p;  // the last one drops the batch (and the NumPy buffers)
    a->release = nullptr;
}

void export_array(const Field& f, const std::shared_ptr<Batch>& batch, ArrowArray* out) {
    auto* p = new ArrayPrivate{batch, f.buffers, {}, nullptr};
    for (const Field& c : f.children) {
        auto* child = new ArrowArray{};
        export_array(c, batch, child);
        p->children.push_back(child);
    }
    if (f.dictionary) {
        p->dictionary = new ArrowArray{};
        export_array(*f.dictionary, batch, p->dictionary);
    }
    out->length = f.length;
    out->null_count = f.null_count;
    out->offset = 0;
    out->n_buffers = static_cast<std::int64_t>(p->buffers.size());
    out->n_children = static_cast<std::int64_t>(p->children.size());
    out->buffers = p->buffers.empty() ? nullptr : p->buffers.data();
    out->children = p->children.empty() ? nullptr : p->children.data();
    out->dictionary = p->dictionary;
    out->release = release_array;
    out->private_data = p;
}

// --- the stream: one batch -------------------------------------------------------------------
struct StreamPrivate {
    std::shared_ptr<Batch> batch;
    bool done = false;
};

int stream_get_schema(ArrowArrayStream* s, ArrowSchema* out) {
    export_schema(static_cast<StreamPrivate*>(s->private_data)->batch->root, out, false);
    return 0;
}

int stream_get_next(ArrowArrayStream* s, ArrowArray* out) {
    auto* p = static_cast<StreamPrivate*>(s->private_data);
    if (p->done) {
        out->release = nullptr;  // end of stream
        return 0;
    }
    p->done = true;
    export_array(p->batch->root, p->batch, out);
    return 0;
}

const char* stream_last_error(ArrowArrayStream*) { return nullptr; }

void stream_release(ArrowArrayStream* s) {
    if (s == nullptr || s->release == nullptr) return;
    delete static_cast<StreamPrivate*>(s->private_data);
    s->release = nullptr;
}

const void* buffer_of(const py::handle& b, Batch& batch) {
    if (b.is_none()) return nullptr;
    py::array a = py::reinterpret_borrow<py::array>(b);
    if (!(a.flags() & py::array::c_style))
        throw py::value_error("arrow stream: buffers must be contiguous");
    batch.keep.push_back(a);
    return a.data();
}

// (name, format, length, null_count, [buffers], dictionary spec or None)
Field field_of(const py::handle& spec, Batch& batch) {
    const auto t = py::reinterpret_borrow<py::tuple>(spec);
    Field f;
    f.name = t[0].cast<std::string>();
    f.format = t[1].cast<std::string>();
    f.length = t[2].cast<std::int64_t>();
    f.null_count = t[3].cast<std::int64_t>();
    for (const auto& b : py::reinterpret_borrow<py::list>(t[4])) f.buffers.push_back(buffer_of(b, batch));
    if (!t[5].is_none()) f.dictionary = std::make_unique<Field>(field_of(t[5], batch));
    return f;
}

}  // namespace

void bind_arrow(py::module_& m) {
    m.def(
        "_arrow_stream",
        [](const py::list& columns, std::int64_t length) {
            auto batch = std::make_shared<Batch>();
            batch->root.format = "+s";
            batch->root.length = length;
            batch->root.buffers = {nullptr};  // a struct's validity: none missing
            for (const auto& c : columns) batch->root.children.push_back(field_of(c, *batch));
            auto* stream = new ArrowArrayStream{};
            stream->get_schema = stream_get_schema;
            stream->get_next = stream_get_next;
            stream->get_last_error = stream_last_error;
            stream->release = stream_release;
            stream->private_data = new StreamPrivate{std::move(batch), false};
            PyObject* capsule = PyCapsule_New(stream, "arrow_array_stream", [](PyObject* cap) {
                auto* s = static_cast<ArrowArrayStream*>(
                    PyCapsule_GetPointer(cap, "arrow_array_stream"));
                if (s == nullptr) {
                    PyErr_Clear();
                    return;
                }
                if (s->release) s->release(s);  // not consumed
                delete s;
            });
            if (capsule == nullptr) throw py::error_already_set();
            return py::reinterpret_steal<py::object>(capsule);
        },
        "columns"_a, "length"_a,
        "An Arrow C stream (PyCapsule 'arrow_array_stream') of one struct batch over the "
        "given Arrow buffers: [(name, format, length, null_count, [buffers], dictionary)].");
}

}  // namespace ctai::python
