// The listener, the TLS context, the I/O threads (one io_context each: a connection lives on one
// thread for its whole life, so nothing of it needs a lock or a strand) and the orderly teardown.
#include "stoa/server/relay_server.hpp"

#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include "engine_host.hpp"
#include "http_session.hpp"
#include "server_context.hpp"
#include "stoa/server/origin_policy.hpp"

namespace stoa::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

namespace {

class listener : public std::enable_shared_from_this<listener> {
public:
    // `acceptor` is bound and listening, on the first thread's context.
    listener(std::vector<net::io_context*> shards, server_context& context, net::ssl::context* tls,
             tcp::acceptor acceptor)
        : shards_(std::move(shards)), context_(context), tls_(tls), acceptor_(std::move(acceptor)) {}

    void run() { accept_next(); }

    void stop() {
        net::post(acceptor_.get_executor(), [self = shared_from_this()] {
            boost::system::error_code ignored;
            self->acceptor_.close(ignored);
        });
    }

private:
    void accept_next() {
        // Connections are dealt to the I/O threads in turn; each stays on its thread.
        const shard_index shard = next_shard_;
        next_shard_ = (next_shard_ + 1) % shards_.size();
        acceptor_.async_accept(*shards_[shard], [self = shared_from_this(), shard](boost::system::error_code error,
                                                                                    tcp::socket socket) {
            self->on_accept(error, std::move(socket), shard);
        });
    }

    void on_accept(boost::system::error_code error, tcp::socket socket, shard_index shard) {
        if (!acceptor_.is_open()) return;
        if (!error) {
            context_.metrics.tcp_accepted.fetch_add(1, std::memory_order_relaxed);
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);  // audio frames are small and late is useless
            const auto remote = socket.remote_endpoint(ignored);
            std::string address = ignored ? std::string{} : remote.address().to_string();
            if (tls_ != nullptr) {
                std::make_shared<http_session<tls_stream>>(context_, std::move(address), shard, std::move(socket), *tls_)
                    ->run();
            } else {
                std::make_shared<http_session<boost::beast::tcp_stream>>(context_, std::move(address), shard,
                                                                         std::move(socket))
                    ->run();
            }
        }
        // Errors such as running out of file descriptors affect one accept, not the listener.
        accept_next();
    }

    std::vector<net::io_context*> shards_;
    server_context& context_;
    net::ssl::context* tls_;
    tcp::acceptor acceptor_;  // on the first thread
    shard_index next_shard_ = 0;
};

tcp::acceptor bind_listening(net::io_context& io, const tcp::endpoint& endpoint) {
    tcp::acceptor acceptor(io);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    return acceptor;
}

}  // namespace

struct relay_server::impl {
    explicit impl(server_config c) : config(std::move(c)) {
        // Refused before anything is bound or loaded.
        if (auto exposed = check_origin_configured(config); !exposed) throw std::invalid_argument(exposed.error());
        if (config.threads == 0) config.threads = std::max(1U, std::thread::hardware_concurrency());
        if (config.tls()) {
            tls.emplace(net::ssl::context::tls_server);
            tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                             net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                             net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
            tls->use_certificate_chain_file(config.tls_certificate->string());
            tls->use_private_key_file(config.tls_private_key->string(), net::ssl::context::pem);
        }
        std::vector<net::io_context*> contexts;
        for (unsigned i = 0; i < config.threads; ++i) {
            shards.push_back(std::make_unique<net::io_context>(1));  // run by exactly one thread
            contexts.push_back(shards.back().get());
            // A thread whose context has no socket yet must still be there for the first one.
            keep_running.push_back(net::make_work_guard(*shards.back()));
        }
        // Bound before the engine exists: on loopback the origin, and so the auth context every
        // login signs, names the port actually bound (port 0 picks one).
        tcp::acceptor acceptor =
            bind_listening(*contexts.at(0), tcp::endpoint(net::ip::make_address(config.listen_address), config.port));
        port = acceptor.local_endpoint().port();
        auto origin = relay_origin(config, port);
        if (!origin) throw std::invalid_argument(origin.error());
        config.relay.auth_context = std::move(origin).value();
        engine = std::make_unique<engine_host>(contexts, config, metrics);
        context = std::make_unique<server_context>(config, metrics, *engine);
        accept = std::make_shared<listener>(contexts, *context, tls ? &*tls : nullptr, std::move(acceptor));
    }

    ~impl() {
        stop();
        // Sessions live in pending handlers and in the engine's registry; they must go before
        // the io_contexts, and the engine's timer with them.
        if (engine) engine->forget_connections();
        accept.reset();
        engine.reset();
        keep_running.clear();
        // The first context goes first: its queued engine handlers hold sessions of every thread,
        // whose sockets still need their own contexts when they are destroyed.
        for (auto& shard : shards) shard.reset();
    }

    void stop_all() {
        for (auto& shard : shards) shard->stop();
    }

    void stop() {
        if (!shards.empty()) stop_all();
        for (auto& thread : threads) {
            if (thread.joinable()) thread.join();
        }
        threads.clear();
    }

    server_config config;
    server_metrics metrics;
    std::optional<net::ssl::context> tls;
    std::vector<std::unique_ptr<net::io_context>> shards;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
    std::unique_ptr<engine_host> engine;
    std::unique_ptr<server_context> context;
    std::shared_ptr<listener> accept;
    std::vector<std::thread> threads;
    std::uint16_t port = 0;
};

relay_server::relay_server(server_config config) : impl_(std::make_unique<impl>(std::move(config))) {}

relay_server::~relay_server() = default;

void relay_server::start() {
    impl_->engine->start();
    impl_->accept->run();
    for (auto& shard : impl_->shards) {
        impl_->threads.emplace_back([io = shard.get()] { io->run(); });
    }
}

std::uint16_t relay_server::port() const noexcept { return impl_->port; }

const server_config& relay_server::config() const noexcept { return impl_->config; }

const std::string& relay_server::origin() const noexcept {
    return impl_->config.relay.auth_context;
}

const std::string& relay_server::io_uring_refusal() const noexcept { return impl_->engine->io_uring_refusal(); }

void relay_server::shutdown() {
    impl_->accept->stop();
    impl_->engine->shutdown([impl = impl_.get()] { impl->stop_all(); });
}

void relay_server::wait() {
    for (auto& thread : impl_->threads) {
        if (thread.joinable()) thread.join();
    }
}

void relay_server::stop() {
    // Only asks: the threads end soon after, and wait() joins them.
    impl_->stop_all();
}

}  // namespace stoa::server
