// Placeholder until the browser client (issue 4): lists the relay's public rooms by sending one
// `directory` request over the same-origin WebSocket endpoint (no login is needed for it).
"use strict";

(function () {
  const status = document.getElementById("status");
  const list = document.getElementById("rooms");
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(scheme + "//" + location.host + "/ws");

  socket.addEventListener("open", function () {
    socket.send(JSON.stringify({ v: 1, type: "directory", request_id: 1, offset: 0, limit: 100 }));
  });
  socket.addEventListener("message", function (event) {
    if (typeof event.data !== "string") return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (message.type === "error") {
      status.textContent = "The relay refused the request: " + message.name + " (" + message.code + ")";
    }
    if (message.type !== "directory") return;
    list.replaceChildren();
    for (const room of message.rooms) {
      const item = document.createElement("li");
      item.textContent = room.title;  // text, never HTML: titles are chosen by anyone
      const count = document.createElement("span");
      count.className = "listeners";
      count.textContent = room.listeners + (room.listeners === 1 ? " listener" : " listeners");
      item.appendChild(count);
      list.appendChild(item);
    }
    status.textContent = message.total === 0 ? "No public rooms right now." : message.total + " public room(s).";
    socket.close(1000);
  });
  socket.addEventListener("error", function () {
    status.textContent = "Could not reach the relay's WebSocket endpoint.";
  });
})();
