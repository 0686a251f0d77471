/**
 * The request engine: every request, single model or route, runs here. It plans the
 * candidates, checks the budget, tries each candidate with retries and a first-token
 * watchdog, fails over on retryable errors, never switches models once a token was shown,
 * records every attempt, and appends answered requests to the usage ledger.
 */
import { audioPricedAsText, computeCost } from '../catalog/cost.ts';
import type { BudgetConfig, RouteConfig } from '../config.ts';
import type { Clock } from '../clock.ts';
import { classifyNetworkError, scrubError, SwitchboardError } from '../errors.ts';
import type { ModelResolver, ResolvedModel } from '../resolve.ts';
import { AnswerCap, answerTooLarge } from '../answerCap.ts';
import { ResultBuilder } from '../resultBuilder.ts';
import type { Attempt, BudgetAlert, ChatResult, LanguageModel, ModelRequest, ModelStreamPart, PassthroughRequest, StreamPart } from '../types.ts';
import { alertCandidates, claimAlerts } from './alerts.ts';
import { hasLimits, type PeriodCap } from './budget.ts';
import {
  estimateAnswerCost,
  estimatePromptTokens,
  holdMaxTokens,
  maxWebSearches,
  openBudget,
  unpricedHostedTools,
  unpricedHostedToolsWarning,
  worstCaseUsd,
  type Hold,
} from './spend.ts';
import type { CooldownTracker } from './cooldown.ts';
import type { LatencyTracker } from './latency.ts';
import type { LedgerEntryInput, SpendTotals, UsageStore } from './ledger.ts';
import { capabilitySetting, overrideHint, unmetNeed, type SettingsPlace, type Unmet } from './needs.ts';
import { foreignOrigins, stripForeignState } from './providerState.ts';
import { contextWindowOf, planRoute, type Candidate, type ModelFacts } from './strategy.ts';

/**
 * What an error says when the answer had begun: the partial text is in the result (and was shown to
 * a streaming consumer). A front end that answers with an error instead, showing none of it (the
 * gateway before its response began), says so with errorBeforeAnswer (gateway/errors.ts).
 */
export const PARTIAL_KEPT = ' (the answer was cut off; the partial text is kept)';

/** A request as the front ends make it: a model id (or `route/<id>`) plus the neutral request. */
export interface ChatRequest extends ModelRequest {
  model: string;
  /** Which front end asked (ledger tag): cli, gateway, vscode, … */
  frontEnd?: string;
  /** Override the first-token watchdog for this request (ms, 0 = off). */
  firstTokenTimeoutMs?: number;
  /** The caller's body in a wire protocol, sent as it is to a model of that protocol (a gateway door's fast path). */
  passthrough?: PassthroughRequest;
}

export interface RetryPolicy {
  /** Extra tries of the same model. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A provider asking to wait longer than this is not waited for: fail over or report. */
  maxRetryAfterMs: number;
}

/**
 * Not worth retrying on the same model, but another candidate may do: the prompt is too long for
 * this one, this provider does not serve the model, or it sent a broken stream before any token.
 */
const MOVE_ON: ReadonlySet<string> = new Set(['context_length', 'not_found', 'invalid_response']);

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 20_000 };

export interface RouterDeps {
  resolver: ModelResolver;
  facts: ModelFacts;
  createModel(m: ResolvedModel): LanguageModel;
  clock: Clock;
  cooldowns: CooldownTracker;
  latency: LatencyTracker;
  retry: RetryPolicy;
  /** First-token watchdog defaults: off for single models, on for routes. */
  firstTokenMs: { single: number; route: number };
  budget?: BudgetConfig;
  ledger?: UsageStore;
  /** The spend session requests count toward now (read when each request starts). */
  session?: () => string | null;
  /** Called once for each budget alert fired (see alerts.ts); the alert is also a warning part. */
  onBudgetAlert?: (alert: BudgetAlert) => void;
  /** Called after an answer's entry is in the ledger (live spend displays refresh on it). */
  onRecorded?: (entry: LedgerEntryInput) => void;
  random?: () => number;
  /** Caps on one answer (size in characters, duration in ms); see config `limits`. */
  limits?: AnswerLimits;
  /** The leaderboard's ratings by task tag, for routes with strategy "best". */
  ratings?: (tag: string | undefined) => ReadonlyMap<string, number>;
  /** Where the user changes a setting, as fixes name it (default: the config file). */
  settingsIn?: SettingsPlace;
}

export interface AnswerLimits {
  maxAnswerChars: number;
  maxAnswerMs: number;
}

