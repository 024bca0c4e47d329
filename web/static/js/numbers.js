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

// A decimal string ("2.345", as the API sends Decimals) is rounded as written; a Number as the
// binary value it is (2.345 is really 2.34499…).
export function formatNumber(value, places = 0) {
  const exact = typeof value === "string" ? value : Number(value);
  return formatter(places).format(exact).replace(/\u202f/g, NBSP);
}

export function formatMoney(value) {
  const number = formatNumber(value, 2);
  return language === "en" ? `PLN${NBSP}${number}` : `${number}${NBSP}zł`;
}

export function formatUnit(value, unit, places = 1) {
  return `${formatNumber(value, places)}${NBSP}${unit}`;
}
