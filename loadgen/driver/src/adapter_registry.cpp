#include "stoa/loadgen/driver/adapter_registry.hpp"

#include "stoa/loadgen/driver/plain_adapter.hpp"
#include "stoa/loadgen/driver/socketio_adapter.hpp"

namespace stoa::loadgen {

std::vector<std::string_view> protocol_names() {
    return {"stoa", "plain", "socketio"};
}

result<std::unique_ptr<protocol_adapter>, std::string> make_protocol_adapter(std::string_view name,
                                                                             const stoa_adapter_config& stoa_config) {
    if (name == "stoa") return make_stoa_adapter(stoa_config);
    if (name == "plain") return make_plain_adapter();
    if (name == "socketio") return make_socketio_adapter();
    std::string message = "unknown protocol '" + std::string(name) + "': expected one of";
    const auto names = protocol_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
        message += i == 0 ? " " : ", ";
        message += names[i];
    }
    return fail(std::move(message));
}

}  // namespace stoa::loadgen