type AttemptOutcome =
  | { ok: true; builder: ResultBuilder; ttftMs: number | null; started: number }
  /**
   * `lost`: lost after the provider had the request (see ModelRequest.onUpstream), with no usage:
   * billed at a cost nobody reported. `answer`: a non-streamed forward, whose whole answer the
   * provider writes (and bills) before its headers, however the wait for it ended; `prompt`: a
   * stream cancelled or timed out before its first token, billed for its prompt at least.
   */
  | { ok: false; error: SwitchboardError; builder: ResultBuilder; ttftMs: number | null; started: number; lost?: 'answer' | 'prompt' }
  /** Not sent: the model would translate a request only its own protocol can take (PassthroughRequest.forwardOnly). */
  | { ok: false; skipped: SwitchboardError };

export class Router {
  private readonly d: RouterDeps;

  constructor(deps: RouterDeps) {
    this.d = deps;
  }

  /**
   * Runs a request; yields stream parts in batches (as they arrived from the network) and returns
   * the final result (it never throws). ChatStream hands the parts to consumers one by one.
   */
  async *run(req: ChatRequest): AsyncGenerator<StreamPart[], ChatResult> {
    const hold: Hold = { id: null, problem: null, session: this.d.session?.() ?? null, recorded: false, alerts: [] };
    try {
      const result = yield* this.runHeld(req, hold);
      // This answer's cost may have crossed a threshold: said on this response, once.
      if (hold.recorded) {
        const late = await this.alerts(req, hold, null, []);
        for (const a of late) result.warnings.push(a.message);
        if (late.length) yield late.map((a) => ({ type: 'warning', message: a.message }));
      }
      if (hold.problem) yield [{ type: 'warning', message: hold.problem }];
      if (hold.alerts.length) result.budgetAlerts = hold.alerts;
      return result;
    } finally {
      // Failed, refused or abandoned before record(): nothing was spent, give the money back.
      if (hold.id !== null) await this.d.ledger?.release(hold.id).catch(() => undefined);
    }
  }

  /** The error run(req) would end with before sending (the same checks, in the same order), or null. */
  refusal(req: ChatRequest): SwitchboardError | null {
    try {
      this.plan(req, estimatePromptTokens(req));
      return null;
    } catch (e) {
      return asError(e, req.model);
    }
  }

