#include "stoa/loadgen/driver/stoa_adapter.hpp"

#include <algorithm>
#include <array>
#include <variant>

#include "stoa/client/client_session.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/secret.hpp"
#include "stoa/e2ee/signature_cache.hpp"
#include "stoa/e2ee/system_random.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/proto/errors.hpp"
#include "stoa/room/errors.hpp"

namespace stoa::loadgen {
namespace {

// splitmix64: spreads a 64-bit seed over the 32 seed bytes.
std::uint64_t mix(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
}

template <typename Strong>
std::optional<Strong> parse_hex_id(const std::string& hex) {
    const auto raw = from_hex(hex);
    if (!raw || raw->size() != Strong::size) return std::nullopt;
    Strong id;
    std::copy(raw->begin(), raw->end(), id.value.begin());
    return id;
}

class stoa_member final : public member_protocol, private client::media_observer {
public:
    stoa_member(const member_profile& profile, const stoa_adapter_config& config, random_source& random,
                media_sink& sink, e2ee::signature_cache* verdicts)
        : profile_(profile),
          sink_(sink),
          session_(load_identity(profile.identity_seed), make_config(profile, config, this, verdicts), random) {}

    void on_open(time_point now) override { session_.on_connected(now); }
    void on_text(std::string_view text, time_point now) override {
        session_.receive_text(text, now);
        after_input();
    }
    void on_binary(byte_view message, time_point now) override {
        if (!profile_.decrypts) {
            // A listener that, by the plan, only counts media: the relay's cost is the same.
            const auto header = proto::peek_binary_header(message);
            if (header.ok() && header->type == proto::binary_type::media) {
                sink_.on_opaque_frame(now);
                return;
            }
        }
        session_.receive_binary(message, now);
        after_input();
    }
    void on_closed(time_point now) override {
        session_.on_disconnected(now);
        role_.reset();
        accepting_ = false;
        after_input();
    }
    void tick(time_point now) override {
        session_.tick(now);
        after_input();
    }
    bool rejoins_by_itself() const override { return session_.rejoining().has_value(); }
    void take_outbound(std::vector<wire_message>& out) override {
        if (!session_.has_outbound()) return;
        for (auto& message : session_.take_outbound()) out.push_back({message.binary, std::move(message.data)});
    }
    void take_notes(std::vector<member_note>& out) override {
        std::move(notes_.begin(), notes_.end(), std::back_inserter(out));
        notes_.clear();
    }

    void open_room(std::string_view title, bool closed) override {
        session_.create_room(closed ? room::room_kind::closed : room::room_kind::open, false,
                             closed ? std::nullopt : std::optional<std::string>(title));
    }
    void look_up_room(std::string_view title) override {
        wanted_title_ = std::string(title);
        session_.request_directory(0, directory_page);
    }
    void join(const room_ref& ref, std::string_view display_name) override {
        const auto room = parse_hex_id<room_id>(ref.id);
        if (!room) {
            notes_.emplace_back(note::error{0, "bad_room_ref"});
            return;
        }
        std::optional<invite_token> invite;
        if (!ref.invite.empty()) invite = parse_hex_id<invite_token>(ref.invite);
        std::optional<e2ee::admission_secret> admission;
        if (!ref.admission.empty()) {
            const auto raw = from_hex(ref.admission);
            if (!raw || raw->size() != e2ee::admission_secret::size) {
                notes_.emplace_back(note::error{0, "bad_room_ref"});
                return;
            }
            admission = e2ee::admission_secret(std::span<const std::uint8_t, 32>(raw->data(), 32));
        }
        session_.join_room(*room, invite, e2ee::profile{std::string(display_name), {}}, admission);
    }
    void leave() override {
        leaving_ = true;
        session_.act(room::action::leave{});
    }
    void raise_hand() override { session_.act(room::action::raise_hand{}); }
    bool invite(std::uint64_t identity_seed) override {
        const member_id target = load_identity(identity_seed).id();
        const room::member_entry* entry = session_.member(target);
        if (entry == nullptr) return false;
        if (!room::is_on_stage(entry->member_role) && !entry->invited_to_stage) {
            session_.act(room::action::invite_to_stage{target});
        }
        return true;
    }
    void accept_invite() override {
        // The session reports an invitation both from the relay's notice and from the roster:
        // accept it once per stage visit.
        if (accepting_) return;
        accepting_ = true;
        session_.act(room::action::accept_invite{});
    }
    void step_down() override {
        stepping_down_ = true;  // no frame after the request: its signature could not follow
        session_.act(room::action::move_to_audience{session_.id()});
    }

