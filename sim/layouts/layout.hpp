#pragma once
// Layout names and the byte accounts every store reports. The names, keys
// and capabilities come from the layout table (traits.hpp).
#include "sim/layouts/layout_bytes.hpp"
#include "sim/layouts/traits.hpp"