  private async *runHeld(req: ChatRequest, hold: Hold): AsyncGenerator<StreamPart[], ChatResult> {
    const { clock } = this.d;
    const started = clock.now();
    const attempts: Attempt[] = [];
    /** Warnings of the run itself (budget, skipped hints); the answering attempt adds its own. */
    const warnings: string[] = [];
    let firstShownAt: number | null = null;
    const fail = (error: SwitchboardError, partial?: { builder: ResultBuilder; model: string | null }, canContinueWith?: string[]): ChatResult =>
      this.result(req, started, attempts, warnings, partial?.builder ?? null, partial?.model ?? null, firstShownAt, error, canContinueWith);

    let plan: { candidates: Candidate[]; route: RouteConfig | null; watchdogMs: number; notes?: string[] };
    let inputTokens: number;
    try {
      // Tool definitions and a response schema go up with the messages: they fill the context window and are billed as input.
      inputTokens = estimatePromptTokens(req);
      plan = this.plan(req, inputTokens);
    } catch (e) {
      const error = asError(e, req.model);
      yield [{ type: 'error', error }];
      return fail(error);
    }

    for (const message of plan.notes ?? []) {
      warnings.push(message);
      yield [{ type: 'warning', message }];
    }
    for (const c of plan.candidates) if (c.skip) attempts.push({ model: c.id, outcome: 'skipped', durationMs: 0, message: c.skip });
    let usable = plan.candidates.filter((c) => !c.skip);
    if (usable.length === 0) {
      const why = attempts.map((a) => `${a.model}: ${a.message}`).join('; ');
      // Members skipped for what the request needs (tools, images…): no shorter prompt helps.
      const error = plan.candidates.some((c) => c.unmet)
        ? new SwitchboardError({
            kind: 'bad_request',
            message: `no model of ${req.model} can serve this request (${why})`,
            model: req.model,
            fix: `add a model that can to the route, drop what the others cannot take, or override its capabilities ${this.d.settingsIn === 'vscode' ? 'in the switchboard.capabilities setting' : 'in the config'}`,
          })
        : new SwitchboardError({
            kind: 'context_length',
            message: `no model of ${req.model} can take this request (${why})`,
            model: req.model,
            fix: 'shorten the prompt or relax the route constraints',
          });
      yield [{ type: 'error', error }];
      return fail(error);
    }

    // Hosted tools the provider bills at fees no price here has: a blocking budget refuses them
    // (openBudget); otherwise said before the answer (the gateway's header). They reach only the
    // candidates that forward the body as sent: another protocol's model gets a translation without
    // them, unless the body is one only its own protocol can take (forwardOnly: none translates).
    const unpriced = unpricedHostedTools(req.passthrough);
    const reached = unpriced.length ? usable.filter((c) => req.passthrough?.forwardOnly || this.forwards(c.id, req)).map((c) => c.id) : [];
    /** The output bound and hosted searches a worst case is sized for: the hold's, and a lost answer's estimate. */
    const outputCap = holdMaxTokens(req.maxTokens, req.passthrough);
    const webSearches = maxWebSearches(req.passthrough);
    // Budget: hold the worst case before sending; the answer's real cost replaces it (record()).
    if (this.d.budget) {
      const gate = await openBudget(
        this.d,
        usable.map((c) => c.id),
        inputTokens,
        outputCap,
        clock.now(),
        hold.session,
        webSearches,
        unpriced,
        reached,
      );
      hold.id = gate.reservation;
      for (const s of gate.skipped) attempts.push({ model: s.id, outcome: 'skipped', durationMs: 0, message: s.why });
      usable = usable.filter((c) => !gate.skipped.some((s) => s.id === c.id));
      // Thresholds reached before this request (by earlier ones, in any process), or the cap that refuses it:
      // said before the answer, so the gateway can put them in this response's headers.
      if (gate.spent) {
        const early = await this.alerts(req, hold, gate.spent, gate.error ? gate.blockedBy : []);
        for (const a of early) warnings.push(a.message);
        if (early.length) yield early.map((a) => ({ type: 'warning', message: a.message }));
      }
      if (gate.error) {
        yield [{ type: 'error', error: gate.error }];
        return fail(gate.error);
      }
      for (const message of gate.warnings) {
        warnings.push(message);
        yield [{ type: 'warning', message }];
      }
    }
    if (unpriced.length && usable.some((c) => reached.includes(c.id))) {
      const message = unpricedHostedToolsWarning(unpriced);
      warnings.push(message);
      yield [{ type: 'warning', message }];
    }

    // Cooldowns: skip cooled-down models while an alternative exists; if all are cooling, try anyway.
    const allOpen = usable.every((c) => this.d.cooldowns.state(c.id) === 'open');
    if (!allOpen) {
      const kept: Candidate[] = [];
      for (const c of usable) {
        if (this.d.cooldowns.state(c.id) === 'open')
          attempts.push({
            model: c.id,
            outcome: 'skipped',
            durationMs: 0,
            message: `cooling down after repeated failures (${Math.ceil(this.d.cooldowns.remainingMs(c.id) / 1000)} s left)`,
          });
        else kept.push(c);
      }
      usable = kept;
    }

    let lastError: SwitchboardError | null = null;
    /** Set when a model was skipped because it would have translated a forward-only request. */
    let forwardOnly: SwitchboardError | null = null;
    let attemptNo = 0;
    for (let i = 0; i < usable.length; i++) {
      const cand = usable[i]!;
      const isLast = i === usable.length - 1;
      const maxRetries = isLast || plan.route?.retrySameModel ? this.d.retry.maxRetries : 0;
      if (!allOpen && !this.d.cooldowns.tryAcquire(cand.id)) {
        attempts.push({ model: cand.id, outcome: 'skipped', durationMs: 0, message: 'another request is probing it after a cooldown' });
        continue;
      }
      for (let retry = 0; ; retry++) {
        attemptNo++;
        const outcome: AttemptOutcome = yield* this.attempt(cand.id, req, plan.watchdogMs, attemptNo);
        if ('skipped' in outcome) {
          attemptNo--;
          forwardOnly = outcome.skipped;
          this.d.cooldowns.release(cand.id);
          attempts.push({ model: cand.id, outcome: 'skipped', durationMs: 0, message: outcome.skipped.detail });
          break;
        }
        const durationMs = clock.now() - outcome.started;
        if (outcome.ttftMs !== null && firstShownAt === null) firstShownAt = outcome.started + outcome.ttftMs;
        if (outcome.ok) {
          this.d.cooldowns.recordSuccess(cand.id);
          if (outcome.ttftMs !== null) this.d.latency.record(cand.id, outcome.ttftMs);
          attempts.push({ model: cand.id, outcome: 'ok', durationMs });
          const result = this.result(req, started, attempts, warnings, outcome.builder, cand.id, firstShownAt, null);
          await this.record(req, result, hold);
          return result;
        }
        const err = outcome.error;
        lastError = err;
        const attempt: Attempt = { model: cand.id, outcome: 'error', errorKind: err.kind, durationMs, message: err.detail };
        if (err.status !== null) attempt.status = err.status;
        attempts.push(attempt);
        yield [{ type: 'attempt-failed', attempt }];
        // Failed before anything was shown, yet counted by the provider (a Responses response.failed
        // with its usage): billed, so ledgered as a failed request; the hold stays for the next attempt.
        // An attempt lost after the provider had it (`lost`) is billed too, at no usage reported:
        // ledgered as an estimate, a whole answer at its worst case (the hold's figure), a stream
        // cut before its first token at its prompt.
        if (!outcome.builder.shown && (counted(outcome.builder) || outcome.lost)) {
          const estimate =
            outcome.lost === 'answer'
              ? worstCaseUsd(this.d.facts, cand.id, inputTokens, outputCap, webSearches)
              : outcome.lost === 'prompt'
                ? estimateAnswerCost(req, outcome.builder.usage, outcome.builder, this.d.facts.price(cand.id), outcome.builder.usagePartial)
                : undefined;
          await this.recordFailedAttempt(req, cand.id, outcome, err, hold, attempts, warnings, started, estimate);
        }

        if (err.kind === 'aborted') {
          this.d.cooldowns.release(cand.id);
          yield [{ type: 'error', error: err }];
          const result = fail(err, outcome.builder.shown ? { builder: outcome.builder, model: cand.id } : undefined);
          if (outcome.builder.shown) await this.record(req, result, hold);
          return result;
        }
        if (err.retryable) this.d.cooldowns.recordFailure(cand.id);
        else this.d.cooldowns.release(cand.id);

        if (outcome.builder.shown) {
          // Tokens were shown: never switch models silently. Keep the partial answer and say who could continue.
          const rest = usable.slice(i + 1).map((c) => c.id);
          const canContinue = err.retryable ? [cand.id, ...rest] : rest;
          const error = new SwitchboardError({
            ...err.toInit(),
            message: `${err.detail}${PARTIAL_KEPT}`,
            fix: canContinue.length ? `retry, or continue with ${canContinue.join(', ')}` : err.fix,
          });
          yield [{ type: 'error', error }];
          const result = fail(error, { builder: outcome.builder, model: cand.id }, canContinue);
          await this.record(req, result, hold);
          return result;
        }
        // Refused before sending, by this model only (an option or turn its protocol cannot take as
        // asked): a route's next model may take it, as members lacking a capability are skipped.
        const refusedHere = err.kind === 'bad_request' && err.status === null && err.provider !== null;
        if (!err.retryable && !MOVE_ON.has(err.kind) && !refusedHere) {
          // auth, permission, quota, bad request…: another try will not help; say so at once.
          yield [{ type: 'error', error: err }];
          return fail(err);
        }
        // The provider said not to try again (x-should-retry: false): another model may still answer.
        if (MOVE_ON.has(err.kind) || refusedHere || retry >= maxRetries || err.shouldRetry === false) break;
        const delay = this.backoff(retry, err.retryAfterMs);
        if (delay > this.d.retry.maxRetryAfterMs) break;
        yield [
          {
            type: 'retry',
            model: cand.id,
            delayMs: delay,
            reason: err.detail,
            kind: err.kind,
            status: err.status,
            attempt: retry + 2,
            maxAttempts: maxRetries + 1,
          },
        ];
        try {
          await clock.sleep(delay, req.signal);
        } catch {
          const error = new SwitchboardError({ kind: 'aborted', message: 'the request was cancelled', provider: err.provider, model: err.model });
          yield [{ type: 'error', error }];
          return fail(error);
        }
      }
    }
    const error =
      lastError ??
      forwardOnly ??
      new SwitchboardError({
        kind: 'overloaded',
        message: `every model of ${req.model} is cooling down after repeated failures`,
        model: req.model,
        fix: 'wait a little or pick another model',
      });
    const finalError =
      usable.length > 1 && lastError
        ? new SwitchboardError({ ...lastError.toInit(), message: `all ${usable.length} candidates of ${req.model} failed; last: ${lastError.detail}` })
        : error;
    yield [{ type: 'error', error: finalError }];
    return fail(finalError);
  }

