// One peer-to-peer connection to one other person in the call, negotiated with the "perfect
// negotiation" pattern (either side may renegotiate, e.g. when a camera or a screen is added;
// when both offer at once the polite side gives way). Signals go through the /chat socket.

export class Peer {
  constructor({ who, leg, polite, iceServers, send, onTrack }) {
    this.who = who;
    this.leg = leg;
    this.polite = polite;
    this.send = send;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.senders = new Map(); // local track id -> RTCRtpSender
    this.pc = new RTCPeerConnection({ iceServers });
    this.pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await this.pc.setLocalDescription();
        this.send({ description: this.pc.localDescription.toJSON() });
      } catch {
        // A closed connection or a collision resolved by the other side: nothing to send.
      } finally {
        this.makingOffer = false;
      }
    };
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) this.send({ candidate: candidate.toJSON() });
    };
    this.pc.ontrack = ({ track, streams }) => onTrack(track, streams[0] || new MediaStream([track]));
  }

  async signal({ description, candidate }) {
    if (description) {
      const collision = description.type === "offer" && (this.makingOffer || this.pc.signalingState !== "stable");
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      await this.pc.setRemoteDescription(description);
      if (description.type === "offer") {
        await this.pc.setLocalDescription();
        this.send({ description: this.pc.localDescription.toJSON() });
      }
    } else if (candidate) {
      try {
        await this.pc.addIceCandidate(candidate);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  // Sends a local track (microphone, camera or screen). A muted microphone is sent as no track
  // at all (replaceTrack(null)), so no audio packets leave, not even silence.
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
