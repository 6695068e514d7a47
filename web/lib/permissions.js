// Who may do what: a copy of the tables in core/room/include/stoa/room/permissions.hpp (the room
// enforces them; the page only uses them to show the controls that can succeed).
// tests/web/unit/permissions.test.mjs reads that header and fails if the two drift apart.

export const ACTIONS = [
  "join", "leave", "raise_hand", "lower_hand", "invite_to_stage", "accept_invite", "decline_invite",
  "move_to_audience", "set_self_muted", "moderator_mute", "promote_moderator", "demote_moderator",
  "kick", "ban", "end_room", "set_profile", "disconnect",
];
export const STANDINGS = ["outsider", "listener", "speaker", "moderator", "host"];
export const ROLES = ["listener", "speaker", "moderator", "host"];

// Verdicts, spelled as in the header: A allow, NM not_member, AM already_member, P not_permitted,
// W wrong_role (wrong_role_for_action), TS target_is_self.
// Untargeted actions and targeted actions aimed at the actor; columns are STANDINGS.
export const ACTING_ON_SELF = {
  join:              ["A", "AM", "AM", "AM", "AM"],
  leave:             ["NM", "A", "A", "A", "A"],
  raise_hand:        ["NM", "A", "W", "W", "W"],
  lower_hand:        ["NM", "A", "W", "W", "W"],
  invite_to_stage:   ["NM", "P", "P", "TS", "TS"],
  accept_invite:     ["NM", "A", "W", "W", "W"],
  decline_invite:    ["NM", "A", "W", "W", "W"],
  move_to_audience:  ["NM", "W", "A", "A", "P"],
  set_self_muted:    ["NM", "W", "A", "A", "A"],
  moderator_mute:    ["NM", "P", "P", "TS", "TS"],
  promote_moderator: ["NM", "P", "P", "TS", "TS"],
  demote_moderator:  ["NM", "P", "P", "P", "TS"],
  kick:              ["NM", "P", "P", "TS", "TS"],
  ban:               ["NM", "P", "P", "TS", "TS"],
  end_room:          ["NM", "P", "P", "P", "A"],
  set_profile:       ["NM", "A", "A", "A", "A"],
  disconnect:        ["NM", "A", "A", "A", "A"],
};

const NEVER = [["P", "P", "P", "P"], ["P", "P", "P", "P"], ["P", "P", "P", "P"], ["P", "P", "P", "P"]];
// Targeted actions aimed at another member: rows = actor role, columns = target role (ROLES).
export const ACTING_ON_OTHER = {
  join: NEVER, leave: NEVER, raise_hand: NEVER, lower_hand: NEVER,
  invite_to_stage:   [["P", "P", "P", "P"], ["P", "P", "P", "P"], ["A", "W", "W", "W"], ["A", "W", "W", "W"]],
  accept_invite: NEVER, decline_invite: NEVER,
  move_to_audience:  [["P", "P", "P", "P"], ["P", "P", "P", "P"], ["W", "A", "P", "P"], ["W", "A", "A", "P"]],
  set_self_muted: NEVER,
  moderator_mute:    [["P", "P", "P", "P"], ["P", "P", "P", "P"], ["W", "A", "A", "P"], ["W", "A", "A", "P"]],
  promote_moderator: [["P", "P", "P", "P"], ["P", "P", "P", "P"], ["W", "A", "W", "W"], ["W", "A", "W", "W"]],
  demote_moderator:  [["P", "P", "P", "P"], ["P", "P", "P", "P"], ["P", "P", "P", "P"], ["W", "W", "A", "W"]],
  kick:              [["P", "P", "P", "P"], ["P", "P", "P", "P"], ["A", "A", "P", "P"], ["A", "A", "A", "P"]],
  ban:               [["P", "P", "P", "P"], ["P", "P", "P", "P"], ["A", "A", "P", "P"], ["A", "A", "A", "P"]],
  end_room: NEVER, set_profile: NEVER, disconnect: NEVER,
};

// Actions refused in a stage-only room (no audience).
export const NEEDS_AUDIENCE = new Set([
  "raise_hand", "lower_hand", "invite_to_stage", "accept_invite", "decline_invite", "move_to_audience",
]);

export function decideSelf(action, standing) {
  const row = ACTING_ON_SELF[action];
  const column = STANDINGS.indexOf(standing);
  return row && column >= 0 ? row[column] : "P";
}

export function decideOther(action, actorRole, targetRole) {
  const grid = ACTING_ON_OTHER[action];
  const row = ROLES.indexOf(actorRole);
  const column = ROLES.indexOf(targetRole);
  return grid && row >= 0 && column >= 0 ? grid[row][column] : "P";
}

export function isPrivileged(role) {
  return role === "host" || role === "moderator";
}

export function onStage(role) {
  return role === "speaker" || role === "moderator" || role === "host";
}

// The per-member controls, in the order they are shown. `text` is the visible label, `label(name)`
// the accessible name the end-to-end tests use (docs/web-client.md).
export const MEMBER_CONTROLS = [
  { action: "invite_to_stage", text: "Invite to speak", label: (name) => `Invite ${name} to speak` },
  { action: "move_to_audience", text: "Move to audience", label: (name) => `Move ${name} to audience` },
  { action: "moderator_mute", text: "Mute", label: (name) => `Mute ${name}` },
  { action: "promote_moderator", text: "Make moderator", label: (name) => `Make ${name} a moderator` },
  { action: "demote_moderator", text: "Remove moderator", label: (name) => `Remove ${name} as moderator` },
  { action: "kick", text: "Kick", label: (name) => `Kick ${name}` },
  { action: "ban", text: "Ban", label: (name) => `Ban ${name}` },
];

// Which of MEMBER_CONTROLS this member may aim at `target` ({id, role, moderatorMuted, invited}),
// by the table and by the state checks the room makes afterwards (an already muted member cannot
// be muted again, an already invited one not invited again).
export function memberActions({ myId, myRole, stageOnly = false }, target) {
  if (!target || target.id === myId) return [];
  return MEMBER_CONTROLS.map((control) => control.action).filter((action) => {
    if (stageOnly && NEEDS_AUDIENCE.has(action)) return false;
    if (decideOther(action, myRole, target.role) !== "A") return false;
    if (action === "moderator_mute" && target.moderatorMuted) return false;
    if (action === "invite_to_stage" && target.invited) return false;
    return true;
  });
}

// The controls this member has over themselves, from the room's rules and their own flags.
export function selfActions({ role, me, stageOnly = false, inRoom = true }) {
  const none = {
    raiseHand: false, lowerHand: false, respondToInvite: false, mute: false, unmute: false,
    stepDown: false, leave: false, endRoom: false,
  };
  if (!inRoom || !ROLES.includes(role)) return none;
  const standing = role;
  const allowed = (action) => decideSelf(action, standing) === "A" && !(stageOnly && NEEDS_AUDIENCE.has(action));
  const flags = me ?? {};
  const muted = Boolean(flags.selfMuted || flags.moderatorMuted);
  return {
    raiseHand: allowed("raise_hand") && !flags.hand,
    lowerHand: allowed("lower_hand") && Boolean(flags.hand),
    respondToInvite: allowed("accept_invite") && Boolean(flags.invited),
    mute: allowed("set_self_muted") && !muted,
    unmute: allowed("set_self_muted") && muted,
    stepDown: allowed("move_to_audience"),
    leave: allowed("leave"),
    endRoom: allowed("end_room"),
  };
}
