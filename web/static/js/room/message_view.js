// Draws one message as a list item. The body is drawn by a renderer chosen by the message's
// kind: "text" is built in; other features add theirs with registerKind (e.g. the files feature
// draws a file card for kind "file"). Renderers must build DOM with textContent, never innerHTML.
import { t } from "../i18n.js";
import { renderText } from "./text.js";
import { clock, full } from "./time.js";

const renderers = new Map();

// render(message, bodyElement, context) fills bodyElement; context has names and myName.
export function registerKind(kind, render) {
  renderers.set(kind, render);
}

registerKind("text", (message, body, context) => {
  body.append(renderText(message.text || "", context));
});

function renderBody(message, body, context) {
  body.replaceChildren();
  if (message.deleted) {
    body.textContent = t("rooms.msg.deleted");
    return;
  }
  const render = renderers.get(message.kind || "text");
  if (render) {
    render(message, body, context);
    return;
  }
  // A kind this page does not know yet: its text (a caption) still reads fine.
  body.append(renderText(message.text || t("rooms.msg.unknown_kind"), context));
}

export function isGuest(who) {
  return typeof who === "string" && who.startsWith("g:");
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Builds the <li>; `context` = {me, names, myName}. Returns the element.
export function createMessageElement(message, context) {
  const item = el("li", "msg");
  const head = el("p", "msg-head");
  head.append(el("span", "msg-author"));
  head.append(el("span", "msg-guest"));
  head.append(" ");
  head.append(el("time", "msg-time"));
  head.append(el("span", "msg-edited"));
  item.append(head);
  item.append(el("div", "msg-body"));
  const foot = el("p", "msg-foot");
  foot.append(el("span", "msg-state"));
  foot.append(el("span", "msg-actions"));
  item.append(foot);
  updateMessageElement(item, message, context);
  return item;
}

export function updateMessageElement(item, message, context) {
  item.message = message;
  const mine = message.author === context.me.who;
  item.classList.toggle("mine", mine);
  item.classList.toggle("deleted", Boolean(message.deleted));
  const mentionsMe = mentionsOf(message, context.me);
  item.classList.toggle("mentions-me", mentionsMe && !mine);
  if (message.seq != null) item.dataset.seq = String(message.seq);
  if (message.id != null) item.dataset.id = String(message.id);
  if (message.client_msg_id) item.dataset.client = message.client_msg_id;
  item.querySelector(".msg-author").textContent = mine ? t("rooms.msg.me") : message.author_name || "?";
  item.querySelector(".msg-guest").textContent = isGuest(message.author) ? ` (${t("rooms.msg.guest")})` : "";
  const time = item.querySelector(".msg-time");
  if (message.time) {
    time.dateTime = message.time;
    time.textContent = clock(message.time);
    time.title = full(message.time);
  }
  item.querySelector(".msg-edited").textContent = message.edited_at && !message.deleted ? ` ${t("rooms.msg.edited")}` : "";
  renderBody(message, item.querySelector(".msg-body"), context);
}

// The state line under my own message: sending → saved → read by N (or failed, with retry).
export function setMessageState(item, state, readers = 0) {
  const box = item.querySelector(".msg-state");
  box.dataset.state = state;
  box.replaceChildren();
  if (state === "sending") box.textContent = t("rooms.msg.sending");
  else if (state === "failed") {
    box.textContent = `${t("rooms.msg.failed")} `;
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "small link-like retry";
    retry.textContent = t("rooms.msg.retry");
    box.append(retry);
  }
  else if (state === "saved") box.textContent = readers > 0 ? t("rooms.msg.read_by", { count: readers }) : t("rooms.msg.saved");
  else box.textContent = "";
}

// Does the message mention me? A person is named by id, a guest by who-key ("g:5").
export function mentionsOf(message, me) {
  if (!Array.isArray(message.mentions)) return false;
  return message.mentions.includes(me.person_id != null ? me.person_id : me.who);
}
