#pragma once
// A fixed measure_objects.py document (schema 1) with made-up figures, so
// the parser and the verdicts are tested without depending on what any
// interpreter measures. `plain_bytes` sets the 7-field plain instance's
// shared-float bytes (88 B is the slotted one's), to steer one verdict.
#include <string>

namespace slotsim::testing {

inline std::string cpython_fixture(double plain_bytes = 136) {
  auto shape = [](int f, const char* kind, bool dict, double b) {
    const std::string t = dict ? std::to_string(b + 64) : "null";
    return "{\"fields\": " + std::to_string(f) + ", \"kind\": \"" + kind + "\", \"has_dict\": " +
           (dict ? "true" : "false") + ", \"getsizeof_instance\": 56, \"getsizeof_dict\": " + (dict ? "296" : "null") +
           ", \"bytes\": {\"shared\": {\"untouched\": " + std::to_string(b) + ", \"touched\": " + t +
           "}, \"distinct\": {\"untouched\": " + std::to_string(b + 24 * f) + ", \"touched\": " +
           (dict ? std::to_string(b + 24 * f + 64) : "null") + "}}}";
  };
  auto timing = [](double med) {
    const std::string m = std::to_string(med);
    return "{\"median_ns\": " + m + ", \"min_ns\": " + std::to_string(med - 1) + ", \"max_ns\": " +
           std::to_string(med + 1) + ", \"repeats\": 5, \"number\": 1000}";
  };
  auto rw = [&](double r, double u) { return "{\"read\": " + timing(r) + ", \"update\": " + timing(u) + "}"; };
  return std::string("{\"schema\": 1, \"python\": {\"version\": \"3.11.2\", \"version_info\": [3, 11, 2], ") +
         "\"implementation\": \"cpython\", \"executable\": \"/usr/bin/python3\"}, \"mode\": \"quick\", " +
         "\"instances\": 5000, \"cpus\": 2, \"shapes\": [" + shape(3, "plain", true, 96) + ", " +
         shape(3, "slots", false, 56) + ", " + shape(3, "slots_dict", true, 88) + ", " +
         shape(3, "subclass", true, 96) + ", " + shape(7, "plain", true, plain_bytes) + ", " +
         shape(7, "slots", false, 88) + ", " + shape(7, "slots_dict", true, 120) + ", " +
         shape(7, "subclass", true, 128) + "], " +
         "\"empty\": {\"plain\": {\"untouched\": 72, \"touched\": 136, \"getsizeof_instance\": 56, "
         "\"getsizeof_dict\": 72}, \"slots\": {\"untouched\": 32, \"touched\": null, \"getsizeof_instance\": 32, "
         "\"getsizeof_dict\": null}}, " +
         "\"timing\": {\"plain\": " + rw(20, 26) + ", \"slots\": " + rw(20, 16) + ", \"slots_dict\": " + rw(14, 17) +
         ", \"subclass\": " + rw(12, 20) + ", \"plain_touched\": " + rw(36, 45) + ", \"loop_overhead\": " +
         timing(14) + "}, " +
         "\"attribute_error\": {\"raised\": true, \"type\": \"AttributeError\", \"message\": "
         "\"'Slots' object has no attribute 'charge'\"}, " +
         "\"inheritance\": {\"subclass_has_dict\": true, \"extra_bytes_untouched\": 40, \"extra_bytes_touched\": 104}, " +
         "\"escape_hatch\": {\"allows_new_attributes\": true, \"unused_bytes\": 32, "
         "\"bytes_added_by_first_attribute\": 0}, " +
         "\"ten_million\": {\"instances\": 10000000, \"measured_instances\": 5000, \"scale\": 2000, \"scaling\": "
         "\"bytes per instance measured on 5000 instances x 2000\", \"dict_bytes_untouched\": 480000000, "
         "\"dict_bytes_touched\": 1120000000, \"all_bytes_untouched\": 3040000000}, " +
         "\"load\": {\"before\": 0.5, \"after\": 1.2, \"cpus\": 2}}";
}

}  // namespace slotsim::testing
