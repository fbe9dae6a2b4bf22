import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  url: string;
}

/** A scripted answer: status and headers. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
}

/**
 * A real webhook receiver on 127.0.0.1: answers each request with the next scripted answer (200 once
 * the script is used up) and keeps what it got.
 */
export async function webhookReceiver(script: Answer[] = []) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
      const a = script.shift() ?? { status: 200 };
      res.writeHead(a.status, a.headers ?? {});
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    got,
    script,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
