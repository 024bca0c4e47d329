// One socket.io connection to the /chat namespace (docs/realtime.md). It starts on HTTP
// long-polling and upgrades to a websocket when the network allows it, so library proxies that
// block websockets still work. Reconnects on its own; callers re-join their rooms on "connect".
import { io } from "../../vendor/socket.io.esm.min.js";
import { t } from "../i18n.js";

const ACK_TIMEOUT_MS = 15000;

export class Connection extends EventTarget {
  constructor() {
    super();
    this.state = "connecting";
    this.refusal = null;
    this.socket = io("/chat", {
      transports: ["polling", "websocket"],
      withCredentials: true,
      reconnectionDelayMax: 5000,
    });
    this.socket.on("connect", () => this.setState("connected"));
    this.socket.on("disconnect", (reason) => {
      // The server closing our session ("io server disconnect") is final; anything else retries.
      this.setState(reason === "io server disconnect" ? "closed" : "reconnecting");
    });
    this.socket.on("connect_error", (error) => {
      if (error && error.data && error.data.code) {
        this.refusal = error.data;
        this.setState("refused");
        return;
      }
      this.setState("reconnecting");
    });
    this.socket.io.on("reconnect_attempt", () => this.setState("reconnecting"));
  }

  // Ends the connection for good, with the reason to show instead of "reload the page".
  finish(reason) {
    this.finalReason = reason;
    this.socket.disconnect();
    this.setState("closed");
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: state }));
  }

  get transport() {
    return this.socket.io.engine ? this.socket.io.engine.transport.name : "";
  }

  on(event, handler) {
    this.socket.on(event, handler);
  }

  // Sends one event and resolves with its ack; rejects with {code, message} when the server
  // says no, when we are offline, or when no ack comes in time.
  async call(event, payload) {
    if (!this.socket.connected) throw { code: "offline", message: t("rooms.conn.offline") };
    let ack;
    try {
      ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
    } catch {
      throw { code: "timeout", message: t("rooms.conn.timeout") };
    }
    if (!ack || ack.ok !== true) {
      throw (ack && ack.error) || { code: "internal", message: t("rooms.error.generic") };
    }
    return ack;
  }
}

// Shows the connection state in a status element, in words (not colour alone).
export function showConnectionState(connection, element) {
  const render = () => {
    const state = connection.state;
    element.dataset.state = state;
    let text = t(`rooms.conn.${state}`);
    if (state === "connected" && connection.transport === "polling") text += ` ${t("rooms.conn.polling")}`;
    if (state === "refused" && connection.refusal) text = `${text} ${errorText(connection.refusal)}`;
    if (state === "closed" && connection.finalReason) text = connection.finalReason;
    element.textContent = text;
  };
  connection.addEventListener("state", render);
  connection.socket.io.on("open", () => {
    const engine = connection.socket.io.engine;
    engine.on("upgrade", render);
  });
  render();
}

// A protocol error in the reader's language (the server's message is English).
export function errorText(error) {
  const code = (error && error.code) || "internal";
  const key = `rooms.error.${code}`;
  const text = t(key);
  return text === key ? (error && error.message) || t("rooms.error.generic") : text;
}
