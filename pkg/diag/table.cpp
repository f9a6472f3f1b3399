#include "pkg/diag/table.hpp"

#include <algorithm>

namespace ocne::diag {

std::string
format_table(const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows,
             const std::string& indent)
{
  std::vector<std::size_t> width(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header);
  for (const auto& r : rows) {
    measure(r);
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string text = indent;
    for (std::size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      text += cell;
      if (i + 1 < width.size()) {
        text += std::string(width[i] - cell.size() + 3, ' ');
      }
    }
    while (!text.empty() && text.back() == ' ') {
      text.pop_back();
    }
    out += text + "\n";
  };
  line(header);
  for (const auto& r : rows) {
    line(r);
  }
  return out;
}

} // namespace ocne::diag
