// Baseline relay for the benchmark: a Socket.IO room-broadcast server as its documentation
// suggests. Every client joins room "bench"; a speaker's `audio` event goes to the rest of the room.
'use strict';
const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 8092);
const server = http.createServer();
// The generator connects with the websocket transport directly (no long-polling upgrade).
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });

io.on('connection', (socket) => {
  socket.join('bench');
  socket.on('audio', (payload) => {
    socket.to('bench').emit('audio', payload);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`baseline_socketio: listening on 127.0.0.1:${port}`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    io.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