    bool send_frame(byte_view opus, time_point at) override {
        if (!role_ || !room::is_on_stage(*role_) || stepping_down_) return false;
        return session_.send_opus(opus, at).ok();
    }
    void playout(time_point now) override {
        std::array<std::int16_t, audio::frame_samples> pcm{};
        session_.pull_audio(now, pcm);
    }

    member_counters counters() const override {
        const auto& stats = session_.stats();
        return {stats.decrypt_failures + stats.bad_payloads, stats.no_key_failures, stats.forged_frames,
                stats.unverified_frames, stats.rekeys};
    }
    std::size_t approximate_bytes() const override { return sizeof(*this) + session_.approximate_bytes(); }

private:
    static client::client_config make_config(const member_profile& profile, const stoa_adapter_config& config,
                                             client::media_observer* observer, e2ee::signature_cache* verdicts) {
        client::client_config out;
        out.shared_verdicts = verdicts;
        out.observer = observer;
        out.relay_context = config.relay_context;
        out.client_name = "stoa-load";
        out.decode_audio = profile.decodes;
        return out;
    }

    // media_observer: straight through to the driver's sink.
    void on_frame(sender_index from, audio::frame_seq seq, time_point sent_at, time_point now) override {
        sink_.on_frame(from.value, seq.value, sent_at, now);
    }
    void on_playout(sender_index from, const audio::player_output& played, time_point now) override {
        const bool real = played.action == audio::playout_action::decode ||
                          played.action == audio::playout_action::decode_fec;
        sink_.on_playout(from.value, played.seq.value, real, now);
    }

    void after_input() {
        namespace event = client::event;
        for (auto& any : session_.take_events()) {
            std::visit(
                [&](auto& e) {
                    using T = std::decay_t<decltype(e)>;
                    if constexpr (std::is_same_v<T, event::room_created>) {
                        room_ref ref{to_hex(e.room.value), e.invite ? to_hex(e.invite->value) : std::string(),
                                     e2ee::is_set(e.admission) ? to_hex(e.admission.view()) : std::string()};
                        notes_.emplace_back(note::room_opened{std::move(ref)});
                    } else if constexpr (std::is_same_v<T, event::joined>) {
                        notes_.emplace_back(note::joined{});
                    } else if constexpr (std::is_same_v<T, event::keys_changed>) {
                        notes_.emplace_back(note::keys{e.epoch.value});
                    } else if constexpr (std::is_same_v<T, event::invited_to_stage>) {
                        notes_.emplace_back(note::invited{});
                    } else if constexpr (std::is_same_v<T, event::removed>) {
                        if (e.reason != room::leave_reason::disconnected) {
                            notes_.emplace_back(note::removed{leaving_ && e.reason == room::leave_reason::left});
                        }
                    } else if constexpr (std::is_same_v<T, event::error>) {
                        const bool missing = e.code == static_cast<std::uint16_t>(proto::relay_error::room_not_found);
                        notes_.emplace_back(note::error{e.code, std::move(e.name), missing});
                    } else if constexpr (std::is_same_v<T, event::speaker_alarm>) {
                        notes_.emplace_back(note::alarm{e.forged});
                    } else if constexpr (std::is_same_v<T, event::directory>) {
                        if (!wanted_title_) return;
                        for (const auto& [room, title] : e.rooms) {
                            if (title != *wanted_title_) continue;
                            wanted_title_.reset();
                            notes_.emplace_back(note::room_lookup{room_ref{to_hex(room.value), {}}});
                            return;
                        }
                        directory_offset_ += static_cast<std::uint32_t>(e.rooms.size());
                        if (!e.rooms.empty() && directory_offset_ < e.total) {
                            session_.request_directory(directory_offset_, directory_page);
                        } else {
                            wanted_title_.reset();
                            directory_offset_ = 0;
                            notes_.emplace_back(note::room_lookup{std::nullopt});
                        }
                    } else if constexpr (std::is_same_v<T, event::relay_shutdown>) {
                        notes_.emplace_back(note::relay_shutdown{});
                    } else if constexpr (std::is_same_v<T, event::rejoined>) {
                        notes_.emplace_back(note::rejoined{e.recreated});
                    } else if constexpr (std::is_same_v<T, event::rejoin_failed>) {
                        notes_.emplace_back(note::rejoin_failed{e.code});
                    }
                },
                any);
        }
        notice_role();
    }

