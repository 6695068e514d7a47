// The page's audio graph (docs/web-client.md, "Modules"): the AudioContext, the playback and
// capture worklets and their ports to the client worker, the output gain node the tests and
// benchmarks read (window.stoaApp.audioOutput), the microphone, and the lock-screen controls
// (MediaSession). Decisions about who may speak stay in the core and the view model.

const MICROPHONE_CONSTRAINTS = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1, sampleRate: 48000 },
};

export class StoaAudio {
  // `post(message, transfer)`: to the client worker. `hooks`: {changed(), error(name),
  // published(context, output)} — the last tells the composition root what the tests read.
  constructor({ post, hooks }) {
    this.post = post;
    this.hooks = hooks;
    this.context = null;
    this.playback = null;       // Promise of the playback chain
    this.gain = null;
    this.paused = false;        // paused from the system media controls
    this.failed = false;
    this.captureNode = null;    // kept for the page's lifetime: its port went to the worker once
    this.stream = null;
    this.source = null;
    this.micBusy = false;
  }

  // Creates the AudioContext; must run inside a tap (autoplay policy), before any await.
  audioContext() {
    if (!this.context) {
      const context = new AudioContext({ sampleRate: 48000, latencyHint: "interactive" });
      this.context = context;
      this.hooks.published(context, this.gain);
      context.addEventListener("statechange", () => this.hooks.changed());
    }
    this.context.resume().catch(() => {});
    return this.context;
  }

  startPlayback() {
    let context;
    try {
      context = this.audioContext();
    } catch {
      this.failed = true;
      this.hooks.error("audio_unavailable");
      this.hooks.changed();
      return Promise.reject(new Error("no AudioContext"));
    }
    if (!this.playback) {
      this.playback = (async () => {
        await context.audioWorklet.addModule("playback-worklet.js");
        const node = new AudioWorkletNode(context, "stoa-playback", { numberOfInputs: 0, outputChannelCount: [1] });
        const gain = context.createGain();
        node.connect(gain).connect(context.destination);
        this.gain = gain;
        this.hooks.published(context, gain);
        const channel = new MessageChannel();
        node.port.postMessage({ type: "port", port: channel.port1 }, [channel.port1]);
        this.post({ type: "playback-port", port: channel.port2 }, [channel.port2]);
        this.failed = false;
        this.hooks.changed();
      })();
      this.playback.catch(() => {
        this.playback = null;  // a later tap tries again
        this.failed = true;
        this.hooks.error("audio_unavailable");
        this.hooks.changed();
      });
    }
    return this.playback;
  }

  // The Listen button, and "play" from the lock screen.
  listen() {
    this.paused = false;
    if (this.gain) this.gain.gain.value = 1;
    this.startPlayback().catch(() => {});
    this.hooks.changed();
  }

  // "pause" from the lock screen: the room keeps flowing (the member stays in it), silenced here.
  pause() {
    this.paused = true;
    if (this.gain) this.gain.gain.value = 0;
    this.hooks.changed();
  }

  // True when the room is audible in this tab.
  running() {
    return Boolean(this.context && this.context.state === "running" && this.gain && !this.paused);
  }

  // The banner's sentence while audio is not running (null when it is).
  bannerText(screen) {
    if (this.running()) return null;
    const context = this.context;
    if (this.failed) return "Audio could not start. Tap Listen to try again.";
    if (this.paused) return "Paused from your device's media controls. Tap Listen to resume.";
    if (context && this.playback && context.state !== "running") return "The browser paused audio. Tap Listen to resume.";
    if (this.playback) return "Starting audio…";
    return screen === "room" ? "Audio is off in this tab. Tap Listen to hear the room." : "Tap Listen so this page may play the room's audio.";
  }

  async startMicrophone() {
    const context = this.audioContext();
    this.startPlayback().catch(() => {});  // a speaker listens too; its failure is reported on its own
    if (this.stream) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw Object.assign(new Error("no getUserMedia"), { name: "InsecureContext" });
    const stream = await navigator.mediaDevices.getUserMedia(MICROPHONE_CONSTRAINTS);
    try {
      if (!this.captureNode) {
        await context.audioWorklet.addModule("capture-worklet.js");
        const node = new AudioWorkletNode(context, "stoa-capture", { numberOfInputs: 1, numberOfOutputs: 0 });
        const channel = new MessageChannel();
        node.port.postMessage({ type: "port", port: channel.port1 }, [channel.port1]);
        this.post({ type: "capture-port", port: channel.port2 }, [channel.port2]);
        this.captureNode = node;
      }
      this.source = context.createMediaStreamSource(stream);
      this.source.connect(this.captureNode);
      this.stream = stream;
    } catch (error) {
      for (const track of stream.getTracks()) track.stop();
      throw error;
    }
  }

  // Off the stage, the microphone is released entirely (the browser's indicator goes out).
  stopMicrophone() {
    if (this.source) this.source.disconnect();
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.source = null;
    this.stream = null;
  }

  // While muted the track is disabled, so silence (not speech) is all the capture worklet sees.
  applyMicrophoneGate(state) {
    if (!this.stream) return;
    const live = Boolean(state && state.inRoom && state.me && !state.me.selfMuted && !state.me.moderatorMuted && state.role !== "listener");
    for (const track of this.stream.getAudioTracks()) track.enabled = live;
  }

  // The microphone's error name for the page, from getUserMedia's failure.
  static microphoneError(error) {
    return error && error.name === "InsecureContext" ? "microphone_insecure"
      : error && error.name === "NotFoundError" ? "microphone_missing"
      : error && (error.name === "NotAllowedError" || error.name === "SecurityError") ? "microphone_denied"
      : "audio_unavailable";
  }

  // Background tabs: resume a context the browser suspended as soon as the page is back.
  resumeIfWanted() {
    if (this.context && this.playback && !this.paused && this.context.state !== "running") {
      this.context.resume().catch(() => {});
    }
  }

  // ---- lock-screen controls (MediaSession) ----

  static setMediaAction(action, handler) {
    try {
      navigator.mediaSession.setActionHandler(action, handler);
    } catch { /* an action this browser does not know */ }
  }

  // `title`: the room's, or null out of a room (the controls go away).
  updateMediaSession(title) {
    if (!("mediaSession" in navigator)) return;
    if (title === null) {
      navigator.mediaSession.metadata = null;
      return;
    }
    if (typeof MediaMetadata === "undefined") return;
    try {
      navigator.mediaSession.metadata = new MediaMetadata({
        title, artist: "Stoa", album: "Live audio room",
        artwork: [
          { src: "icons/stoa-512.png", sizes: "512x512", type: "image/png" },
          { src: "icons/stoa.svg", sizes: "any", type: "image/svg+xml" },
        ],
      });
      navigator.mediaSession.playbackState = this.paused ? "paused" : "playing";
    } catch { /* metadata is a nicety */ }
  }

  // `actions`: {play(), pause(), toggleMicrophone(), hangUp()}.
  installMediaSessionHandlers(actions) {
    if (!("mediaSession" in navigator)) return;
    StoaAudio.setMediaAction("play", actions.play);
    StoaAudio.setMediaAction("pause", actions.pause);
    StoaAudio.setMediaAction("togglemicrophone", actions.toggleMicrophone);
    StoaAudio.setMediaAction("hangup", actions.hangUp);
  }
}
