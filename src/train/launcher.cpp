#include "train/launcher.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.h"

extern char** environ;

namespace sidr::train {

bool launched_as_rank() {
  const char* world = std::getenv("WORLD_SIZE");
  return world != nullptr && *world != '\0';
}

std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string current;
  for (char c : raw) {
    if (c == '\0') {
      args.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) args.push_back(current);
  return args;
}

int free_local_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error("socket(): " + std::string(std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    close(fd);
    throw Error("cannot find a free local port: " + std::string(std::strerror(errno)));
  }
  close(fd);
  return ntohs(address.sin_port);
}

int launch_local_ranks(int nproc, const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& extra_env) {
  std::string self = "/proc/self/exe";
  char resolved[4096];
  ssize_t n = readlink("/proc/self/exe", resolved, sizeof(resolved) - 1);
  if (n > 0) self.assign(resolved, static_cast<std::size_t>(n));
  const int port = free_local_port();
  const pid_t parent = getpid();

  std::vector<pid_t> children;
  for (int rank = 0; rank < nproc; ++rank) {
    std::vector<std::string> env;
    std::map<std::string, std::string> set = {{"RANK", std::to_string(rank)},
                                              {"LOCAL_RANK", std::to_string(rank)},
                                              {"WORLD_SIZE", std::to_string(nproc)},
                                              {"LOCAL_WORLD_SIZE", std::to_string(nproc)},
                                              {"MASTER_ADDR", "127.0.0.1"},
                                              {"MASTER_PORT", std::to_string(port)}};
    for (const auto& [key, value] : extra_env)
      if (std::getenv(key.c_str()) == nullptr) set.emplace(key, value);
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      if (set.count(entry.substr(0, entry.find('='))) == 0) env.push_back(entry);
    }
    for (const auto& [key, value] : set) env.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_strings = {self};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);

    pid_t pid = fork();
    if (pid < 0) throw Error("fork(): " + std::string(std::strerror(errno)));
    if (pid == 0) {
      // The rank dies with the launcher (kill -9 of the launcher must not leave ranks training).
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      execve(self.c_str(), argv.data(), envp.data());
      _exit(127);
    }
    children.push_back(pid);
  }

  // SIGTERM (SIGINT) to the launcher goes to every rank (each then saves at the same step and exits, docs/train.md).
  static std::vector<pid_t>* ranks = nullptr;
  ranks = &children;
  struct sigaction action {};
  action.sa_handler = [](int signal) {
    if (ranks)
      for (pid_t child : *ranks)
        if (child > 0) kill(child, signal);
  };
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);  // Ctrl-C reaches the ranks from the terminal too: wait for them to save

  int result = 0;
  std::size_t running = children.size();
  while (running > 0) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    bool known = false;
    for (auto& child : children)
      if (child == pid) {
        child = -1;
        known = true;
      }
    if (!known) continue;
    --running;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (code != 0 && result == 0) {
      result = code;
      for (pid_t other : children)
        if (other > 0) kill(other, SIGKILL);  // the others would wait for the failed rank until the timeout (a
                                              // SIGTERM would make them try to checkpoint with it)
    }
  }
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  ranks = nullptr;
  return result;
}

}  // namespace sidr::train
