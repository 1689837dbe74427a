import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTCPServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Served {
  baseURL: string;
  close: () => Promise<void>;
}

/** A real HTTP server on loopback, for faults nock cannot fake: resets, drips, huge bodies. */
export async function serve(handler: Handler): Promise<Served> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A raw TCP server on loopback that answers every connection with `bytes`: for what no HTTP server would send. */
export async function serveRaw(bytes: (request: string) => string): Promise<Served> {
  const sockets = new Set<Socket>();
  const server = createTCPServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (chunk: Buffer) => socket.write(bytes(chunk.toString('latin1'))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
