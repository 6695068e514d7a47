#include "stoa/loadgen/driver/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

namespace stoa::loadgen {
namespace {

std::string openssl_error(std::string_view what) {
    std::string out(what);
    if (const unsigned long code = ERR_get_error(); code != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        out += ": ";
        out += text;
    }
    ERR_clear_error();
    return out;
}

bool is_ip_address(std::string_view host) {
    const std::string text(host);
    unsigned char buffer[16];
    return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// OpenSSL tells of every new session here (TLS 1.3 sends tickets after the handshake).
int on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* context = static_cast<tls_client_context*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), 0));
    if (context == nullptr || !context->options().resume) return 0;
    context->remember(session);
    return 1;  // the reference is ours now
}

}  // namespace

result<std::shared_ptr<tls_client_context>, std::string> tls_client_context::make(const tls_options& options) {
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    if (context == nullptr) return fail(openssl_error("SSL_CTX_new"));
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    // Buffers back to the allocator between records: thousands of idle connections stay small.
    SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
    if (options.verify) {
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
        const bool loaded = options.ca_file.empty()
                                ? SSL_CTX_set_default_verify_paths(context) == 1
                                : SSL_CTX_load_verify_locations(context, options.ca_file.c_str(), nullptr) == 1;
        if (!loaded) {
            std::string message = openssl_error("cannot load the trusted certificates" +
                                                (options.ca_file.empty() ? std::string() : " from " + options.ca_file));
            SSL_CTX_free(context);
            return fail(std::move(message));
        }
    } else {
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
    }
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(context, on_new_session);
    std::shared_ptr<tls_client_context> made(new tls_client_context(context, options));
    SSL_CTX_set_ex_data(context, 0, made.get());
    return made;
}

tls_client_context::~tls_client_context() {
    if (latest_ != nullptr) SSL_SESSION_free(latest_);
    SSL_CTX_free(context_);
}

SSL_SESSION* tls_client_context::take_session_reference() {
    const std::lock_guard lock(mutex_);
    if (latest_ == nullptr || SSL_SESSION_is_resumable(latest_) != 1) return nullptr;
    SSL_SESSION_up_ref(latest_);
    return latest_;
}

void tls_client_context::remember(SSL_SESSION* session) {
    const std::lock_guard lock(mutex_);
    if (latest_ != nullptr) SSL_SESSION_free(latest_);
    latest_ = session;
}

tls_session::tls_session(std::shared_ptr<tls_client_context> context, std::string_view server_name)
    : context_(std::move(context)) {
    ssl_ = SSL_new(context_->native());
    if (ssl_ == nullptr) return;
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, in, out);
    SSL_set_connect_state(ssl_);
    const std::string name(server_name);
    if (!is_ip_address(name)) {
        // SSL_set_tlsext_host_name, without the macro's C cast.
        SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str()));
    }
    if (context_->options().verify) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
        if (is_ip_address(name)) {
            X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
        } else {
            SSL_set1_host(ssl_, name.c_str());
        }
    }
    if (context_->options().resume) {
        if (SSL_SESSION* session = context_->take_session_reference()) {
            SSL_set_session(ssl_, session);
            SSL_SESSION_free(session);  // SSL_set_session took its own reference
        }
    }
}

tls_session::~tls_session() {
    if (ssl_ != nullptr) SSL_free(ssl_);
}

status<std::string> tls_session::start() {
    if (ssl_ == nullptr) return fail(openssl_error("SSL_new"));
    return advance();
}

status<std::string> tls_session::advance() {
    if (done_) return {};
    const int result = SSL_do_handshake(ssl_);
    if (result == 1) {
        done_ = true;
        resumed_ = SSL_session_reused(ssl_) == 1;
        return {};
    }
    const int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return {};
    std::string message = openssl_error("TLS handshake");
    if (const long verified = SSL_get_verify_result(ssl_); verified != X509_V_OK) {
        message += std::string(" (certificate: ") + X509_verify_cert_error_string(verified) + ")";
    }
    return fail(std::move(message));
}

status<std::string> tls_session::feed(byte_view ciphertext, std::string& plaintext) {
    if (ssl_ == nullptr) return fail(std::string("no TLS session"));
    if (!ciphertext.empty() &&
        BIO_write(SSL_get_rbio(ssl_), ciphertext.data(), static_cast<int>(ciphertext.size())) <= 0) {
        return fail(openssl_error("TLS input"));
    }
    if (!done_) {
        if (auto advanced = advance(); !advanced) return advanced;
        if (!done_) return {};
    }
    char chunk[16 * 1024];
    while (true) {
        const int got = SSL_read(ssl_, chunk, sizeof chunk);
        if (got > 0) {
            plaintext.append(chunk, static_cast<std::size_t>(got));
            continue;
        }
        const int error = SSL_get_error(ssl_, got);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return {};
        if (error == SSL_ERROR_ZERO_RETURN) return fail(std::string("TLS closed by the server"));
        return fail(openssl_error("TLS record"));
    }
}

status<std::string> tls_session::write(byte_view plaintext) {
    if (!done_) return fail(std::string("TLS write before the handshake finished"));
    std::size_t written = 0;
    while (written < plaintext.size()) {
        const int wrote = SSL_write(ssl_, plaintext.data() + written, static_cast<int>(plaintext.size() - written));
        if (wrote <= 0) return fail(openssl_error("TLS write"));
        written += static_cast<std::size_t>(wrote);
    }
    return {};
}

void tls_session::take_output(std::string& out) {
    if (ssl_ == nullptr) return;
    BIO* bio = SSL_get_wbio(ssl_);
    const std::size_t pending = BIO_ctrl_pending(bio);
    if (pending == 0) return;
    const std::size_t at = out.size();
    out.resize(at + pending);
    const int got = BIO_read(bio, out.data() + at, static_cast<int>(pending));
    out.resize(at + static_cast<std::size_t>(std::max(got, 0)));
}

}  // namespace stoa::loadgen
