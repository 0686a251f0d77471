/**
 * What a gateway "door" is: one client protocol (Anthropic Messages, OpenAI Responses) translated
 * onto the core request model (src/core/request.ts) and back. A door never sees a provider's wire
 * format: the core's adapters do that, so any door reaches any upstream protocol.
 */
import type { ModelRequest, ProtocolId } from '../../core/index.ts';
import type { ChatResult, StreamPart } from '../../core/index.ts';
import type { HttpError } from '../errors.ts';
import type { StateCache } from './stateCache.ts';
import { SwitchboardError } from '../../core/index.ts';

/** A request a door parsed: the model id the client named, the neutral request, and what was left out. */
export interface DoorRequest {
  model: string;
  request: Omit<ModelRequest, 'signal'>;
  stream: boolean;
  /** Things left out or approximated (hosted tools, unsupported hints): sent as `x-switchboard-warnings`. */
  warnings: string[];
  /**
   * false when the body cannot go to a model of the door's own protocol as it is, even with no
   * warning: the door rewrote something in it (flattened tool namespaces, a conversation it keeps).
   */
  forwardable?: boolean;
  /**
   * Warnings that hold only for a translated request: what the door could not carry onto the core
   * request (a parameter it does not know, top_k) goes to an upstream of the door's own protocol as
   * the client sent it. Such a request may still be forwarded, and its answer does not repeat them.
   */
  resolvedByForwarding?: string[];
  /**
   * What the translation would refuse but a model of the door's own protocol takes as sent (a
   * hosted tool only that protocol's API runs, a forced one, their items in the conversation):
   * the request can be answered only forwarded (PassthroughRequest.forwardOnly), else it is refused
   * with this. The first such refusal found.
   */
  forwardOnly?: DoorRefusal;
  /** Where the request's messages and parts are in the client's body (inDoorTerms). */
  paths?: DoorPaths;
}

/**
 * Where the core request's messages and parts came from in the client's body, in the door's own
 * terms (`input[3].output[0]`, `messages[2].content[1]`), by the objects the translation made: the
 * core's errors name its own paths (contentPath), which the door's reply names as the client sent
 * them (inDoorTerms). A message made of several items is named by its first.
 */
export class DoorPaths {
  private readonly at = new WeakMap<object, string>();
  set(node: object, path: string): void {
    if (!this.at.has(node)) this.at.set(node, path);
  }
  get(node: object): string | undefined {
    return this.at.get(node);
  }
}

/** A core path (contentPath): `messages[i]`, `messages[i].content[j]`, `messages[i].content[j].content[k]`. */
const CORE_PATH = /\bmessages\[(\d+)\](?:\.content\[(\d+)\](?:\.content\[(\d+)\])?)?/g;

/** The client's own path for a core path in `req`, when the door recorded it. */
function doorPath(req: DoorRequest, paths: DoorPaths, m: string, p: string | undefined, k: string | undefined): string | undefined {
  const message = req.request.messages[Number(m)];
  if (!message) return undefined;
  if (p === undefined) return paths.get(message);
  const part = typeof message.content === 'string' ? undefined : message.content[Number(p)];
  if (!part) return undefined;
  if (k === undefined) return paths.get(part);
  const item = part.type === 'tool-result' && typeof part.content !== 'string' ? part.content[Number(k)] : undefined;
  return item && paths.get(item);
}

/**
 * A refusal the core made before sending (a model that takes no images, a tool result a protocol
 * cannot carry) names the core's paths; the client sent its request in the door's shape: the
 * message names the client's own paths where the door knows them. Upstream errors (they name the
 * provider's wire body) are left as they are.
 */
export function inDoorTerms(e: unknown, req: DoorRequest): unknown {
  const paths = req.paths;
  if (!paths || !(e instanceof SwitchboardError) || e.kind !== 'bad_request' || e.status !== null) return e;
  const message = e.detail.replace(CORE_PATH, (whole, m: string, p?: string, k?: string) => doorPath(req, paths, m, p, k) ?? whole);
  return message === e.detail ? e : new SwitchboardError({ ...e.toInit(), message });
}

/** What a parse notes besides the request (the fields of DoorRequest it fills as it goes). */
export type ParseNotes = Required<Pick<DoorRequest, 'warnings' | 'resolvedByForwarding' | 'paths'>> & Pick<DoorRequest, 'forwardOnly' | 'forwardable'>;

/** Left out of the translated request, said in `warning`; a model of the door's protocol gets it as sent. */
export function leftOut(notes: ParseNotes, warning: string): void {
  notes.warnings.push(warning);
  notes.resolvedByForwarding.push(warning);
}

/** Refused for a translated request; a model of the door's protocol gets it as sent (DoorRequest.forwardOnly). */
export function onlyForwarded(notes: ParseNotes, refusal: DoorRefusal): void {
  notes.forwardOnly ??= refusal;
}

