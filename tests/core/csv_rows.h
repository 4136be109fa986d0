// Test helper: the rows of an exported Live Link CSV as column name → value.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace parla::testing {

// Column name → value for every row (Timecode dropped).
inline std::vector<std::map<std::string, float>> csv_rows(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  for (std::istringstream h(line); std::getline(h, line, ',');) header.push_back(line);
  std::vector<std::map<std::string, float>> rows;
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::map<std::string, float> row;
    std::string cell;
    for (size_t k = 0; std::getline(cells, cell, ','); ++k) {
      if (k >= 1) row[header.at(k)] = std::stof(cell);
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace parla::testing
