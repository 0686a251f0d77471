/**
 * Server-sent events from a byte stream. Bytes are decoded with a streaming
 * TextDecoder (so a chunk boundary inside a multi-byte character is harmless)
 * and parsed by eventsource-parser (comments such as `: OPENROUTER PROCESSING`
 * are dropped, CRLF and LF both work, events may span chunks).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Max bytes of one event we accept before calling the stream broken. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;

export async function* sseEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  let queue: SseEvent[] = [];
  let parseError: Error | null = null;
  const parser = createParser({
    onEvent(e: EventSourceMessage) {
      queue.push({ event: e.event, data: e.data });
    },
    onError(err) {
      parseError = err;
    },
    maxBufferSize: MAX_EVENT_BYTES,
  });
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (parseError) throw parseError;
    if (queue.length > 0) {
      const ready = queue;
      queue = [];
      for (const e of ready) yield e;
    }
  }
  const rest = decoder.decode();
  // A stream that ends without a trailing blank line still delivers its last event.
  parser.feed(rest + '\n\n');
  for (const e of queue) yield e;
}
