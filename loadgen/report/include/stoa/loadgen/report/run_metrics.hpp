// The names of everything a stoa-load run measures, fixed here once: the driver records under
// them, the summary derives report figures from them, --assert and the HTML report read them.
// Latencies are histograms in microseconds; everything else is a counter.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/metrics/metric_catalog.hpp"
#include "stoa/loadgen/metrics/metrics_error.hpp"

namespace stoa::loadgen::run_metrics {

// ---- Histograms (microseconds) ----
// Scheduled connect (join or reconnect) to the WebSocket being open.
inline constexpr std::string_view connect = "connect";
// Scheduled join to the relay's welcome with the room snapshot loaded.
inline constexpr std::string_view join = "join";
// Scheduled join to the first epoch key usable for decrypting.
inline constexpr std::string_view first_key = "first_key";
// Scheduled join to the first frame decrypted and authenticated.
inline constexpr std::string_view first_audio = "first_audio";
// A frame's send time (inside its encrypted payload) to its decryption by a listener.
inline constexpr std::string_view frame_latency = "frame_latency";
// A new epoch's first use by its distributor (the host) to each member holding its key.
inline constexpr std::string_view rekey = "rekey";
// Audible gaps heard by decoding listeners: silence or concealment beyond what the speaker paused.
inline constexpr std::string_view playout_gap = "playout.gap";
// A lost connection to the member being back in its room.
inline constexpr std::string_view reconnect = "reconnect";
// A listener's lost connection to the first frame it heard again, back in its room (audio resumed).
inline constexpr std::string_view audio_resumed = "audio_resumed";

// How late each worker's 20 ms tick ran: the generator's own event-loop lag.
inline constexpr std::string_view generator_loop_lag = "generator.loop_lag";

// wss://: the TCP connection open to the TLS handshake done (full or resumed).
inline constexpr std::string_view tls_handshake = "tls.handshake";

inline constexpr std::array<std::string_view, 11> histograms{connect,       join,        first_key,   first_audio,
                                                             frame_latency, rekey,       playout_gap, reconnect,
                                                             generator_loop_lag, tls_handshake, audio_resumed};

// ---- Counters ----
inline constexpr std::string_view connects = "connects";                 // WebSocket opened
inline constexpr std::string_view connect_failures = "connect_failures"; // refused, reset or timed out
inline constexpr std::string_view joins = "joins";                       // welcomed into a room
inline constexpr std::string_view leaves = "leaves";                     // left as planned
inline constexpr std::string_view disconnects = "disconnects";           // connection lost or cut unplanned
inline constexpr std::string_view reconnects = "reconnects";             // back in the room after a loss
inline constexpr std::string_view removals = "removals";                 // kicked, banned or room ended
inline constexpr std::string_view frames_sent = "frames.sent";           // by this host's speakers
// Frames a listener should have had, from each speaker's sequence numbers: received + lost.
inline constexpr std::string_view frames_expected = "frames.expected";
inline constexpr std::string_view frames_received = "frames.received";   // decrypted and authenticated
inline constexpr std::string_view frames_lost = "frames.lost";           // never arrived (or undecryptable)
inline constexpr std::string_view frames_late = "frames.late";           // arrived after a later frame
inline constexpr std::string_view frames_opaque = "frames.opaque";       // received, not decrypted by choice
inline constexpr std::string_view decrypt_failures = "decrypt.failures"; // authentication or decryption failed
inline constexpr std::string_view decrypt_no_key = "decrypt.no_key";     // an epoch the member never had
inline constexpr std::string_view auth_forged = "auth.forged";           // speaker signature mismatch
inline constexpr std::string_view auth_unverified = "auth.unverified";   // no speaker signature in time
inline constexpr std::string_view rekeys = "rekeys";                     // epochs learnt by members
inline constexpr std::string_view playout_frames = "playout.frames";     // 20 ms ticks played by decoders
inline constexpr std::string_view errors = "errors";                     // every error, all codes
// Errors by wire code: "errors.<name>", one counter per known code, plus "errors.other".
inline constexpr std::string_view error_prefix = "errors.";
inline constexpr std::string_view errors_other = "errors.other";
// The generator itself, sampled by the driver at the end of the run.
inline constexpr std::string_view generator_cpu_us = "generator.cpu_us";          // user + system CPU
inline constexpr std::string_view generator_max_rss = "generator.max_rss_bytes";  // peak resident set
inline constexpr std::string_view generator_members = "generator.members";        // members simulated
inline constexpr std::string_view reconnect_attempts = "reconnect_attempts";  // connects after a loss, failed ones too
inline constexpr std::string_view joins_refused = "joins.refused";            // the relay answered a join with an error

// Two populations of listeners (docs/loadgen.md, "Probe and bulk listeners"): probes read as soon
// as data arrives and are the only source of frame_latency, first_audio, frames.late and
// playout gaps; bulk listeners are drained in batches and count frames, loss and failures.
inline constexpr std::string_view members_probe = "members.probe";  // probe members simulated
inline constexpr std::string_view members_bulk = "members.bulk";    // bulk listeners simulated
inline constexpr std::string_view frames_received_probe = "frames.received.probe";
inline constexpr std::string_view frames_expected_probe = "frames.expected.probe";
inline constexpr std::string_view frames_lost_probe = "frames.lost.probe";
// Members planned into a room that never got in (a failed run whatever the thresholds), and
// those whose join was still under way (planned less than the connect timeout before the end).
inline constexpr std::string_view members_never_joined = "members.never_joined";
inline constexpr std::string_view members_join_pending = "members.join_pending";
// The upgrade answered with an HTTP status other than 101 (also counted as errors.http_<status>).
inline constexpr std::string_view connect_refused = "connect.refused";
// Speaker signature batches: verified (Ed25519) by this process, and checks answered from the
// process's shared verdicts (another listener had verified the same bytes).
inline constexpr std::string_view auth_signatures_verified = "auth.signatures_verified";
inline constexpr std::string_view auth_signatures_shared = "auth.signatures_shared";
// The generator's own load: workers, whole seconds each worker ran, the seconds in which it was
// over 90% busy, and the workers judged saturated (docs/loadgen.md, "Saturation").
inline constexpr std::string_view generator_workers = "generator.workers";
inline constexpr std::string_view generator_worker_seconds = "generator.worker_seconds";
inline constexpr std::string_view generator_busy_seconds = "generator.busy_seconds";
inline constexpr std::string_view generator_saturated_workers = "generator.saturated_workers";
// wss://: TLS handshakes completed, and those that resumed an earlier session (no full handshake).
inline constexpr std::string_view tls_handshakes = "tls.handshakes";
inline constexpr std::string_view tls_resumed = "tls.resumed";
// Coming back after a lost connection (a relay restart). `rejoins`: members back in their room
// by the protocol's own rejoin, under the room's same id (a subset of reconnects);
// `rooms.recreated`: hosts that made their room again under its same id because the relay had
// forgotten it; `joins.retried`: joins answered "no such room" and asked again after a backoff
// (the host had not re-created it yet).
inline constexpr std::string_view rejoins = "rejoins";
inline constexpr std::string_view rooms_recreated = "rooms.recreated";
inline constexpr std::string_view joins_retried = "joins.retried";
// Members that lost their connection, were still planned into their room at the end and were not
// back in it although their whole backoff had passed, or whose protocol gave up rejoining (a failed
// run whatever the thresholds); those lost too shortly before the end to judge; and listeners
// back in their room for over 10 s at the end that never heard a frame again.
inline constexpr std::string_view members_never_back = "members.never_back";
inline constexpr std::string_view members_back_pending = "members.back_pending";
inline constexpr std::string_view members_audio_not_resumed = "members.audio_not_resumed";

inline constexpr std::array<std::string_view, 48> fixed_counters{
    connects,        connect_failures, joins,           leaves,           disconnects,     reconnects,
    removals,        frames_sent,      frames_expected, frames_received,  frames_lost,     frames_late,
    frames_opaque,   decrypt_failures, decrypt_no_key,  auth_forged,      auth_unverified, rekeys,
    playout_frames,  errors,           errors_other,    generator_cpu_us, generator_max_rss,
    generator_members, reconnect_attempts, joins_refused,
    members_probe, members_bulk, frames_received_probe, frames_expected_probe, frames_lost_probe,
    members_never_joined, members_join_pending, connect_refused, auth_signatures_verified, auth_signatures_shared,
    generator_workers, generator_worker_seconds, generator_busy_seconds, generator_saturated_workers,
    tls_handshakes, tls_resumed, rejoins, rooms_recreated, joins_retried, members_never_back,
    members_back_pending, members_audio_not_resumed};

// A failed WebSocket upgrade counts as errors.http_<status>; these statuses have their own
// counter, any other goes to errors.other.
inline constexpr std::array<std::string_view, 9> http_error_names{"http_400", "http_401", "http_403",
                                                                  "http_404", "http_426", "http_429",
                                                                  "http_500", "http_502", "http_503"};

// The catalog every thread of a run (and every report) uses: the histograms above (1 us to 1 h,
// 3 significant digits), the fixed counters, and "errors.<name>" for each name in `error_names`.
[[nodiscard]] result<metrics::metric_catalog, metrics::metrics_error> make_catalog(
    std::span<const std::string_view> error_names);

}  // namespace stoa::loadgen::run_metrics
