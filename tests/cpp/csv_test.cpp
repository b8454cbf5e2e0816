// The CSV layer of the exchange format: decoding, separator detection, parsing with line
// numbers, column access, writing, and the writer -> parser round trip.

#include "exchange/csv.hpp"

#include <gtest/gtest.h>
#include <iconv.h>

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <ctai/error.hpp>

#ifndef CTAI_TEST_DATA_DIR
#error "CTAI_TEST_DATA_DIR must name tests/data"
#endif

namespace {

using ctai::ValidationError;
using ctai::detail::cell;
using ctai::detail::CsvRow;
using ctai::detail::CsvTable;
using ctai::detail::CsvWriter;
using ctai::detail::decode_to_utf8;
using ctai::detail::detect_separator;
using ctai::detail::parse_csv;
using ctai::detail::read_csv_file;
using ctai::detail::TextEncoding;
using Fields = std::vector<std::string>;

// Runs `f`, expects a ValidationError and returns it.
template <typename F>
ValidationError validation_error_of(F&& f) {
    try {
        f();
    } catch (const ValidationError& e) {
        return e;
    }
    ADD_FAILURE() << "no ValidationError thrown";
    return ValidationError("none");
}

// Independent reference for Windows-1252: glibc's iconv. Returns nullopt-like empty
// string with ok=false when iconv rejects the byte (the five undefined bytes).
std::string iconv_cp1252_to_utf8(std::string in, bool& ok) {
    iconv_t cd = iconv_open("UTF-8", "CP1252");
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        ok = false;
        return {};
    }
    std::string out(in.size() * 4 + 4, '\0');
    char* src = in.data();
    std::size_t src_left = in.size();
    char* dst = out.data();
    std::size_t dst_left = out.size();
    ok = iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<std::size_t>(-1);
    iconv_close(cd);
    out.resize(out.size() - dst_left);
    return out;
}

// ---- decoding -------------------------------------------------------------------------

TEST(CsvDecode, Utf8ByteOrderMarkIsStrippedAndReported) {
    TextEncoding enc{};
    EXPECT_EQ(decode_to_utf8("\xEF\xBB\xBFid,nom\n", &enc), "id,nom\n");
    EXPECT_EQ(enc, TextEncoding::utf8_bom);
}

TEST(CsvDecode, ValidUtf8IsKeptByteForByte) {
    TextEncoding enc{};
    const std::string text = "H\u00e9l\u00e8ne, c\u0153ur \u20ac \U0001F600";
    EXPECT_EQ(decode_to_utf8(text, &enc), text);
    EXPECT_EQ(enc, TextEncoding::utf8);
    EXPECT_EQ(decode_to_utf8("plain ascii", &enc), "plain ascii");
    EXPECT_EQ(enc, TextEncoding::utf8);
}

TEST(CsvDecode, FrenchCp1252AccentsDecodeToUtf8) {
    TextEncoding enc{};
    EXPECT_EQ(decode_to_utf8("\xE9\xE8\xE0\xE7\x9C\x80\xC9\xCA\xEE\xF4\xFB\xAB\xBB", &enc),
              "\u00e9\u00e8\u00e0\u00e7\u0153\u20ac\u00c9\u00ca\u00ee\u00f4\u00fb\u00ab"
              "\u00bb");
    EXPECT_EQ(enc, TextEncoding::windows_1252);
}

TEST(CsvDecode, EveryCp1252ByteMatchesIconvAndUndefinedBytesBecomeReplacementCharacter) {
    for (int b = 0x80; b <= 0xFF; ++b) {
        // A lone high byte is never valid UTF-8, so the decoder must take it as cp1252.
        const std::string byte(1, static_cast<char>(b));
        bool ok = false;
        const std::string reference = iconv_cp1252_to_utf8(byte, ok);
        const std::string decoded = decode_to_utf8(byte);
        if (ok) {
            EXPECT_EQ(decoded, reference) << "byte 0x" << std::hex << b;
        } else {
            EXPECT_EQ(decoded, "\uFFFD") << "byte 0x" << std::hex << b;
        }
    }
    for (const int undefined : {0x81, 0x8D, 0x8F, 0x90, 0x9D}) {
        EXPECT_EQ(decode_to_utf8(std::string(1, static_cast<char>(undefined))), "\uFFFD");
    }
}

