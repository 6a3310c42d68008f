#include "accounts/export.h"

#include "common/clock.h"

namespace atelier::accounts {

void WriteRows(JsonWriter& w, const std::vector<db::Row>& rows, std::initializer_list<ExportColumn> columns) {
  using Kind = ExportColumn::Kind;
  w.BeginArray();
  for (const auto& r : rows) {
    w.BeginObject();
    std::size_t i = 0;
    for (const auto& c : columns) {
      w.Key(c.name);
      if (r.IsNull(i)) {
        w.Null();
      } else {
        switch (c.kind) {
          case Kind::kId:
            w.String(std::to_string(r.Int(i)));
            break;
          case Kind::kTime:
            w.String(FormatTime(r.Int(i)));
            break;
          case Kind::kString:
            w.String(r.Str(i));
            break;
          case Kind::kInt:
            w.Int(r.Int(i));
            break;
          case Kind::kBool:
            w.Bool(r.Bool(i));
            break;
          case Kind::kJson: {
            std::string text = r.Str(i);
            if (IsCanonicalJsonObject(text))
              w.Raw(text);
            else
              w.String(text);
            break;
          }
        }
      }
      ++i;
    }
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace atelier::accounts
