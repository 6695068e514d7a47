// The listener, the TLS context, the I/O thread pool and the orderly teardown of all of them.
#include "stoa/server/relay_server.hpp"

#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>

#include "engine_host.hpp"
#include "http_session.hpp"
#include "server_context.hpp"

namespace stoa::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

namespace {

class listener : public std::enable_shared_from_this<listener> {
public:
    listener(net::io_context& io, server_context& context, net::ssl::context* tls, const tcp::endpoint& endpoint)
        : io_(io), context_(context), tls_(tls), acceptor_(net::make_strand(io)) {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }

    [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    void run() { accept_next(); }

    void stop() {
        net::post(acceptor_.get_executor(), [self = shared_from_this()] {
            boost::system::error_code ignored;
            self->acceptor_.close(ignored);
        });
    }

private:
    void accept_next() {
        // Every connection gets its own strand.
        acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](boost::system::error_code error,
                                                                                   tcp::socket socket) {
            self->on_accept(error, std::move(socket));
        });
    }

    void on_accept(boost::system::error_code error, tcp::socket socket) {
        if (!acceptor_.is_open()) return;
        if (!error) {
            context_.metrics.tcp_accepted.fetch_add(1, std::memory_order_relaxed);
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);  // audio frames are small and late is useless
            const auto remote = socket.remote_endpoint(ignored);
            std::string address = ignored ? std::string{} : remote.address().to_string();
            if (tls_ != nullptr) {
                std::make_shared<http_session<tls_stream>>(context_, std::move(address), std::move(socket), *tls_)->run();
            } else {
                std::make_shared<http_session<boost::beast::tcp_stream>>(context_, std::move(address), std::move(socket))
                    ->run();
            }
        }
        // Errors such as running out of file descriptors affect one accept, not the listener.
        accept_next();
    }

    net::io_context& io_;
    server_context& context_;
    net::ssl::context* tls_;
    tcp::acceptor acceptor_;
};

}  // namespace

struct relay_server::impl {
    explicit impl(server_config c) : config(std::move(c)) {
        if (config.threads == 0) config.threads = std::max(1U, std::thread::hardware_concurrency());
        if (config.tls()) {
            tls.emplace(net::ssl::context::tls_server);
            tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                             net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                             net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
            tls->use_certificate_chain_file(config.tls_certificate->string());
            tls->use_private_key_file(config.tls_private_key->string(), net::ssl::context::pem);
        }
        io = std::make_unique<net::io_context>(static_cast<int>(config.threads));
        engine = std::make_unique<engine_host>(*io, config, metrics);
        context = std::make_unique<server_context>(config, metrics, *engine);
        const auto address = net::ip::make_address(config.listen_address);
        accept = std::make_shared<listener>(*io, *context, tls ? &*tls : nullptr, tcp::endpoint(address, config.port));
        port = accept->port();
    }

    ~impl() {
        stop();
        // Sessions live in pending handlers and in the engine's registry; they must go before
        // the io_context, and the engine's timer and strand with them.
        if (engine) engine->forget_connections();
        accept.reset();
        engine.reset();
        io.reset();
    }

    void stop() {
        if (io) io->stop();
        for (auto& thread : threads) {
            if (thread.joinable()) thread.join();
        }
        threads.clear();
    }

    server_config config;
    server_metrics metrics;
    std::optional<net::ssl::context> tls;
    std::unique_ptr<net::io_context> io;
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
    for (unsigned i = 0; i < impl_->config.threads; ++i) {
        impl_->threads.emplace_back([io = impl_->io.get()] { io->run(); });
    }
}

std::uint16_t relay_server::port() const noexcept { return impl_->port; }

const server_config& relay_server::config() const noexcept { return impl_->config; }

void relay_server::shutdown() {
    impl_->accept->stop();
    impl_->engine->shutdown([io = impl_->io.get()] { io->stop(); });
}

void relay_server::wait() {
    for (auto& thread : impl_->threads) {
        if (thread.joinable()) thread.join();
    }
}

void relay_server::stop() {
    // Only asks: the threads end soon after, and wait() joins them.
    impl_->io->stop();
}

}  // namespace stoa::server
