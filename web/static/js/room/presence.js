// My own status and description (up to 255 characters), set by me and kept by the server.
import { t } from "../i18n.js";
import { errorText } from "./connection.js";

export function setupMyPresence(form, connection) {
  const status = form.querySelector("select");
  const description = form.querySelector("input");
  const note = form.querySelector(".form-status");
  // True while the description holds typing not yet saved: an echo of an earlier save (say,
  // of the status change) must not wipe what the person is still writing.
  let editing = false;
  description.addEventListener("input", () => {
    editing = true;
  });
  const apply = (presence) => {
    if (!presence) return;
    if (presence.status) status.value = presence.status;
    if (typeof presence.description === "string" && !editing) description.value = presence.description;
  };
  const save = async () => {
    note.textContent = t("action.sending");
    editing = false;
    try {
      await connection.call("presence", { status: status.value, description: description.value.trim() });
      note.textContent = t("rooms.presence.saved");
    } catch (error) {
      note.textContent = errorText(error);
    }
  };
  status.addEventListener("change", save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  return { apply };
}
