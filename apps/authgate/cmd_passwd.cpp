// `authgate passwd`: create, update, delete and verify users of an htpasswd file, like Apache's htpasswd
// (files stay readable by Apache and nginx; files they write stay readable by us); with --digest, set and
// delete the HA1s of a user in a realm of a digest file, like Apache's htdigest (passwd_digest.hpp).
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "authgate/stores/atomic_file.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/htpasswd_edit.hpp"
#include "authgate/stores/password_hash.hpp"
#include "command.hpp"
#include "passwd_digest.hpp"

namespace authgate::app {
namespace {

namespace stores = authgate::stores;

constexpr int exit_ok = 0;
constexpr int exit_refused = 1;  // verification failed, user not found
constexpr int exit_error = 2;    // bad input, unreadable or unwritable file

struct PasswdOptions {
  std::string file;
  std::vector<std::string> names;  // USER, or REALM USER with --digest
  std::string user;                // from `names`
  std::string realm;               // likewise; --digest only
  bool create = false;
  bool remove = false;
  bool verify = false;
  bool from_stdin = false;
  bool bcrypt = false;  // the default anyway; accepted for htpasswd habits
  bool argon2id = false;
  bool sha512 = false;
  int cost = 12;
  bool digest = false;
  bool htdigest = false;  // --digest --algorithms MD5: Apache's own line format
  std::string algorithms{default_digest_algorithms};
};

/// A password read from the terminal or stdin, wiped when it goes out of scope.
using Password = Secret;

int fail(int code, const std::string& message) {
  std::cerr << "authgate passwd: " << message << "\n";
  return code;
}

/// One line from stdin without its line ending; false at end of input.
bool read_line(std::string& out) {
  if (!std::getline(std::cin, out)) return false;
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return true;
}

/// Prompts on stderr and reads one line from the terminal with echo off.
bool read_hidden(const char* prompt, std::string& out) {
  std::cerr << prompt << std::flush;
  termios old{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios silent = old;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
  }
  const bool ok = read_line(out);
  if (tty) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  return ok;
}

/// Reads the password: one line with --stdin, else twice from the terminal (`confirm`) or once.
int obtain_password(const PasswdOptions& options, bool confirm, Password& password) {
  if (options.from_stdin) {
    if (!read_line(password.value)) return fail(exit_error, "no password on stdin");
  } else {
    if (::isatty(STDIN_FILENO) == 0) return fail(exit_error, "stdin is not a terminal: use --stdin");
    if (!read_hidden("New password: ", password.value)) return fail(exit_error, "no password read");
    Password again;
    if (confirm && (!read_hidden("Re-type new password: ", again.value) || again.value != password.value)) {
      return fail(exit_error, "password verification error");
    }
  }
  // RFC 7617 §2: Basic cannot carry control characters, and no password dialog types them for Digest,
  // so such a password could never sign in.
  const auto& value = password.value;
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return fail(exit_error, "the password contains a control character, which clients cannot send");
  }
  if (value.size() > stores::max_password_bytes) return fail(exit_error, "password too long");
  return exit_ok;
}

boost::system::result<std::string> make_hash(const PasswdOptions& options, const std::string& password) {
  if (options.argon2id) return stores::hash_argon2id(password);
  if (options.sha512) return stores::hash_sha512_crypt(password);
  return stores::hash_bcrypt(password, options.cost);
}

/// The current file content; empty for -c. An error message in `error` when it cannot be read.
bool read_content(const PasswdOptions& options, std::string& content, std::string& error) {
  if (options.create) return true;
  auto read = stores::read_store_file(options.file, stores::FileLimits{}.max_file_bytes);
  if (!read) {
    error = read.error().to_string() +
            (::access(options.file.c_str(), F_OK) != 0 ? " (use -c to create it)" : "");
    return false;
  }
  content = std::move(*read);
  return true;
}

/// Replaces the file atomically, keeping its mode (a new file gets 0600).
int replace_file(const PasswdOptions& options, std::string_view content) {
  if (const auto ec = stores::write_file_atomically(options.file, content)) {
    return fail(exit_error, options.file + ": cannot write: " + ec.message());
  }
  return exit_ok;
}

int write_content(const PasswdOptions& options, const std::string& content) {
  if (const int rc = replace_file(options, content); rc != exit_ok) return rc;
  // Other lines are preserved as they are; say so if the gateway would still refuse the file.
  auto check = stores::parse_htpasswd(content, options.file, "", "", 0);
  if (!check) std::cerr << "warning: authgate will refuse this file: " << check.error().to_string() << "\n";
  return exit_ok;
}

int run_verify(const PasswdOptions& options, const std::string& content) {
  const auto hash = stores::find_htpasswd_hash(content, options.user);
  if (!hash) return fail(exit_refused, "user " + options.user + " not found");
  Password password;
  if (const int rc = obtain_password(options, false, password); rc != exit_ok) return rc;
  switch (stores::verify_password(password.value, *hash, /*allow_weak=*/true)) {
    case stores::VerifyResult::match:
      break;
    case stores::VerifyResult::mismatch:
      return fail(exit_refused, "password verification failed");
    default:
      return fail(exit_refused, "the entry's hash format is not supported");
  }
  std::cerr << "Password for user " << options.user << " correct.\n";
  if (stores::is_weak(stores::classify_hash(*hash))) {
    std::cerr << "note: plaintext and DES entries verify only in realms with allow_plaintext\n";
  }
  return exit_ok;
}

int run_delete(const PasswdOptions& options, const std::string& content) {
  auto updated = stores::delete_htpasswd_user(content, options.user);
  if (!updated) return fail(exit_refused, "user " + options.user + " not found");
  if (const int rc = write_content(options, *updated); rc != exit_ok) return rc;
  std::cerr << "Deleting password for user " << options.user << "\n";
  return exit_ok;
}

int run_update(const PasswdOptions& options, const std::string& content) {
  Password password;
  if (const int rc = obtain_password(options, true, password); rc != exit_ok) return rc;
  const auto hash = make_hash(options, password.value);
  if (!hash) {
    return fail(exit_error,
                "cannot hash the password: " + hash.error().message() +
                    (options.argon2id || options.sha512 ? "" : " (bcrypt takes at most 72 bytes)"));
  }
  const bool existed = stores::find_htpasswd_hash(content, options.user).has_value();
  if (const int rc = write_content(options, stores::set_htpasswd_user(content, options.user, *hash));
      rc != exit_ok) {
    return rc;
  }
  std::cerr << (existed ? "Updating" : "Adding") << " password for user " << options.user << "\n";
  return exit_ok;
}

int run_digest_delete(const PasswdOptions& options, const std::string& content) {
  auto updated = stores::delete_digest_line(content, options.user, options.realm);
  if (!updated) return fail(exit_refused, "user " + options.user + " not found in realm " + options.realm);
  const Secret kept(std::move(*updated));
  // The other lines stay as they were; refuse to write a file the gateway would then refuse.
  if (auto problem = check_digest_content(kept.value, options.file); !problem.empty()) {
    return fail(exit_error, problem);
  }
  if (const int rc = replace_file(options, kept.value); rc != exit_ok) return rc;
  std::cerr << "Deleting password for user " << options.user << " in realm " << options.realm << "\n";
  return exit_ok;
}

int run_digest_update(const PasswdOptions& options, const std::string& content,
                      const std::vector<stores::DigestHash>& hashes) {
  if (const auto warning = digest_realm_warning(options.realm); !warning.empty()) {
    std::cerr << "warning: " << warning << "\n";
  }
  Password password;
  if (const int rc = obtain_password(options, true, password); rc != exit_ok) return rc;
  auto edit = set_digest_password(content, options.file, options.user, options.realm, password.value, hashes);
  if (!edit) return fail(exit_error, edit.error());
  const Secret updated(std::move(edit->content));
  if (const int rc = replace_file(options, updated.value); rc != exit_ok) return rc;
  std::cerr << (edit->replaced ? "Updating" : "Adding") << " password for user " << options.user
            << " in realm " << options.realm << "\n";
  return exit_ok;
}

/// `authgate passwd --digest`: everything the command line decides is checked before the password prompt.
int run_digest(PasswdOptions options) {
  if (options.names.size() != 2) return fail(exit_error, "--digest takes FILE REALM USER");
  options.realm = options.names[0];
  options.user = options.names[1];
  if (auto problem = stores::check_digest_user(options.user); !problem.empty())
    return fail(exit_error, problem);
  if (auto problem = stores::check_digest_realm(options.realm); !problem.empty())
    return fail(exit_error, problem);
  const auto hashes = parse_digest_algorithms(options.htdigest ? "MD5" : options.algorithms);
  if (!hashes) return fail(exit_error, hashes.error());
  Secret content;  // other users' HA1s
  std::string error;
  if (!read_content(options, content.value, error)) return fail(exit_error, error);
  if (options.remove) return run_digest_delete(options, content.value);
  return run_digest_update(options, content.value, *hashes);
}

int run_passwd(PasswdOptions options) {
  if (options.digest || options.htdigest) return run_digest(std::move(options));
  if (options.names.size() != 1) return fail(exit_error, "FILE REALM USER needs --digest");
  options.user = options.names[0];
  if (const auto problem = stores::check_user_name(options.user); !problem.empty())
    return fail(exit_error, problem);
  std::string content, error;
  if (!read_content(options, content, error)) return fail(exit_error, error);
  if (options.verify) return run_verify(options, content);
  if (options.remove) return run_delete(options, content);
  return run_update(options, content);
}

/// Shows the USER positional as `[REALM] USER` on the usage line (CLI11 2.1 prints `USER(1x)`).
class PasswdFormatter : public CLI::Formatter {
 public:
  std::string make_option_usage(const CLI::Option* opt) const override {
    return opt->get_name() == "USER" ? "[REALM] USER" : CLI::Formatter::make_option_usage(opt);
  }
};

/// Adds --digest, --algorithms and --htdigest, which exclude the options a digest file has no use for
/// (`htpasswd_only`), and the help's synopsis of both file kinds.
void add_digest_options(CLI::App& sub, PasswdOptions& options,
                        std::initializer_list<CLI::Option*> htpasswd_only) {
  auto* digest = sub.add_flag("--digest", options.digest,
                              "Digest (RFC 7616): set the user's HA1s in REALM, like htdigest");
  auto* algorithms =
      sub.add_option("--algorithms", options.algorithms,
                     "HA1s to store with --digest: SHA-256, SHA-512-256, MD5 (comma-separated)")
          ->capture_default_str();
  auto* htdigest = sub.add_flag("--htdigest", options.htdigest,
                                "--digest with an MD5 HA1 only, as Apache's htdigest writes it");
  algorithms->needs(digest)->excludes(htdigest);
  for (auto* flag : {digest, htdigest}) {
    for (auto* other : htpasswd_only) flag->excludes(other);
  }
  sub.formatter(std::make_shared<PasswdFormatter>());
  sub.footer(
      "Usage:\n"
      "  authgate passwd [-c] [-B | --argon2id | --sha512] [-C cost] [-i] FILE USER\n"
      "  authgate passwd -D FILE USER\n"
      "  authgate passwd -v [-i] FILE USER\n"
      "  authgate passwd --digest [-c] [--algorithms LIST | --htdigest] [-i] FILE REALM USER\n"
      "  authgate passwd --digest -D FILE REALM USER");
}

// Registered at start-up like every cmd_*.cpp; only bad_alloc could throw there.
// NOLINTNEXTLINE(cert-err58-cpp)
const CommandRegistration passwd_command{
    40, [](CLI::App& app) {
      auto options = std::make_shared<PasswdOptions>();
      auto* sub = app.add_subcommand(
          "passwd", "Create, update, delete or verify a user in an htpasswd file (or a digest file)");
      sub->add_option("FILE", options->file, "htpasswd file (with --digest: digest file)")->required();
      sub->add_option("USER", options->names, "user name (with --digest: REALM USER)")
          ->required()
          ->expected(1, 2);
      auto* create =
          sub->add_flag("-c,--create", options->create, "Create a new file (replacing an existing one)");
      auto* remove = sub->add_flag("-D,--delete", options->remove, "Delete the user");
      auto* verify =
          sub->add_flag("-v,--verify", options->verify, "Verify the user's password (exit 0 = correct)");
      sub->add_flag("-i,--stdin", options->from_stdin, "Read the password from one line of stdin");
      auto* bcrypt =
          sub->add_flag("-B,--bcrypt", options->bcrypt, "bcrypt, written as $2y$ like Apache (the default)");
      auto* cost =
          sub->add_option("-C,--cost", options->cost, "bcrypt cost (4..17)")->check(CLI::Range(4, 17));
      auto* argon2 = sub->add_flag("--argon2id", options->argon2id, "argon2id (t=3, 64 MiB, p=1)");
      auto* sha512 = sub->add_flag("--sha512", options->sha512, "sha512-crypt, like htpasswd -5");
      add_digest_options(*sub, *options, {verify, bcrypt, cost, argon2, sha512});
      create->excludes(remove)->excludes(verify);
      remove->excludes(verify);
      argon2->excludes(bcrypt)->excludes(sha512)->excludes(cost);
      sha512->excludes(bcrypt)->excludes(cost);
      return Command{sub, [options] { return run_passwd(*options); }};
    }};

}  // namespace
}  // namespace authgate::app
