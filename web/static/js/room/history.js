// Older messages, a page at a time, from the JSON API (GET /rooms/{id}/messages?before_seq=).
import { api } from "../api.js";

export const PAGE = 50;

// Returns {messages (oldest first), reads, more}.
export async function loadPage(roomId, beforeSeq) {
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (beforeSeq != null) query.set("before_seq", String(beforeSeq));
  const data = await api(`/api/v1/rooms/${roomId}/messages?${query}`);
  const messages = (Array.isArray(data) ? data : data.messages || []).slice();
  messages.sort((a, b) => a.seq - b.seq);
  const more = data && typeof data.has_more === "boolean" ? data.has_more : messages.length >= PAGE;
  return { messages, reads: (data && data.reads) || [], more };
}
