// Figures in the page's language, written exactly as the server writes them
// (meetings_hub/i18n.py): "1 234,56 zł" / "PLN 1,234.56", "12,5 km" / "12.5 km".
// Grouping always (CLDR leaves Polish four-digit numbers ungrouped, the server does not),
// with a no-break space; halves round up, as on the server.
import { language } from "./i18n.js";

const LOCALES = { pl: "pl-PL", en: "en-GB" };
const locale = LOCALES[language] || language;
const NBSP = "\u00a0";
const formats = new Map();

function formatter(places) {
  if (!formats.has(places)) {
    formats.set(
      places,
      new Intl.NumberFormat(locale, {
        minimumFractionDigits: places,
        maximumFractionDigits: places,
        useGrouping: "always",
        roundingMode: "halfExpand",
      }),
    );
  }
  return formats.get(places);
}

export function formatNumber(value, places = 0) {
  // Intl's groups use U+202F in some engines' French; Polish and British use U+00A0 / ",".
  return formatter(places).format(Number(value)).replace(/\u202f/g, NBSP);
}

export function formatMoney(value) {
  const number = formatNumber(value, 2);
  return language === "en" ? `PLN${NBSP}${number}` : `${number}${NBSP}zł`;
}

export function formatUnit(value, unit, places = 1) {
  return `${formatNumber(value, places)}${NBSP}${unit}`;
}
