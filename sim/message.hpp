#pragma once
// Error messages that stay one readable line whatever the user typed: every
// message printed by the CLI passes through one_line() once, at the point of
// printing, rather than each `throw` escaping its own pieces (the old way,
// which missed names echoed from flags and files).
#include <string>
#include <string_view>

namespace slotsim {

// Control bytes (newline, tab, ESC...) and bytes that are not valid UTF-8
// become \xNN; a run of more than 20 digits (e.g. std::to_string(1e308),
// 309 digits) becomes its value in %.6g form; the result is cut at 400
// characters.
std::string one_line(std::string_view msg);

// A number for a message: %.6g, never a 309-digit expansion.
std::string brief(double v);

}  // namespace slotsim
