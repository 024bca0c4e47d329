// Turns a message's plain text into DOM nodes: text nodes, clickable links and highlighted
// @mentions. Nothing here ever parses HTML: every piece is a text node or an element whose
// content is set with textContent, so `<img src=x onerror=...>` stays visible text.

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"]+/giu;
const TRAILING = /[.,;:!?)\]}'"»]+$/u;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// "@Full Name" for the names we know, longest first; otherwise "@word".
function mentionPattern(names) {
  const known = [...new Set(names)].filter(Boolean).sort((a, b) => b.length - a.length).map(escapeRegExp);
  const alternatives = [...known, "[\\p{L}\\p{N}_.-]+"];
  return new RegExp(`(^|[^\\p{L}\\p{N}_])@(${alternatives.join("|")})`, "gu");
}

function safeHref(raw) {
  const href = raw.toLowerCase().startsWith("www.") ? `https://${raw}` : raw;
  try {
    const url = new URL(href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function appendMentions(parent, text, pattern, myName) {
  let last = 0;
  pattern.lastIndex = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index + match[1].length;
    if (start > last) parent.append(document.createTextNode(text.slice(last, start)));
    const mark = document.createElement("mark");
    mark.className = match[2] === myName ? "mention mention-me" : "mention";
    mark.textContent = `@${match[2]}`;
    parent.append(mark);
    last = start + 1 + match[2].length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

export function renderText(text, { names = [], myName = "" } = {}) {
  const fragment = document.createDocumentFragment();
  const pattern = mentionPattern([...names, myName]);
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const raw = match[0].replace(TRAILING, "");
    const href = safeHref(raw);
    if (!href) continue;
    appendMentions(fragment, text.slice(last, match.index), pattern, myName);
    const link = document.createElement("a");
    link.href = href;
    link.textContent = raw;
    link.rel = "noopener noreferrer nofollow";
    link.target = "_blank";
    fragment.append(link);
    last = match.index + raw.length;
  }
  appendMentions(fragment, text.slice(last), pattern, myName);
  return fragment;
}

// Person ids of the known people whose "@Full Name" appears in the text.
export function mentionedIds(text, people) {
  const ids = [];
  for (const [id, name] of people) {
    if (name && text.includes(`@${name}`)) ids.push(id);
  }
  return ids.slice(0, 50);
}
