// Checking the "Create a room" form before anything is sent. A closed room's title never goes to
// the relay (docs/protocol.md, section 3): it is kept on this device only, to label the room here.

import { cleanText } from "./names.js";

export const MAX_TITLE_BYTES = 120;

export function validateNewRoom({ title, kind, stageOnly }) {
  if (kind !== "open" && kind !== "closed") return { ok: false, problem: "Choose whether the room is open or closed." };
  const cleaned = cleanText(title ?? "", MAX_TITLE_BYTES) ?? "";
  if (kind === "open" && cleaned === "") {
    return { ok: false, problem: "An open room needs a title: it is how people find it in the list." };
  }
  return {
    ok: true,
    kind,
    stageOnly: Boolean(stageOnly),
    localTitle: cleaned,
    // What goes to the worker: the title of an open room, nothing for a closed one.
    sentTitle: kind === "open" ? cleaned : null,
  };
}