TEST(CsvDecode, OverlongAndSurrogateSequencesAreNotUtf8) {
    TextEncoding enc{};
    EXPECT_EQ(decode_to_utf8("\xC0\xAF", &enc), "\u00c0\u00af");
    EXPECT_EQ(enc, TextEncoding::windows_1252);
    EXPECT_EQ(decode_to_utf8("\xED\xA0\x80", &enc), "\u00ed\u00a0\u20ac");
    EXPECT_EQ(enc, TextEncoding::windows_1252);
    EXPECT_EQ(decode_to_utf8("\xF4\x90\x80\x80", &enc), "\u00f4\uFFFD\u20ac\u20ac");
    EXPECT_EQ(enc, TextEncoding::windows_1252);
    // A truncated sequence at the very end is not UTF-8 either.
    decode_to_utf8("caf\xC3", &enc);
    EXPECT_EQ(enc, TextEncoding::windows_1252);
}

TEST(CsvDecode, InvalidBytesAfterABomBecomeReplacementCharacters) {
    TextEncoding enc{};
    EXPECT_EQ(decode_to_utf8("\xEF\xBB\xBF" "caf\xE9 ok", &enc), "caf\uFFFD ok");
    EXPECT_EQ(enc, TextEncoding::utf8_bom);
}

// ---- separator ------------------------------------------------------------------------

TEST(CsvSeparator, SemicolonHeaderIsDetected) {
    EXPECT_EQ(detect_separator("person_id;sex;birth_date\r\n"), ';');
}

TEST(CsvSeparator, CommaHeaderIsDetected) {
    EXPECT_EQ(detect_separator("person_id,sex,birth_date\n"), ',');
}

TEST(CsvSeparator, SeparatorsInsideQuotesAreIgnored) {
    EXPECT_EQ(detect_separator("\"a;b;c\",d"), ',');
    EXPECT_EQ(detect_separator("\"a,b,c\";d"), ';');
    EXPECT_EQ(detect_separator("\"x\"\"y,z\";w"), ';');
}

TEST(CsvSeparator, OneColumnHeaderDefaultsToComma) {
    EXPECT_EQ(detect_separator("person_id"), ',');
    EXPECT_EQ(detect_separator(""), ',');
}

// ---- parsing --------------------------------------------------------------------------

TEST(CsvParse, SemicolonFrenchExcelFileWithCp1252AccentsDecodes) {
    const CsvTable t = parse_csv(
        "person_id;nom\r\nP1;H\xE9l\xE8" "ne\r\nP2;C\x9Cur \x80 \xE0 \xE7" "a\r\n", "persons.csv");
    EXPECT_EQ(t.file, "persons.csv");
    EXPECT_EQ(t.separator, ';');
    EXPECT_EQ(t.encoding, TextEncoding::windows_1252);
    EXPECT_EQ(t.header, (Fields{"person_id", "nom"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields, (Fields{"P1", "H\u00e9l\u00e8ne"}));
    EXPECT_EQ(t.rows[1].fields, (Fields{"P2", "C\u0153ur \u20ac \u00e0 \u00e7a"}));
}

TEST(CsvParse, Utf8BomDoesNotLeakIntoTheFirstColumnName) {
    const CsvTable t = parse_csv("\xEF\xBB\xBFperson_id,sex\nP1,F\n", "persons.csv");
    EXPECT_EQ(t.encoding, TextEncoding::utf8_bom);
    EXPECT_EQ(t.header, (Fields{"person_id", "sex"}));
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0].fields, (Fields{"P1", "F"}));
}

TEST(CsvParse, CommaInsideASemicolonFileIsData) {
    const CsvTable t = parse_csv("id;note\nP1;a,b\n", "f.csv");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0].fields, (Fields{"P1", "a,b"}));
}

TEST(CsvParse, QuotedFieldsKeepSeparatorsDoubledQuotesAndNewlines) {
    const CsvTable t = parse_csv(
        "id,note\nP1,\"a,b\"\nP2,\"he said \"\"hi\"\"\"\nP3,\"line1\nline2\"\nP4,\"\"\n", "f.csv");
    ASSERT_EQ(t.rows.size(), 4u);
    EXPECT_EQ(t.rows[0].fields[1], "a,b");
    EXPECT_EQ(t.rows[1].fields[1], "he said \"hi\"");
    EXPECT_EQ(t.rows[2].fields[1], "line1\nline2");
    EXPECT_EQ(t.rows[3].fields, (Fields{"P4", ""}));
}

