// Client error codes are on the wire to the browser and the load generator: pinned, and named.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "stoa/client/client_error.hpp"

using stoa::client::client_error;

TEST_CASE("client_error values are pinned and named distinctly", "[client][errors]") {
    const std::pair<client_error, std::uint16_t> pinned[] = {
        {client_error::not_in_room, 600},       {client_error::not_on_stage, 601},
        {client_error::muted, 602},             {client_error::no_sending_key, 603},
        {client_error::bad_media_payload, 604}, {client_error::wrong_state, 605},
        {client_error::unknown_sender, 606},    {client_error::too_large, 607},
        {client_error::missing_admission_secret, 608}, {client_error::rejoin_timed_out, 609},
    };
    std::set<std::string> names;
    for (const auto& [error, number] : pinned) {
        CHECK(static_cast<std::uint16_t>(error) == number);
        const std::string name(stoa::client::to_string(error));
        CHECK(name != "unknown_client_error");
        names.insert(name);
    }
    CHECK(names.size() == std::size(pinned));
}
