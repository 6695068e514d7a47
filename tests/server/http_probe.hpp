// Plain HTTP requests to a relay on loopback, and reading one sample out of its /metrics text:
// for tests and for benchmarks (no test framework here).
#pragma once

#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace stoa::test {

struct http_reply {
    unsigned status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
};

inline http_reply http_get(std::uint16_t port, const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers = {},
                           boost::beast::http::verb method = boost::beast::http::verb::get) {
    namespace http = boost::beast::http;
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::empty_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    http::write(stream, request);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    if (method == http::verb::head) parser.skip(true);
    http::read(stream, buffer, parser);
    const auto& response = parser.get();
    http_reply reply;
    reply.status = response.result_int();
    for (const auto& field : response) {
        std::string name(field.name_string().data(), field.name_string().size());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        reply.headers[name] = std::string(field.value().data(), field.value().size());
    }
    reply.body = response.body();
    boost::system::error_code ignored;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    return reply;
}

// The value of one sample in Prometheus text, e.g. metric(text, "stoa_members{role=\"host\"}").
inline std::optional<double> metric(const std::string& text, const std::string& sample) {
    std::size_t at = 0;
    while ((at = text.find(sample + " ", at)) != std::string::npos) {
        if (at == 0 || text[at - 1] == '\n') {
            const std::size_t end = text.find('\n', at);
            return std::stod(text.substr(at + sample.size() + 1, end - at - sample.size() - 1));
        }
        at += sample.size();
    }
    return std::nullopt;
}

}  // namespace stoa::test
