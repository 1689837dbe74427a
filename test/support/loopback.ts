import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTCPServer, type Server as TCPServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Served {
  baseURL: string;
  close: () => Promise<void>;
}

/** A real HTTP server on loopback, for faults nock cannot fake: resets, drips, huge bodies. */
export function serve(handler: Handler): Promise<Served> {
  const server: Server = createServer(handler);
  return onLoopback(server, () => server.closeAllConnections());
}

/** A raw TCP server on loopback that answers every connection with `bytes`: for what no HTTP server would send. */
export function serveRaw(bytes: (request: string) => string): Promise<Served> {
  const sockets = new Set<Socket>();
  const server = createTCPServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (chunk: Buffer) => socket.write(bytes(chunk.toString('latin1'))));
  });
  return onLoopback(server, () => {
    for (const socket of sockets) socket.destroy();
  });
}

/** Listens on a free loopback port; `close` drops the connections first, so it never waits on a client. */
async function onLoopback(server: Server | TCPServer, dropConnections: () => void): Promise<Served> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        dropConnections();
        server.close(() => resolve());
      }),
  };
}