  /**
   * Fires the budget alerts reached at `spent` (read from the ledger when null) and not fired
   * before; the ledger makes each fire once across requests and processes.
   */
  private async alerts(req: ChatRequest, hold: Hold, spent: SpendTotals | null, blocked: PeriodCap[]): Promise<BudgetAlert[]> {
    const { budget, ledger } = this.d;
    if (!budget || !ledger || !hasLimits(budget)) return [];
    const now = this.d.clock.now();
    let fired: BudgetAlert[];
    try {
      const totals = spent ?? (await ledger.totals(now, hold.session));
      fired = await claimAlerts(ledger, alertCandidates(budget, totals, now, hold.session, req.frontEnd ?? 'library', blocked), now);
    } catch (e) {
      hold.problem ??= `budget alerts could not be checked: ${(e as Error)?.message ?? String(e)}`;
      return [];
    }
    for (const a of fired) {
      hold.alerts.push(a);
      try {
        this.d.onBudgetAlert?.(a);
      } catch {
        /* a listener's bug must not fail the request; the alert is still a warning part */
      }
    }
    return fired;
  }

  /** Candidates in order, with skip reasons; the watchdog that applies. */
  private plan(req: ChatRequest, inputTokens: number): { candidates: Candidate[]; route: RouteConfig | null; watchdogMs: number; notes?: string[] } {
    // What the budget holds is sized by it: a bound that is no whole number (1e308 passes
    // Number.isInteger, and its worst case is Infinity) is refused, as the providers refuse it.
    if (req.maxTokens !== undefined && !(Number.isSafeInteger(req.maxTokens) && req.maxTokens > 0))
      throw new SwitchboardError({
        kind: 'bad_request',
        message: `maxTokens: expected a positive integer, got ${req.maxTokens}`,
        model: req.model,
        fix: "give a whole number of output tokens, at most the model's output limit (or leave it out)",
      });
    const target = this.d.resolver.resolve(req.model);
    if (target.type === 'model') {
      const id = target.model.id;
      const unmet = this.unmet(req, id);
      // A single model that cannot serve the request: refused before sending, naming what and how to fix it.
      if (unmet)
        throw new SwitchboardError({
          kind: 'bad_request',
          message: `${unmet.param}: ${id} ${unmet.why}`,
          // provider + the provider's name for the model, as the errors of a sent request: `id` here would read "openai/openai/gpt-4o".
          provider: target.model.providerId,
          model: target.model.wireModel,
          fix: overrideHint(unmet.param, id, this.d.settingsIn),
        });
      // Like a route member, a single model whose known context window cannot hold the prompt (plus
      // the output asked for) is refused before sending: no tokens are paid for a certain failure.
      const window = contextWindowOf(this.d.facts, id);
      const needed = inputTokens + (req.maxTokens ?? 0);
      if (window !== null && needed > window)
        throw new SwitchboardError({
          kind: 'context_length',
          message: `the prompt of ~${inputTokens} tokens${req.tools?.length ? ' (its tool definitions included)' : ''}${req.maxTokens ? ` + ${req.maxTokens} output tokens` : ''} exceeds its context window of ${window} tokens`,
          provider: target.model.providerId,
          model: target.model.wireModel,
          fix: `shorten the conversation${req.maxTokens ? ' or lower maxTokens' : ''}, pick a model with a larger context window, or ${this.d.settingsIn === 'vscode' ? `correct ${capabilitySetting(id, 'contextWindow', '…', 'vscode')}` : `correct capabilities.contextWindow for ${id} in the config`} if it is wrong`,
        });
      return { candidates: [{ id }], route: null, watchdogMs: req.firstTokenTimeoutMs ?? this.d.firstTokenMs.single };
    }
    const route = target.route;
    const notes: string[] = [];
    const best = { ratings: this.d.ratings ?? (() => new Map<string, number>()), notes };
    const candidates = planRoute(route, this.d.facts, this.d.latency, inputTokens, req.maxTokens, best).map((c) => {
      if (c.skip) return c;
      try {
        this.d.resolver.resolveModel(c.id);
        const unmet = this.unmet(req, c.id);
        if (unmet) return { id: c.id, skip: `${unmet.param}: ${unmet.why}`, unmet: true };
        return c;
      } catch (e) {
        return { id: c.id, skip: asError(e, c.id).message };
      }
    });
    return { candidates, route, watchdogMs: req.firstTokenTimeoutMs ?? route.firstTokenTimeoutMs ?? this.d.firstTokenMs.route, notes };
  }

