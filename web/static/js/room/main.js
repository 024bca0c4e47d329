// The room page: wires the modules together. Each module does one job; this file only passes
// events between them. Data flow: socket.io events and the JSON API in, DOM (textContent) out.
import { t } from "../i18n.js";
import { setupCall } from "./call.js";
import { Composer } from "./composer.js";
import { Connection, errorText, showConnectionState } from "./connection.js";
import { loadPage } from "./history.js";
import { MessageActions } from "./message_actions.js";
import { MessageList } from "./message_list.js";
import { mentionsOf, setMessageState } from "./message_view.js";
import { removeParticipant, setupModeration } from "./moderation.js";
import { notifyMention, setupNotifications } from "./notify.js";
import { Outbox, retryable } from "./outbox.js";
import { setupPanels } from "./panels.js";
import { Participants } from "./participants.js";
import { setupMyPresence } from "./presence.js";
import { setupSearch } from "./search.js";
import { mentionedIds } from "./text.js";
import { minutesSince, setZone } from "./time.js";
import { showToast } from "./toast.js";
import { TypingIndicator } from "./typing.js";
import { trackUnread } from "../unread.js";

const root = document.getElementById("room");
const config = JSON.parse(root.dataset.config);
const { me } = config;
const roomId = config.room.id;
const $ = (selector) => root.querySelector(selector);
setZone(me.timezone);

const connection = new Connection();
showConnectionState(connection, $("#connection"));
// The menu badge and tab title follow my other rooms; a direct message or a mention elsewhere
// also shows a toast here (guests have only this room).
if (!me.guest) {
  const toasts = document.getElementById("toasts");
  trackUnread(connection, {
    currentRoomId: roomId,
    onElsewhere: (event, other, title) => showToast(toasts, title, other.id),
  });
}
const problem = $("#room-problem");
const showProblem = (text) => {
  problem.textContent = text;
};

const participants = new Participants($("#participants"), {
  me,
  mayModerate: config.may_moderate,
  onRemove: (person) => removeParticipant(connection, roomId, person, showProblem),
});
const call = setupCall($("#call"), { connection, roomId, me, participants });
const authors = new Map(); // person id -> name, from messages: more people to @mention
const mentionable = () => {
  const all = new Map(authors);
  for (const [id, name] of participants.mentionable()) all.set(id, name);
  all.delete(me.person_id);
  return [...all];
};
const list = new MessageList($("#messages"), { me, names: () => [...participants.names(), ...authors.values()] });
const actions = new MessageActions({
  connection,
  roomId,
  me,
  mayModerate: config.may_moderate,
  editMinutes: config.edit_minutes,
  onError: showProblem,
  onChanged: (message) => updated(message),
});
list.addEventListener("item", (event) => {
  const message = event.detail.message;
  if (message.author && message.author.startsWith("p:") && message.author_name) {
    authors.set(Number(message.author.slice(2)), message.author_name);
  }
  actions.decorate(event.detail);
  list.emptyNote();
});
const typing = new TypingIndicator($("#typing"));
const moderation = setupModeration($("#mod-tools"), {
  connection,
  roomId,
  kind: config.room.kind,
  onError: showProblem,
  onRoom: (ack) => applyRoom({ locked: ack.locked, ended: ack.ended }),
});
const myPresence = setupMyPresence($("#my-presence"), connection);
setupNotifications($("#notify-permission"));
setupPanels($(".side"));

// --- the room's state: locked or ended rooms are read-only -------------------------------
let room = { ...config.room };
let removed = false;
function applyRoom(next) {
  room = { ...room, ...next };
  if (next.title) {
    $("#room-title").textContent = next.title;
    document.title = `${next.title} · ${t("app.name")}`;
  }
  const notOpen = !removed && !room.locked && !room.ended && secondsToOpening() > 0;
  const readOnly = removed || room.locked || room.ended || notOpen;
  let reason = "";
  if (removed) reason = t("rooms.state.removed");
  else if (room.ended) reason = t("rooms.state.ended");
  else if (room.locked) reason = t("rooms.state.locked");
  else if (notOpen) reason = openingText();
  $("#room-state").textContent = reason;
  composer.setEnabled(!readOnly, reason);
  actions.readOnly = Boolean(readOnly) && !config.may_moderate;
  moderation.apply(room);
}

