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
  // ignoreBOM: the parser drops the stream's leading BOM itself; the decoder may start mid-stream (above).
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
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
  // A chunk that ends in an ASCII byte, after one that did too, holds whole characters: decoded at
  // once (Buffer's native decoder, several times faster than a streaming TextDecoder on this path).
  // Otherwise the TextDecoder, which carries a character split across chunks to the next.
  let split = false;
  const text = (chunk: Uint8Array): string => {
    if (chunk.length === 0) return '';
    const tail = chunk[chunk.length - 1]!;
    if (split || tail >= 0x80) {
      split = tail >= 0x80;
      return decoder.decode(chunk, { stream: true });
    }
    return (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)).toString('utf8');
  };
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : text(chunk));
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
