// One HTTP connection (plain or TLS): /healthz, /metrics, /config.json, the web client's static
// files, and the upgrade of /ws to a websocket_session on the same I/O thread.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "server_context.hpp"
#include "stoa/server/origin_policy.hpp"
#include "stoa/server/static_files.hpp"
#include "websocket_session.hpp"

namespace stoa::server {

template <class Stream>
inline constexpr bool is_tls_stream = !std::is_same_v<Stream, boost::beast::tcp_stream>;

inline std::string_view to_std(boost::beast::string_view view) { return {view.data(), view.size()}; }

template <class Stream>
class http_session final : public std::enable_shared_from_this<http_session<Stream>> {
public:
    template <class... Args>
    http_session(server_context& context, std::string address, shard_index shard, Args&&... stream_args)
        : stream_(std::forward<Args>(stream_args)...), context_(context), address_(std::move(address)), shard_(shard) {}

    void run() {
        boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->start(); });
    }

private:

    void start() {
        if constexpr (is_tls_stream<Stream>) {
            boost::beast::get_lowest_layer(stream_).expires_after(context_.config.http_timeout);
            stream_.async_handshake(boost::asio::ssl::stream_base::server,
                                    [self = this->shared_from_this()](boost::system::error_code error) {
                                        if (!error) self->read_request();
                                    });
        } else {
            read_request();
        }
    }

    void read_request() {
        parser_.emplace();
        parser_->header_limit(16 * 1024);
        parser_->body_limit(1024);  // only GET and HEAD are served
        boost::beast::get_lowest_layer(stream_).expires_after(context_.config.http_timeout);
        boost::beast::http::async_read(stream_, buffer_, *parser_,
                                       [self = this->shared_from_this()](boost::system::error_code error, std::size_t) {
                                           self->on_request(error);
                                       });
    }

    void on_request(boost::system::error_code error) {
        namespace http = boost::beast::http;
        if (error == http::error::end_of_stream) return close_gracefully();
        if (error) return;
        context_.metrics.http_requests.fetch_add(1, std::memory_order_relaxed);
        request_ = parser_->release();
        const std::string_view target = to_std(request_.target());
        const std::string_view path = target.substr(0, target.find('?'));

        if (boost::beast::websocket::is_upgrade(request_)) {
            if (path != "/ws") return send_simple(http::status::not_found, "no WebSocket endpoint here\n");
            // A browser always sends Origin; native clients send none (origin_policy.hpp).
            const auto origin_field = request_.find(http::field::origin);
            const auto origin = origin_field == request_.end()
                                    ? std::nullopt
                                    : std::optional<std::string_view>(to_std(origin_field->value()));
            if (!upgrade_origin_allowed(origin, context_.origin)) {
                context_.metrics.websocket_refused_origin.fetch_add(1, std::memory_order_relaxed);
                return send_simple(http::status::forbidden, "this relay serves " + context_.origin + " only\n");
            }
            if (context_.open_websockets.load(std::memory_order_relaxed) >= context_.config.max_connections) {
                context_.metrics.websocket_refused_full.fetch_add(1, std::memory_order_relaxed);
                return send_simple(http::status::service_unavailable, "the relay is full\n");
            }
            auto slot = context_.per_address.try_acquire(address_);
            if (!slot) {
                context_.metrics.websocket_refused_per_address.fetch_add(1, std::memory_order_relaxed);
                return send_simple(http::status::too_many_requests, "too many connections from your address\n");
            }
            auto session = std::make_shared<websocket_session<Stream>>(
                std::move(stream_), context_, context_.engine.next_connection_id(), address_, shard_, std::move(*slot));
            session->run(std::move(request_));
            return;
        }
        if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
            return send_simple(http::status::method_not_allowed, "GET or HEAD only\n");
        }
        if (path == "/healthz") return send_simple(http::status::ok, "ok\n");
        if (path == "/ws") return send_simple(http::status::upgrade_required, "WebSocket only\n");
        // The relays the web client may fail over to; web/config.json is the fallback for a page
        // served without stoa-server. Revalidated every time, as an operator may restart with others.
        if (path == "/config.json") {
            return send_text(http::status::ok, context_.client_config_json, "application/json", "no-cache");
        }
        if (path == "/metrics") {
            context_.engine.scrape([self = this->shared_from_this()](std::string text) {
                boost::asio::post(self->stream_.get_executor(), [self, text = std::move(text)]() mutable {
                    self->send_text(boost::beast::http::status::ok, std::move(text),
                                    "text/plain; version=0.0.4; charset=utf-8");
                });
            });
            return;
        }
        serve_file(target);
    }

    void serve_file(std::string_view target) {
        namespace http = boost::beast::http;
        const auto file = resolve_static_path(context_.config.web_root, target);
        if (!file) return send_simple(http::status::not_found, "not found\n");

        // A pre-compressed twin made at build time (brotli or gzip) is sent when the client takes it.
        std::filesystem::path body_path = *file;
        content_coding coding = content_coding::identity;
        if (is_compressible(*file)) {
            const auto twin_of = [&](const char* suffix) {
                std::filesystem::path twin = *file;
                twin += suffix;
                return twin;
            };
            std::error_code ignored;
            const bool have_br = std::filesystem::is_regular_file(twin_of(".br"), ignored);
            const bool have_gzip = std::filesystem::is_regular_file(twin_of(".gz"), ignored);
            coding = choose_coding(to_std(request_[http::field::accept_encoding]), have_br, have_gzip);
            if (coding == content_coding::br) body_path = twin_of(".br");
            if (coding == content_coding::gzip) body_path = twin_of(".gz");
        }
        const char* const encoding_name = coding == content_coding::br     ? "br"
                                          : coding == content_coding::gzip ? "gzip"
                                                                           : nullptr;
        std::error_code stat_error;
        const auto size = std::filesystem::file_size(body_path, stat_error);
        const auto modified = std::filesystem::last_write_time(body_path, stat_error);
        if (stat_error) return send_simple(http::status::not_found, "not found\n");
        // Size and modification time identify a version; the twin gets its own tag.
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "%llx",
                      static_cast<unsigned long long>(modified.time_since_epoch().count()));
        const std::string etag = "\"" + std::to_string(size) + "-" + stamp +
                                 (encoding_name != nullptr ? std::string("-") + encoding_name : std::string()) + "\"";
        const auto decorate = [&](auto& response) {
            response.set(http::field::content_type, to_beast(mime_type(*file)));
            response.set(http::field::cache_control, to_beast(cache_control(*file)));
            response.set(http::field::etag, etag);
            if (is_compressible(*file)) response.set(http::field::vary, "Accept-Encoding");
            if (encoding_name != nullptr) response.set(http::field::content_encoding, encoding_name);
        };
        if (to_std(request_[http::field::if_none_match]) == etag) {
            http::response<http::empty_body> response{http::status::not_modified, request_.version()};
            decorate(response);
            return send(std::move(response));
        }
        if (request_.method() == http::verb::head) {
            http::response<http::empty_body> head{http::status::ok, request_.version()};
            decorate(head);
            head.content_length(size);
            return send(std::move(head));
        }
        http::response<http::file_body> response{http::status::ok, request_.version()};
        boost::beast::error_code open_error;
        response.body().open(body_path.c_str(), boost::beast::file_mode::scan, open_error);
        if (open_error) return send_simple(http::status::not_found, "not found\n");
        decorate(response);
        response.content_length(size);
        send(std::move(response));
    }

    static boost::beast::string_view to_beast(std::string_view view) { return {view.data(), view.size()}; }

    void send_simple(boost::beast::http::status status, std::string body) {
        send_text(status, std::move(body), "text/plain; charset=utf-8");
    }

    void send_text(boost::beast::http::status status, std::string body, std::string_view content_type,
                   std::string_view cache = "no-store") {
        namespace http = boost::beast::http;
        http::response<http::string_body> response{status, request_.version()};
        response.set(http::field::content_type, to_beast(content_type));
        response.set(http::field::cache_control, to_beast(cache));
        const bool head = request_.method() == http::verb::head;
        response.content_length(body.size());
        if (!head) response.body() = std::move(body);
        send(std::move(response));
    }

    template <class Body>
    void send(boost::beast::http::response<Body>&& response) {
        namespace http = boost::beast::http;
        response.set(http::field::server, "stoa-server");
        for (const auto& [name, value] : security_headers(context_.security_policy)) {
            response.set(to_beast(name), to_beast(value));
        }
        response.keep_alive(request_.keep_alive());
        auto shared = std::make_shared<http::response<Body>>(std::move(response));
        http::async_write(stream_, *shared,
                          [self = this->shared_from_this(), shared](boost::system::error_code error, std::size_t) {
                              if (error) return;
                              if (shared->need_eof()) return self->close_gracefully();
                              self->read_request();
                          });
    }

    void close_gracefully() {
        if constexpr (is_tls_stream<Stream>) {
            boost::beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
            stream_.async_shutdown([self = this->shared_from_this()](boost::system::error_code) {});
        } else {
            boost::system::error_code ignored;
            stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
        }
    }

    Stream stream_;
    server_context& context_;
    std::string address_;
    const shard_index shard_;  // the I/O thread the socket belongs to
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> parser_;
    boost::beast::http::request<boost::beast::http::empty_body> request_;
};

}  // namespace stoa::server
