// The HTTP front: Express serves static assets and hands every other request to Remix. It owns
// what must happen before Remix sees a request: body size limits, the client address, security
// headers for assets, and graceful shutdown.
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import compression from 'compression';
import express from 'express';
import { createRequestHandler } from '@remix-run/express';

const CLIENT_IP_HEADER = 'x-ggzy-client-ip';

/** Paths that take large streamed bodies and enforce their own caps. */
const LARGE_BODY_PREFIXES = ['/api/uploads/', '/tsa', '/api/alipay/'];

export function bodyLimit(limitBytes) {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    if (LARGE_BODY_PREFIXES.some((p) => req.path.startsWith(p))) return next();
    const len = req.headers['content-length'];
    if (len === undefined) {
      if (req.headers['transfer-encoding']) {
        res.status(411).type('text/plain; charset=utf-8').send('需要 Content-Length');
        return;
      }
      return next();
    }
    if (Number(len) > limitBytes) {
      res.status(413).type('text/plain; charset=utf-8').send('请求内容过大');
      req.resume();
      return;
    }
    next();
  };
}

export async function loadBuild(buildPath = path.resolve(process.env.BUILD_DIR || 'build', 'index.js')) {
  return import(pathToFileURL(buildPath).href + `?t=${Date.now()}`);
}

export function createApp({ build, bodyLimitBytes = 1024 * 1024, trustProxy = false }) {
  const app = express();
  app.disable('x-powered-by');
  if (trustProxy) app.set('trust proxy', true);
  app.use(compression({ filter: (req, res) => !String(res.getHeader('Content-Type') ?? '').includes('text/event-stream') && compression.filter(req, res) }));
  app.use('/build', express.static(path.join(process.env.BUILD_DIR || 'build', 'assets'), { immutable: true, maxAge: '1y' }));
  app.use(express.static('public', { maxAge: '1h' }));
  app.use((req, _res, next) => {
    // The only trusted source of the client address; whatever a client sends under this name is dropped.
    req.headers[CLIENT_IP_HEADER] = (trustProxy ? req.ip : req.socket.remoteAddress) ?? '';
    next();
  });
  app.use(bodyLimit(bodyLimitBytes));
  app.all('*', createRequestHandler({ build, mode: process.env.NODE_ENV ?? 'production' }));
  return app;
}

export async function serve({ build, port, host = '0.0.0.0', bodyLimitBytes, trustProxy, onClose }) {
  const app = createApp({ build, bodyLimitBytes, trustProxy });
  // Requests the app serves from Node's own request and response, before Express (sealed-bid
  // chunk uploads: thousands near a deadline); everything else goes to Express.
  const raw = build.entry?.module?.rawRoutes;
  const handler = typeof raw === 'function' ? (req, res) => (raw(req, res) ? undefined : app(req, res)) : app;
  const server = await new Promise((resolve) => {
    const s = http.createServer(handler);
    s.listen(port, host, () => resolve(s));
  });
  server.keepAliveTimeout = 65_000;
  let closing = false;
  async function close(signal) {
    if (closing) return;
    closing = true;
    console.log(JSON.stringify({ t: new Date().toISOString(), level: 'info', msg: 'server.stopping', signal }));
    const timer = setTimeout(() => process.exit(0), 10_000);
    timer.unref();
    server.closeIdleConnections?.();
    await new Promise((r) => server.close(r));
    if (onClose) await onClose();
    process.exit(0);
  }
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void close(sig));
  return { server, app, close };
}
