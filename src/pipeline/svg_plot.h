// Minimal SVG line charts for run reports (no plotting dependency).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace sidr::pipeline {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y)
};

// A self-contained <svg> element: axes with min/max ticks, one coloured polyline per series, a legend.
std::string svg_line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series, int width = 640, int height = 320);

}  // namespace sidr::pipeline
