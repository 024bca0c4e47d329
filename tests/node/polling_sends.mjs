// A long-polling socket.io-client 4.8 that sends bursts, driven by tests/chat/test_chat_polling.py.
// Usage: node polling_sends.mjs <base url> <session token> <room id> <burst> <through outbox>
// 1. "raw": emits <burst> sends at once, as the room page used to resend (one polling request
//    then carries them all), and waits for every ack;
// 2. "outbox": adds <through outbox> messages to the room page's own Outbox
//    (web/static/js/room/outbox.js), prints "restart" once a few are acked so that the test
//    restarts the server with SIGTERM, and resumes the Outbox after every (re)join, as the
//    room page does.
// Prints one JSON line: {"acked": {client_msg_id: seq}, "failed": [...], "raw_missing": n}.
import { io } from "socket.io-client";
import { Outbox, retryable } from "../../web/static/js/room/outbox.js";

const [base, token, roomArg, burstArg, outboxArg] = process.argv.slice(2);
const roomId = Number(roomArg);
const burst = Number(burstArg);
const throughOutbox = Number(outboxArg);
const acked = {};
const failed = [];

const socket = io(base + "/chat", {
  transports: ["polling"],
  auth: { session: token },
  reconnectionDelay: 100,
  reconnectionDelayMax: 300,
});

// As connection.js's call(): rejects with {code} when offline, without an ack, or refused.
async function call(event, payload) {
  if (!socket.connected) throw { code: "offline" };
  let ack;
  try {
    ack = await socket.timeout(10000).emitWithAck(event, payload);
  } catch {
    throw { code: "timeout" };
  }
  if (!ack || ack.ok !== true) throw (ack && ack.error) || { code: "internal" };
  return ack;
}

async function send(message) {
  try {
    const ack = await call("send", { room_id: roomId, client_msg_id: message.client_msg_id, text: message.text });
    acked[message.client_msg_id] = ack.seq;
    return "sent";
  } catch (error) {
    if (retryable(error)) return "retry";
    failed.push([message.client_msg_id, error]);
    return "failed";
  }
}

const outbox = new Outbox(send);
const unacked = () => outbox.messages.filter((m) => !(m.client_msg_id in acked));
outbox.messages = [];
let joins = 0;
socket.on("disconnect", () => outbox.pause());
socket.on("connect", async () => {
  try {
    await call("join", { room_id: roomId, last_seq: null });
  } catch (error) {
    console.error("join refused", JSON.stringify(error));
    return;
  }
  joins += 1;
  outbox.resume(unacked());
});

async function until(predicate, ms) {
  const deadline = Date.now() + ms;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return predicate();
}

await until(() => joins > 0, 10000);

// 1. The old way: everything at once.
const raw = [];
for (let i = 0; i < burst; i += 1) {
  const id = `raw-${process.pid}-${i}`;
  raw.push(call("send", { room_id: roomId, client_msg_id: id, text: `raw ${i}` }).then((ack) => (acked[id] = ack.seq)));
}
const rawResults = await Promise.allSettled(raw);
const rawMissing = rawResults.filter((r) => r.status !== "fulfilled").length;

// 2. Through the Outbox, with a server restart in the middle.
for (let i = 0; i < throughOutbox; i += 1) {
  const message = { client_msg_id: `outbox-${process.pid}-${i}`, text: `outbox ${i} żółw` };
  outbox.messages.push(message);
  outbox.add(message);
}
await until(() => Object.keys(acked).length >= burst + 3, 10000);
console.log("restart");
const all = () => outbox.messages.every((m) => m.client_msg_id in acked);
await until(all, 60000);
console.log(JSON.stringify({ acked, failed, raw_missing: rawMissing, joins }));
socket.close();
process.exit(0);
