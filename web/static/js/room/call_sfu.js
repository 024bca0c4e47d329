// Calls through the call server (Janus, an SFU): one connection sends my media to the server,
// one connection per other person brings theirs. The page talks only to meetings_hub (the
// call_sfu_* events); descriptions are sent complete (ICE gathered first), so no candidates
// travel separately.
import { TrackSenders } from "./call_senders.js";

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 5000); // send what was found; the rest would come too late anyway
  });
}

// What I send. Same interface as a mesh Peer: addTrack, removeTrack, silence, close.
export class SfuPublisher extends TrackSenders {
  constructor({ iceServers, publish, onError }) {
    super(iceServers);
    this.busy = Promise.resolve();
    this.pc.onnegotiationneeded = () => {
      // One negotiation at a time: a camera added while the microphone's offer is out waits.
      this.busy = this.busy.then(async () => {
        try {
          await this.pc.setLocalDescription(await this.pc.createOffer());
          await gathered(this.pc);
          const answer = await publish(this.pc.localDescription.toJSON());
          await this.pc.setRemoteDescription(answer);
        } catch (error) {
          if (this.pc.signalingState !== "closed") onError(error);
        }
      });
    };
  }
}

// Another person's media, offered by the server.
export class SfuSubscription {
  constructor({ who, leg, sub, iceServers, answer, onTrack }) {
    this.who = who;
    this.leg = leg;
    this.sub = sub;
    this.answer = answer;
    this.pc = new RTCPeerConnection({ iceServers });
    this.pc.ontrack = ({ track, streams }) => onTrack(track, streams[0] || new MediaStream([track]));
    this.busy = Promise.resolve();
  }

  offer(jsep) {
    this.busy = this.busy.then(async () => {
      if (this.pc.signalingState === "closed") return;
      await this.pc.setRemoteDescription(jsep);
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      await gathered(this.pc);
      await this.answer(this.pc.localDescription.toJSON());
    });
    return this.busy;
  }

  close() {
    this.pc.close();
  }
}
