// Python exception classes for ctai::Error and its subclasses, carrying their data as
// attributes, and the translator from the C++ exceptions (STYLE principle 4):
//   CtaiError(Exception)
//   ValidationError(CtaiError, ValueError)   field, file, line
//   NotFoundError(CtaiError, LookupError)    entity, id
//   ConflictError(CtaiError, ValueError)     rule
//   StorageError(CtaiError, OSError)         code
//   SchemaVersionError(StorageError)         found, supported
//   ExchangeImportError(ValidationError)     issues (list of ImportIssue named tuples)
// Missing data is None (an empty field or file, line 0).
#include <stdexcept>
#include <string>

#include <ctai/error.hpp>
#include <ctai/exchange.hpp>

#include "bindings.hpp"

namespace ctai::python {
namespace {

struct Classes {
    PyObject* error = nullptr;
    PyObject* validation = nullptr;
    PyObject* not_found = nullptr;
    PyObject* conflict = nullptr;
    PyObject* storage = nullptr;
    PyObject* schema_version = nullptr;
    PyObject* exchange_import = nullptr;
    PyObject* import_issue = nullptr;  // the ctai.ImportIssue named tuple class
};
// Strong references kept for the life of the interpreter.
Classes classes;

PyObject* new_class(py::module_& m, const char* name, const char* doc, py::tuple bases,
                    std::initializer_list<const char*> attributes) {
    py::dict body;
    for (const char* a : attributes) body[a] = py::none();
    const std::string qualified = std::string("ctai.") + name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), body.ptr());
    if (cls == nullptr) throw py::error_already_set();
    m.add_object(name, py::handle(cls));  // steals nothing: add_object increments
    return cls;
}

py::object text_or_none(const std::string& s) {
    return s.empty() ? py::object(py::none()) : py::object(py::str(s));
}

void raise(PyObject* cls, const char* message, std::initializer_list<std::pair<const char*, py::object>> attributes) {
    py::object instance = py::reinterpret_borrow<py::object>(cls)(py::str(message));
    for (const auto& [name, value] : attributes) instance.attr(name) = value;
    PyErr_SetObject(cls, instance.ptr());
}

}  // namespace

py::object import_issue(const ctai::ImportIssue& i) {
    return py::reinterpret_borrow<py::object>(classes.import_issue)(
        i.file, i.line, text_or_none(i.column), i.message, text_or_none(i.rule));
}

void bind_errors(py::module_& m) {
    auto tuple = [](std::initializer_list<PyObject*> bases) {
        py::tuple t(bases.size());
        std::size_t i = 0;
        for (PyObject* b : bases) t[i++] = py::reinterpret_borrow<py::object>(b);
        return t;
    };
    classes.error = new_class(m, "CtaiError", "Base of every libctai error.",
                              tuple({PyExc_Exception}), {});
    classes.validation = new_class(
        m, "ValidationError",
        "Bad input: an invalid date, an unknown code, a malformed file or row. Attributes: "
        "field (column), file, line (header = 1), each None when unknown.",
        tuple({classes.error, PyExc_ValueError}), {"field", "file", "line"});
    classes.not_found = new_class(
        m, "NotFoundError",
        "A looked-up entity does not exist. Attributes: entity, id (opaque identifier).",
        tuple({classes.error, PyExc_LookupError}), {"entity", "id"});
    classes.conflict = new_class(
        m, "ConflictError",
        "A write that breaks a rule of the domain. Attribute: rule (e.g. "
        "'R7.one_open_journey').",
        tuple({classes.error, PyExc_ValueError}), {"rule"});
    classes.storage = new_class(
        m, "StorageError",
        "The storage layer failed (I/O, lock, corruption). Attribute: code (SQLite result "
        "code).",
        tuple({classes.error, PyExc_OSError}), {"code"});
    classes.schema_version = new_class(
        m, "SchemaVersionError",
        "The store file was written by a newer library or is not a libctai store. "
        "Attributes: found, supported (schema versions).",
        tuple({classes.storage}), {"found", "supported"});

    classes.exchange_import = new_class(
        m, "ExchangeImportError",
        "An exchange folder could not be imported (nothing was written). Attribute: issues, "
        "every problem found as ImportIssue(file, line, column, message, rule) named tuples, "
        "in file then line order; field/file/line are those of the first issue. Not the "
        "built-in ImportError (which is about Python modules).",
        tuple({classes.validation}), {"issues"});
    {
        py::object namedtuple = py::module_::import("collections").attr("namedtuple");
        py::object cls = namedtuple("ImportIssue",
                                    py::make_tuple("file", "line", "column", "message", "rule"));
        cls.attr("__module__") = "ctai";
        cls.attr("__doc__") =
            "One problem of an exchange folder: file name, line (header = 1; 0 for the whole "
            "file), column (or None), message (never the content of a personal field), rule "
            "(the domain rule the store refused, e.g. 'R7.exit_before_entry', or None).";
        m.add_object("ImportIssue", cls);
        classes.import_issue = cls.release().ptr();
    }

    // Throws one C++ error with sample data, so tests can check the translation of every
    // class before the store and report bindings exist.
    m.def(
        "_raise_cpp_error",
        [](const std::string& kind) {
            if (kind == "validation")
                throw ctai::ValidationError("bad cell", "birth_date", "persons.csv", 12);
            if (kind == "not_found") throw ctai::NotFoundError("no such person", "person", "P0001");
            if (kind == "conflict") throw ctai::ConflictError("two open journeys", "R7.one_open_journey");
            if (kind == "storage") throw ctai::StorageError("disk I/O error", 10);
            if (kind == "schema_version")
                throw ctai::SchemaVersionError("store written by a newer libctai", 9, 3);
            if (kind == "error") throw ctai::Error("generic");
            if (kind == "import")
                throw ctai::ImportError({{"persons.csv", 3, "birth_date", "not a date", ""},
                                         {"journeys.csv", 2, "", "exit before entry",
                                          "R7.exit_before_entry"}});
            throw std::invalid_argument("unknown kind: " + kind);
        },
        py::arg("kind"), "Raises a sample C++ error of `kind` (tests the translation).");

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const ctai::SchemaVersionError& e) {
            raise(classes.schema_version, e.what(),
                  {{"code", py::int_(e.code())},
                   {"found", py::int_(e.found())},
                   {"supported", py::int_(e.supported())}});
        } catch (const ctai::StorageError& e) {
            raise(classes.storage, e.what(), {{"code", py::int_(e.code())}});
        } catch (const ctai::ImportError& e) {
            py::list issues;
            for (const auto& i : e.issues())
                issues.append(import_issue(i));
            raise(classes.exchange_import, e.what(),
                  {{"field", text_or_none(e.field())},
                   {"file", text_or_none(e.file())},
                   {"line", e.line() > 0 ? py::object(py::int_(e.line()))
                                         : py::object(py::none())},
                   {"issues", issues}});
        } catch (const ctai::ValidationError& e) {
            raise(classes.validation, e.what(),
                  {{"field", text_or_none(e.field())},
                   {"file", text_or_none(e.file())},
                   {"line", e.line() > 0 ? py::object(py::int_(e.line()))
                                         : py::object(py::none())}});
        } catch (const ctai::NotFoundError& e) {
            raise(classes.not_found, e.what(),
                  {{"entity", text_or_none(e.entity())}, {"id", text_or_none(e.id())}});
        } catch (const ctai::ConflictError& e) {
            raise(classes.conflict, e.what(), {{"rule", text_or_none(e.rule())}});
        } catch (const ctai::Error& e) {
            raise(classes.error, e.what(), {});
        }
    });
}

}  // namespace ctai::python
