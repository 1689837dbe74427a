import type { IncomingHttpHeaders } from 'node:http';

/**
 * A request body read with a bound, for the servers the package runs (the
 * webhook receiver, the stand-in): what is over it is refused without being
 * read whole.
 */

export class BodyTooLarge extends Error {
  constructor() {
    super('The request body is over the bound');
  }
}

/** The body, up to `limit` bytes: past it (or a Content-Length past it) BodyTooLarge, and the rest is not read. */
export function readBounded(stream: NodeJS.ReadableStream, headers: IncomingHttpHeaders, limit: number): Promise<Buffer> {
  if (Number(headers['content-length']) > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      stop();
      stream.pause();
      reject(new BodyTooLarge());
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onClose = (): void => onError(new Error('The request closed before its body was complete'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