TEST(CsvParse, CrlfLineEndsAreNotPartOfFields) {
    const CsvTable t = parse_csv("id,sex\r\nP1,F\r\nP2,M\r\n", "f.csv");
    EXPECT_EQ(t.header, (Fields{"id", "sex"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields, (Fields{"P1", "F"}));
    EXPECT_EQ(t.rows[1].fields, (Fields{"P2", "M"}));
    EXPECT_EQ(t.rows[1].line, 3);
}

TEST(CsvParse, LoneCarriageReturnsEndLinesLikeOldMacExcel) {
    const CsvTable t = parse_csv("id,sex\rP1,F\rP2,M", "f.csv");
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].line, 2);
    EXPECT_EQ(t.rows[1].line, 3);
    EXPECT_EQ(t.rows[1].fields, (Fields{"P2", "M"}));
}

TEST(CsvParse, RecordsAfterAMultiLineQuotedFieldCarryTheirPhysicalLineNumber) {
    const CsvTable t = parse_csv(
        "id,note\n"              // 1
        "P1,\"one\n"             // 2
        "two\r\n"                // 3
        "three\"\n"              // 4
        "P2,x\n"                 // 5
        "\n"                     // 6
        "P3,\"\n"                // 7
        "\n"                     // 8 (inside the quoted field)
        "\"\n"                   // 9
        "P4,y",                  // 10, no final newline
        "f.csv");
    ASSERT_EQ(t.rows.size(), 4u);
    EXPECT_EQ(t.rows[0].line, 2);
    EXPECT_EQ(t.rows[0].fields[1], "one\ntwo\r\nthree");
    EXPECT_EQ(t.rows[1].line, 5);
    EXPECT_EQ(t.rows[2].line, 7);
    EXPECT_EQ(t.rows[2].fields[1], "\n\n");
    EXPECT_EQ(t.rows[3].line, 10);
    EXPECT_EQ(t.rows[3].fields, (Fields{"P4", "y"}));
}

TEST(CsvParse, BlankAndWhitespaceOnlyLinesAreSkippedButCounted) {
    const CsvTable t = parse_csv("\n  \nid,sex\n\n \t \r\nP1,F\n\n", "f.csv");
    EXPECT_EQ(t.header, (Fields{"id", "sex"}));
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0].line, 6);
}

TEST(CsvParse, RowsOfOnlyEmptyFieldsLeftByExcelAreSkipped) {
    const CsvTable t = parse_csv("id;sex;note\r\n;;\r\nP1;F;\r\n;;\r\n\"\";;\r\n", "f.csv");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0].line, 3);
    EXPECT_EQ(t.rows[0].fields, (Fields{"P1", "F", ""}));
}

TEST(CsvParse, UnquotedFieldsAreTrimmedQuotedFieldsAreKept) {
    const CsvTable t = parse_csv("id,a,b\n  P1 ,\t x y \t, \" keep \" \n", "f.csv");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0].fields, (Fields{"P1", "x y", " keep "}));
}

TEST(CsvParse, HeaderNamesAreTrimmedAndLowerCased) {
    const CsvTable t = parse_csv(" Person_ID ;\" SEX \";Birth_Date\nP1;F;1990\n", "f.csv");
    EXPECT_EQ(t.header, (Fields{"person_id", "sex", "birth_date"}));
}

TEST(CsvParse, DuplicateHeaderColumnIsRejectedWithItsName) {
    const auto e = validation_error_of([] { parse_csv("id,Sex,sex\nP1,F,F\n", "p.csv"); });
    EXPECT_EQ(e.field(), "sex");
    EXPECT_EQ(e.file(), "p.csv");
    EXPECT_EQ(e.line(), 1);
}

TEST(CsvParse, EmptyHeaderCellsAreUnnamedColumnsNotDuplicates) {
    const CsvTable t = parse_csv("id;;x;\nP1;a;b;c\n", "f.csv");
    EXPECT_EQ(t.header, (Fields{"id", "", "x", ""}));
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0].fields.size(), 4u);
}

TEST(CsvParse, ShortRowsAreRefusedAtTheirLine) {
    // Issue #21: a row shorter than its header would clear the fields of its missing cells.
    try {
        parse_csv("id,sex,birth_date\nP1,F,1990\nP2,M\n", "f.csv");
        FAIL() << "a short row was accepted";
    } catch (const ctai::ValidationError& e) {
        EXPECT_EQ(e.line(), 3);
        EXPECT_EQ(e.file(), "f.csv");
        EXPECT_NE(std::string(e.what()).find("2 fields but the header has 3"), std::string::npos);
    }
    // Columns with an empty name at the end of the header may be left out.
    const CsvTable t = parse_csv("id,sex,,\nP1,F\n", "f.csv");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(cell(t.rows[0], 1), "F");
}

