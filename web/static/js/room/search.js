// Search in the room's history (server full-text search: case and Polish diacritics do not
// matter, "zolw" finds "żółw"). Results show as plain text; choosing one shows it in the list.
import { api } from "../api.js";
import { t } from "../i18n.js";
import { full } from "./time.js";

function messagesOf(data) {
  if (Array.isArray(data)) return data;
  return (data && (data.results || data.messages)) || [];
}

export function setupSearch(form, results, { roomId, onShow }) {
  const status = form.querySelector(".form-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = form.querySelector("input").value.trim();
    results.replaceChildren();
    if (!query) return;
    status.textContent = t("rooms.search.searching");
    let found;
    try {
      found = messagesOf(await api(`/api/v1/rooms/${roomId}/search?q=${encodeURIComponent(query)}`));
    } catch (error) {
      status.textContent = error.message || t("rooms.error.generic");
      return;
    }
    status.textContent = t("rooms.search.found", { count: found.length });
    for (const message of found) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "search-hit";
      const who = document.createElement("span");
      who.className = "search-who";
      who.textContent = `${message.author_name || "?"} · ${full(message.time)}`;
      const text = document.createElement("span");
      text.className = "search-text";
      text.textContent = message.text || "";
      button.append(who, text);
      button.addEventListener("click", () => onShow(message));
      item.append(button);
      results.append(item);
    }
  });
}
