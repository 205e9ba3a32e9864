// Shared by the payment tests and the demo script: keys, a notify receiver standing in for the app.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function rsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: k.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKeyPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface NotifyReceiver {
  url: string;
  port: number;
  received: Record<string, string>[];
  /** What the app answers; defaults to `success`. */
  answer: (params: Record<string, string>, index: number) => string | Promise<string>;
  stop(): Promise<void>;
  /** Listens again on the same port (the app coming back up). */
  restart(): Promise<void>;
}

export async function startNotifyReceiver(port = 0): Promise<NotifyReceiver> {
  let server: Server;
  const r: NotifyReceiver = {
    url: '',
    port,
    received: [],
    answer: () => 'success',
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    },
    async restart() {
      await listen(r.port);
    },
  };
  async function listen(p: number): Promise<void> {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const index = r.received.push(params) - 1;
      const text = await r.answer(params, index);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    });
    await new Promise<void>((res) => server.listen(p, '127.0.0.1', () => res()));
    r.port = (server.address() as AddressInfo).port;
    r.url = `http://127.0.0.1:${r.port}/payments/alipay/notify`;
  }
  await listen(port);
  return r;
}

export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
