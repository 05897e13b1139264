// `authgate version`: the version and the libraries it was built with.
#include <openssl/crypto.h>

#include <boost/version.hpp>
#include <cstdio>

#include "authgate/version.hpp"
#include "command.hpp"

namespace authgate::app {
namespace {

// Registered at start-up like every cmd_*.cpp; only bad_alloc could throw there.
// NOLINTNEXTLINE(cert-err58-cpp)
const CommandRegistration version_command{
    100, [](CLI::App& app) {
      auto* sub = app.add_subcommand("version", "Print the version and the libraries authgate uses");
      return Command{sub, [] {
                       std::printf("authgate %s\nboost %d.%d.%d\n%s\n", authgate::version,
                                   BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100,
                                   OpenSSL_version(OPENSSL_VERSION));
                       return 0;
                     }};
    }};

}  // namespace
}  // namespace authgate::app
