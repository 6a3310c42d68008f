#pragma once
// GET /me/export (docs/product.md §3): the person's data as `data.json` and their original
// images, in a ZIP file. Each feature writes its own part through AccountHooks::AddExport
// (accounts/account_hooks.h) inside one read transaction; WriteRows writes query rows as
// an array of objects, each column as its kind says.
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "db/database.h"

namespace atelier::accounts {

struct ExportSink {
  // Inside data.json's top-level object: a part writes Key(...) and a value.
  JsonWriter& json;
  // Files to add: name in the archive → file on disk.
  std::vector<std::pair<std::string, std::filesystem::path>> files;
};

struct ExportColumn {
  enum class Kind { kId, kTime, kString, kInt, kBool, kJson };
  std::string_view name;
  Kind kind;
};

// An array of objects, one per row: column i of a row becomes member columns[i].name (a
// NULL cell is null; kJson inserts text that is a JSON object as it is, else a string).
void WriteRows(JsonWriter& w, const std::vector<db::Row>& rows, std::initializer_list<ExportColumn> columns);

// A SQL expression (both dialects) for the name an image gets in the archive:
// "<folder>/<id>.<extension of its type>", from the columns `id_column` and `type_column`.
inline std::string ImageFileNameSql(std::string_view folder, std::string_view id_column, std::string_view type_column) {
  std::string t(type_column);
  return "'" + std::string(folder) + "/' || CAST(" + std::string(id_column) + " AS TEXT) || CASE " + t +
         " WHEN 'image/png' THEN '.png' WHEN 'image/jpeg' THEN '.jpg' WHEN 'image/webp' THEN '.webp' "
         "WHEN 'image/gif' THEN '.gif' ELSE '' END";
}

}  // namespace atelier::accounts