    // The session says role_changed only across roster streams; a listener going on stage shows
    // in its own entry, so the role is compared after every input.
    void notice_role() {
        if (!session_.in_room()) return;
        const room::member_entry* self = session_.own_entry();
        if (self == nullptr) return;
        const room::role now_role = self->member_role;
        const bool was_on_stage = role_ && room::is_on_stage(*role_);
        const bool on_stage = room::is_on_stage(now_role);
        const bool first = !role_.has_value();
        role_ = now_role;
        if (on_stage == was_on_stage && !first) return;
        if (first && !on_stage) return;
        stepping_down_ = false;
        accepting_ = false;
        if (on_stage) {
            notes_.emplace_back(note::on_stage{});
            // Once per stage visit; the relay's answer clears self_muted.
            if (self->self_muted) session_.act(room::action::set_self_muted{false});
        } else {
            notes_.emplace_back(note::off_stage{});
        }
    }

    member_profile profile_;
    media_sink& sink_;
    client::client_session session_;
    std::vector<member_note> notes_;
    std::optional<room::role> role_;
    bool leaving_ = false;
    bool stepping_down_ = false;
    bool accepting_ = false;
    static constexpr std::uint32_t directory_page = 100;  // the relay's most per page
    std::optional<std::string> wanted_title_;
    std::uint32_t directory_offset_ = 0;

};

class stoa_adapter final : public protocol_adapter {
public:
    explicit stoa_adapter(stoa_adapter_config config) : config_(std::move(config)) {}

    std::string_view name() const override { return "stoa"; }

    std::unique_ptr<member_protocol> make_member(const member_profile& profile, media_sink& sink) override {
        return std::make_unique<stoa_member>(profile, config_, random_, sink,
                                             config_.share_signature_verdicts ? &verdicts_ : nullptr);
    }

    adapter_counters process_counters() const override {
        const e2ee::signature_cache_stats stats = verdicts_.stats();
        return {stats.verified, stats.shared};
    }

    std::vector<std::string_view> error_names() const override {
        std::vector<std::string_view> names;
        // What each to_string says of a code it does not know; those are not names.
        const std::string_view fallbacks[] = {proto::to_string(static_cast<proto::proto_error>(0xFFFF)),
                                              room::to_string(static_cast<room::room_error>(0xFFFF)),
                                              e2ee::to_string(static_cast<e2ee::e2ee_error>(0xFFFF)),
                                              proto::to_string(static_cast<proto::relay_error>(0xFFFF)),
                                              client::to_string(static_cast<client::client_error>(0xFFFF))};
        const auto add = [&](std::string_view name) {
            if (name.empty() || std::find(std::begin(fallbacks), std::end(fallbacks), name) != std::end(fallbacks))
                return;
            if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
        };
        for (std::uint16_t code = 100; code < 130; ++code) add(proto::to_string(static_cast<proto::proto_error>(code)));
        for (std::uint16_t code = 200; code < 240; ++code) add(room::to_string(static_cast<room::room_error>(code)));
        for (std::uint16_t code = 300; code < 330; ++code) add(e2ee::to_string(static_cast<e2ee::e2ee_error>(code)));
        for (std::uint16_t code = 500; code < 530; ++code) add(proto::to_string(static_cast<proto::relay_error>(code)));
        for (std::uint16_t code = 600; code < 630; ++code)
            add(client::to_string(static_cast<client::client_error>(code)));
        add("bad_room_ref");
        return names;
    }

private:
    stoa_adapter_config config_;
    e2ee::system_random random_;
    // Every listener of a room receives the same signature batches: one verification each.
    e2ee::signature_cache verdicts_;
};

}  // namespace

e2ee::identity load_identity(std::uint64_t identity_seed) {
    std::array<std::uint8_t, e2ee::seed_size> raw{};
    std::uint64_t state = identity_seed ^ 0x73746F612D6C6F61ULL;  // "stoa-loa"
    for (std::size_t i = 0; i < raw.size(); i += 8) {
        const std::uint64_t word = mix(state);
        for (std::size_t b = 0; b < 8; ++b) raw[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
    }
    const e2ee::secret_bytes<e2ee::seed_size> seed{std::span<const std::uint8_t, e2ee::seed_size>(raw)};
    return e2ee::identity::from_seed(seed);
}

std::unique_ptr<protocol_adapter> make_stoa_adapter(const stoa_adapter_config& config) {
    return std::make_unique<stoa_adapter>(config);
}

}  // namespace stoa::loadgen
