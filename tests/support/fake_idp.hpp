#pragma once
// The fake identity provider (tests/integration/harness/idp.py) as a subprocess for unit tests, with a
// test CA and two leaf certificates made by the openssl CLI in a fresh temp dir: one for 127.0.0.1 /
// localhost, one for another name (host-name verification must refuse it). Header-only, POSIX.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

extern char** environ;

namespace authgate::test {

class FakeIdp {
 public:
  FakeIdp() {
    char pattern[] = "/tmp/authgate-idp-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    try {
      make_pki();
      start();
    } catch (...) {
      stop();  // a constructor that throws gets no destructor: leave no process or temp dir behind
      throw;
    }
  }
  ~FakeIdp() { stop(); }

 private:
  void stop() noexcept {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);  // the server exits when its stdin closes
    stdin_fd_ = -1;
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    if (stdout_) std::fclose(stdout_);
    stdout_ = nullptr;
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

 public:
  FakeIdp(const FakeIdp&) = delete;
  FakeIdp& operator=(const FakeIdp&) = delete;

  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  std::string https_url() const { return "https://127.0.0.1:" + std::to_string(https_port_); }
  /// A server whose certificate (same CA) names only wrong.example.
  std::string wrong_name_url() const { return "https://127.0.0.1:" + std::to_string(wrong_port_); }
  std::string ca_file() const { return (dir_ / "ca.pem").string(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  void run(const std::string& command) const {
    const std::string full = "cd '" + dir_.string() + "' && (" + command + ") >/dev/null 2>&1";
    if (std::system(full.c_str()) != 0) throw std::runtime_error("failed: " + command);
  }

  void leaf(const std::string& name, const std::string& san) const {
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + name + " -keyout " +
        name + ".key -out " + name + ".csr");
    std::ofstream(dir_ / (name + ".ext")) << "subjectAltName=" << san << "\nextendedKeyUsage=serverAuth\n";
    run("openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -days 1 -set_serial 7 -extfile " +
        name + ".ext -out " + name + ".crt && cat " + name + ".crt ca.pem > " + name + ".chain.pem");
  }

  void make_pki() const {
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj '/CN=authgate "
        "unit CA'"
        " -keyout ca.key -out ca.pem -addext basicConstraints=critical,CA:TRUE"
        " -addext keyUsage=critical,keyCertSign");
    leaf("good", "IP:127.0.0.1,DNS:localhost");
    leaf("wrong", "DNS:wrong.example");
  }

  void start() {
    const std::filesystem::path script =
        std::filesystem::path(__FILE__).parent_path() / ".." / "integration" / "harness" / "idp.py";
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const std::string chain = (dir_ / "good.chain.pem").string(), key = (dir_ / "good.key").string();
    const std::string wchain = (dir_ / "wrong.chain.pem").string(), wkey = (dir_ / "wrong.key").string();
    const std::string path = script.string();
    const char* argv[] = {
        "/usr/bin/python3", path.c_str(),   "--cert",      chain.c_str(), "--key", key.c_str(),
        "--wrong-cert",     wchain.c_str(), "--wrong-key", wkey.c_str(),  nullptr};
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_fd_ = in[1];
    stdout_ = ::fdopen(out[0], "r");
    if (rc != 0 || stdout_ == nullptr) throw std::runtime_error("cannot start idp.py");
    char line[128];
    while (std::fgets(line, sizeof line, stdout_) != nullptr) {
      std::string text(line);
      if (text.rfind("ready", 0) == 0) return;
      const auto space = text.find(' ');
      const int port = std::atoi(text.c_str() + space + 1);
      const std::string name = text.substr(0, space);
      (name == "http" ? http_port_ : name == "https" ? https_port_ : wrong_port_) = port;
    }
    throw std::runtime_error("idp.py did not start");
  }

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::FILE* stdout_ = nullptr;
  int http_port_ = 0, https_port_ = 0, wrong_port_ = 0;
};

}  // namespace authgate::test
