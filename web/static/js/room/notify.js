// A browser notification when someone mentions me while this tab is hidden. Asking for
// permission needs a click, so the page offers a button until the person has decided.
import { t } from "../i18n.js";

export function setupNotifications(button) {
  if (!("Notification" in window) || !button) return;
  const refresh = () => {
    button.hidden = Notification.permission !== "default";
  };
  button.addEventListener("click", async () => {
    await Notification.requestPermission();
    refresh();
  });
  refresh();
}

export function notifyMention(message, roomTitle) {
  if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") return;
  const body = (message.text || "").slice(0, 200);
  const note = new Notification(t("rooms.notify.title", { name: message.author_name || "", room: roomTitle }), {
    body,
    tag: `room-${message.room_id}`,
  });
  note.addEventListener("click", () => {
    window.focus();
    note.close();
  });
}
