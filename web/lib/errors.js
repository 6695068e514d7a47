// Human messages for the error names of docs/protocol.md (section 5), the client session's own
// errors (600-699, core/client) and the page's local failures. Unknown names fall back by range.

const MESSAGES = {
  // Room (200-299)
  not_member: "You are not in this room any more.",
  already_member: "You are already in this room.",
  not_permitted: "Your role in this room does not allow that.",
  target_not_found: "That member has already left the room.",
  target_is_self: "You cannot do that to yourself.",
  banned: "You have been banned from this room.",
  room_full: "This room is full. Try again later.",
  stage_full: "The stage is full, so you cannot join it right now. Your invitation is still open.",
  invite_required: "This is a closed room: you need the full invitation link to join it.",
  invalid_invite: "This invitation is not valid for this room. Ask for a new link.",
  room_ended: "This room has ended.",
  no_pending_invite: "There is no invitation to answer any more.",
  wrong_role_for_action: "That does not fit this member's current role.",
  profile_too_large: "Your name is too long for this room.",
  hand_already_in_state: "Your hand is already in that position.",
  mute_already_in_state: "That microphone is already in that state.",
  invitation_already_pending: "That member has already been invited to speak.",
  unavailable_in_stage_only_room: "This room has no audience, so that is not available.",
  admission_too_large: "The relay refused this client's proof of the invitation. Reload the page and try the link again.",
  sender_indexes_exhausted: "This room cannot admit anyone else. Start a new room.",
  needs_resync: "The room view fell behind and is being reloaded.",
  invalid_delta: "The room view got out of step and is being reloaded.",
  wrong_stream: "The room view got out of step and is being reloaded.",
  invalid_snapshot: "The relay sent a room view that does not add up.",
  not_own_entry: "The relay sent a room update meant for someone else.",
  // Relay (500-599)
  internal: "The relay had an internal problem. Try again.",
  not_authenticated: "The relay has not accepted this device's identity yet. Wait a moment and try again.",
  auth_failed: "The relay could not verify this device's identity.",
  rate_limited: "Too many requests in a short time. Wait a few seconds and try again.",
  room_not_found: "There is no such room on this relay (it may have ended).",
  too_many_rooms: "You are in or have created too many rooms. Leave or end one first.",
  slow_consumer_disconnected: "The connection was too slow to keep up and was dropped.",
  server_shutting_down: "The relay is restarting. Try again in a few seconds.",
  message_too_large: "A message was too large for the relay.",
  handshake_timeout: "Connecting to the relay took too long.",
  already_authenticated: "The connection is in an unexpected state. Reload the page.",
  not_in_room: "You are not in a room yet.",
  already_in_room: "You are already in a room. Leave it first.",
  sender_mismatch: "The relay refused audio from this device.",
  room_exists: "That room is already open again on the relay.",
  // Client session (600-699)
  not_on_stage: "You are not on the stage, so your microphone is not sent.",
  muted: "Your microphone is muted.",
  no_sending_key: "Waiting for the room's keys before your audio can be sent.",
  bad_media_payload: "Some audio could not be read.",
  wrong_state: "The client is in an unexpected state. Reload the page.",
  unknown_sender: "Audio arrived from someone not on the stage.",
  too_large: "Something was too large to send.",
  rejoin_timed_out: "Could not get back into the room: it did not come back on the relay in time.",
  missing_admission_secret: "This invite link is incomplete or out of date: the host will not let you hear the room. Ask for a new link.",
  // The page itself
  client_unavailable: "Could not load the client. Check your connection and reload the page.",
  client_crashed: "The client stopped working. Reload the page.",
  bad_request: "The client could not carry out that request. Reload the page if it keeps happening.",
  audio_unavailable: "Could not start audio in this browser.",
  microphone_denied: "The microphone could not be used. Allow microphone access for this site and try again.",
  microphone_missing: "No microphone was found.",
  encoder_unavailable: "Your microphone's encoder could not be loaded, so you were muted: nobody heard you. Check your connection, then unmute to try again.",
  microphone_insecure: "This browser allows the microphone only on a secure (https) page.",
  request_timeout: "The relay did not answer. Check your connection and try again.",
  storage_unavailable: "This browser cannot store your identity, so you will be a new member each visit.",
};

export function errorMessage(error) {
  const name = error && typeof error.name === "string" ? error.name : "";
  if (Object.hasOwn(MESSAGES, name)) return MESSAGES[name];
  const code = error && Number.isInteger(error.code) ? error.code : 0;
  if (code >= 100 && code < 200) return "The relay and this page do not understand each other. Reload the page.";
  if (code >= 200 && code < 300) return "The room refused that.";
  if (code >= 300 && code < 400) return "Some encrypted data could not be opened.";
  if (code >= 400 && code < 500) return "Some audio could not be processed.";
  if (code >= 500 && code < 600) return "The relay refused that.";
  return "Something went wrong.";
}

// Errors after which the member is not (or no longer) in the room they asked for.
const JOIN_REFUSALS = new Set([
  "banned", "room_full", "invite_required", "invalid_invite", "room_ended", "room_not_found",
  "too_many_rooms", "server_shutting_down", "auth_failed", "handshake_timeout", "sender_indexes_exhausted",
]);
export function refusesJoin(error) {
  return Boolean(error) && JOIN_REFUSALS.has(error.name);
}

// Leave reasons (protocol.md, member_left) as the removed member reads them.
export function removalMessage(reason) {
  switch (reason) {
    case "kicked": return "A moderator removed you from the room. You may join again.";
    case "banned": return "A moderator banned you from this room.";
    case "room_ended": return "The host ended the room.";
    case "disconnected": return "You were disconnected from the room.";
    // The page's own: the relay, or the room on it, did not come back in time (docs/web-client.md).
    case "room_lost": return "The room is lost: the relay did not come back in time. You can start or join a room again once you are connected.";
    case "left":
    case "left_quietly": return "You left the room.";
    default: return "You are no longer in the room.";
  }
}