/** A door's error response: its own body shape and status. */
export interface DoorError {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** A refused request (bad parameters), in whatever shape the door answers with. */
export class DoorRefusal extends Error {
  readonly status: number;
  readonly param: string | null;
  readonly code: string;
  constructor(message: string, opts: { status?: number; param?: string | null; code?: string } = {}) {
    super(message);
    this.status = opts.status ?? 400;
    this.param = opts.param ?? null;
    this.code = opts.code ?? 'invalid_request';
  }
}

/** Turns the rich stream into SSE frames, one door's event sequence. */
export interface StreamEncoder {
  /** Frames for one part (often none). */
  part(p: StreamPart): string;
  /** The closing frames once the result is known (a successful answer). */
  finish(r: ChatResult): string;
  /** The closing frames for an error after the stream started. */
  fail(e: DoorError): string;
  /**
   * The stream so far is the upstream's own (same-protocol fast path): the answer is open already,
   * under the upstream's response id when it gave one; a later `fail` continues it.
   */
  adopt?(responseId: string | null): void;
}

/** What the doors share with the gateway: provider state handed out earlier, and the config's aliases. */
export interface DoorDeps {
  states: StateCache;
  /** A model name as the client gave it → the model or route id it stands for. */
  unalias(model: string): string;
}

export interface Door {
  readonly name: string;
  /** The wire protocol the door speaks: a model of that protocol gets the client's body as it is (serve.ts). */
  readonly protocol: ProtocolId;
  parse(body: unknown, query: URLSearchParams): DoorRequest;
  /** The door's error shape for a gateway or upstream error. */
  error(h: HttpError): DoorError;
  /** The non-streamed answer. */
  complete(r: ChatResult, req: DoorRequest): unknown;
  encoder(req: DoorRequest): StreamEncoder;
  /** Fast path: what `complete` and the encoder remember of an answer (provider state, the conversation). */
  forwarded(r: ChatResult, req: DoorRequest): void;
  /** Fast path: frames that end the stream when the upstream's own `last` frame did not (a missing message_stop). */
  forwardedTail(last: string): string;
}

/** JSON Schema check helpers shared by the doors' hand-written validators (errors name the parameter). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function need<T>(ok: boolean, value: T, param: string, what: string): T {
  if (!ok) throw new DoorRefusal(`${param}: ${what}`, { param });
  return value;
}

/**
 * The checks every door makes first: a JSON object body, refused top-level parameters thrown, unknown
 * ones warned about (never dropped silently), and the model id. Returns the body and the model.
 */
export function openBody(
  body: unknown,
  refused: Readonly<Record<string, string>>,
  known: ReadonlySet<string>,
  warnings: string[],
): { body: Record<string, unknown>; model: string; unknown: string[] } {
  if (!isObject(body)) throw new DoorRefusal('the request body must be a JSON object');
  // `false` is the parameter's own "off" (background: false is the default, sent by some clients): nothing to refuse.
  for (const [k, why] of Object.entries(refused))
    if (body[k] !== undefined && body[k] !== null && body[k] !== false)
      throw new DoorRefusal(`${k}: not supported by the Switchboard gateway (${why})`, { param: k });
  const unknown: string[] = [];
  // A refused parameter that is off (null, false) is understood: nothing was ignored.
  for (const k of Object.keys(body)) if (!known.has(k) && !(k in refused)) unknown.push(`parameter "${k}" is not understood by the gateway and was ignored`);
  warnings.push(...unknown);
  const model = need(
    typeof body.model === 'string' && body.model !== '',
    body.model as string,
    'model',
    'required ("provider/model", "route/<id>" or an alias)',
  );
  return { body, model, unknown };
}

export function optNumber(o: Record<string, unknown>, key: string, param = key, range?: [number, number]): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DoorRefusal(`${param}: expected a number`, { param });
  if (range && (v < range[0] || v > range[1])) throw new DoorRefusal(`${param}: must be between ${range[0]} and ${range[1]}`, { param });
  return v;
}

/**
 * A number of tokens (an output bound): a positive integer, as the real APIs take it. A number
 * past 2^53 has no exact integer value (1e308 passes Number.isInteger), and budgets would hold
 * Infinity for it: refused, naming the parameter.
 */
export function optTokenCount(o: Record<string, unknown>, key: string, param = key): number | undefined {
  const v = optNumber(o, key, param);
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 1))
    throw new DoorRefusal(`${param}: expected a positive integer (a whole number of tokens, at most the model's output limit), got ${v}`, { param });
  return v;
}

export function optString(o: Record<string, unknown>, key: string, param = key): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new DoorRefusal(`${param}: expected a string`, { param });
  return v;
}

/** Parse tool-call arguments a client sent back as an object into the JSON text the core carries. */
export function argsText(input: unknown): string {
  return JSON.stringify(input ?? {});
}

/**
 * A JSON object from the arguments text a model produced (`{}` for empty text). Text that is not
 * JSON cannot become an object without changing it: that is the upstream's broken answer (502).
 */
export function argsObject(text: string, tool: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SwitchboardError({ kind: 'invalid_response', message: `the model's arguments for tool "${tool}" are not valid JSON` });
  }
}
