// Capture: cuts the microphone into 20 ms frames of 48 kHz 16-bit mono and posts each to the
// client worker, which encodes, encrypts and sends it (or not, when this member may not speak).
/* global sampleRate, registerProcessor, AudioWorkletProcessor */
'use strict';

const TARGET_RATE = 48000;
const FRAME = 960;

class StoaCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.frame = new Int16Array(FRAME);
    this.filled = 0;
    this.step = sampleRate / TARGET_RATE; // input samples per output sample
    this.position = 0;
    this.previous = 0;
    this.port.onmessage = (message) => {
      if (message.data?.type === 'port') this.worker = message.data.port;
    };
  }

  push(sample) {
    const clamped = Math.max(-1, Math.min(1, sample));
    this.frame[this.filled] = clamped < 0 ? clamped * 32768 : clamped * 32767;
    this.filled += 1;
    if (this.filled === FRAME) {
      if (this.worker) this.worker.postMessage({ type: 'pcm', pcm: this.frame }, [this.frame.buffer]);
      this.frame = new Int16Array(FRAME);
      this.filled = 0;
    }
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0) return true;
    const channel = input[0];
    if (this.step === 1) {
      for (let i = 0; i < channel.length; i += 1) this.push(channel[i]);
      return true;
    }
    // Linear resampling to 48 kHz when the browser would not give the context that rate.
    for (let i = 0; i < channel.length; i += 1) {
      const current = channel[i];
      while (this.position <= 1) {
        this.push(this.previous + (current - this.previous) * this.position);
        this.position += this.step;
      }
      this.position -= 1;
      this.previous = current;
    }
    return true;
  }
}

registerProcessor('stoa-capture', StoaCapture);