TEST(CsvParse, AUtf8FileWithABadByteIsRefusedAtItsLine) {
    // Issue #21: one bad byte no longer turns a UTF-8 file into Windows-1252 mojibake.
    try {
        parse_csv("id,note\nP1,sant\xC3\xA9\nP2,sant\xE9\n", "f.csv");
        FAIL() << "a UTF-8 file with a bad byte was accepted";
    } catch (const ctai::ValidationError& e) {
        EXPECT_EQ(e.line(), 3);
    }
    const CsvTable t = parse_csv("id,note\nP1,sant\xE9\nP2,\x80\n", "f.csv");
    EXPECT_EQ(t.encoding, TextEncoding::windows_1252);
    EXPECT_EQ(t.rows[0].fields[1], "sant\u00e9");
}

TEST(CsvParse, EmptyFieldsBeyondTheHeaderAreDropped) {
    const CsvTable t = parse_csv("id;sex\nP1;F;;;\n", "f.csv");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0].fields, (Fields{"P1", "F"}));
}

TEST(CsvParse, NonEmptyFieldBeyondTheHeaderIsRejectedWithLineAndNoContent) {
    const auto e = validation_error_of(
        [] { parse_csv("id,sex\nP1,F\nP2,M,Secret Dupont\n", "persons.csv"); });
    EXPECT_EQ(e.file(), "persons.csv");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(std::string(e.what()).find("Dupont"), std::string::npos) << e.what();
}

TEST(CsvParse, UnterminatedQuoteIsReportedAtItsLineWithoutCellContent) {
    const auto e = validation_error_of([] {
        parse_csv("person_id,name\nP1,ok\n\nP2,\"Secret Dupont\nP3,x\nP4,y\n", "persons.csv");
    });
    EXPECT_EQ(e.file(), "persons.csv");
    EXPECT_EQ(e.line(), 4);
    const std::string message = e.what();
    EXPECT_NE(message.find("unterminated quoted field"), std::string::npos) << message;
    EXPECT_EQ(message.find("Secret"), std::string::npos) << message;
    EXPECT_EQ(message.find("Dupont"), std::string::npos) << message;
}

TEST(CsvParse, StrayQuotesAreRejectedAtTheirLineWithoutCellContent) {
    for (const char* bad : {"id,name\nP1,ok\nP2,Se\"cret\n", "id,name\nP1,ok\nP2,\"Se\"cret\n"}) {
        const auto e = validation_error_of([bad] { parse_csv(bad, "persons.csv"); });
        EXPECT_EQ(e.line(), 3) << bad;
        EXPECT_EQ(std::string(e.what()).find("cret"), std::string::npos) << e.what();
    }
}

TEST(CsvParse, EmptyOrBlankFileIsRejected) {
    for (const char* empty : {"", "\n\r\n  \n", "\xEF\xBB\xBF", ";;\n"}) {
        const auto e = validation_error_of([empty] { parse_csv(empty, "persons.csv"); });
        EXPECT_EQ(e.file(), "persons.csv");
    }
}

TEST(CsvParse, HeaderOnlyFileHasNoRows) {
    const CsvTable t = parse_csv("person_id,sex\r\n", "persons.csv");
    EXPECT_EQ(t.header, (Fields{"person_id", "sex"}));
    EXPECT_TRUE(t.rows.empty());
}

TEST(CsvParse, Utf16FileIsRejected) {
    const std::string utf16le("\xFF\xFEi\0d\0", 6);
    const auto e = validation_error_of([&] { parse_csv(utf16le, "persons.csv"); });
    EXPECT_EQ(e.line(), 1);
}

