// Live events for browsers (实时推送): Server-Sent Events fed by PostgreSQL LISTEN/NOTIFY, so that
// every app instance delivers every event of a topic to its own connections, in the same order.
//
// A topic's events are numbered 1, 2, 3, ... by its owner and stored in the owner's table (the
// opening's event log, for example). NOTIFY carries the event itself when it fits (pg limits a
// payload to 8000 bytes), else only its number; a connection that sees a gap, or a reference,
// reads the missing events from the owner's table. A reconnecting browser sends Last-Event-ID
// and gets everything after it the same way. So the log is the truth and NOTIFY only a doorbell:
// a lost notification delays an event until the next one, it never loses or reorders it.
// See docs/decisions/101-realtime-sse-listen-notify.md.
import { getDatabase } from '~/db/index.server';
import { log } from '~/modules/log.server';

export interface LiveEvent {
  seq: number;
  type: string;
  at: string;
  data: unknown;
}

/** Reads the events of a topic after `seq`, in order (the owner's table). */
export type LoadSince = (afterSeq: number) => Promise<LiveEvent[]>;

const CHANNEL = 'ggzy_live';
const MAX_INLINE = 7000;

interface Wire {
  t: string;
  e?: LiveEvent;
  s: number;
}

type Listener = (seq: number, event: LiveEvent | null) => void;

interface HubState {
  topics: Map<string, Set<Listener>>;
  ready: Promise<void> | null;
  unlisten: (() => Promise<void>) | null;
}

declare global {
  // One LISTEN per process, surviving dev reloads.
  // eslint-disable-next-line no-var
  var __ggzyLiveHub: HubState | undefined;
}

function hub(): HubState {
  globalThis.__ggzyLiveHub ??= { topics: new Map(), ready: null, unlisten: null };
  return globalThis.__ggzyLiveHub;
}

function onNotification(payload: string) {
  let w: Wire;
  try {
    w = JSON.parse(payload) as Wire;
  } catch {
    return;
  }
  const set = hub().topics.get(w.t);
  if (!set) return;
  for (const fn of set) fn(w.s, w.e ?? null);
}

async function ensureListening() {
  const h = hub();
  if (!h.ready) {
    h.ready = (async () => {
      const db = await getDatabase();
      h.unlisten = await db.listen(CHANNEL, onNotification);
    })();
    h.ready.catch(() => {
      h.ready = null;
    });
  }
  return h.ready;
}

/** Local subscription to a topic's doorbell. */
export async function subscribe(topic: string, fn: Listener): Promise<() => void> {
  await ensureListening();
  const h = hub();
  let set = h.topics.get(topic);
  if (!set) {
    set = new Set();
    h.topics.set(topic, set);
  }
  set.add(fn);
  return () => {
    set!.delete(fn);
    if (set!.size === 0) h.topics.delete(topic);
  };
}

/** Call after the transaction that stored the event has committed. Never throws. */
export async function publish(topic: string, event: LiveEvent): Promise<void> {
  try {
    const db = await getDatabase();
    let text = JSON.stringify({ t: topic, s: event.seq, e: event } satisfies Wire);
    if (Buffer.byteLength(text) > MAX_INLINE) text = JSON.stringify({ t: topic, s: event.seq } satisfies Wire);
    await db.notify(CHANNEL, text);
  } catch (e) {
    // The event is in the log; clients pick it up with the next one or on reconnect.
    log.warn('realtime.publish_failed', { topic, seq: event.seq, error: e instanceof Error ? e.message : String(e) });
  }
}

/** Tests and shutdown. */
export async function stopHub() {
  const h = hub();
  const u = h.unlisten;
  h.ready = null;
  h.unlisten = null;
  h.topics.clear();
  if (u) await u().catch(() => {});
}

export function sseFrame(e: LiveEvent): string {
  return `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`;
}

const encoder = new TextEncoder();
/** Frames are encoded once per event, not once per connection (1,000 viewers share them). */
const frameCache = new WeakMap<LiveEvent, Uint8Array>();
function frameBytes(e: LiveEvent): Uint8Array {
  let b = frameCache.get(e);
  if (!b) {
    b = encoder.encode(sseFrame(e));
    frameCache.set(e, b);
  }
  return b;
}

// Gap reads are shared: when 1,000 connections of one instance miss the same event they cause one
// query, not 1,000.
const inflight = new Map<string, Promise<LiveEvent[]>>();
function loadShared(topic: string, after: number, load: LoadSince): Promise<LiveEvent[]> {
  const key = `${topic}|${after}`;
  let p = inflight.get(key);
  if (!p) {
    p = load(after).finally(() => setTimeout(() => inflight.delete(key), 50));
    inflight.set(key, p);
  }
  return p;
}

export interface StreamOptions {
  topic: string;
  request: Request;
  load: LoadSince;
  /** Sent first, without an id (not part of the log): server time, who you are, a snapshot. */
  hello?: () => Promise<unknown> | unknown;
  heartbeatMs?: number;
}

/** Parses Last-Event-ID (header or ?lastEventId= for EventSource polyfills). */
export function lastEventIdOf(request: Request): number {
  const raw = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId') ?? '0';
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** A `text/event-stream` response: backlog after Last-Event-ID, then live events in order. */
export function eventStreamResponse(opts: StreamOptions): Response {
  const { topic, request, load } = opts;
  let lastSent = lastEventIdOf(request);
  let closed = false;
  let unsubscribe: (() => void) | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (b: Uint8Array) => {
        if (closed) return;
        try {
          controller.enqueue(b);
        } catch {
          close();
        }
      };
      const deliver = (events: LiveEvent[]) => {
        for (const e of events) {
          if (e.seq !== lastSent + 1) continue;
          write(frameBytes(e));
          lastSent = e.seq;
        }
      };
      const close = () => {
        if (closed) return;
        closed = true;
        unsubscribe?.();
        if (heartbeat) clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      request.signal.addEventListener('abort', close, { once: true });

      // Subscribe before reading the backlog so nothing committed in between is missed; events
      // queue behind the backlog on the same promise chain and are deduplicated by seq.
      const onBell: Listener = (seq, event) => {
        chain = chain.then(async () => {
          if (closed || seq <= lastSent) return;
          if (event && seq === lastSent + 1) return deliver([event]);
          deliver(await loadShared(topic, lastSent, load));
          // A shared read may have started before this event committed: read again if so.
          if (lastSent < seq) deliver(await load(lastSent));
        }).catch((e) => log.warn('realtime.deliver_failed', { topic, error: e instanceof Error ? e.message : String(e) }));
      };
      unsubscribe = await subscribe(topic, onBell);
      write(encoder.encode(`retry: 2000\n\n`));
      if (opts.hello) {
        const hello = await opts.hello();
        write(encoder.encode(`event: hello\ndata: ${JSON.stringify(hello)}\n\n`));
      }
      chain = chain.then(async () => deliver(await load(lastSent)));
      await chain;
      heartbeat = setInterval(() => write(encoder.encode(`: ping\n\n`)), opts.heartbeatMs ?? 15_000);
      heartbeat.unref?.();
    },
    cancel() {
      closed = true;
      unsubscribe?.();
      if (heartbeat) clearInterval(heartbeat);
    },
  });

  return new Response(stream, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx and similar proxies must not buffer the stream
      'X-Accel-Buffering': 'no',
    },
  });
}
