// The message list of one room: keeps items in seq order, holds each message exactly once
// (by seq, and by client_msg_id for my own messages still on their way), keeps the view at the
// bottom while the reader is there, and computes "read by N" for my messages.
import { t } from "../i18n.js";
import { createMessageElement, setMessageState, updateMessageElement } from "./message_view.js";

export class MessageList extends EventTarget {
  constructor(list, context) {
    super();
    this.list = list;
    this.context = context; // {me, names (getter), myName}
    this.bySeq = new Map();
    this.pending = new Map(); // client_msg_id -> item
    this.reads = new Map(); // who -> seq
    this.lastSeq = 0;
    this.oldestSeq = null;
  }

  renderContext() {
    return { me: this.context.me, names: this.context.names(), myName: this.context.me.name };
  }

  nearBottom() {
    const list = this.list;
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  scrollToBottom() {
    this.list.scrollTop = this.list.scrollHeight;
  }

  // Adds or updates a stored message; returns "new", "known" or "confirmed" (my pending one).
  upsert(message) {
    if (message.seq == null) return "known";
    const existing = this.bySeq.get(message.seq);
    if (existing) {
      updateMessageElement(existing, message, this.renderContext());
      this.refreshState(existing);
      return "known";
    }
    const stick = this.nearBottom();
    let item = message.client_msg_id ? this.pending.get(message.client_msg_id) : null;
    let result = "new";
    if (item && message.author === this.context.me.who) {
      this.pending.delete(message.client_msg_id);
      item.remove();
      updateMessageElement(item, message, this.renderContext());
      result = "confirmed";
    } else {
      item = createMessageElement(message, this.renderContext());
    }
    this.bySeq.set(message.seq, item);
    this.insertInOrder(item, message.seq);
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    this.oldestSeq = this.oldestSeq == null ? message.seq : Math.min(this.oldestSeq, message.seq);
    this.refreshState(item);
    this.dispatchEvent(new CustomEvent("item", { detail: item }));
    if (stick) this.scrollToBottom();
    return result;
  }

  insertInOrder(item, seq) {
    // Walk back from the end, past my pending messages and newer ones: live traffic lands last.
    let after = this.list.lastElementChild;
    while (after && (after.dataset.seq === undefined || Number(after.dataset.seq) > seq)) {
      after = after.previousElementSibling;
    }
    if (after) after.after(item);
    else this.list.prepend(item);
  }

  // My message, shown at once as "sending" until the server's ack.
  addPending(message) {
    const item = createMessageElement(message, this.renderContext());
    this.pending.set(message.client_msg_id, item);
    this.list.append(item);
    setMessageState(item, "sending");
    this.dispatchEvent(new CustomEvent("item", { detail: item }));
    this.scrollToBottom();
    return item;
  }

  confirm(clientMsgId, ack) {
    const item = this.pending.get(clientMsgId);
    if (!item) return;
    const message = { ...item.message, id: ack.id, seq: ack.seq, time: ack.time };
    if (this.bySeq.has(ack.seq)) {
      // The same message already came back by replay: keep one.
      this.pending.delete(clientMsgId);
      item.remove();
      return;
    }
    this.upsert(message);
  }

  fail(clientMsgId) {
    const item = this.pending.get(clientMsgId);
    if (item) setMessageState(item, "failed");
  }

  pendingMessages() {
    return [...this.pending.values()].map((item) => item.message);
  }

  setRead(who, seq) {
    if ((this.reads.get(who) || 0) >= seq) return;
    this.reads.set(who, seq);
    for (const item of this.bySeq.values()) {
      if (item.classList.contains("mine")) this.refreshState(item);
    }
  }

  readersOf(message) {
    let count = 0;
    for (const [who, seq] of this.reads) {
      if (who !== message.author && seq >= message.seq) count += 1;
    }
    return count;
  }

  refreshState(item) {
    const message = item.message;
    if (message.author !== this.context.me.who || message.deleted) {
      setMessageState(item, "none");
      return;
    }
    setMessageState(item, "saved", this.readersOf(message));
  }

  // Prepends an older page (newest first from the API) without moving what the reader sees.
  prependOlder(messages) {
    const before = this.list.scrollHeight;
    const top = this.list.scrollTop;
    for (const message of messages) this.upsert(message);
    this.list.scrollTop = top + (this.list.scrollHeight - before);
  }

  find(seq) {
    return this.bySeq.get(seq) || null;
  }

  emptyNote() {
    let note = this.list.parentElement.querySelector(".messages-empty");
    if (this.bySeq.size === 0 && this.pending.size === 0) {
      if (!note) {
        note = document.createElement("p");
        note.className = "messages-empty muted";
        note.textContent = t("rooms.msg.none");
        this.list.before(note);
      }
    } else if (note) note.remove();
  }
}
