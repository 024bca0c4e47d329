// Calls the JSON API with the page's CSRF token; errors come back in one shape.
const csrfMeta = document.querySelector('meta[name="csrf-token"]');

export function csrfToken() {
  return csrfMeta ? csrfMeta.content : "";
}

export function setCsrfToken(token) {
  if (csrfMeta && token) csrfMeta.content = token;
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http_error";
    this.details = error.details || null;
  }
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204 || response.status === 202) return null;
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
