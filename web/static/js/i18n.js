// The page's translation table (its language only), embedded by the server.
const table = JSON.parse(document.getElementById("i18n")?.textContent || "{}");

export function t(key, values = {}) {
  const text = table[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : `{${name}}`));
}
