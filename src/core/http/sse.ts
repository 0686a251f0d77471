/**
 * Server-sent events from a byte stream. Bytes are decoded with a streaming
 * TextDecoder (so a chunk boundary inside a multi-byte character is harmless)
 * and parsed by eventsource-parser (comments such as `: OPENROUTER PROCESSING`
 * are dropped, CRLF and LF both work, events may span chunks).
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { SwitchboardError } from '../errors.ts';

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Who sends the stream, so that a broken one is reported as theirs. */
export interface SseSource {
  provider: string;
  model: string;
}

/** Max bytes of one event we accept before calling the stream broken. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;

export async function* sseEvents(body: AsyncIterable<Uint8Array | string>, source?: SseSource): AsyncGenerator<SseEvent> {
  for await (const batch of sseEventBatches(body, source)) for (const e of batch) yield e;
}

/**
 * The same events, one array per chunk of the body (never empty). A decoder that takes whole
 * batches crosses one async boundary per network read instead of one per event.
 */
export async function* sseEventBatches(body: AsyncIterable<Uint8Array | string>, source?: SseSource): AsyncGenerator<SseEvent[]> {
  const decoder = new TextDecoder('utf-8');
  let queue: SseEvent[] = [];
  let parseError: ParseError | null = null;
  const parser = createParser({
    onEvent(e: EventSourceMessage) {
      queue.push({ event: e.event, data: e.data });
    },
    onError(err) {
      // As the SSE spec says, unknown fields and bad `retry` values are ignored;
      // only an event over the size limit breaks the stream.
      if (err.type === 'max-buffer-size-exceeded') parseError = err;
    },
    maxBufferSize: MAX_EVENT_BYTES,
  });
  const broken = (cause: ParseError): SwitchboardError =>
    new SwitchboardError({
      kind: 'invalid_response',
      message: `an event in the stream is larger than ${MAX_EVENT_BYTES / 1024 / 1024} MB`,
      provider: source?.provider ?? null,
      model: source?.model ?? null,
      fix: 'retry or pick another model',
      cause,
    });
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (queue.length > 0) {
      const ready = queue;
      queue = [];
      yield ready;
    }
    if (parseError) throw broken(parseError);
  }
  const rest = decoder.decode();
  // A stream that ends without a trailing blank line still delivers its last event.
  parser.feed(rest + '\n\n');
  if (queue.length > 0) yield queue;
  if (parseError) throw broken(parseError);
}
