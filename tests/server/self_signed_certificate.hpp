// A throwaway self-signed P-256 certificate for 127.0.0.1 (CN and subjectAltName IP), made by the
// tests that need a TLS relay and trusted by their own clients alone.
#pragma once

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace stoa::test {

struct pkey_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct x509_free {
    void operator()(X509* p) const { X509_free(p); }
};
struct file_close {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// Writes cert.pem and key.pem for CN=127.0.0.1 into `dir`; returns the certificate's PEM text.
inline std::string make_self_signed(const std::filesystem::path& dir) {
    std::unique_ptr<EVP_PKEY, pkey_free> key(EVP_EC_gen("P-256"));
    REQUIRE(key);
    std::unique_ptr<X509, x509_free> cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    // Clients that check the name (stoa-load) look for the address in subjectAltName.
    X509V3_CTX extension_context;
    X509V3_set_ctx_nodb(&extension_context);
    X509V3_set_ctx(&extension_context, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* alt_name =
        X509V3_EXT_conf_nid(nullptr, &extension_context, NID_subject_alt_name, const_cast<char*>("IP:127.0.0.1"));
    REQUIRE(alt_name != nullptr);
    X509_add_ext(cert.get(), alt_name, -1);
    X509_EXTENSION_free(alt_name);
    REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
    {
        std::unique_ptr<std::FILE, file_close> out(std::fopen((dir / "cert.pem").c_str(), "w"));
        REQUIRE(PEM_write_X509(out.get(), cert.get()) == 1);
    }
    {
        std::unique_ptr<std::FILE, file_close> out(std::fopen((dir / "key.pem").c_str(), "w"));
        REQUIRE(PEM_write_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
    }
    std::ifstream in(dir / "cert.pem");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace stoa::test
