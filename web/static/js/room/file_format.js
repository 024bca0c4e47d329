// How files are described to people: sizes in decimal units ("1,2 MB" in Polish), a kind
// word from the sniffed MIME type, and the URLs of a file (always built from its id, never
// taken from a message body).
import { t } from "../i18n.js";

const language = document.documentElement.lang || "pl";

export function humanSize(bytes) {
  const units = ["B", "kB", "MB", "GB"];
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const number = new Intl.NumberFormat(language, { maximumFractionDigits: unit === 0 ? 0 : 1 });
  return `${number.format(value)} ${units[unit]}`;
}

const KINDS = [
  [/^image\//, "image"],
  [/^application\/pdf$/, "pdf"],
  [/(wordprocessingml|msword|opendocument\.text|rtf)/, "document"],
  [/(spreadsheetml|ms-excel|opendocument\.spreadsheet|text\/csv)/, "sheet"],
  [/(presentationml|ms-powerpoint|opendocument\.presentation)/, "slides"],
  [/(zip|gzip|x-7z|x-rar|x-tar|x-bzip2|x-xz)/, "archive"],
  [/^audio\//, "audio"],
  [/^video\//, "video"],
  [/^text\/plain$/, "text"],
];

export function kindLabel(mime) {
  for (const [pattern, kind] of KINDS) if (pattern.test(mime || "")) return t(`files.kind.${kind}`);
  return t("files.kind.other");
}

export function fileId(value) {
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function downloadUrl(id, name) {
  return `/files/${id}/${encodeURIComponent(name || "plik")}`;
}

export function thumbnailUrl(id) {
  return `/files/${id}/thumbnail`;
}
