// The send path: encode, pad when constant-rate, encrypt, queue, sign.
#include "media_sender.hpp"

#include <array>
#include <string>

#include "stoa/proto/binary.hpp"

namespace stoa::client {

void media_sender::start(const e2ee::identity& identity, sender_index own_index, const room_id& room) {
    index_ = own_index;
    encryptor_ = std::make_unique<e2ee::frame_encryptor>(index_);
    signer_ = std::make_unique<e2ee::speaker_signer>(identity, index_, e2ee::speaker_signer_config{room});
}

void media_sender::stop() {
    encryptor_.reset();
    signer_.reset();
}

status<client_error> media_sender::send_audio(std::span<const std::int16_t, audio::frame_samples> pcm,
                                              bool constant_rate, const e2ee::keyring& keys, time_point now) {
    if (encoder_ && encoder_->config().vbr == constant_rate) encoder_.reset();  // the mode changed with the room
    if (!encoder_) {
        audio::encoder_config encoder_config;
        encoder_config.vbr = !constant_rate;
        auto created = audio::opus_encoder::create(encoder_config);
        if (!created.ok()) return fail(client_error::wrong_state);
        if (!created->set_bitrate(bitrate_bps_).ok()) return fail(client_error::wrong_state);
        encoder_.emplace(std::move(created).value());
    }
    std::array<std::uint8_t, max_opus_packet> packet{};
    auto encoded =
        encoder_->encode(pcm, std::span(packet).first(constant_rate ? max_padded_opus_packet : max_opus_packet));
    if (!encoded.ok()) return fail(client_error::too_large);
    const audio::frame_seq seq = next_frame_seq_;
    next_frame_seq_ = next_frame_seq_.next();
    if (encoded.value() <= audio::max_dtx_packet_bytes && !constant_rate) {
        ++stats_.frames_skipped_dtx;  // silence: receivers conceal, nothing to send
        return {};
    }
    return protect_and_send(seq, byte_view(packet).first(encoded.value()), constant_rate, keys, now);
}

status<client_error> media_sender::check_opus(byte_view packet, bool constant_rate) {
    if (packet.empty() || packet.size() > audio::max_packet_bytes) return fail(client_error::too_large);
    if (constant_rate && packet.size() > max_padded_opus_packet) return fail(client_error::too_large);
    return {};
}

status<client_error> media_sender::send_opus(byte_view packet, bool constant_rate, const e2ee::keyring& keys,
                                             time_point now) {
    const audio::frame_seq seq = next_frame_seq_;
    next_frame_seq_ = next_frame_seq_.next();
    if (packet.size() <= audio::max_dtx_packet_bytes && !constant_rate) {
        ++stats_.frames_skipped_dtx;  // as send_audio: silence is numbered, not sent
        return {};
    }
    return protect_and_send(seq, packet, constant_rate, keys, now);
}

status<client_error> media_sender::protect_and_send(audio::frame_seq seq, byte_view opus, bool constant_rate,
                                                    const e2ee::keyring& keys, time_point now) {
    if (!encryptor_ || !signer_) return fail(client_error::not_in_room);
    scratch_plain_.resize(max_media_payload_size);
    auto written = write_media_payload({seq, now, opus}, scratch_plain_, constant_rate);
    if (!written.ok()) return fail(written.error());
    scratch_frame_.resize(e2ee::frame_encryptor::max_protected_size(written.value()));
    auto protected_frame =
        encryptor_->protect(keys, byte_view(scratch_plain_).first(written.value()), scratch_frame_, now);
    if (!protected_frame.ok()) return fail(client_error::no_sending_key);
    const byte_view frame = byte_view(scratch_frame_).first(protected_frame->size);
    bytes message;
    proto::encode_media(message, index_, frame);
    io_.send_binary(std::string(message.begin(), message.end()), true);
    ++stats_.frames_sent;
    for (auto& signature : signer_->on_frame_sent(protected_frame->kid, protected_frame->counter, frame, now)) {
        send_signature(signature);
    }
    return {};
}

void media_sender::flush_signatures() {
    if (!signer_) return;
    if (auto signature = signer_->flush()) send_signature(*signature);
}

void media_sender::tick(time_point now) {
    if (!signer_) return;
    for (auto& signature : signer_->tick(now)) send_signature(signature);
}

void media_sender::send_signature(const bytes& signature) {
    const bytes message = proto::encode_binary(proto::speaker_signature_message{index_, signature});
    io_.send_binary(std::string(message.begin(), message.end()), false);
}

std::size_t media_sender::approximate_bytes() const noexcept {
    std::size_t total = scratch_frame_.capacity();
    if (encryptor_) total += sizeof(e2ee::frame_encryptor);
    if (signer_) total += sizeof(e2ee::speaker_signer);
    return total;
}

}  // namespace stoa::client
