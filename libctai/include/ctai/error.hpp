#pragma once
/// \file error.hpp
/// The error types of libctai. Every error derives from ctai::Error, itself a
/// std::runtime_error. Errors carry data (field, file, line, rule, column, storage code),
/// never the content of personal fields (domain R9).

#include <stdexcept>
#include <string>

namespace ctai {

/// Base of every libctai error.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bad input: an invalid date, an unknown code, a malformed file or row.
/// When the value comes from an import, file/line/column say where (line 1 = header).
class ValidationError : public Error {
public:
    explicit ValidationError(const std::string& message, std::string field = {},
                             std::string file = {}, long line = 0)
        : Error(message), field_(std::move(field)), file_(std::move(file)), line_(line) {}
    /// The field (column) the error is about, or empty.
    const std::string& field() const noexcept { return field_; }
    /// The file the value came from, or empty.
    const std::string& file() const noexcept { return file_; }
    /// The line in that file (header = 1), or 0.
    long line() const noexcept { return line_; }

private:
    std::string field_;
    std::string file_;
    long line_ = 0;
};

/// A looked-up entity (person, journey, contract, ...) does not exist.
class NotFoundError : public Error {
public:
    NotFoundError(const std::string& message, std::string entity = {}, std::string id = {})
        : Error(message), entity_(std::move(entity)), id_(std::move(id)) {}
    const std::string& entity() const noexcept { return entity_; }
    /// The identifier looked up (an opaque id, never a personal field).
    const std::string& id() const noexcept { return id_; }

private:
    std::string entity_;
    std::string id_;
};

/// A write that breaks a rule of the domain (R6 articulation, R7 journeys, referral
/// lifecycle, ...). rule() names the rule, e.g. "R7.one_open_journey"; column() the
/// column (field) of the record the rule is about, e.g. "entry_date", or empty.
class ConflictError : public Error {
public:
    ConflictError(const std::string& message, std::string rule, std::string column = {})
        : Error(message), rule_(std::move(rule)), column_(std::move(column)) {}
    const std::string& rule() const noexcept { return rule_; }
    /// The column the rule is about, or empty.
    const std::string& column() const noexcept { return column_; }

private:
    std::string rule_;
    std::string column_;
};

/// The storage layer failed (I/O, lock, corruption, or a constraint of the store's schema
/// that a write broke). code() is the storage engine's own result code (SQLite's today),
/// for diagnostics only: test constraint_violation() rather than the code.
class StorageError : public Error {
public:
    StorageError(const std::string& message, int code = 0, bool constraint_violation = false)
        : Error(message), code_(code), constraint_violation_(constraint_violation) {}
    int code() const noexcept { return code_; }
    /// Whether the store refused the write because it breaks a constraint of its schema
    /// (unique key, foreign key, check): the data is at fault, not the storage.
    bool constraint_violation() const noexcept { return constraint_violation_; }

private:
    int code_ = 0;
    bool constraint_violation_ = false;
};

/// The store file was written by a newer library, or is not a libctai store.
class SchemaVersionError : public StorageError {
public:
    SchemaVersionError(const std::string& message, int found, int supported)
        : StorageError(message), found_(found), supported_(supported) {}
    int found() const noexcept { return found_; }
    int supported() const noexcept { return supported_; }

private:
    int found_ = 0;
    int supported_ = 0;
};

}  // namespace ctai
