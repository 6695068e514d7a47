// A jittery link for the browser benchmarks: a TCP proxy on 127.0.0.1 that holds every chunk it
// forwards, in either direction, for DELAY + a random 0..JITTER ms before passing it on, in order
// (a chunk never overtakes the one before it, as on one TCP connection: a late chunk holds up the
// ones behind it). Loopback Linux has no netem here (no sch_netem module), so the delay is added
// in user space; its own timer error (about 1 ms) is small next to the jitter it adds.
//
//   const proxy = await startJitterProxy({ port, targetPort, delayMs: 10, jitterMs: 30, seed: 1 });
//   ... open proxy.url ...; proxy.stats() -> {chunks, maxHeldMs}; await proxy.close();
//
// The browser signs the origin it loaded the page from, so the relay behind the proxy is started
// with the proxy's origin as its auth context.
import { once } from 'node:events';
import net from 'node:net';

// A small seeded generator (mulberry32), so runs with one seed add the same delays.
function random32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startJitterProxy({ port = 0, targetPort, delayMs = 10, jitterMs = 30, seed = 1 }) {
  const random = random32(seed);
  const counts = { chunks: 0, maxHeldMs: 0 };
  const sockets = new Set();

  // Forwards `from`'s chunks to `to`, each held until its delivery time, in order: one queue and
  // one timer per direction.
  function delayed(from, to) {
    const queue = [];
    let timer = null;
    let lastDue = 0;
    let ended = false;
    const drain = () => {
      timer = null;
      const now = performance.now();
      while (queue.length > 0 && queue[0].due <= now + 0.5) {
        const { chunk } = queue.shift();
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0].due - now);
      else if (ended) to.end();
    };
    from.on('data', (chunk) => {
      const arrived = performance.now();
      const due = Math.max(lastDue, arrived + delayMs + random() * jitterMs);
      lastDue = due;
      counts.chunks += 1;
      counts.maxHeldMs = Math.max(counts.maxHeldMs, due - arrived);
      queue.push({ chunk, due });
      if (timer === null) timer = setTimeout(drain, due - arrived);
    });
    from.on('end', () => {
      ended = true;
      if (queue.length === 0 && timer === null) to.end();
    });
  }

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayed(client, upstream);
    delayed(upstream, client);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const actualPort = server.address().port;
  return {
    port: actualPort,
    origin: `http://127.0.0.1:${actualPort}`,
    url: `http://127.0.0.1:${actualPort}/`,
    stats: () => ({ ...counts }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