// --- a session room before it opens: when, a countdown, and the composer closed till then ---
// The server says in how many seconds (its clock, not the reader's); counted down here.
const opensAt = Number.isFinite(config.room.opens_in) ? Date.now() + config.room.opens_in * 1000 : 0;
function secondsToOpening() {
  return opensAt ? Math.max(0, Math.ceil((opensAt - Date.now()) / 1000)) : 0;
}
function leftText(seconds) {
  if (seconds < 60) return t("rooms.opens.in_moment");
  const minutes = Math.ceil(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days >= 1) return t("rooms.opens.in_days", { count: days });
  if (hours >= 1) return t("rooms.opens.in_hours", { hours, minutes: minutes % 60 });
  return t("rooms.opens.in_minutes", { count: minutes });
}
function openingText() {
  const text = t("rooms.opens.notice", { when: config.room.opens_text, left: leftText(secondsToOpening()) });
  return config.may_moderate ? `${text} ${t("rooms.opens.moderator")}` : text;
}
if (opensAt) {
  const tick = setInterval(() => {
    if (secondsToOpening() > 0) {
      applyRoom({});
      return;
    }
    clearInterval(tick);
    applyRoom({});
    join(); // a guest was not let in before the opening
  }, 15000);
  setTimeout(() => {
    if (secondsToOpening() === 0) {
      applyRoom({});
      join();
    }
  }, Math.max(0, opensAt - Date.now()) + 500);
}

// --- sending: shown at once, confirmed by the ack, resent after a reconnect, a few at a time --
function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// "sent", "retry" (stays "sending", goes again after the reconnect: the server keeps one copy
// per client_msg_id) or "failed".
async function trySend(message) {
  try {
    const ack = await connection.call("send", {
      room_id: roomId,
      client_msg_id: message.client_msg_id,
      text: message.text,
      kind: message.kind,
      body: message.body,
      mentions: message.mentions,
    });
    list.confirm(message.client_msg_id, ack);
    sentRead = Math.max(sentRead, ack.seq);
    return "sent";
  } catch (error) {
    if (retryable(error)) return "retry";
    list.fail(message.client_msg_id);
    showProblem(errorText(error));
    return "failed";
  }
}
const outbox = new Outbox(trySend);
connection.on("disconnect", () => outbox.pause());

function send(text) {
  showProblem("");
  const message = {
    client_msg_id: newClientId(),
    room_id: roomId,
    author: me.who,
    author_name: me.name,
    kind: "text",
    text,
    body: null,
    mentions: mentionedIds(text, mentionable()),
    time: new Date().toISOString(),
  };
  list.addPending(message);
  list.emptyNote();
  outbox.add(message);
}

// "Try again" under a message the server refused (e.g. while the room was locked).
$("#messages").addEventListener("click", (event) => {
  const button = event.target.closest(".retry");
  const item = button && button.closest(".msg");
  if (!item || !item.message) return;
  setMessageState(item, "sending");
  trySend(item.message);
});

// The edit window closes while the page is open: redraw the buttons of recent messages.
setInterval(() => {
  for (const item of root.querySelectorAll(".msg.mine[data-seq]")) {
    if (item.message && minutesSince(item.message.time) < config.edit_minutes + 2) actions.decorate(item);
  }
}, 60000);

const composer = new Composer($("#composer"), {
  onSend: send,
  onTyping: (on) => connection.call("typing", { room_id: roomId, typing: on }).catch(() => {}),
  people: mentionable,
});

// --- reading: mark read when the newest message is on screen and the tab is visible ---------
let sentRead = 0;
let readTimer = null;
function markRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    if (document.visibilityState !== "visible" || !list.nearBottom() || list.lastSeq <= sentRead) return;
    if (!connection.socket.connected) return;
    sentRead = list.lastSeq;
    connection.call("read", { room_id: roomId, seq: sentRead }).catch(() => {
      sentRead = 0;
    });
  }, 400);
}
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") {
    document.title = document.title.replace(/^\(\d+\) /, "");
    markRead();
  }
});

// --- announcing: new messages from others are read out politely --------------------------
const announcer = $("#announcer");
let hiddenCount = 0;
function announce(message) {
  const text = message.deleted ? "" : message.text || t("rooms.msg.unknown_kind");
  announcer.textContent = t("rooms.msg.announce", { name: message.author_name || "?", text: text.slice(0, 300) });
  if (document.hidden) {
    hiddenCount += 1;
    document.title = `(${hiddenCount}) ${document.title.replace(/^\(\d+\) /, "")}`;
  } else hiddenCount = 0;
}

// --- history: the newest page on first join, older pages when the reader scrolls up --------
let historyLoaded = false;
let hasMore = true;
let loadingOlder = null;
const olderButton = $("#load-older");

function updateOlderButton() {
  olderButton.hidden = !hasMore;
}

async function loadOlder() {
  if (loadingOlder || !hasMore) return loadingOlder;
  olderButton.disabled = true;
  loadingOlder = (async () => {
    try {
      const page = await loadPage(roomId, list.oldestSeq);
      list.prependOlder(page.messages);
      hasMore = page.more && page.messages.length > 0;
    } catch (error) {
      showProblem(error.message || t("rooms.error.generic"));
    } finally {
      olderButton.disabled = false;
      loadingOlder = null;
      updateOlderButton();
    }
  })();
  return loadingOlder;
}
olderButton.addEventListener("click", loadOlder);
$("#messages").addEventListener("scroll", () => {
  if ($("#messages").scrollTop < 40) loadOlder();
  markRead();
});

