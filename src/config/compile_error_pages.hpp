#pragma once
// compile() for `error_pages`: each named file read once (size, UTF-8 and emptiness checked, problems
// located in the page itself), then every route's pages merged over the top-level ones. Internal to
// compile.cpp.

#include <map>
#include <memory>
#include <string>

#include "config/problem.hpp"
#include "config/snapshot.hpp"

namespace authgate::config::detail {

/// File path → its bytes, for every page file that could be read and passed the checks.
using PageFiles = std::map<std::string, std::shared_ptr<const std::string>, std::less<>>;

/// Reads every page file `config` names; what is wrong goes to `problems`.
PageFiles load_error_pages(const Config& config, Problems& problems);

/// `own` pages, then `defaults` for the statuses `own` does not name.
ErrorPages merge_error_pages(const std::vector<ErrorPage>& own, const std::vector<ErrorPage>& defaults,
                             const PageFiles& files);

}  // namespace authgate::config::detail
