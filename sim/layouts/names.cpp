#include "sim/layouts/names.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "sim/particle.hpp"

namespace slotsim {

std::uint64_t hash_name(std::string_view text) {
  // FNV-1a, then a final avalanche: low bits pick the first probe slot and
  // plain FNV-1a leaves short similar names ("x","y","z") clustered there.
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

namespace {
struct Registry {
  std::mutex mu;
  std::unordered_map<std::string_view, std::unique_ptr<Name>> names;
};
Registry& registry() {
  static Registry r;
  return r;
}
}  // namespace

const Name* intern(std::string_view text) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  auto it = r.names.find(text);
  if (it != r.names.end()) return it->second.get();
  auto n = std::make_unique<Name>(Name{std::string(text), hash_name(text)});
  const Name* raw = n.get();
  r.names.emplace(std::string_view(raw->text), std::move(n));
  return raw;
}

const Name* declared_name(int a) {
  static const std::array<const Name*, kNumAttrs> names = [] {
    std::array<const Name*, kNumAttrs> out{};
    for (int i = 0; i < kNumAttrs; ++i) out[i] = intern(kAttrNames[i]);
    return out;
  }();
  return names[a];
}

bool is_declared(const Name* n) {
  for (int a = 0; a < kNumAttrs; ++a)
    if (declared_name(a) == n) return true;
  return false;
}

}  // namespace slotsim
