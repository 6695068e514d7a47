// What Firefox and WebKitGTK need around them to run the client, started and stopped by the tests
// themselves: a PulseAudio null sink (neither engine runs an AudioContext without a sound server),
// an Xvfb display (MiniBrowser has no headless mode) and WebKitWebDriver on a free port.
// Each start returns {…, stop()}; a failed start stops what it began, and whatever is still running
// when the test process exits is killed with its whole process group (MiniBrowser is a child of
// WebKitWebDriver, WebKit's helper processes children of MiniBrowser).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, withTimeout } from '../harness.mjs';

const STARTUP_MS = 15_000;

// Process groups we lead (spawned detached); killed whole when the test process exits.
const groups = new Set();
process.on('exit', () => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const exitedAlready = (child) => child.exitCode !== null || child.signalCode !== null;

// Spawns `command` as the leader of a new process group, keeps the last 4 KB of its output for
// error messages, and returns {child, output(), stop()}: stop() sends SIGTERM to the group, then
// SIGKILL after `graceMs`, and resolves once the leader has exited.
function spawnGroup(command, args, { env = process.env, graceMs = 3_000, stdio } = {}) {
  const child = spawn(command, args, { env, detached: true, stdio: stdio ?? ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (text) => {
    output = (output + text).slice(-4096);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = once(child, 'exit').catch(() => {});
  let spawnError = null;
  child.on('error', (error) => {
    spawnError = error;
  });
  if (child.pid) groups.add(child.pid);
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is gone
    }
  };
  async function stop() {
    if (!child.pid) return;
    if (!exitedAlready(child)) {
      signalGroup('SIGTERM');
      try {
        await withTimeout(exited, graceMs, `${command} to exit after SIGTERM`);
      } catch {
        signalGroup('SIGKILL');
        await exited;
      }
    }
    // Helpers the leader left behind (a MiniBrowser whose driver exited first) go too.
    signalGroup('SIGKILL');
    groups.delete(child.pid);
  }
  return { child, output: () => output, spawnError: () => spawnError, exited, stop };
}

// Polls `ready()` (a promise of a boolean) every 50 ms until it is true; rejects when the process
// exits first or after `timeoutMs`.
async function waitUntil(ready, started, what, timeoutMs = STARTUP_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (started.spawnError()) throw new Error(`${what}: ${started.spawnError().message}`);
    if (exitedAlready(started.child)) {
      throw new Error(`${what}: exited (${started.child.exitCode ?? started.child.signalCode}) first:\n${started.output()}`);
    }
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const connects = (options) =>
  new Promise((resolve) => {
    const socket = net.connect(options);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

// PulseAudio with one null sink, in a fresh temporary directory, reachable only through the unix
// socket `<dir>/native` (anonymous auth). Returns {server, stop()}: `server` is the value for the
// browsers' PULSE_SERVER. As root (here and in CI) PulseAudio runs only in system mode, where it
// drops to the `pulse` user: the directory is left writable for it to create the socket.
export async function startPulseAudio() {
  const dir = mkdtempSync(path.join(tmpdir(), 'stoa-pulse-'));
  chmodSync(dir, 0o777);
  const socket = path.join(dir, 'native');
  const config = path.join(dir, 'null-sink.pa');
  writeFileSync(
    config,
    [
      'load-module module-null-sink sink_name=stoa_null',
      `load-module module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
      'set-default-sink stoa_null',
      '',
    ].join('\n'),
  );
  const args = [
    '--daemonize=no', '--use-pid-file=false', '--exit-idle-time=-1', '--disallow-exit',
    '-n', '-F', config, '--log-target=stderr', '--log-level=error',
  ];
  if (process.getuid?.() === 0) args.unshift('--system');
  const pulse = spawnGroup('pulseaudio', args);
  const stop = async () => {
    await pulse.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(() => existsSync(socket) && connects({ path: socket }), pulse, 'pulseaudio');
  } catch (error) {
    await stop();
    throw error;
  }
  return { server: `unix:${socket}`, stop };
}

// Xvfb on the first free display number (it writes the number it took to -displayfd). Returns
// {display, stop()}.
export async function startXvfb() {
  const xvfb = spawnGroup('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let number = '';
  xvfb.child.stdio[3]?.setEncoding('utf8').on('data', (text) => {
    number += text;
  });
  try {
    await waitUntil(async () => /^\d+\n/.test(number), xvfb, 'Xvfb');
  } catch (error) {
    await xvfb.stop();
    throw error;
  }
  return { display: `:${number.trim()}`, stop: xvfb.stop };
}

// WebKitWebDriver on a free loopback port with `env` (DISPLAY, PULSE_SERVER), which the
// MiniBrowser it starts inherits. Returns {url, stop()} once /status answers.
export async function startWebKitWebDriver({ env }) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const driver = spawnGroup('WebKitWebDriver', [`--port=${port}`], { env });
    const url = `http://127.0.0.1:${port}`;
    const answers = async () => {
      try {
        const reply = await fetch(`${url}/status`, { signal: AbortSignal.timeout(1_000) });
        return reply.ok;
      } catch {
        return false;
      }
    };
    try {
      await waitUntil(answers, driver, 'WebKitWebDriver');
      return { url, stop: driver.stop };
    } catch (error) {
      await driver.stop();
      // Someone took the port between freePort() and the bind: take another.
      if (attempt >= 3 || !/in use|bind/i.test(error.message)) throw error;
    }
  }
}
