// A short notice in the corner of the room for a direct message or a mention in another room:
// who wrote and a link there. It stays 12 seconds (or until closed); at most three at a time.
import { t } from "../i18n.js";

const SHOWN_MS = 12000;
const MAX_TOASTS = 3;

export function showToast(container, text, roomId) {
  if (!container) return;
  const toast = document.createElement("div");
  toast.className = "toast";
  toast.setAttribute("role", "status");
  const words = document.createElement("span");
  words.textContent = text;
  const open = document.createElement("a");
  open.href = `/rooms/${roomId}`;
  open.textContent = t("unread.toast_open");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.textContent = "×";
  close.setAttribute("aria-label", t("unread.toast_close"));
  close.addEventListener("click", () => toast.remove());
  toast.append(words, " ", open, close);
  container.append(toast);
  while (container.children.length > MAX_TOASTS) container.firstElementChild.remove();
  setTimeout(() => toast.remove(), SHOWN_MS);
}
