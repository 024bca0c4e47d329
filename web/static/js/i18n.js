// The page's translation table (its language only), embedded by the server.
// A text is a string, or — where a count appears — an object of plural forms
// ({one, few, many} in Polish, {one, other} in English) picked by Intl.PluralRules.
const table = readJson("i18n");
export const language = document.documentElement.lang || "pl";
const plural = new Intl.PluralRules(language);

function readJson(id) {
  return JSON.parse(document.getElementById(id)?.textContent || "{}");
}

function pick(forms, count) {
  return forms[plural.select(Number(count) || 0)] ?? forms.other ?? forms.many ?? Object.values(forms)[0];
}

export function t(key, values = {}) {
  let text = table[key] ?? key;
  if (typeof text === "object") text = pick(text, values.count);
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : `{${name}}`));
}

// The API answers in English; the page embeds {English message: translation} (the "server.*"
// keys), with {holes} for the parts that vary, e.g. "At most {n} characters.".
// Exact texts first, so "Library not found." wins over "{what} not found.".
const holesIn = (text) => (text.match(/\{/g) || []).length;
const serverTable = Object.entries(readJson("i18n-server"))
  .sort(([a], [b]) => holesIn(a) - holesIn(b))
  .map(([english, translated]) => {
  const holes = [];
  const source = english
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/\\\{(\w+)\\\}/g, (_, name) => {
      holes.push(name);
      return "(.+?)";
    });
  return { regex: new RegExp(`^${source}$`), holes, translated };
});

export function serverText(message) {
  const text = String(message ?? "").trim();
  for (const { regex, holes, translated } of serverTable) {
    const found = regex.exec(text);
    if (!found) continue;
    return translated.replace(/\{(\w+)\}/g, (_, name) => {
      const at = holes.indexOf(name);
      return at >= 0 ? found[at + 1] : `{${name}}`;
    });
  }
  return text;
}