async function loadNewest() {
  const page = await loadPage(roomId, null);
  for (const message of page.messages) list.upsert(message);
  for (const read of page.reads) list.setRead(read.who, read.seq);
  hasMore = page.more;
  historyLoaded = true;
  list.scrollToBottom();
  list.emptyNote();
  updateOlderButton();
}

// --- joining: on every (re)connect, with the last seq held, so the server replays the gap ---
// While a (re)join replays what was missed, messages are not read out one by one.
let catchingUp = false;
// The room's change number (edits and deletions) as of our last join.
let lastChange = null;

async function join() {
  if (removed) return;
  let lastSeq = null;
  if (list.lastSeq > 0) lastSeq = list.lastSeq;
  else if (historyLoaded) lastSeq = 0;
  const request = { room_id: roomId, last_seq: lastSeq };
  // Edits and deletions made while we were away come back as message_updated events.
  if (lastSeq !== null && lastChange !== null) request.last_change = lastChange;
  let ack;
  catchingUp = true;
  try {
    ack = await connection.call("join", request);
  } catch (error) {
    catchingUp = false;
    if (error.code === "removed") removedFromRoom();
    // Before the opening the notice above the composer says when: no error to show.
    if (error.code === "not_open" && secondsToOpening() > 0) return;
    showProblem(errorText(error));
    return;
  }
  showProblem("");
  catchingUp = false;
  applyRoom(ack.room || {});
  if (ack.room && Number.isInteger(ack.room.last_change)) lastChange = ack.room.last_change;
  participants.reset(ack.participants);
  participants.presence({ who: me.who, name: me.name, guest: me.guest, ...mine });
  call.roomJoined(ack.room || {});
  for (const read of ack.reads || []) list.setRead(read.who, read.seq);
  try {
    if (!historyLoaded || ack.truncated) await loadNewest();
  } catch (error) {
    showProblem(error.message || t("rooms.error.generic"));
  }
  outbox.resume(list.pendingMessages());
  markRead();
}

// My own presence (the server keeps it across logins): asked once per connect.
let mine = { status: "available", description: "" };
function applyMine(presence) {
  if (!presence) return;
  mine = { status: presence.status || mine.status, description: presence.description ?? mine.description };
  myPresence.apply(mine);
  participants.presence({ who: me.who, name: me.name, guest: me.guest, ...mine });
}
connection.on("connect", async () => {
  join();
  try {
    applyMine((await connection.call("hello", {})).presence);
  } catch {
    // An older server greets by event instead (below).
  }
});
connection.on("hello", (hello) => applyMine(hello && hello.presence));
connection.on("message", (message) => {
  if (message.room_id !== roomId) return;
  const result = list.upsert(message);
  if (result !== "new" || message.author === me.who) return;
  typing.clear(message.author);
  markRead();
  if (catchingUp) return;
  announce(message);
  if (mentionsOf(message, me)) notifyMention(message, room.title);
});
function updated(message) {
  if (message.room_id !== roomId) return;
  list.upsert(message);
  const item = list.find(message.seq);
  if (item) actions.decorate(item);
}
connection.on("message_updated", updated);
connection.on("read", (read) => {
  if (read.room_id === roomId) list.setRead(read.who, read.seq);
});
connection.on("typing", (event) => {
  if (event.room_id === roomId && event.who !== me.who) typing.update(event);
});
connection.on("presence", (person) => {
  if (person.who === me.who) applyMine(person);
  else if (participants.people.has(person.who)) participants.presence(person);
});
connection.on("joined", (person) => {
  if (person.room_id === roomId) participants.joined(person);
});
connection.on("left", (person) => {
  if (person.room_id !== roomId) return;
  participants.left(person);
  typing.clear(person.who);
});
connection.on("room_updated", (next) => {
  if (next.room_id !== roomId) return;
  applyRoom(next);
  // The Files part (files.js) follows the room's rules too (who may share files).
  root.dispatchEvent(new CustomEvent("room:updated", { detail: next }));
});
connection.on("participant_removed", (event) => {
  if (event.room_id === roomId) participants.removed(event.who);
});
function removedFromRoom() {
  removed = true;
  participants.people.clear();
  participants.render();
  applyRoom({});
  connection.finish(t("rooms.conn.removed"));
}
connection.on("removed", (event) => {
  if (event.room_id === roomId) removedFromRoom();
});

// --- search: show a found message in the list, loading older pages until it is there -------
setupSearch($("#search-form"), $("#search-results"), {
  roomId,
  onShow: async (message) => {
    for (let pages = 0; !list.find(message.seq) && hasMore && pages < 40; pages += 1) await loadOlder();
    const item = list.find(message.seq);
    if (!item) return;
    root.querySelectorAll(".msg.found").forEach((other) => other.classList.remove("found"));
    item.classList.add("found");
    item.tabIndex = -1;
    item.scrollIntoView({ block: "center" });
    item.focus();
  },
});

applyRoom({});
