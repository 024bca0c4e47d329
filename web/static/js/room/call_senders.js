// What every outgoing connection of a call does with the local tracks, whether it goes to one
// person (call_peer.js) or to the media server (call_sfu.js). A muted microphone is sent as no
// track at all (replaceTrack(null)), so no audio packets leave, not even silence.
export class TrackSenders {
  constructor(iceServers) {
    this.senders = new Map(); // local track id -> RTCRtpSender
    this.pc = new RTCPeerConnection({ iceServers });
  }

  addTrack(track, stream, { silent = false } = {}) {
    if (this.senders.has(track.id) || this.pc.signalingState === "closed") return;
    const sender = this.pc.addTrack(track, stream);
    this.senders.set(track.id, sender);
    if (silent) sender.replaceTrack(null);
  }

  removeTrack(track) {
    const sender = this.senders.get(track.id);
    if (!sender) return;
    this.senders.delete(track.id);
    if (this.pc.signalingState !== "closed") this.pc.removeTrack(sender);
  }

  silence(track, silent) {
    const sender = this.senders.get(track.id);
    if (sender) sender.replaceTrack(silent ? null : track);
  }

  close() {
    this.pc.close();
  }
}
