// Playback: a ring of the room's mixed audio, filled 20 ms at a time by the client worker (which
// decrypts, decodes and mixes) and drained by the audio clock. It asks for more whenever it holds
// less than the target, so the worker's timers never decide when sound plays.
/* global sampleRate, registerProcessor, AudioWorkletProcessor */
'use strict';

const SOURCE_RATE = 48000;
const FRAME = 960;
const TARGET_FRAMES = 2; // 20 to 40 ms buffered: the worker answers at once, so this covers its hiccups
const RING_FRAMES = 16; // overflow policy: drop the oldest samples when the worker gets ahead

class StoaPlayback extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ring = new Float32Array(FRAME * RING_FRAMES);
    this.read = 0;
    this.size = 0;
    this.requested = 0; // frames asked for and not yet received
    this.step = SOURCE_RATE / sampleRate; // source samples per output sample
    this.position = 0; // fractional read position for resampling
    this.underruns = 0;
    this.port.onmessage = (message) => {
      const data = message.data;
      if (data?.type === 'port') {
        this.worker = data.port;
        this.worker.onmessage = (m) => this.receive(m.data);
        this.ask();
      }
    };
  }

  receive(data) {
    if (data?.type !== 'pcm' || !(data.pcm instanceof Int16Array)) return;
    this.requested = Math.max(0, this.requested - 1);
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
    const have = Math.floor(this.size / FRAME) + this.requested;
    if (have < TARGET_FRAMES) {
      const frames = TARGET_FRAMES - have;
      this.requested += frames;
      this.worker.postMessage({ type: 'need', frames });
    }
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    for (let i = 0; i < out.length; i += 1) {
      if (this.size < 2) {
        out[i] = 0;
        if (this.worker && i === 0) this.underruns += 1;
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
    this.ask();
    return true;
  }
}

registerProcessor('stoa-playback', StoaPlayback);
