// One peer-to-peer connection to one other person in the call, negotiated with the "perfect
// negotiation" pattern (either side may renegotiate, e.g. when a camera or a screen is added;
// when both offer at once the polite side gives way). Signals go through the /chat socket.
import { TrackSenders } from "./call_senders.js";

export class Peer extends TrackSenders {
  constructor({ who, leg, polite, iceServers, send, onTrack }) {
    super(iceServers);
    this.who = who;
    this.leg = leg;
    this.polite = polite;
    this.send = send;
    this.makingOffer = false;
    this.ignoreOffer = false;
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
}
