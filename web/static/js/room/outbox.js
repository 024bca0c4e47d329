// My messages on their way to the server: at most a few at once, the next one only after an
// ack, so a resend after a reconnect never puts dozens of events into one long-polling request
// (python-engineio caps the packets of one request; docs/realtime.md). No DOM here: the Node
// tests drive this module against a real server.

// Events in flight at once: with join, read and typing, one polling request stays far below
// the server's limit.
export const WINDOW = 8;

// Answers after which the same message goes again (same client_msg_id, so the server keeps one
// copy) once the room is joined again: no connection, no ack in time, server shutting down.
const RETRY = new Set(["offline", "timeout", "unavailable"]);

export function retryable(error) {
  return RETRY.has(error && error.code);
}

export class Outbox {
  // send(message) resolves "sent", "retry" or "failed" (see retryable).
  constructor(send, { window = WINDOW } = {}) {
    this.send = send;
    this.window = window;
    this.queue = []; // waiting, oldest first
    this.busy = new Set(); // client_msg_ids in flight
    this.open = false; // joined: sending is possible
  }

  // A new message: goes out once there is room in the window and the room is joined.
  add(message) {
    this.queue.push(message);
    this.pump();
  }

  // After every (re)join: everything without an ack goes (again), oldest first.
  resume(unacked) {
    this.open = true;
    const known = new Set([...this.busy, ...this.queue.map((m) => m.client_msg_id)]);
    for (const message of unacked) {
      if (!known.has(message.client_msg_id)) this.queue.push(message);
    }
    this.pump();
  }

  // Disconnected: nothing more goes out until the next resume.
  pause() {
    this.open = false;
  }

  pump() {
    while (this.open && this.queue.length && this.busy.size < this.window) {
      const message = this.queue.shift();
      this.busy.add(message.client_msg_id);
      this.send(message).then((result) => {
        this.busy.delete(message.client_msg_id);
        // Still connected (no ack in time): again at the end of the queue. Disconnected: the
        // next resume brings it back.
        if (result === "retry" && this.open) this.queue.push(message);
        this.pump();
      });
    }
  }
}
