// TLS for stoa-load's connections (wss://), sans-I/O: OpenSSL over memory BIOs, so the bytes still
// travel through ws_connection's own socket reads (one buffer per worker, batched or immediate)
// and TLS only turns ciphertext into plaintext and back. One tls_client_context per run holds the
// SSL_CTX and the latest session ticket, so a join storm resumes sessions instead of paying a full
// handshake per member.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"

// OpenSSL's types, without its headers in ours.
struct ssl_ctx_st;
struct ssl_st;
struct ssl_session_st;

namespace stoa::loadgen {

struct tls_options {
    bool verify = true;        // check the certificate chain and the host name
    std::string ca_file;       // trust these PEM certificates (empty: the system's store)
    bool resume = true;        // offer the latest session ticket to every new connection
};

class tls_client_context {
public:
    [[nodiscard]] static result<std::shared_ptr<tls_client_context>, std::string> make(const tls_options& options);
    ~tls_client_context();
    tls_client_context(const tls_client_context&) = delete;
    tls_client_context& operator=(const tls_client_context&) = delete;

    [[nodiscard]] ssl_ctx_st* native() const noexcept { return context_; }
    [[nodiscard]] const tls_options& options() const noexcept { return options_; }
    // The latest session the server issued (a new reference, or null), and a new one to keep.
    [[nodiscard]] ssl_session_st* take_session_reference();
    void remember(ssl_session_st* session);  // takes the reference

private:
    tls_client_context(ssl_ctx_st* context, tls_options options) : context_(context), options_(std::move(options)) {}

    ssl_ctx_st* context_;
    tls_options options_;
    std::mutex mutex_;
    ssl_session_st* latest_ = nullptr;
};

// One connection's TLS state machine.
class tls_session {
public:
    // `server_name`: for SNI and the certificate's name check (an IP address is checked as one).
    tls_session(std::shared_ptr<tls_client_context> context, std::string_view server_name);
    ~tls_session();
    tls_session(const tls_session&) = delete;
    tls_session& operator=(const tls_session&) = delete;

    // Starts the handshake: the ClientHello is then in take_output.
    [[nodiscard]] status<std::string> start();
    // Ciphertext from the network; appends the plaintext it yields to `plaintext`. Fails on a bad
    // record, a failed handshake (the certificate, the name) or an alert.
    [[nodiscard]] status<std::string> feed(byte_view ciphertext, std::string& plaintext);
    // Plaintext to send once the handshake is done (its ciphertext then waits in take_output).
    [[nodiscard]] status<std::string> write(byte_view plaintext);
    // Appends the ciphertext to send (handshake messages, records, alerts).
    void take_output(std::string& out);

    [[nodiscard]] bool handshake_done() const noexcept { return done_; }
    [[nodiscard]] bool resumed() const noexcept { return resumed_; }

private:
    [[nodiscard]] status<std::string> advance();

    std::shared_ptr<tls_client_context> context_;
    ssl_st* ssl_ = nullptr;
    bool done_ = false;
    bool resumed_ = false;
};

}  // namespace stoa::loadgen