  private unmet(req: ChatRequest, id: string): Unmet | null {
    const caps = this.d.facts.capabilities?.(id);
    return caps ? unmetNeed(req, caps) : null;
  }

  /**
   * Whether `id` would be sent the caller's body as it is (a model of its protocol: see
   * LanguageModel.passthrough, which sends nothing until read); true when that cannot be told.
   */
  private forwards(id: string, req: ChatRequest): boolean {
    const { model: _drop, frontEnd: _fe, firstTokenTimeoutMs: _ft, passthrough: pass, ...neutral } = req;
    if (!pass) return false;
    try {
      const model = this.d.createModel(this.d.resolver.resolveModel(id));
      return (model.passthrough?.(neutral, pass) ?? null) !== null;
    } catch {
      return true;
    }
  }

  /** One try of one model. Parts before the first visible token are held back, so a failed try leaks nothing. */
  private async *attempt(id: string, req: ChatRequest, watchdogMs: number, attemptNo: number): AsyncGenerator<StreamPart[], AttemptOutcome> {
    const { clock } = this.d;
    const started = clock.now();
    const limits = this.d.limits ?? { maxAnswerChars: Number.POSITIVE_INFINITY, maxAnswerMs: 0 };
    const builder = new ResultBuilder(id);
    const cap = new AnswerCap(limits.maxAnswerChars);
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(req.signal?.reason);
    if (req.signal?.aborted) ac.abort(req.signal.reason);
    else req.signal?.addEventListener('abort', onAbort, { once: true });
    let watchdogFired = false;
    let cancelWatchdog: (() => void) | null =
      watchdogMs > 0
        ? clock.timeout(watchdogMs, () => {
            watchdogFired = true;
            ac.abort(new Error('first-token timeout'));
          })
        : null;
    // An upstream that never stops (or trickles keep-alives forever) ends here, keeping what was shown.
    let tooLong = false;
    const cancelDuration =
      limits.maxAnswerMs > 0
        ? clock.timeout(limits.maxAnswerMs, () => {
            tooLong = true;
            ac.abort(new Error('answer duration cap'));
          })
        : null;
    let ttftMs: number | null = null;
    const held: ModelStreamPart[] = [];
    let source: AsyncIterable<ModelStreamPart[]> | null = null;
    let passthrough = false;
    let setupError: unknown = null;
    let skipped: SwitchboardError | null = null;
    /** How far the request got (ModelRequest.onUpstream): written to the provider, answered with a 2xx. */
    let upstream = null as 'sent' | 'answered' | null;
    /** A forwarded non-streamed request: its answer comes whole, after the provider wrote all of it. */
    let whole = false;
    try {
      const model = this.d.createModel(this.d.resolver.resolveModel(id));
      const { model: _drop, frontEnd: _fe, firstTokenTimeoutMs: _ft, passthrough: pass, ...neutral } = req;
      const messages = stripForeignState(neutral.messages, id);
      const onUpstream = (stage: 'sent' | 'answered'): void => {
        upstream = stage;
      };
      const request: ModelRequest = { ...neutral, messages, signal: ac.signal, onUpstream };
      // The caller's own body goes only to a model of its protocol, and only when nothing in it is
      // another model's state (which the translating path would strip): otherwise it is translated.
      // (A forward is lazy: nothing is sent until it is read.)
      const offered = pass ? (model.passthrough?.(request, { ...pass, maxAnswerChars: limits.maxAnswerChars }) ?? null) : null;
      const forwarded = messages === neutral.messages ? offered : null;
      passthrough = forwarded !== null;
      builder.forwarded = passthrough;
      // A forwarded non-streamed answer has no first token before its end: no watchdog for it (the
      // answer's duration cap still holds).
      if (passthrough && pass?.body.stream !== true) {
        whole = true;
        cancelWatchdog?.();
        cancelWatchdog = null;
      }
      // What only forwarding can carry, for a model that would translate the request: not sent. The
      // reason is the model's protocol, or (a model of the body's protocol) another model's state in it.
      if (!passthrough && pass?.forwardOnly)
        skipped = offered ? foreignStateRefusal(pass.forwardOnly, id, foreignOrigins(neutral.messages, id)) : pass.forwardOnly;
      else source = forwarded ?? (model.streamBatches ? model.streamBatches(request) : oneByOne(model.stream(request)));
    } catch (e) {
      setupError = e;
    }
    try {
      if (skipped) return { ok: false, skipped };
      yield [
        passthrough ? { type: 'attempt-start', model: id, attempt: attemptNo, passthrough: true } : { type: 'attempt-start', model: id, attempt: attemptNo },
      ];
      if (source === null) throw setupError;
      const batches = source;
      for await (const batch of batches) {
        if (ttftMs !== null) {
          // The usual case once the answer is showing: the batch passes through as it is.
          let kept: ModelStreamPart[] | null = null;
          for (let i = 0; i < batch.length; i++) {
            const part = cap.clip(batch[i]!);
            if (part !== batch[i]) {
              // The size cap: keep and pass on what fits, then stop.
              kept = batch.slice(0, i);
              if (part) {
                builder.add(part);
                kept.push(part);
              }
              break;
            }
            builder.add(part);
          }
          if (kept === null) yield batch;
          else if (kept.length > 0) yield kept;
          if (cap.overflowed) throw answerTooLarge(id, limits.maxAnswerChars);
          continue;
        }
        let out: StreamPart[] | null = null;
        for (const raw of batch) {
          const part = cap.clip(raw);
          if (part === null) break;
          builder.add(part);
          if (out === null) {
            if (!builder.shown) {
              held.push(part);
              continue;
            }
            ttftMs = clock.now() - started;
            cancelWatchdog?.();
            cancelWatchdog = null;
            out = held.splice(0);
          }
          out.push(part);
          if (cap.overflowed) break;
        }
        if (out !== null) yield out;
        if (cap.overflowed) throw answerTooLarge(id, limits.maxAnswerChars);
      }
      if (held.length > 0) yield held.splice(0);
      return { ok: true, builder, ttftMs, started };
    } catch (e) {
      let error = asError(e, id);
      if (req.signal?.aborted) {
        error = new SwitchboardError({ kind: 'aborted', message: 'the request was cancelled', provider: error.provider, model: error.model });
      } else if (watchdogFired) {
        error = new SwitchboardError({
          kind: 'timeout',
          message: `no first token within ${watchdogMs} ms`,
          provider: error.provider,
          model: error.model,
          fix: 'the model is slow or stuck: retry, raise firstTokenTimeoutMs, or pick another model',
        });
      } else if (tooLong) {
        error = new SwitchboardError({
          kind: 'timeout',
          message: `the answer took longer than ${formatMs(limits.maxAnswerMs)}, the limit for one answer`,
          provider: error.provider,
          model: error.model,
          fix: 'raise limits.maxAnswerMs (setting switchboard.limits) or ask for a shorter answer',
        });
      }
      const lost = lostAfterSending(upstream, whole, error, ac.signal.aborted);
      if (lost && !builder.shown && !counted(builder)) return { ok: false, error, builder, ttftMs, started, lost };
      return { ok: false, error, builder, ttftMs, started };
    } finally {
      cancelWatchdog?.();
      cancelDuration?.();
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Exponential backoff with full jitter, never shorter than what the provider asked for. */
  private backoff(retry: number, retryAfterMs: number | null): number {
    const { baseDelayMs, maxDelayMs } = this.d.retry;
    const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
    const jittered = exp / 2 + (this.d.random ?? Math.random)() * (exp / 2);
    return Math.round(retryAfterMs !== null ? Math.max(retryAfterMs, jittered) : jittered);
  }

  private result(
    req: ChatRequest,
    started: number,
    attempts: Attempt[],
    warnings: string[],
    builder: ResultBuilder | null,
    answeredBy: string | null,
    firstShownAt: number | null,
    error: SwitchboardError | null,
    canContinueWith?: string[],
  ): ChatResult {
    const usage = builder?.usage ?? { inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null };
    // Included in a subscription (a host's models): no dollar figure, and none is estimated either.
    const included = answeredBy !== null && this.d.facts.included?.(answeredBy) === true;
    const price = answeredBy && !included ? this.d.facts.price(answeredBy) : null;
    // Cut off after a running count (Gemini's, Anthropic's message_start) but before the final one:
    // those counts are not the answer's, so its cost is an estimate, at no less than they say.
    const cut = error !== null && builder?.usagePartial === true;
    let costUsd = builder && answeredBy && !included && !cut ? computeCost(usage, price, builder.providerCostUsd) : null;
    const billed = builder?.providerCostUsd;
    const costCheck =
      builder && answeredBy && typeof billed === 'number' && costUsd === billed ? { billedUsd: billed, computedUsd: computeCost(usage, price) } : undefined;
    // Our figure charged audio tokens as text (the price has no audio rate): an estimate, and said so.
    const audioAsText = costUsd !== null && !costCheck ? audioPricedAsText(usage, price) : null;
    const costNotes = audioAsText ? [`${answeredBy}: ${audioAsText} were priced as text (its price has no audio rate), so the cost is an estimate`] : [];
    // Forwarded with hosted tools whose fees no price has (unpricedHostedTools): the tokens only, an estimate.
    let costEstimated = audioAsText !== null || (costUsd !== null && builder?.forwarded === true && unpricedHostedTools(req.passthrough).length > 0);
    // Cut off before the provider counted (a cancelled stream) or no usage sent: estimate from what
    // was streamed, so the answer still counts toward budgets; the ledger marks it as an estimate.
    if (costUsd === null && builder?.shown && answeredBy && !included) {
      costUsd = estimateAnswerCost(req, usage, builder, price, cut);
      costEstimated = costUsd !== null;
    }
    const result: ChatResult = {
      model: req.model,
      answeredBy,
      providerModel: builder?.providerModel ?? null,
      responseId: builder?.responseId ?? null,
      text: builder?.text ?? '',
      reasoning: builder?.reasoning ?? '',
      toolCalls: builder?.toolCalls ?? [],
      content: builder?.content ?? [],
      warnings: [...warnings, ...(builder?.warnings ?? []), ...costNotes],
      finishReason: error ? 'error' : (builder?.finishReason ?? 'stop'),
      rawFinishReason: builder?.rawFinishReason ?? null,
      usage,
      costUsd,
      timing: { ttftMs: firstShownAt === null ? null : firstShownAt - started, totalMs: this.d.clock.now() - started },
      attempts,
      error,
    };
    if (included && builder) result.costIncluded = true;
    if (builder?.stopSequence != null && !error) result.stopSequence = builder.stopSequence;
    if (costEstimated) result.costEstimated = true;
    if (costCheck) result.costCheck = costCheck;
    if (canContinueWith) result.canContinueWith = canContinueWith;
    return result;
  }

  /** A failed attempt the provider billed although nothing was shown: its own ledger entry (not ok), the run's hold left as it is. */
  private async recordFailedAttempt(
    req: ChatRequest,
    model: string,
    outcome: { builder: ResultBuilder; started: number },
    error: SwitchboardError,
    hold: Hold,
    attempts: Attempt[],
    warnings: string[],
    started: number,
    /** Its cost when the provider reported none (a lost non-streamed answer): an estimate. */
    estimateUsd?: number | null,
  ): Promise<void> {
    const result = this.result(req, started, [...attempts], [...warnings], outcome.builder, model, null, error);
    if (estimateUsd != null && result.costUsd === null && !result.costIncluded) {
      result.costUsd = estimateUsd;
      result.costEstimated = true;
    }
    const own: Hold = { id: null, problem: null, session: hold.session, recorded: false, alerts: [] };
    await this.record(req, result, own);
    if (own.problem) hold.problem = own.problem;
    if (own.recorded) hold.recorded = true;
  }

  /**
   * Appends an answered request (partial ones too) to the ledger, replacing its reservation.
   * A failed write never loses the answer, and is never silent: the stream ends with a warning.
   */
  private async record(req: ChatRequest, r: ChatResult, hold: Hold): Promise<void> {
    if (!this.d.ledger) return;
    const entry = {
      ts: new Date(this.d.clock.now()).toISOString(),
      model: req.model,
      answeredBy: r.answeredBy,
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      cachedInputTokens: r.usage.cachedInputTokens,
      reasoningTokens: r.usage.reasoningTokens,
      costUsd: r.costUsd,
      costEstimated: r.costEstimated === true,
      costIncluded: r.costIncluded === true,
      cacheWrite5mTokens: r.usage.cacheWrite5mTokens ?? null,
      cacheWrite1hTokens: r.usage.cacheWrite1hTokens ?? null,
      toolUsePromptTokens: r.usage.toolUsePromptTokens ?? null,
      webSearches: r.usage.webSearches ?? null,
      inputAudioTokens: r.usage.inputAudioTokens ?? null,
      outputAudioTokens: r.usage.outputAudioTokens ?? null,
      billedUsd: r.costCheck?.billedUsd ?? null,
      computedUsd: r.costCheck ? r.costCheck.computedUsd : r.costEstimated ? null : r.costUsd,
      frontEnd: req.frontEnd ?? 'library',
      ok: r.error === null,
      session: hold.session,
    };
    try {
      if (hold.id !== null) await this.d.ledger.settle(hold.id, entry);
      else await this.d.ledger.append(entry);
      hold.id = null;
      hold.recorded = true;
    } catch (e) {
      hold.problem = `this answer (${r.costIncluded ? 'included in your subscription' : r.costUsd === null ? 'cost unknown' : `$${r.costUsd}`}) could not be recorded: ${(e as Error)?.message ?? String(e)}`;
      return;
    }
    try {
      this.d.onRecorded?.(entry);
    } catch {
      /* a listener's bug must not fail the request */
    }
  }
}

/** Whether the provider reported what it counted (tokens or a cost) for an attempt. */
function counted(b: ResultBuilder): boolean {
  // A running count (usagePartial) is not what the provider bills for an answer that failed.
  return !b.usagePartial && (b.usage.inputTokens !== null || b.usage.outputTokens !== null || b.providerCostUsd !== null);
}

/**
 * What the provider bills for an attempt that failed with no usage reported, by how far its request
 * got (ModelRequest.onUpstream); null when nothing. Never sent (the client left while the connection
 * was made): nothing. A non-streamed forward sent whole and lost (cancelled or timed out while its
 * headers were awaited, or its body cut after the 200): the provider writes, and bills, the whole
 * answer all the same (`answer`); an error status of its own is no answer. A stream cancelled or
 * timed out after it was sent, before its first token: its prompt at least (`prompt`).
 */
function lostAfterSending(upstream: 'sent' | 'answered' | null, whole: boolean, error: SwitchboardError, aborted: boolean): 'answer' | 'prompt' | null {
  // An error status (a 504 too) is the provider's own answer, not a request lost on the way.
  if (upstream === null || error.status !== null) return null;
  const cut = aborted || error.kind === 'timeout';
  if (whole) return upstream === 'answered' || cut ? 'answer' : null;
  return cut ? 'prompt' : null;
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** An adapter without `streamBatches`: every part is a batch of one. */
async function* oneByOne<T>(parts: AsyncIterable<T>): AsyncGenerator<T[]> {
  for await (const p of parts) yield [p];
}

/** Every error the engine reports leaves scrubbed of the keys the process knows (adapters may be anyone's code). */
function asError(e: unknown, model: string): SwitchboardError {
  if (e instanceof SwitchboardError) return scrubError(e);
  const slash = model.indexOf('/');
  return scrubError(classifyNetworkError(e, slash > 0 ? model.slice(0, slash) : model, slash > 0 ? model.slice(slash + 1) : model, 'body'));
}

/**
 * Why a model of the body's own protocol cannot take a request that only forwarding can carry: the
 * conversation holds reasoning state made by other models, which must not reach this one as sent, and
 * only the translating path leaves it out.
 */
function foreignStateRefusal(refusal: SwitchboardError, model: string, origins: readonly string[]): SwitchboardError {
  return new SwitchboardError({
    kind: 'bad_request',
    message: `${refusal.detail}; ${model} would take it as sent, but the conversation carries reasoning made by ${origins.join(', ')}, which only a translated request can leave out`,
    model,
    fix: `ask ${origins.length === 1 ? origins[0] : 'the model that made it'} instead, or start a new conversation`,
    cause: refusal,
  });
}