TEST(CsvParse, ExcelFrenchFixtureFileReadsFromDisk) {
    const CsvTable t =
        read_csv_file(std::filesystem::path(CTAI_TEST_DATA_DIR) / "csv" / "persons_excel_fr.csv");
    EXPECT_EQ(t.file, "persons_excel_fr.csv");
    EXPECT_EQ(t.separator, ';');
    EXPECT_EQ(t.encoding, TextEncoding::windows_1252);
    EXPECT_EQ(t.header,
              (Fields{"person_id", "sex", "birth_date", "nationalities", "note"}));
    ASSERT_EQ(t.rows.size(), 4u);
    EXPECT_EQ(t.rows[0].line, 2);
    EXPECT_EQ(t.rows[0].fields[4], "R\u00e9fugi\u00e9e; arriv\u00e9e \u00e0 Dijon");
    EXPECT_EQ(t.rows[1].line, 4);
    EXPECT_EQ(t.rows[1].fields[1], "M");
    EXPECT_EQ(t.rows[1].fields[4], "C\u0153ur, \u20ac \"test\"");
    EXPECT_EQ(t.rows[2].line, 6);
    EXPECT_EQ(t.rows[2].fields[1], "");
    EXPECT_EQ(t.rows[2].fields[4], "deux\r\nlignes");
    EXPECT_EQ(t.rows[3].line, 8);
    EXPECT_EQ(t.rows[3].fields[4], "\u00e7a va");
}

TEST(CsvParse, MissingFileIsAValidationErrorNamingTheFile) {
    const auto e = validation_error_of(
        [] { read_csv_file(std::filesystem::path(CTAI_TEST_DATA_DIR) / "csv" / "nope.csv"); });
    EXPECT_EQ(e.file(), "nope.csv");
}

// ---- columns --------------------------------------------------------------------------

TEST(CsvColumns, FindIsCaseInsensitiveAndAbsentColumnIsNullopt) {
    const ctai::detail::CsvColumns cols(parse_csv("Person_ID;Sex\nP1;F\n", "p.csv"));
    EXPECT_EQ(cols.find("person_id"), 0u);
    EXPECT_EQ(cols.find("SEX"), 1u);
    EXPECT_EQ(cols.find("birth_date"), std::nullopt);
    EXPECT_EQ(cols.find(""), std::nullopt);
}

TEST(CsvColumns, RequireThrowsNamingTheMissingColumnAndFile) {
    const ctai::detail::CsvColumns cols(parse_csv("sex\nF\n", "persons.csv"));
    const auto e = validation_error_of([&] { (void)cols.require("person_id"); });
    EXPECT_EQ(e.field(), "person_id");
    EXPECT_EQ(e.file(), "persons.csv");
    EXPECT_EQ(e.line(), 1);
}

TEST(CsvColumns, CellOfAbsentColumnOrShortRowIsEmpty) {
    const CsvTable t = parse_csv("id,sex,birth_date\nP1,F,\n", "p.csv");
    const ctai::detail::CsvColumns cols(t);
    EXPECT_EQ(cell(t.rows[0], cols.find("sex")), "F");
    EXPECT_EQ(cell(t.rows[0], cols.find("birth_date")), "");
    EXPECT_EQ(cell(t.rows[0], cols.find("household_id")), "");
    EXPECT_EQ(cell(t.rows[0], std::size_t{99}), "");
}

TEST(CsvColumns, UnknownListsHeaderNamesNotExpected) {
    const ctai::detail::CsvColumns cols(parse_csv("id;Sexe;;note\nP1;;;\n", "p.csv"));
    const std::vector<std::string_view> known = {"ID", "note"};
    EXPECT_EQ(cols.unknown(known), (Fields{"sexe"}));
}

// ---- writer ---------------------------------------------------------------------------

TEST(CsvWriter, QuotesOnlyFieldsThatNeedIt) {
    EXPECT_EQ(CsvWriter::escape("plain"), "plain");
    EXPECT_EQ(CsvWriter::escape("H\u00e9l\u00e8ne"), "H\u00e9l\u00e8ne");
    EXPECT_EQ(CsvWriter::escape(""), "");
    EXPECT_EQ(CsvWriter::escape("in side"), "in side");
    EXPECT_EQ(CsvWriter::escape("a,b"), "\"a,b\"");
    EXPECT_EQ(CsvWriter::escape("a;b"), "\"a;b\"");
    EXPECT_EQ(CsvWriter::escape("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(CsvWriter::escape("l1\nl2"), "\"l1\nl2\"");
    EXPECT_EQ(CsvWriter::escape("l1\rl2"), "\"l1\rl2\"");
    EXPECT_EQ(CsvWriter::escape(" lead"), "\" lead\"");
    EXPECT_EQ(CsvWriter::escape("trail\t"), "\"trail\t\"");
    EXPECT_EQ(CsvWriter::escape("", true), "\"\"");
}

TEST(CsvWriter, WritesCommasLfAndNoBom) {
    std::ostringstream out;
    CsvWriter w(out);
    const Fields header = {"person_id", "sex"};
    w.write_row(header);
    w.write_row({"P1", "F"});
    w.write_row({""});
    w.write_row({"P2", ""});
    EXPECT_EQ(out.str(), "person_id,sex\nP1,F\n\"\"\nP2,\n");
}

// Small deterministic generator (xorshift64*), independent of the standard library's
// distributions so that the cases are the same everywhere.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() {
        s_ ^= s_ >> 12;
        s_ ^= s_ << 25;
        s_ ^= s_ >> 27;
        return s_ * 2685821657736338717ULL;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t s_;
};

