// RFC 4180 CSV reading for the CLI: quoted fields, "" escapes, embedded
// newlines, CRLF or LF record ends, an optional UTF-8 byte-order mark.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace intent_cli {

// Splits `data` into records of fields. Throws std::runtime_error naming the
// line of an unterminated quote or a stray quote inside an unquoted field.
inline std::vector<std::vector<std::string>> parse_csv(std::string_view data) {
    std::vector<std::vector<std::string>> records;
    if (data.size() >= 3 && data.compare(0, 3, "\xEF\xBB\xBF") == 0) data.remove_prefix(3);
    std::vector<std::string> record;
    std::string field;
    size_t i = 0, line = 1;
    const size_t n = data.size();
    bool at_field_start = true; // a quote only opens a quoted field here
    bool record_open = false;   // distinguishes a final empty line from an empty field
    // A copy of the field, not the field itself: the copy is its exact size,
    // while `field` grew by doubling (and keeps its buffer for the next one).
    auto end_field = [&] {
        record.push_back(field);
        field.clear();
    };
    auto end_record = [&] {
        end_field();
        records.push_back(std::move(record));
        record.clear();
        at_field_start = true;
        record_open = false;
    };
    while (i < n) {
        char c = data[i];
        if (c == '"' && at_field_start) {
            // Quoted field: runs to the closing quote not followed by another.
            size_t start_line = line;
            ++i;
            for (;;) {
                if (i >= n)
                    throw std::runtime_error("unterminated quoted field starting on line " +
                                             std::to_string(start_line));
                char q = data[i];
                if (q == '"') {
                    if (i + 1 < n && data[i + 1] == '"') {
                        field.push_back('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (q == '\n') ++line;
                field.push_back(q);
                ++i;
            }
            at_field_start = false;
            record_open = true;
            if (i < n && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
                throw std::runtime_error("unexpected character after a closing quote on line " +
                                         std::to_string(line));
            continue;
        }
        if (c == ',') {
            end_field();
            at_field_start = true;
            record_open = true;
            ++i;
        } else if (c == '\r' && i + 1 < n && data[i + 1] == '\n') {
            end_record();
            i += 2;
            ++line;
        } else if (c == '\n') {
            end_record();
            ++i;
            ++line;
        } else {
            if (c == '"')
                throw std::runtime_error("stray quote inside an unquoted field on line " +
                                         std::to_string(line));
            field.push_back(c);
            at_field_start = false;
            record_open = true;
            ++i;
        }
    }
    if (record_open) end_record();
    return records;
}

struct CsvRow {
    std::string split, text, intent;
};

// Reads a split,text,intent table (columns located by header name).
inline std::vector<CsvRow> read_intent_csv(std::string_view data) {
    auto records = parse_csv(data);
    if (records.empty()) throw std::runtime_error("the CSV file is empty");
    int cs = -1, ct = -1, ci = -1;
    for (size_t c = 0; c < records[0].size(); ++c) {
        const std::string &h = records[0][c];
        if (h == "split") cs = static_cast<int>(c);
        if (h == "text") ct = static_cast<int>(c);
        if (h == "intent") ci = static_cast<int>(c);
    }
    if (cs < 0 || ct < 0 || ci < 0)
        throw std::runtime_error("the CSV header must have columns split,text,intent");
    std::vector<CsvRow> rows;
    rows.reserve(records.size() - 1);
    for (size_t r = 1; r < records.size(); ++r) {
        auto &rec = records[r];
        if (rec.size() == 1 && rec[0].empty()) continue; // blank line
        if (rec.size() != records[0].size())
            throw std::runtime_error("record " + std::to_string(r + 1) + " has " +
                                     std::to_string(rec.size()) + " fields, the header has " +
                                     std::to_string(records[0].size()));
        rows.push_back(CsvRow{std::move(rec[static_cast<size_t>(cs)]),
                              std::move(rec[static_cast<size_t>(ct)]),
                              std::move(rec[static_cast<size_t>(ci)])});
    }
    return rows;
}

} // namespace intent_cli
