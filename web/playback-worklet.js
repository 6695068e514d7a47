// Playback: a ring of the room's mixed audio, filled 20 ms at a time by the client worker (which
// decrypts, decodes and mixes) and drained by the audio clock. It asks for the next frame when
// the audio it holds (and has asked for) falls below a cushion, so the worker's timers never
// decide when sound plays, and a frame waits behind the cushion only: the smaller it is, the
// sooner a frame is heard.
/* global sampleRate, registerProcessor, AudioWorkletProcessor */
'use strict';

const SOURCE_RATE = 48000;
const FRAME = 960;
const RING_FRAMES = 16; // overflow policy: drop the oldest samples when the worker gets ahead
// The cushion, in 48 kHz samples, covers the worker's reply to a request plus the audio the
// browser renders in one go (Chromium renders 10 ms at a time, several 128-sample quanta back to
// back, and more when its audio thread is late on a busy machine, with no message delivered in
// between). It starts at 40 ms (where a fixed cushion sat before), shrinks by 1 ms after every
// second without running dry, down to 14 ms, and grows by 10 ms for each render quantum that
// finds the ring dry while playing, up to 60 ms: a quiet machine earns a short cushion, a busy
// one keeps a safe one.
const CUSHION_MIN = 672;
const CUSHION_START = 1920;
const CUSHION_MAX = 2880;
const CUSHION_GROW = 480;
const CUSHION_SHRINK = 48;
const CLEAN_SAMPLES_TO_SHRINK = SOURCE_RATE;
const MAX_REQUESTED = 4;

class StoaPlayback extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ring = new Float32Array(FRAME * RING_FRAMES);
    this.read = 0;
    this.size = 0;
    this.requested = 0; // frames asked for and not yet received
    this.step = SOURCE_RATE / sampleRate; // source samples per output sample
    this.position = 0; // fractional read position for resampling
    this.cushion = CUSHION_START;
    this.clean = 0; // source samples played since the ring last ran dry or the cushion shrank
    this.playing = false; // the first frame has arrived: running dry from now on is an underrun
    this.underruns = 0;
    this.port.onmessage = (message) => {
      const data = message.data;
      if (data?.type === 'port') {
        this.worker = data.port;
        this.worker.onmessage = (m) => this.receive(m.data);
        this.ask();
      } else if (data?.type === 'stats') { // a page (or a benchmark) asking how playback went
        this.port.postMessage({ type: 'stats', underruns: this.underruns, cushionMs: (this.cushion * 1000) / SOURCE_RATE });
      }
    };
  }

  receive(data) {
    if (data?.type !== 'pcm' || !(data.pcm instanceof Int16Array)) return;
    this.requested = Math.max(0, this.requested - 1);
    this.playing = true;
    const pcm = data.pcm;
    for (let i = 0; i < pcm.length; i += 1) {
      if (this.size === this.ring.length) { // full: drop the oldest sample
        this.read = (this.read + 1) % this.ring.length;
        this.size -= 1;
      }
      this.ring[(this.read + this.size) % this.ring.length] = pcm[i] / 32768;
      this.size += 1;
    }
  }

  ask() {
    if (!this.worker) return;
    let frames = 0;
    while (this.size + (this.requested + frames) * FRAME < this.cushion && this.requested + frames < MAX_REQUESTED) frames += 1;
    if (frames > 0) {
      this.requested += frames;
      this.worker.postMessage({ type: 'need', frames });
    }
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    let dry = false;
    for (let i = 0; i < out.length; i += 1) {
      if (this.size < 2) {
        out[i] = 0;
        dry = true;
        continue;
      }
      // Linear interpolation; a no-op (step 1) when the context runs at 48 kHz as requested.
      const a = this.ring[this.read];
      const b = this.ring[(this.read + 1) % this.ring.length];
      out[i] = a + (b - a) * this.position;
      this.position += this.step;
      while (this.position >= 1 && this.size > 1) {
        this.position -= 1;
        this.read = (this.read + 1) % this.ring.length;
        this.size -= 1;
      }
    }
    for (let c = 1; c < outputs[0].length; c += 1) outputs[0][c].set(out);
    const played = out.length * this.step;
    if (dry && this.playing) {
      this.underruns += 1;
      this.cushion = Math.min(CUSHION_MAX, this.cushion + CUSHION_GROW);
      this.clean = 0;
    } else if (this.playing) {
      this.clean += played;
      if (this.clean >= CLEAN_SAMPLES_TO_SHRINK) {
        this.cushion = Math.max(CUSHION_MIN, this.cushion - CUSHION_SHRINK);
        this.clean = 0;
      }
    }
    this.ask();
    return true;
  }
}

registerProcessor('stoa-playback', StoaPlayback);
