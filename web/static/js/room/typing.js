// "Anna is typing…": who is typing now; a "typing" that is not renewed expires after 6 s.
import { t } from "../i18n.js";

const EXPIRE_MS = 6000;

export class TypingIndicator {
  constructor(element) {
    this.element = element;
    this.typing = new Map(); // who -> {name, timer}
  }

  update({ who, name, typing }) {
    const known = this.typing.get(who);
    if (known) clearTimeout(known.timer);
    if (typing) {
      const timer = setTimeout(() => this.update({ who, name, typing: false }), EXPIRE_MS);
      this.typing.set(who, { name, timer });
    } else {
      this.typing.delete(who);
    }
    this.render();
  }

  clear(who) {
    if (this.typing.has(who)) this.update({ who, typing: false });
  }

  render() {
    const names = [...this.typing.values()].map((v) => v.name);
    if (names.length === 0) this.element.textContent = "";
    else if (names.length === 1) this.element.textContent = t("rooms.typing.one", { name: names[0] });
    else if (names.length === 2) this.element.textContent = t("rooms.typing.two", { a: names[0], b: names[1] });
    else this.element.textContent = t("rooms.typing.many", { count: names.length });
  }
}
