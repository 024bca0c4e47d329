// Unread messages wherever a signed-in person is, as Gadu-Gadu users expect: a badge on the
// menu's "Rozmowy" link, a count in the tab title, an optional chime and a desktop notification
// for direct messages and mentions, and (in a room) a toast for messages in other rooms.
// Counts come from the server's "hello" (unread per room) and move with "activity" (every new
// message in my rooms) and "notify" (a direct message or a mention); see docs/realtime.md.
import { t } from "./i18n.js";

const SOUND_KEY = "mh.sound";
const baseTitle = document.title;

// The menu badge and the tab title: the same numbers on every page.
export function showUnread(total, mentions) {
  const badge = document.getElementById("nav-unread");
  if (badge) {
    badge.hidden = total <= 0;
    badge.classList.toggle("has-mention", mentions > 0);
    badge.querySelector(".nav-unread-count").textContent = String(total);
    badge.querySelector(".visually-hidden").textContent = ` ${t("unread.badge", { count: total, mentions })}`;
  }
  // On a phone the menu is folded: its button carries the number too.
  const menu = document.getElementById("menu-unread");
  if (menu) {
    menu.hidden = total <= 0;
    menu.textContent = String(total);
  }
  document.title = total > 0 ? `(${total}) ${baseTitle}` : baseTitle;
  const home = document.getElementById("home-unread");
  if (home) {
    home.hidden = total <= 0;
    const text = home.querySelector(".home-unread-text");
    if (text) text.textContent = t("unread.home", { count: total, mentions });
  }
}

export function soundOn() {
  try {
    return window.localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    return false;
  }
}

export function setSound(on) {
  try {
    window.localStorage.setItem(SOUND_KEY, on ? "on" : "off");
  } catch {
    // Private windows may refuse storage: the chime then stays off.
  }
}

let audio = null;
// A short two-tone chime made in the browser (no sound file to download on a slow link).
export function chime() {
  if (!soundOn()) return;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  audio = audio || new Context();
  const now = audio.currentTime;
  for (const [offset, pitch] of [
    [0, 880],
    [0.12, 1320],
  ]) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = pitch;
    gain.gain.setValueAtTime(0.08, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.18);
    tone.connect(gain).connect(audio.destination);
    tone.start(now + offset);
    tone.stop(now + offset + 0.2);
  }
}

function desktopNotice(title, body, roomId) {
  if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") return;
  const note = new Notification(title, { body, tag: `room-${roomId}` });
  note.addEventListener("click", () => {
    window.focus();
    window.location.assign(`/rooms/${roomId}`);
    note.close();
  });
}

// Asking for notifications needs a click: the settings controls (rooms list, room page) offer
// it together with the chime, never on load.
export function setupAlertSettings(root) {
  if (!root) return;
  const sound = root.querySelector("input[name=sound]");
  if (sound) {
    sound.checked = soundOn();
    sound.addEventListener("change", () => {
      setSound(sound.checked);
      if (sound.checked) chime();
    });
  }
  const button = root.querySelector("button.notify-permission");
  if (!button || !("Notification" in window)) return;
  const refresh = () => {
    button.hidden = Notification.permission !== "default";
  };
  button.addEventListener("click", async () => {
    await Notification.requestPermission();
    refresh();
  });
  refresh();
}

// Follows the unread counts of all my rooms over an open connection. ``currentRoomId``: the room
// on screen, whose messages are being read (not counted, no toast). ``onElsewhere(event, room)``:
// a direct message or mention in another room (the room page shows a toast).
export function trackUnread(connection, { currentRoomId = null, onElsewhere = null } = {}) {
  const rooms = new Map();
  let me = null;

  const render = () => {
    let total = 0;
    let mentions = 0;
    for (const room of rooms.values()) {
      if (room.id === currentRoomId) continue;
      total += room.unread || 0;
      mentions += room.mentions || 0;
    }
    showUnread(total, mentions);
  };
  const replace = (list) => {
    rooms.clear();
    for (const room of list || []) rooms.set(room.id, { ...room });
    render();
  };
  // A message is counted once, whether "activity" or "notify" tells of it first.
  const fresh = (room, seq) => {
    if (typeof seq !== "number" || seq <= (room.last_seq || 0)) return false;
    room.last_seq = seq;
    return true;
  };
  const greet = async () => {
    try {
      const hello = await connection.call("hello", {});
      me = hello.who || me;
      replace(hello.rooms);
      await connection.call("watch", {});
      document.body.dataset.unread = "live";
    } catch {
      // Counts stay as they were; the next connect tries again.
    }
  };

  connection.on("connect", greet);
  connection.on("activity", (event) => {
    const room = rooms.get(event.room_id);
    if (!room) {
      greet();
      return;
    }
    if (event.author === me) {
      room.last_seq = Math.max(room.last_seq || 0, event.seq || 0);
      return;
    }
    if (fresh(room, event.seq) && room.id !== currentRoomId) {
      room.unread = (room.unread || 0) + 1;
      render();
    }
  });
  const alert = (event, room) => {
    chime();
    const title =
      event.kind === "mention"
        ? t("rooms.notify.title", { name: event.author_name || "", room: room.title || "" })
        : t("unread.direct_title", { name: event.author_name || room.title || "" });
    desktopNotice(title, "", room.id);
    if (onElsewhere) onElsewhere(event, room, title);
  };
  connection.on("notify", async (event) => {
    let room = rooms.get(event.room_id);
    if (!room) {
      // A room new to me (someone opened a direct conversation): the server's summary
      // already counts this message.
      await greet();
      room = rooms.get(event.room_id);
      if (room && room.id !== currentRoomId) alert(event, room);
      return;
    }
    if (room.id === currentRoomId) return;
    if (fresh(room, event.seq)) room.unread = (room.unread || 0) + 1;
    if (event.kind === "mention") room.mentions = (room.mentions || 0) + 1;
    render();
    alert(event, room);
  });
  // Reading in another tab lowers counts on the server only: look again when the tab returns.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && connection.socket.connected) greet();
  });
  return { rooms, render };
}
