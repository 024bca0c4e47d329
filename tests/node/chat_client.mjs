// A socket.io-client 4.8 participant in a meetings_hub chat room, driven by tests/chat.
// Usage: node chat_client.mjs <base url> <session token> <room id> <messages to send>
//        <messages expected from others> [transport: websocket|polling]
// It joins with its last seq after every (re)connect, sends its messages with client_msg_ids,
// drops its own connection once half-way (the engine closes, socket.io reconnects), resends
// anything unacknowledged with the same client_msg_id, and prints one JSON line at the end:
// {"own": [seqs acked], "others": [seqs received], "duplicates": n, "dropped": true}.
import { io } from "socket.io-client";

const [base, token, roomArg, sendArg, expectArg, transport = "websocket"] = process.argv.slice(2);
const roomId = Number(roomArg);
const toSend = Number(sendArg);
const expectOthers = Number(expectArg);

let lastSeq = 0;
const others = [];
const own = new Map(); // client_msg_id -> seq
let duplicates = 0;
let dropped = false;

const socket = io(base + "/chat", {
  transports: transport === "polling" ? ["polling"] : ["websocket"],
  auth: { session: token },
  reconnectionDelay: 100,
  reconnectionDelayMax: 300,
});

function ownSeqs() {
  return new Set(own.values());
}

socket.on("message", (m) => {
  if (m.room_id !== roomId) return;
  if (m.seq <= lastSeq) {
    duplicates += 1; // never expected: the server replays from lastSeq exactly
    return;
  }
  lastSeq = m.seq;
  if (!ownSeqs().has(m.seq)) others.push(m.seq);
});

let joined;
socket.on("connect", async () => {
  const ack = await socket.timeout(10000).emitWithAck("join", { room_id: roomId, last_seq: lastSeq });
  if (!ack.ok) {
    console.error("join refused", JSON.stringify(ack));
    process.exit(2);
  }
  joined?.();
});

socket.on("connect_error", (err) => {
  console.error("connect_error", err.message, JSON.stringify(err.data ?? null));
  process.exit(3);
});

function waitJoined() {
  return new Promise((resolve) => {
    joined = resolve;
  });
}

async function sendOne(i) {
  const id = `node-${process.pid}-${i}`;
  for (;;) {
    if (!socket.connected) await waitJoined();
    try {
      const ack = await socket
        .timeout(5000)
        .emitWithAck("send", { room_id: roomId, client_msg_id: id, text: `node ${i} żółw` });
      if (!ack.ok) throw new Error(JSON.stringify(ack));
      own.set(id, ack.seq);
      return;
    } catch (err) {
      if (String(err.message).startsWith("{")) {
        console.error("send refused", err.message);
        process.exit(4);
      }
      // no ack (connection dropped): resend with the same client_msg_id
    }
  }
}

await waitJoined();
for (let i = 0; i < toSend; i += 1) {
  if (i === Math.floor(toSend / 2) && !dropped) {
    dropped = true;
    socket.io.engine.close(); // a dropped connection; the manager reconnects by itself
  }
  await sendOne(i);
}
const deadline = Date.now() + 20000;
while (others.length < expectOthers && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 20));
}
console.log(JSON.stringify({ own: [...own.values()], others, duplicates, dropped }));
socket.close();
process.exit(0);
