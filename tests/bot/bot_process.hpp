// stoa-bot (or any program) as a child process whose stdout a test reads line by line, with a
// deadline on every wait: a child that hangs fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace stoa::test {

class bot_process {
public:
    using clock = std::chrono::steady_clock;

    explicit bot_process(std::vector<std::string> args) : bot_process(STOA_BOT_PATH, std::move(args)) {}
    // Any program (stoa-server, nats-server) run the same way.
    bot_process(const std::string& program, std::vector<std::string> args) : args_(std::move(args)) {
        int out[2];
        if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        args_.insert(args_.begin(), program);
        std::vector<char*> argv;
        for (auto& a : args_) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int spawned = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(out[1]);
        stdout_fd_ = out[0];
        if (spawned != 0) {
            pid_ = 0;
            throw std::runtime_error("cannot start " + program);
        }
    }
    ~bot_process() {
        if (pid_ != 0) (void)terminate(std::chrono::seconds(5));
        if (stdout_fd_ >= 0) ::close(stdout_fd_);
    }
    bot_process(const bot_process&) = delete;
    bot_process& operator=(const bot_process&) = delete;

    // The next line, or nothing if the bot closed its stdout (exited) or `timeout` passed first.
    std::optional<std::string> next_line(std::chrono::milliseconds timeout) {
        const auto deadline = clock::now() + timeout;
        for (;;) {
            if (const auto end = pending_.find('\n'); end != std::string::npos) {
                std::string line = pending_.substr(0, end);
                pending_.erase(0, end + 1);
                return line;
            }
            if (eof_) return std::nullopt;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            if (left.count() <= 0) return std::nullopt;
            pollfd fd{stdout_fd_, POLLIN, 0};
            const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
            if (ready <= 0) continue;  // timeout (checked above) or EINTR
            char chunk[4096];
            const ssize_t got = ::read(stdout_fd_, chunk, sizeof chunk);
            if (got <= 0) {
                eof_ = true;
            } else {
                pending_.append(chunk, static_cast<std::size_t>(got));
            }
        }
    }

    // The first JSON line satisfying `predicate` within `timeout`; lines that are not JSON are
    // skipped. Every line read is kept in lines().
    template <typename Predicate>
    std::optional<nlohmann::json> await(Predicate&& predicate, std::chrono::milliseconds timeout) {
        const auto deadline = clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            if (left.count() <= 0) return std::nullopt;
            auto text = next_line(left);
            if (!text) return std::nullopt;
            auto line = nlohmann::json::parse(*text, nullptr, false);
            if (line.is_discarded() || !line.is_object()) continue;
            lines_.push_back(line);
            if (predicate(line)) return line;
        }
    }
    std::optional<nlohmann::json> await_event(const std::string& name, std::chrono::milliseconds timeout) {
        return await([&](const nlohmann::json& line) { return line.value("event", "") == name; }, timeout);
    }

    // Waits for the bot to exit by itself (its stdout closes); its wait status, or nothing.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
        const auto deadline = clock::now() + timeout;
        while (!eof_) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            if (left.count() <= 0) return std::nullopt;
            (void)next_line(left);
        }
        return reap();
    }
    // SIGTERM, then SIGKILL if it is still running after `grace`; the wait status.
    int terminate(std::chrono::milliseconds grace) {
        if (pid_ == 0) return status_;
        ::kill(pid_, SIGTERM);
        if (auto status = wait_exit(grace)) return *status;
        ::kill(pid_, SIGKILL);
        return reap();
    }

    // SIGKILL, as a crash or the OOM killer would end it: no chance to tell anyone. The wait status.
    int kill_now() {
        if (pid_ == 0) return status_;
        ::kill(pid_, SIGKILL);
        return reap();
    }
    [[nodiscard]] bool running() const noexcept { return pid_ != 0; }

    [[nodiscard]] const std::vector<nlohmann::json>& lines() const { return lines_; }
    [[nodiscard]] std::string describe() const {
        std::string out;
        for (const auto& a : args_) out += a + " ";
        out += "\n";
        for (const auto& line : lines_) out += line.dump() + "\n";
        return out;
    }

private:
    int reap() {
        if (pid_ == 0) return status_;
        ::waitpid(pid_, &status_, 0);
        pid_ = 0;
        return status_;
    }

    std::vector<std::string> args_;
    pid_t pid_ = 0;
    int status_ = 0;
    int stdout_fd_ = -1;
    std::string pending_;
    bool eof_ = false;
    std::vector<nlohmann::json> lines_;
};

// A wait status that says "exited by itself with code 0".
[[nodiscard]] inline bool exited_cleanly(int status) {
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace stoa::test
