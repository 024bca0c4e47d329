// The call in the room: "Dołącz do rozmowy głosowej" joins with the microphone only; camera and
// screen sharing are buttons. Peer to peer, every browser sends to every other one and the
// server passes the signals; through the call server (Janus), the browser sends once to it and
// receives one stream per person (docs/calls.md, realtime/call.py).
// Builds DOM with textContent only.
import { t } from "../i18n.js";
import { Peer } from "./call_peer.js";
import { SfuPublisher, SfuSubscription } from "./call_sfu.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Why getUserMedia / getDisplayMedia failed, in words the person can act on.
function mediaProblem(error, what) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError") return t(`calls.error.denied_${what}`);
  if (name === "NotFoundError" || name === "OverconstrainedError") return t(`calls.error.no_${what}`);
  if (name === "NotReadableError") return t(`calls.error.busy_${what}`);
  return t("calls.error.media");
}

export function setupCall(section, { connection, roomId, me, participants }) {
  const $ = (selector) => section.querySelector(selector);
  const joinButton = $(".call-join");
  const muteButton = $(".call-mute");
  const cameraButton = $(".call-camera");
  const screenButton = $(".call-screen");
  const leaveButton = $(".call-leave");
  const status = $(".call-status");
  const problem = $(".call-problem");
  const tiles = $(".call-tiles");
  const count = $(".call-count");

  let members = new Map(); // who -> {who, name, guest, leg, muted, camera, screen}
  let max = null;
  let leg = null; // mine, while in the call
  let joining = false;
  let roomOpen = true;
  let iceServers = [];
  const peers = new Map(); // who -> Peer (mesh) or SfuSubscription (call server)
  let publisher = null; // SfuPublisher, through the call server
  // Where my tracks go: the call server, or every other person.
  const outlets = () => (publisher ? [publisher] : [...peers.values()]);
  const local = { mic: null, camera: null, screen: null, muted: false };

  const supported = Boolean(window.RTCPeerConnection && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);

  // --- what the page shows -------------------------------------------------------------------
  function render() {
    const inCall = leg !== null;
    joinButton.hidden = inCall;
    joinButton.disabled = joining || !roomOpen || !supported;
    for (const button of [muteButton, cameraButton, leaveButton]) button.hidden = !inCall;
    screenButton.hidden = !inCall || !navigator.mediaDevices.getDisplayMedia;
    muteButton.setAttribute("aria-pressed", String(local.muted));
    muteButton.textContent = local.muted ? t("calls.unmute") : t("calls.mute");
    cameraButton.setAttribute("aria-pressed", String(Boolean(local.camera)));
    cameraButton.textContent = local.camera ? t("calls.camera_off") : t("calls.camera_on");
    screenButton.setAttribute("aria-pressed", String(Boolean(local.screen)));
    screenButton.textContent = local.screen ? t("calls.screen_off") : t("calls.screen_on");
    count.textContent = members.size
      ? t("calls.count", { count: members.size, max: max ?? "?" })
      : "";
    section.dataset.state = inCall ? "in-call" : joining ? "joining" : "idle";
    for (const tile of tiles.querySelectorAll(".call-tile")) renderTileState(tile);
    participants.render();
  }

  function renderTileState(tile) {
    const member = members.get(tile.dataset.who);
    const state = tile.querySelector(".call-tile-state");
    if (!member || !state) return;
    const words = [];
    if (member.muted) words.push(t("calls.state.muted"));
    if (member.camera) words.push(t("calls.state.camera"));
    if (member.screen) words.push(t("calls.state.screen"));
    state.textContent = words.join(", ");
  }

  // The participant list marks who is in the call.
  participants.decorators.push((item, person) => {
    const member = members.get(person.who);
    if (!member) return;
    const badge = el("span", "badge call-badge", member.muted ? t("calls.in_call_muted") : t("calls.in_call"));
    item.querySelector(".person-name")?.after(" ", badge);
  });

  function tileFor(who) {
    let tile = tiles.querySelector(`.call-tile[data-who="${CSS.escape(who)}"]`);
    if (tile) return tile;
    const member = members.get(who) || { name: who };
    tile = el("li", "call-tile");
    tile.dataset.who = who;
    const name = who === me.who ? `${me.name} (${t("rooms.people.you")})` : member.name;
    tile.append(el("span", "call-tile-name", name), " ", el("span", "call-tile-state"));
    tiles.append(tile);
    renderTileState(tile);
    return tile;
  }

  function showStream(who, track, stream) {
    const tile = tileFor(who);
    const kind = track.kind;
    let media = tile.querySelector(`${kind}[data-stream="${CSS.escape(stream.id)}"]`);
    if (!media) {
      media = document.createElement(kind);
      media.dataset.stream = stream.id;
      media.autoplay = true;
      if (kind === "video") {
        media.playsInline = true;
        media.muted = true; // its sound comes through the audio element
        media.setAttribute("aria-label", t("calls.video_of", { name: tile.querySelector(".call-tile-name").textContent }));
      }
      media.srcObject = stream;
      tile.append(media);
      stream.addEventListener("removetrack", () => {
        if (!stream.getTracks().some((each) => each.kind === kind)) media.remove();
      });
    }
    track.addEventListener("ended", () => {
      if (!stream.getTracks().some((each) => each.kind === kind && each.readyState === "live")) media.remove();
    });
  }

  // --- peers -----------------------------------------------------------------------------------
  function peerFor(who, peerLeg) {
    const known = peers.get(who);
    if (known && known.leg === peerLeg) return known;
    if (known) dropPeer(who);
    const peer = new Peer({
      who,
      leg: peerLeg,
      polite: me.who < who,
      iceServers,
      send: (payload) => connection.call("call_signal", { room_id: roomId, to: who, ...payload }).catch(() => {}),
      onTrack: (track, stream) => showStream(who, track, stream),
    });
    peers.set(who, peer);
    tileFor(who);
    for (const [name, stream] of [["mic", local.mic], ["camera", local.camera], ["screen", local.screen]]) {
      if (!stream) continue;
      for (const track of stream.getTracks()) peer.addTrack(track, stream, { silent: name === "mic" && local.muted });
    }
    return peer;
  }

  function dropPeer(who) {
    const peer = peers.get(who);
    if (peer) peer.close();
    peers.delete(who);
    tiles.querySelector(`.call-tile[data-who="${CSS.escape(who)}"]`)?.remove();
  }

  // --- joining and leaving -------------------------------------------------------------------
  async function join() {
    if (leg !== null || joining) return;
    problem.textContent = "";
    joining = true;
    render();
    try {
      if (!local.mic) {
        status.textContent = t("calls.asking_microphone");
        try {
          local.mic = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
        } catch (error) {
          problem.textContent = mediaProblem(error, "microphone");
          status.textContent = "";
          return;
        }
      }
      await enterCall();
    } finally {
      joining = false;
      render();
    }
  }

  async function enterCall() {
    let ack;
    try {
      ack = await connection.call("call_join", { room_id: roomId, muted: local.muted, camera: Boolean(local.camera), screen: Boolean(local.screen) });
    } catch (error) {
      status.textContent = "";
      if (error.code === "call_full") problem.textContent = t("calls.error.full", { max: max ?? "?" });
      else if (error.code === "call_closed") problem.textContent = t("calls.error.closed");
      else if (error.code === "call_server_down") problem.textContent = t("calls.error.server_down");
      else problem.textContent = error.message || t("rooms.error.generic");
      stopLocal();
      return;
    }
    leg = ack.leg;
    max = ack.max;
    iceServers = ack.ice_servers || [];
    members.set(me.who, { who: me.who, name: me.name, guest: me.guest, leg, muted: local.muted });
    for (const peer of ack.peers) members.set(peer.who, peer);
    if (ack.mode === "sfu") {
      publisher = new SfuPublisher({
        iceServers,
        publish: async (jsep) => (await connection.call("call_sfu_publish", { room_id: roomId, jsep })).jsep,
        onError: (error) => {
          problem.textContent = error.code === "call_server_down" ? t("calls.error.server_down") : t("calls.error.media");
        },
      });
      for (const [name, stream] of [["mic", local.mic], ["camera", local.camera], ["screen", local.screen]]) {
        if (!stream) continue;
        for (const track of stream.getTracks()) publisher.addTrack(track, stream, { silent: name === "mic" && local.muted });
      }
    } else {
      for (const peer of ack.peers) peerFor(peer.who, peer.leg); // the newcomer offers to everyone in the call
    }
    const mine = tileFor(me.who);
    mine.classList.add("call-tile-me");
    status.textContent = t("calls.joined");
  }

  function closePublisher() {
    if (publisher) publisher.close();
    publisher = null;
  }

  function stopLocal() {
    for (const name of ["mic", "camera", "screen"]) {
      if (local[name]) for (const track of local[name].getTracks()) track.stop();
      local[name] = null;
    }
    local.muted = false;
  }

  // Ends my part of the call here: every connection, every device. reason: a calls.ended.* key.
  function end(reason) {
    const wasIn = leg !== null;
    leg = null;
    closePublisher();
    for (const who of [...peers.keys()]) dropPeer(who);
    tiles.replaceChildren();
    members.delete(me.who);
    stopLocal();
    if (wasIn || reason) status.textContent = reason ? t(`calls.ended.${reason}`) : t("calls.left");
    render();
  }

  async function leave() {
    end(null);
    await connection.call("call_leave", { room_id: roomId }).catch(() => {});
  }

  function sendState() {
    if (leg === null) return;
    const state = { muted: local.muted, camera: Boolean(local.camera), screen: Boolean(local.screen) };
    members.set(me.who, { ...members.get(me.who), ...state });
    connection.call("call_state", { room_id: roomId, ...state }).catch(() => {});
    render();
  }

  function toggleMute() {
    local.muted = !local.muted;
    for (const track of local.mic ? local.mic.getAudioTracks() : []) {
      track.enabled = !local.muted;
      for (const outlet of outlets()) outlet.silence(track, local.muted);
    }
    status.textContent = local.muted ? t("calls.muted") : t("calls.unmuted");
    sendState();
  }

  async function addVideo(name, open) {
    problem.textContent = "";
    let stream;
    try {
      stream = await open();
    } catch (error) {
      problem.textContent = mediaProblem(error, name);
      return;
    }
    if (leg === null) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    local[name] = stream;
    for (const track of stream.getTracks()) {
      // Stopping from the browser's own bar ("Stop sharing") ends the track: follow it.
      track.addEventListener("ended", () => removeVideo(name));
      for (const outlet of outlets()) outlet.addTrack(track, stream);
    }
    showStream(me.who, stream.getVideoTracks()[0], stream);
    sendState();
  }

  function removeVideo(name) {
    const stream = local[name];
    if (!stream) return;
    local[name] = null;
    for (const track of stream.getTracks()) {
      track.stop();
      for (const outlet of outlets()) outlet.removeTrack(track);
    }
    tiles.querySelector(`.call-tile-me video[data-stream="${CSS.escape(stream.id)}"]`)?.remove();
    sendState();
  }

  // Space toggles the microphone while in the call, unless focus is where a space means
  // something else (the composer, a field, a button, a link).
  document.addEventListener("keydown", (event) => {
    if (event.code !== "Space" || leg === null || event.repeat || event.ctrlKey || event.altKey || event.metaKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, button, a, [contenteditable], [role=listbox]")) return;
    event.preventDefault();
    toggleMute();
  });
  joinButton.addEventListener("click", join);
  leaveButton.addEventListener("click", leave);
  muteButton.addEventListener("click", toggleMute);
  cameraButton.addEventListener("click", () =>
    local.camera ? removeVideo("camera") : addVideo("camera", () => navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: false })),
  );
  screenButton.addEventListener("click", () =>
    local.screen ? removeVideo("screen") : addVideo("screen", () => navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })),
  );

  // --- what the server says --------------------------------------------------------------------
  connection.on("call_joined", (member) => {
    if (member.room_id !== roomId) return;
    if (member.who === me.who) {
      if (member.leg !== leg && leg !== null) end("elsewhere");
      else members.set(me.who, member);
    } else {
      const known = members.get(member.who);
      members.set(member.who, member);
      // A new leg of someone we talk to (their other tab, a reconnect): start afresh.
      if (known && known.leg !== member.leg && peers.has(member.who)) dropPeer(member.who);
    }
    render();
  });
  connection.on("call_left", (event) => {
    if (event.room_id !== roomId) return;
    const member = members.get(event.who);
    if (member && member.leg === event.leg) members.delete(event.who);
    const peer = peers.get(event.who);
    if (peer && (peer.leg === event.leg || peer.leg === undefined)) dropPeer(event.who);
    render();
  });
  connection.on("call_ended", (event) => {
    if (event.room_id === roomId && event.leg === leg) end(event.reason);
  });
  connection.on("call_state", (event) => {
    if (event.room_id !== roomId) return;
    const member = members.get(event.who);
    if (member && member.leg === event.leg) members.set(event.who, { ...member, muted: event.muted, camera: event.camera, screen: event.screen });
    render();
  });
  connection.on("call_signal", async (event) => {
    if (event.room_id !== roomId || leg === null || event.to_leg !== leg) return;
    try {
      await peerFor(event.from, event.from_leg).signal(event);
    } catch {
      // A description that no longer fits (the peer left meanwhile): the next one will.
    }
  });
  connection.on("call_sfu_offer", (event) => {
    if (event.room_id !== roomId || leg === null || event.to_leg !== leg) return;
    // The server renegotiates a subscription whose publisher just left: nothing to receive.
    if (!members.has(event.who)) return;
    let sub = peers.get(event.who);
    if (!sub || sub.sub !== event.sub) {
      if (sub) dropPeer(event.who);
      sub = new SfuSubscription({
        who: event.who,
        leg: members.get(event.who)?.leg,
        sub: event.sub,
        iceServers,
        answer: (jsep) => connection.call("call_sfu_answer", { room_id: roomId, sub: event.sub, jsep }),
        onTrack: (track, stream) => showStream(event.who, track, stream),
      });
      peers.set(event.who, sub);
      tileFor(event.who);
    }
    sub.offer(event.jsep).catch(() => {});
  });
  connection.on("removed", (event) => {
    if (event.room_id === roomId) end("removed");
  });
  connection.on("room_updated", (next) => {
    if (next.room_id !== roomId) return;
    roomOpen = !next.ended;
    if (next.ended && leg !== null) end("ended");
    render();
  });

  if (!supported) problem.textContent = t("calls.error.unsupported");
  render();

  return {
    // After every (re)join of the room: who is in the call; after a reconnect the server has
    // ended my earlier leg, so I join again with the devices I have.
    async roomJoined(room) {
      roomOpen = !room.ended;
      const wasIn = leg !== null;
      try {
        const ack = await connection.call("call_who", { room_id: roomId });
        members = new Map(ack.members.map((member) => [member.who, member]));
        max = ack.max;
      } catch {
        return;
      }
      if (wasIn) {
        leg = null;
        closePublisher();
        for (const who of [...peers.keys()]) dropPeer(who);
        await enterCall();
      }
      render();
    },
    end,
  };
}
