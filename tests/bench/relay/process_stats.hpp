// A process's CPU time and resident memory from /proc, for measuring the relay from outside.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace stoa::bench {

// utime + stime of `pid` (all its threads), in seconds; nullopt if the process is gone.
[[nodiscard]] inline std::optional<double> process_cpu_seconds(int pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(file, line)) return std::nullopt;
    // The command name may hold spaces: fields are counted from the closing parenthesis.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// VmRSS of `pid` in kilobytes.
[[nodiscard]] inline std::optional<std::uint64_t> process_rss_kb(int pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(file, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
    }
    return std::nullopt;
}

// Per-core time from /proc/stat (user, nice, system, idle, iowait, irq, softirq, steal), in
// seconds: shows whether a core was busy and how much of it went to softirq, which loopback TCP
// spends partly in ksoftirqd, charged to no process.
[[nodiscard]] inline std::vector<std::vector<double>> core_times() {
    std::ifstream file("/proc/stat");
    std::string line;
    std::vector<std::vector<double>> cores;
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    while (std::getline(file, line)) {
        if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] == ' ') continue;
        std::istringstream fields(line);
        std::string name;
        fields >> name;
        std::vector<double> times;
        unsigned long long value = 0;
        for (int i = 0; i < 8 && fields >> value; ++i) times.push_back(static_cast<double>(value) / tick);
        cores.push_back(std::move(times));
    }
    return cores;
}

[[nodiscard]] inline double own_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace stoa::bench
