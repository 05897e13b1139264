#pragma once
// The immutable in-memory PasswordStore that every file format compiles into.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/system/result.hpp>

#include "authgate/stores/group_file.hpp"
#include "authgate/stores/password_store.hpp"

namespace authgate::stores {

/// A hash of a random password with the algorithm and cost of the entry of `records` that is slowest to
/// verify (each (kind, cost) class is timed once; among expensive kinds first, any kind when none is
/// expensive; a {SHA} hash when empty). Verifying it costs what verifying the dearest user costs, so an
/// unknown user is never cheaper than a real one. Fails only if randomness or memory fails.
boost::system::result<std::string> make_dummy_hash(std::span<const UserRecord> records);

/// Builds a store. `records` must have unique (user, realm) pairs (the parsers check; otherwise the first
/// wins); O(1) lookup by user, then by realm among that user's records.
std::shared_ptr<const PasswordStore> make_memory_store(std::vector<UserRecord> records, GroupsByUser groups,
                                                       std::string dummy_hash, std::uint64_t generation);

}  // namespace authgate::stores
