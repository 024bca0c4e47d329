// The rooms list: my rooms by kind with unread counts, kept live over socket.io (the "hello"
// summary on every connect, "activity" for every new message in my rooms, "notify" for direct
// messages and mentions); starting a direct
// conversation, a group room or a network's standing room.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { Connection, showConnectionState } from "./room/connection.js";
import { chime, setupAlertSettings, showUnread } from "./unread.js";

const root = document.getElementById("rooms");
const problem = document.getElementById("rooms-problem");
const rooms = new Map(); // id -> room
const inCall = new Map(); // room id -> how many are in its call now

function roomsOf(data) {
  if (Array.isArray(data)) return data;
  return (data && data.rooms) || [];
}

function roomIdOf(data) {
  if (data == null) return null;
  if (typeof data === "number") return data;
  return data.id ?? data.room_id ?? (data.room && data.room.id) ?? null;
}

function titleOf(room) {
  return room.title || t(`rooms.kind.${room.kind}`);
}

function item(room) {
  const li = document.createElement("li");
  li.className = "room-item";
  if (room.unread > 0) li.classList.add("has-unread");
  const link = document.createElement("a");
  link.href = `/rooms/${room.id}`;
  link.className = "room-link";
  const title = document.createElement("span");
  title.className = "room-title";
  title.textContent = titleOf(room);
  link.append(title);
  if (room.unread > 0) {
    const unread = document.createElement("span");
    unread.className = "count";
    unread.textContent = t("rooms.list.unread", { count: room.unread });
    link.append(" ", unread);
  }
  if (room.mentions > 0) {
    const mentions = document.createElement("span");
    mentions.className = "count count-mention";
    mentions.textContent = t("rooms.list.mentions", { count: room.mentions });
    link.append(" ", mentions);
  }
  if (inCall.get(room.id) > 0) {
    const call = document.createElement("span");
    call.className = "badge call-on";
    call.textContent = t("calls.list.on", { count: inCall.get(room.id) });
    link.append(" ", call);
  }
  if (room.live && !room.ended) {
    const live = document.createElement("span");
    live.className = "badge badge-live";
    live.textContent = t("sched.now.live");
    link.append(" ", live);
  }
  if (room.ended || room.locked) {
    const state = document.createElement("span");
    state.className = "badge";
    state.textContent = room.ended ? t("rooms.list.ended") : t("rooms.list.locked");
    link.append(" ", state);
  }
  li.append(link);
  return li;
}

function render() {
  for (const list of root.querySelectorAll(".room-list")) {
    const kind = list.dataset.kind;
    const mine = [...rooms.values()].filter((r) => r.kind === kind);
    // A meeting on now first, then the most unread.
    mine.sort(
      (a, b) =>
        Number(Boolean(b.live)) - Number(Boolean(a.live)) ||
        (b.unread || 0) - (a.unread || 0) ||
        titleOf(a).localeCompare(titleOf(b)),
    );
    list.replaceChildren(...mine.map(item));
    const empty = root.querySelector(`.room-list-empty[data-kind="${kind}"]`);
    empty.textContent = t("rooms.list.none");
    empty.hidden = mine.length > 0;
  }
  const unread = [...rooms.values()].reduce((sum, r) => sum + (r.unread || 0), 0);
  const mentions = [...rooms.values()].reduce((sum, r) => sum + (r.mentions || 0), 0);
  showUnread(unread, mentions);
}

function replaceAll(list) {
  rooms.clear();
  for (const room of list) rooms.set(room.id, room);
  render();
}

async function refresh() {
  try {
    replaceAll(roomsOf(await api("/api/v1/rooms")));
    problem.textContent = "";
  } catch (error) {
    problem.textContent = error.message || t("rooms.error.generic");
  }
}

let me = null; // my "p:<id>", from hello: my own messages are not unread
const connection = new Connection();
showConnectionState(connection, document.getElementById("connection"));
// On every (re)connect the server's "hello" answers with the rooms and their unread counts.
connection.on("connect", async () => {
  try {
    const hello = await connection.call("hello", {});
    me = hello.who || me;
    replaceAll(roomsOf(hello));
    // New messages in any of my rooms arrive as "activity": counts move at once.
    await connection.call("watch", {});
    // Calls going on in my rooms, then "call_count" events as people join and leave.
    const calls = await connection.call("call_counts", {});
    inCall.clear();
    for (const { room_id: id, count } of calls.counts) inCall.set(id, count);
    render();
  } catch {
    refresh();
  }
});
connection.on("hello", (hello) => replaceAll(roomsOf(hello)));
connection.on("call_count", (event) => {
  inCall.set(event.room_id, event.count);
  render();
});

// A message is counted once, whether "activity" or "notify" (a direct message or a mention
// brings both) tells of it first: by its seq against the room's newest seq known here.
function counted(room, seq) {
  if (typeof seq !== "number" || seq <= (room.last_seq || 0)) return false;
  room.last_seq = seq;
  return true;
}
connection.on("activity", (event) => {
  const room = rooms.get(event.room_id);
  if (!room) {
    refresh();
    return;
  }
  if (event.author === me) {
    room.last_seq = Math.max(room.last_seq || 0, event.seq || 0);
    return;
  }
  if (counted(room, event.seq)) {
    room.unread = (room.unread || 0) + 1;
    render();
  }
});
connection.on("notify", (event) => {
  const room = rooms.get(event.room_id);
  if (!room) {
    refresh();
    return;
  }
  if (counted(room, event.seq)) room.unread = (room.unread || 0) + 1;
  if (event.kind === "mention") room.mentions = (room.mentions || 0) + 1;
  render();
  chime();
});
setupAlertSettings(document.getElementById("alert-settings"));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refresh();
});
// "activity" and "notify" keep the counts live; reading in another tab lowers them on the
// server only, so they are fetched again twice a minute.
setInterval(() => {
  if (document.visibilityState === "visible") refresh();
}, 30000);

// --- starting conversations ----------------------------------------------------------------
async function open(path, body, form) {
  const error = form ? form.querySelector(".form-error") : problem;
  error.textContent = "";
  try {
    const id = roomIdOf(await api(path, { method: "POST", body }));
    if (id != null) window.location.assign(`/rooms/${id}`);
  } catch (failure) {
    const details = failure.details && typeof failure.details === "object" ? Object.values(failure.details) : [];
    error.textContent = [failure.message, ...details].filter(Boolean).join(" ");
  }
}

document.getElementById("direct-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  open("/api/v1/rooms/direct", { person_id: Number(form.elements.person_id.value) }, form);
});
document.getElementById("group-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const members = [...form.querySelectorAll("input[name=member_ids]:checked")].map((box) => Number(box.value));
  open("/api/v1/rooms", { title: form.elements.title.value.trim(), member_ids: members }, form);
});
