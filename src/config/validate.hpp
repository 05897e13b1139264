#pragma once
// Meaning checks of a Config: references, addresses, URLs, files, and warnings about risky but legal
// choices. The loader has already checked types and ranges of YAML input; validate() is also the only
// check an in-code Config (the demo) gets, so it re-checks what in-code values could get wrong.

#include "config/model.hpp"
#include "config/problem.hpp"

namespace authgate::config {

/// Normalises `config` in place — methods upper-cased, route hosts and realm schemes lower-cased, a
/// trailing '.' dropped from hosts, IPv6 listen addresses unbracketed, realm strings defaulted to the
/// realm's name, missing listener and route names set to their paths ("routes[2]") — then checks it.
/// Returns every error and warning, in section order. Does not read store files (compile() does) but
/// checks that every referenced file is readable.
Problems validate(Config& config);

}  // namespace authgate::config
