// Plain words for what the end-to-end checks caught (docs/web-client.md, "Security alarms"): the
// worker's `security_alarm` and `speaker_alarm` events. The session has already refused whatever
// was forged; these sentences tell the person what it means and what to do.

export const SECURITY_ALARMS = {
  host_key_changed: "Warning: the host's key changed. The relay may be impersonating the host. "
    + "Compare security codes with people you know before trusting this room.",
  member_id_mismatch: "Warning: the relay sent a forged member entry; it was ignored.",
  unadmitted_member: "Someone joined without this room's invite secret. "
    + "They were not given keys and cannot hear the room.",
  replayed_key_package: "Warning: the relay replayed old key material; it was refused.",
};

const UNKNOWN_ALARM = "Warning: the relay sent something the end-to-end checks refused.";

export function securityAlarmMessage(event) {
  return Object.hasOwn(SECURITY_ALARMS, event?.kind) ? SECURITY_ALARMS[event.kind] : UNKNOWN_ALARM;
}

// `who` names the speaker the audio claimed to come from (a display name, a short id, or null).
export function speakerAlarmMessage(event, who) {
  const speaker = who || "a speaker";
  return event?.forged
    ? `Warning: audio that claimed to come from ${speaker} was forged. Someone in the room or the relay may be tampering with it.`
    : `Warning: unverified speaker. Some audio attributed to ${speaker} could not be verified as theirs.`;
}

// Why the admission secret changed, for the host (or anyone) holding the invite link.
export const ADMISSION_CHANGED = "The invitation link changed: links shared before no longer let new people in. "
  + "Share the new link.";
