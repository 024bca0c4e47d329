// Who is in the room and how they are (like Gadu-Gadu): available, away, busy, offline — in
// words and with a coloured mark, plus each person's own description. People who leave stay
// listed as offline for the rest of the visit.
import { t } from "../i18n.js";
import { isGuest } from "./message_view.js";

export const STATUSES = ["available", "away", "busy", "invisible", "offline"];
const ORDER = { available: 0, busy: 1, away: 2, offline: 3, invisible: 3 };

export class Participants extends EventTarget {
  constructor(list, { me, mayModerate, onRemove }) {
    super();
    this.list = list;
    this.me = me;
    this.mayModerate = mayModerate;
    this.onRemove = onRemove;
    this.people = new Map(); // who -> {who, name, guest, status, description}
    this.gone = new Set(); // removed by a moderator: their late "left" must not list them again
    this.decorators = []; // (item, person) => void: other features' marks (e.g. "in the call")
    this.count = list.closest("section, [role=tabpanel]")?.querySelector(".participants-count") || null;
  }

  reset(participants) {
    for (const person of this.people.values()) person.status = "offline";
    for (const p of participants || []) this.upsert(p);
    this.render();
  }

  upsert(person) {
    const known = this.people.get(person.who) || { who: person.who, name: "", guest: isGuest(person.who), status: "offline", description: "" };
    const next = { ...known, ...Object.fromEntries(Object.entries(person).filter(([, v]) => v !== undefined && v !== null)) };
    if (next.status === "invisible" && next.who !== this.me.who) next.status = "offline";
    this.people.set(person.who, next);
  }

  joined(person) {
    const known = this.people.get(person.who);
    this.upsert({ ...person, status: known && known.status !== "offline" ? known.status : "available" });
    this.render();
  }

  left(person) {
    if (this.gone.has(person.who)) return;
    this.upsert({ who: person.who, name: person.name, status: "offline" });
    this.render();
  }

  presence(person) {
    this.upsert(person);
    this.render();
  }

  removed(who) {
    this.gone.add(who);
    this.people.delete(who);
    this.render();
  }

  // [person_id, name] of signed-in people, for @mentions.
  mentionable() {
    const out = [];
    for (const p of this.people.values()) {
      if (p.who === this.me.who || !p.name) continue;
      // A person by id, a guest by who-key ("g:5"): the server accepts both in mentions.
      if (p.who.startsWith("p:")) out.push([Number(p.who.slice(2)), p.name]);
      else if (p.who.startsWith("g:")) out.push([p.who, p.name]);
    }
    return out;
  }

  names() {
    return [...this.people.values()].map((p) => p.name).filter(Boolean);
  }

  render() {
    const people = [...this.people.values()].sort(
      (a, b) => (ORDER[a.status] ?? 3) - (ORDER[b.status] ?? 3) || a.name.localeCompare(b.name),
    );
    this.list.replaceChildren(...people.map((p) => this.item(p)));
    const online = people.filter((p) => p.status !== "offline").length;
    if (this.count) this.count.textContent = t("rooms.people.online", { count: online });
  }

  item(person) {
    const item = document.createElement("li");
    item.className = `person status-${person.status}`;
    item.dataset.who = person.who;
    const mark = document.createElement("span");
    mark.className = "status-mark";
    mark.setAttribute("aria-hidden", "true");
    const name = document.createElement("span");
    name.className = "person-name";
    name.textContent = person.who === this.me.who ? `${person.name} (${t("rooms.people.you")})` : person.name;
    const status = document.createElement("span");
    status.className = "person-status";
    status.textContent = t(`rooms.status.${person.status}`);
    item.append(mark, name, " ", status);
    if (person.guest) {
      const guest = document.createElement("span");
      guest.className = "badge";
      guest.textContent = t("rooms.msg.guest");
      item.append(" ", guest);
    }
    if (person.description) {
      const description = document.createElement("span");
      description.className = "person-description";
      description.textContent = person.description;
      item.append(description);
    }
    if (this.mayModerate && person.who !== this.me.who) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "small";
      remove.textContent = t("rooms.mod.remove");
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = ` ${person.name}`;
      remove.append(hidden);
      remove.addEventListener("click", () => this.onRemove(person));
      item.append(remove);
    }
    for (const decorate of this.decorators) decorate(item, person);
    return item;
  }
}
