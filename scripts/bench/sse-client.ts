/**
 * A raw-TCP HTTP/1.1 client for streamed responses: it timestamps every socket read, so what it reports is what a
 * client really receives and when — no client library buffering in between, and no cap on open streams (the bench
 * process's own `fetch` would stop at 256).
 *
 * An SSE event ends with a blank line ("\n\n"); chunked framing uses "\r\n" only, so counting "\n\n" in the bytes
 * received counts whole events, whatever the framing.
 */

export interface StreamTiming {
  status: number;
  /** ms from sending the request to the first complete event. */
  ttfb: number;
  /** ms from sending the request to the end of the response. */
  ttlb: number;
  /** When each event completed, ms from sending the request. */
  eventTimes: number[];
  /** Socket reads that completed more than one event (events that arrived coalesced). */
  coalescedReads: number;
  reads: number;
}

export interface OpenStream {
  /** Resolves when the first event has arrived. */
  firstEvent: Promise<void>;
  /** Resolves when the response has ended (or the connection closed). */
  done: Promise<StreamTiming>;
  close(): void;
}

const END_OF_CHUNKED = "\r\n0\r\n\r\n";

function countBlankLines(text: string, from: number): number {
  let count = 0;
  for (let i = text.indexOf("\n\n", from); i !== -1; i = text.indexOf("\n\n", i + 2)) count++;
  return count;
}

/** Sends one POST and follows its response; `url` is the server's origin. */
export async function openStream(url: string, path: string, body: string): Promise<OpenStream> {
  const { hostname, port } = new URL(url);
  const request =
    `POST ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
  const decoder = new TextDecoder();
  let text = "";
  let events = 0;
  const timing: StreamTiming = { status: 0, ttfb: Number.NaN, ttlb: Number.NaN, eventTimes: [], coalescedReads: 0, reads: 0 };
  let started = 0;
  let resolveFirst = () => {};
  let resolveDone = (_: StreamTiming) => {};
  const firstEvent = new Promise<void>((resolve) => (resolveFirst = resolve));
  const done = new Promise<StreamTiming>((resolve) => (resolveDone = resolve));
  const finish = () => {
    if (Number.isNaN(timing.ttlb)) timing.ttlb = performance.now() - started;
    resolveFirst();
    resolveDone(timing);
  };

  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(sock, chunk) {
        const now = performance.now() - started;
        const before = text.length;
        text += decoder.decode(chunk, { stream: true });
        timing.reads++;
        if (timing.status === 0) timing.status = Number(text.slice(9, 12));
        const headerEnd = text.indexOf("\r\n\r\n");
        if (headerEnd === -1) return;
        const fresh = countBlankLines(text, Math.max(headerEnd + 4, before - 1));
        for (let i = 0; i < fresh; i++) timing.eventTimes.push(now);
        if (fresh > 1) timing.coalescedReads++;
        if (events === 0 && fresh > 0) {
          timing.ttfb = now;
          resolveFirst();
        }
        events += fresh;
        if (text.endsWith(END_OF_CHUNKED)) {
          timing.ttlb = now;
          sock.end();
          finish();
        }
      },
      close: finish,
      end: finish,
      error: finish,
    },
  });
  started = performance.now();
  socket.write(request);
  return { firstEvent, done, close: () => socket.end() };
}

/** One streamed request, start to end. */
export async function timeStream(url: string, path: string, body: string): Promise<StreamTiming> {
  const stream = await openStream(url, path, body);
  return stream.done;
}
