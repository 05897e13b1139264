// `authgate passwd`: create, update, delete and verify users of an htpasswd file, like Apache's htpasswd
// (files stay readable by Apache and nginx; files they write stay readable by us).
#include <openssl/crypto.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "authgate/stores/atomic_file.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/htpasswd_edit.hpp"
#include "authgate/stores/password_hash.hpp"
#include "command.hpp"

namespace authgate::app {
namespace {

namespace stores = authgate::stores;

constexpr int exit_ok = 0;
constexpr int exit_refused = 1;  // verification failed, user not found
constexpr int exit_error = 2;    // bad input, unreadable or unwritable file

struct PasswdOptions {
  std::string file;
  std::string user;
  bool create = false;
  bool remove = false;
  bool verify = false;
  bool from_stdin = false;
  bool bcrypt = false;  // the default anyway; accepted for htpasswd habits
  bool argon2id = false;
  bool sha512 = false;
  int cost = 12;
};

/// A password read from the terminal or stdin, wiped when it goes out of scope.
class Password {
 public:
  ~Password() {
    value.resize(value.capacity());
    OPENSSL_cleanse(value.data(), value.size());
  }
  std::string value;
};

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
  // RFC 7617 §2: a client cannot send control characters, so such a password could never sign in.
  const auto& value = password.value;
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return fail(exit_error, "the password contains a control character, which Basic cannot carry");
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

int write_content(const PasswdOptions& options, const std::string& content) {
  if (const auto ec = stores::write_file_atomically(options.file, content)) {
    return fail(exit_error, options.file + ": cannot write: " + ec.message());
  }
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

int run_passwd(const PasswdOptions& options) {
  if (const auto problem = stores::check_user_name(options.user); !problem.empty())
    return fail(exit_error, problem);
  std::string content, error;
  if (!read_content(options, content, error)) return fail(exit_error, error);
  if (options.verify) return run_verify(options, content);
  if (options.remove) return run_delete(options, content);
  return run_update(options, content);
}

// Registered at start-up like every cmd_*.cpp; only bad_alloc could throw there.
// NOLINTNEXTLINE(cert-err58-cpp)
const CommandRegistration passwd_command{
    40, [](CLI::App& app) {
      auto options = std::make_shared<PasswdOptions>();
      auto* sub = app.add_subcommand("passwd", "Create, update, delete or verify a user in an htpasswd file");
      sub->add_option("FILE", options->file, "htpasswd file")->required();
      sub->add_option("USER", options->user, "user name")->required();
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
      create->excludes(remove)->excludes(verify);
      remove->excludes(verify);
      argon2->excludes(bcrypt)->excludes(sha512)->excludes(cost);
      sha512->excludes(bcrypt)->excludes(cost);
      return Command{sub, [options] { return run_passwd(*options); }};
    }};

}  // namespace
}  // namespace authgate::app
