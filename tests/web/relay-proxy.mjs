// A hostile relay for the browser tests: a TCP proxy in front of stoa-server that serves the page
// unchanged and, on a WebSocket connection the test picks, rewrites the relay's JSON messages
// before the browser sees them. Node built-ins only (no `ws` package): the proxy parses just the
// server-to-client frames of an upgraded connection, which are unmasked.
//
//   const proxy = await startRelayProxy({ port, targetPort });   // the page opens proxy.url
//   proxy.tamperNextWebSocket((text) => text.replaceAll(a, b));  // the next /ws connection only
//
// The browser signs the origin it loaded the page from, so the relay behind the proxy must be
// started with the proxy's origin as its auth context (startServer({authContext: proxy origin})).
import { once } from 'node:events';
import net from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');
const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;

// One unmasked frame (server to client), FIN set.
function encodeFrame(opcode, payload) {
  let head;
  if (payload.length < 126) {
    head = Buffer.from([0x80 | opcode, payload.length]);
  } else if (payload.length < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(payload.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([head, payload]);
}

// Server-to-client frames in, frames out: whole text messages (reassembled if fragmented) pass
// through `tamper`, everything else (binary media and keys, ping, pong, close) goes through as is.
function frameRewriter(tamper, write) {
  let pending = Buffer.alloc(0);
  let textParts = null;
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (pending.length < 2) return;
      const opcode = pending[0] & 0x0f;
      const fin = (pending[0] & 0x80) !== 0;
      const masked = (pending[1] & 0x80) !== 0;
      let length = pending[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      if (masked) offset += 4;
      if (pending.length < offset + length) return;
      const frame = pending.subarray(0, offset + length);
      const payload = pending.subarray(offset, offset + length);
      pending = pending.subarray(offset + length);
      const textFrame = !masked && (opcode === OPCODE_TEXT || (opcode === OPCODE_CONTINUATION && textParts !== null));
      if (!textFrame) {
        write(Buffer.from(frame));
        continue;
      }
      textParts = opcode === OPCODE_TEXT ? [Buffer.from(payload)] : [...textParts, Buffer.from(payload)];
      if (!fin) continue;
      const text = Buffer.concat(textParts).toString('utf8');
      textParts = null;
      write(encodeFrame(OPCODE_TEXT, Buffer.from(tamper(text), 'utf8')));
    }
  };
}

// Resolves with {port, origin, url, webSockets, tamperNextWebSocket(fn), stop()} once listening on
// 127.0.0.1:port; every connection is forwarded to 127.0.0.1:targetPort.
export async function startRelayProxy({ port, targetPort }) {
  let armed = null;
  const stats = { webSockets: 0, tampered: 0, rewrittenMessages: 0 };
  const sockets = new Set();
  const keep = (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };

  const server = net.createServer((client) => {
    keep(client);
    let head = Buffer.alloc(0);
    const onFirstData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0 && head.length < 65536) return;
      client.off('data', onFirstData);
      client.pause();
      start(end < 0 ? head.length : end + HEAD_END.length);
    };
    client.on('data', onFirstData);

    function start(headLength) {
      let request = head.subarray(0, headLength).toString('latin1');
      const rest = head.subarray(headLength);
      const upgrade = /^upgrade:\s*websocket\s*$/im.test(request);
      let tamper = null;
      if (upgrade) {
        stats.webSockets += 1;
        // No permessage-deflate: the frames must be readable here.
        request = request.replace(/^sec-websocket-extensions:.*\r\n/gim, '');
        if (armed) {
          tamper = armed;
          armed = null;
          stats.tampered += 1;
        }
      }
      const upstream = keep(net.connect(targetPort, '127.0.0.1'));
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.write(Buffer.from(request, 'latin1'));
      if (rest.length) upstream.write(rest);
      client.pipe(upstream);
      client.resume();
      if (!tamper) {
        upstream.pipe(client);
        return;
      }
      // The response head goes through as is; after it, the frames.
      let responseHead = Buffer.alloc(0);
      let rewrite = null;
      const counted = (text) => {
        const out = tamper(text);
        if (out !== text) stats.rewrittenMessages += 1;
        return out;
      };
      upstream.on('data', (chunk) => {
        if (rewrite) {
          rewrite(chunk);
          return;
        }
        responseHead = Buffer.concat([responseHead, chunk]);
        const end = responseHead.indexOf(HEAD_END);
        if (end < 0) return;
        client.write(responseHead.subarray(0, end + HEAD_END.length));
        rewrite = frameRewriter(counted, (bytes) => client.write(bytes));
        const after = responseHead.subarray(end + HEAD_END.length);
        if (after.length) rewrite(after);
      });
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    origin,
    url: `${origin}/`,
    stats,
    // `fn(text) -> text` rewrites every relay-to-browser JSON message of the next WebSocket
    // connection through this proxy (and of no other).
    tamperNextWebSocket(fn) {
      armed = fn;
    },
    async stop() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
