import type { Server, ServerResponse } from "node:http";
import net, { type Socket } from "node:net";

export type THttpDrain = {
  // Requests being served right now.
  inFlight: () => number;
  // Stops accepting connections and resolves once every request in flight has been answered and
  // every connection is closed — or at `deadline` (epoch ms), cutting off whatever is left.
  close: (deadline: number) => Promise<{ cutOff: number }>;
};

// A connection with nothing in flight is closed after this much idle time once the drain began: a
// request already on its way (sent on a kept-alive connection, or waiting in the socket while the
// event loop was busy) is still served, with "Connection: close".
const IDLE_GRACE_MS = 100;

// Graceful close for a node:http server. server.close() alone stops listening but then waits for
// every keep-alive connection to time out (65 s here) and for upgraded sockets (the dev server's
// HMR websocket) that it never closes. So: responses still to be written say "Connection: close",
// and each connection is closed once it has had nothing in flight for IDLE_GRACE_MS. Attach right
// after createServer, before listen.
export function drainableHttp(server: Server): THttpDrain {
  const sockets = new Map<Socket, number>(); // open connection → responses in flight on it
  const responses = new Set<ServerResponse>();
  let draining = false;

  const closeWhenIdle = (socket: Socket) => {
    setTimeout(() => {
      // Decide after the next poll phase: on a busy event loop, timers run before the sockets are
      // read, and a request may be waiting, unread, in this one.
      setImmediate(() => {
        if (sockets.get(socket) === 0) socket.destroy();
      });
    }, IDLE_GRACE_MS).unref();
  };

  server.on("connection", (socket: Socket) => {
    sockets.set(socket, 0);
    socket.once("close", () => sockets.delete(socket));
    if (draining) closeWhenIdle(socket);
  });
  // Before the app's own handler, so a response started during the drain is marked before it can
  // send its headers.
  server.prependListener("request", (req, res) => {
    const socket = req.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    responses.add(res);
    if (draining) res.setHeader("connection", "close");
    res.once("close", () => {
      responses.delete(res);
      if (!sockets.has(socket)) return;
      const left = sockets.get(socket)! - 1;
      sockets.set(socket, left);
      // Its headers may have gone out before the drain began (keep-alive).
      if (draining && left === 0) closeWhenIdle(socket);
    });
  });

  return {
    inFlight: () => responses.size,
    close: (deadline) =>
      new Promise((resolve) => {
        draining = true;
        for (const res of responses) if (!res.headersSent) res.setHeader("connection", "close");
        let timer: NodeJS.Timeout | null = null;
        // Stop listening. net.Server's close, not http.Server's: the latter also destroys idle
        // keep-alive connections at once, resetting a request the client has just sent on one.
        net.Server.prototype.close.call(server, () => {
          if (timer) clearTimeout(timer);
          resolve({ cutOff: 0 });
        });
        // Idle keep-alive connections, upgraded sockets, connections that have not sent a request.
        for (const [socket, busy] of sockets) if (busy === 0) closeWhenIdle(socket);
        timer = setTimeout(() => {
          const cutOff = responses.size;
          for (const socket of sockets.keys()) socket.destroy();
          resolve({ cutOff });
        }, Math.max(0, deadline - Date.now()));
      }),
  };
}
