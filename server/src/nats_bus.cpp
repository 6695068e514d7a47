// NATS through libnats. Callbacks run on the client library's threads: they only copy the
// message into the inbox and wake the engine's thread.
#include "nats_bus.hpp"

#include <nats/nats.h>

#include <cstring>

namespace stoa::server {

namespace {

struct options_deleter {
    void operator()(natsOptions* o) const noexcept { natsOptions_Destroy(o); }
};
struct connection_deleter {
    void operator()(natsConnection* c) const noexcept {
        natsConnection_Close(c);
        natsConnection_Destroy(c);
    }
};
struct subscription_deleter {
    void operator()(natsSubscription* s) const noexcept {
        natsSubscription_Unsubscribe(s);
        natsSubscription_Destroy(s);
    }
};
using options_ptr = std::unique_ptr<natsOptions, options_deleter>;
using connection_ptr = std::unique_ptr<natsConnection, connection_deleter>;
using subscription_ptr = std::unique_ptr<natsSubscription, subscription_deleter>;

std::string describe(natsStatus status) {
    std::string text = natsStatus_GetText(status);
    const char* last = nats_GetLastError(nullptr);
    if (last != nullptr && *last != '\0') text += std::string(" (") + last + ")";
    return text;
}

bool is_media_subject(std::string_view subject) { return subject.find(".media.") != std::string_view::npos; }

}  // namespace

struct nats_bus::impl {
    std::function<void()> wake;
    options_ptr options;
    connection_ptr connection;
    std::unordered_map<std::string, subscription_ptr> subscriptions;  // engine's thread only

    mutable std::mutex inbox_mutex;
    std::vector<bus_message> inbox;  // guarded by inbox_mutex

    std::atomic<bool> connected{false};
    std::atomic<std::uint64_t> disconnects{0};
    std::atomic<std::uint64_t> reconnects{0};
    std::atomic<std::uint64_t> publish_failures{0};
    std::atomic<std::uint64_t> inbox_dropped{0};
    std::atomic<std::uint64_t> slow_consumer_errors{0};

    static void on_message(natsConnection*, natsSubscription*, natsMsg* message, void* closure) {
        auto* self = static_cast<impl*>(closure);
        bus_message copy;
        copy.subject = natsMsg_GetSubject(message);
        const auto* data = reinterpret_cast<const std::uint8_t*>(natsMsg_GetData(message));
        copy.payload.assign(data, data + natsMsg_GetDataLength(message));
        natsMsg_Destroy(message);
        bool was_empty = false;
        {
            const std::lock_guard lock(self->inbox_mutex);
            if (self->inbox.size() >= max_inbox && is_media_subject(copy.subject)) {
                ++self->inbox_dropped;
                return;
            }
            was_empty = self->inbox.empty();
            self->inbox.push_back(std::move(copy));
        }
        if (was_empty && self->wake) self->wake();
    }
    static void on_disconnected(natsConnection*, void* closure) {
        auto* self = static_cast<impl*>(closure);
        self->connected = false;
        ++self->disconnects;
    }
    static void on_reconnected(natsConnection*, void* closure) {
        auto* self = static_cast<impl*>(closure);
        self->connected = true;
        ++self->reconnects;
    }
    static void on_error(natsConnection*, natsSubscription*, natsStatus error, void* closure) {
        if (error == NATS_SLOW_CONSUMER) ++static_cast<impl*>(closure)->slow_consumer_errors;
    }
};

nats_bus::nats_bus(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

nats_bus::~nats_bus() {
    impl_->subscriptions.clear();
    impl_->connection.reset();  // closes: no callback runs after this
}

result<std::unique_ptr<nats_bus>, std::string> nats_bus::connect(const std::string& url, const std::string& client_name,
                                                                  std::function<void()> wake) {
    auto state = std::make_unique<impl>();
    state->wake = std::move(wake);
    natsOptions* raw_options = nullptr;
    if (const natsStatus s = natsOptions_Create(&raw_options); s != NATS_OK) return fail("NATS options: " + describe(s));
    state->options.reset(raw_options);
    natsOptions* o = raw_options;
    natsStatus s = natsOptions_SetServers(o, nullptr, 0);
    s = s == NATS_OK ? natsOptions_SetURL(o, url.c_str()) : s;
    s = s == NATS_OK ? natsOptions_SetName(o, client_name.c_str()) : s;
    // Our own publishes never come back: a node ignores its own status anyway, and it never
    // subscribes to the media of a room it is home to.
    s = s == NATS_OK ? natsOptions_SetNoEcho(o, true) : s;
    s = s == NATS_OK ? natsOptions_SetAllowReconnect(o, true) : s;
    s = s == NATS_OK ? natsOptions_SetMaxReconnect(o, -1) : s;
    s = s == NATS_OK ? natsOptions_SetReconnectWait(o, 250) : s;
    s = s == NATS_OK ? natsOptions_SetReconnectJitter(o, 100, 1000) : s;
    s = s == NATS_OK ? natsOptions_SetTimeout(o, 2000) : s;
    s = s == NATS_OK ? natsOptions_SetDisconnectedCB(o, &impl::on_disconnected, state.get()) : s;
    s = s == NATS_OK ? natsOptions_SetReconnectedCB(o, &impl::on_reconnected, state.get()) : s;
    s = s == NATS_OK ? natsOptions_SetErrorHandler(o, &impl::on_error, state.get()) : s;
    if (s != NATS_OK) return fail("NATS options: " + describe(s));
    natsConnection* raw_connection = nullptr;
    if (const natsStatus c = natsConnection_Connect(&raw_connection, o); c != NATS_OK) {
        return fail("cannot connect to NATS at " + url + ": " + describe(c));
    }
    state->connection.reset(raw_connection);
    state->connected = true;
    return std::unique_ptr<nats_bus>(new nats_bus(std::move(state)));
}

void nats_bus::publish(const std::string& subject, bytes payload) {
    const natsStatus s = natsConnection_Publish(impl_->connection.get(), subject.c_str(), payload.data(),
                                                static_cast<int>(payload.size()));
    if (s != NATS_OK) ++impl_->publish_failures;  // while reconnecting the client buffers; past that, lost
}

void nats_bus::subscribe(const std::string& subject) {
    if (impl_->subscriptions.contains(subject)) return;
    natsSubscription* raw = nullptr;
    const natsStatus s =
        natsConnection_Subscribe(&raw, impl_->connection.get(), subject.c_str(), &impl::on_message, impl_.get());
    if (s != NATS_OK) {
        ++impl_->publish_failures;
        return;
    }
    // The engine's inbox bounds what waits; NATS's own per-subscription limit is lifted above it.
    (void)natsSubscription_SetPendingLimits(raw, 1'000'000, 1024 * 1024 * 1024);
    impl_->subscriptions.emplace(subject, subscription_ptr(raw));
}

void nats_bus::unsubscribe(const std::string& subject) { impl_->subscriptions.erase(subject); }

std::vector<bus_message> nats_bus::take() {
    std::vector<bus_message> out;
    const std::lock_guard lock(impl_->inbox_mutex);
    out.swap(impl_->inbox);
    return out;
}

nats_counters nats_bus::counters() const {
    nats_counters c;
    c.connected = impl_->connected.load();
    c.disconnects = impl_->disconnects.load();
    c.reconnects = impl_->reconnects.load();
    c.publish_failures = impl_->publish_failures.load();
    c.inbox_dropped = impl_->inbox_dropped.load();
    c.slow_consumer_errors = impl_->slow_consumer_errors.load();
    return c;
}

}  // namespace stoa::server