std::string random_field(Rng& rng) {
    static const std::vector<std::string> atoms = {
        "a", "Z", "0", " ", "\t", ",", ";", "\"", "\"\"", "\n", "\r", "\r\n",
        "\u00e9", "\u0153", "\u20ac", "\u00e7", "|", "'", "=", "\U0001F600"};
    std::string f;
    const std::size_t len = rng.below(7);  // 0 to 6 atoms: empty fields are frequent
    for (std::size_t i = 0; i < len; ++i) f += atoms[rng.below(atoms.size())];
    return f;
}

// Line where the text at `pos` sits, counting LF, CRLF and lone CR as one line end.
long line_at(std::string_view text, std::size_t pos) {
    long line = 1;
    for (std::size_t i = 0; i < pos; ++i) {
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')))
            ++line;
    }
    return line;
}

TEST(CsvRoundTrip, WhatTheWriterWritesTheParserReadsBackWithLineNumbers) {
    Rng rng(0x9E3779B97F4A7C15ULL);
    for (int round = 0; round < 400; ++round) {
        const std::size_t width = 1 + rng.below(5);
        Fields header;
        for (std::size_t c = 0; c < width; ++c) header.push_back("c" + std::to_string(c));

        std::ostringstream out;
        CsvWriter w(out);
        w.write_row(header);
        std::vector<CsvRow> expected;
        const std::size_t rows = rng.below(8);
        for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t start = out.str().size();
            Fields fields;
            const std::size_t n = width;  // short rows are refused (issue #21)
            for (std::size_t c = 0; c < n; ++c) fields.push_back(random_field(rng));
            w.write_row(fields);
            bool all_empty = true;
            for (const auto& f : fields) all_empty = all_empty && f.empty();
            if (!all_empty) expected.push_back(CsvRow{line_at(out.str(), start), fields});
        }

        const std::string text = out.str();
        const CsvTable t = parse_csv(text, "round.csv");
        ASSERT_EQ(t.separator, ',') << "round " << round;
        ASSERT_EQ(t.header, header) << "round " << round;
        ASSERT_EQ(t.rows.size(), expected.size()) << "round " << round;
        for (std::size_t r = 0; r < expected.size(); ++r) {
            EXPECT_EQ(t.rows[r].fields, expected[r].fields) << "round " << round << " row " << r;
            EXPECT_EQ(t.rows[r].line, expected[r].line) << "round " << round << " row " << r;
        }
    }
}

TEST(CsvRoundTrip, SemicolonCrlfCp1252VariantOfAWrittenFileReadsTheSame) {
    // What French Excel does to an exported file: ';' separator, CRLF, Windows-1252.
    const Fields header = {"person_id", "note"};
    const std::vector<Fields> rows = {{"P1", "\u00e9t\u00e9, \u00e0 Dijon"},
                                      {"P2", "c\u0153ur \u20ac"},
                                      {"P3", ""}};
    std::string excel = "person_id;note\r\n";
    excel += "P1;\"\xE9t\xE9, \xE0 Dijon\"\r\n";
    excel += "P2;c\x9Cur \x80\r\n";
    excel += "P3;\r\n";
    std::ostringstream out;
    CsvWriter w(out);
    w.write_row(header);
    for (const auto& r : rows) w.write_row(r);

    const CsvTable a = parse_csv(out.str(), "a.csv");
    const CsvTable b = parse_csv(excel, "b.csv");
    EXPECT_EQ(a.header, b.header);
    ASSERT_EQ(a.rows.size(), b.rows.size());
    for (std::size_t i = 0; i < a.rows.size(); ++i) {
        EXPECT_EQ(a.rows[i].fields, b.rows[i].fields);
        EXPECT_EQ(a.rows[i].fields, rows[i]);
    }
}

}  // namespace
