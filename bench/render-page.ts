/**
 * Browser side of the render benchmark (bundled by bench/render.ts with esbuild, run in Chromium).
 * It drives the chat's real renderer (src/webview/shared/markdown.ts) and a naive one.
 *
 * Chunks arrive the way the chat's deltas do: one `message` event each, at a steady rate (a sender in
 * the page posts each chunk when it is due), and the browser paints in between as it would.
 * Every task the benchmark causes is timed: each message handler and each animation-frame callback
 * (the streaming renderer updates the DOM from those). Layout and style work that the browser does
 * after a task is not in these JavaScript timings; the Node side reads Chromium's own counters
 * (ScriptDuration, LayoutDuration, …) and long-task entries around each phase for that.
 */
import { renderMarkdown, StreamingMarkdown } from '../src/webview/shared/markdown.ts';

export interface StreamStats {
  /** Wall time from the first chunk to the DOM being complete. */
  wallMs: number;
  /** Sum of the timed tasks (message handlers + animation-frame callbacks). */
  jsMs: number;
  handlerMs: number;
  frameMs: number;
  longestTaskMs: number;
  tasks: number;
  frames: number;
  /** Whitespace-normalised text of the result (checked against a full render). */
  text: string;
}

const rafTimes: number[] = [];
const nativeRaf = window.requestAnimationFrame.bind(window);
// Time every animation-frame callback (the streaming renderer's DOM updates run in them).
window.requestAnimationFrame = (cb: FrameRequestCallback): number =>
  nativeRaf((ts) => {
    const t0 = performance.now();
    try {
      cb(ts);
    } finally {
      rafTimes.push(performance.now() - t0);
    }
  });

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

function stage(): HTMLElement {
  document.body.replaceChildren();
  const root = document.createElement('div');
  root.className = 'entry-text markdown';
  document.body.append(root);
  return root;
}

/**
 * One full render of the whole answer in its own task: `ms` is the JavaScript (parse, highlight,
 * sanitize, insert), `withLayoutMs` adds the layout the browser does before painting it.
 */
function full(text: string): Promise<{ ms: number; withLayoutMs: number; text: string }> {
  const root = stage();
  return new Promise((resolve) =>
    setTimeout(() => {
      const t0 = performance.now();
      root.append(renderMarkdown(text));
      const ms = performance.now() - t0;
      void root.offsetHeight;
      const withLayoutMs = performance.now() - t0;
      resolve({ ms, withLayoutMs, text: norm(root.textContent ?? '') });
    }, 0),
  );
}

/**
 * Streams `chunks` into the renderer, `perSecond` chunks per second (each chunk its own message
 * event, as the host's deltas are), and resolves once the DOM shows the whole answer.
 */
function stream(chunks: string[], perSecond: number, renderer: 'incremental' | 'none'): Promise<StreamStats> {
  const root = stage();
  rafTimes.length = 0;
  const handlerTimes: number[] = [];
  let received = 0;
  // 'none' is the baseline: the same deliveries into a renderer that only keeps the text.
  let kept = '';
  const md =
    renderer === 'incremental' ? new StreamingMarkdown(root) : { append: (t: string) => void (kept += t), flush: () => void (root.textContent = kept) };
  return new Promise((resolve) => {
    const t0 = performance.now();
    const finish = (): void => {
      window.removeEventListener('message', onMessage);
      // Let the last animation frame land, then read the result.
      nativeRaf(() =>
        setTimeout(() => {
          md.flush();
          const wallMs = performance.now() - t0;
          const all = [...handlerTimes, ...rafTimes];
          const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
          resolve({
            wallMs,
            jsMs: sum(all),
            handlerMs: sum(handlerTimes),
            frameMs: sum(rafTimes),
            longestTaskMs: Math.max(0, ...all),
            tasks: all.length,
            frames: rafTimes.length,
            text: norm(root.textContent ?? ''),
          });
        }, 0),
      );
    };
    const onMessage = (e: MessageEvent<unknown>): void => {
      if (typeof e.data !== 'number') return;
      const t = performance.now();
      md.append(chunks[e.data]!);
      handlerTimes.push(performance.now() - t);
      if (++received === chunks.length) finish();
    };
    window.addEventListener('message', onMessage);
    // The sender: every few milliseconds, post each chunk that is due as its own message.
    let sent = 0;
    const send = (): void => {
      const due = Math.min(chunks.length, Math.floor(((performance.now() - t0) / 1000) * perSecond) + 1);
      while (sent < due) window.postMessage(sent++, '*');
      if (sent < chunks.length) setTimeout(send, 2);
    };
    send();
  });
}

/**
 * The naive renderer (re-render the whole answer on every chunk), timed on every `every`-th chunk:
 * rendering the answer up to chunk i costs the same whichever way the chunks arrived, so the sum
 * over the sampled chunks times `every` estimates the whole stream without spending minutes on it.
 */
function naive(chunks: string[], every: number): Promise<{ samples: number; estimatedTotalMs: number; longestTaskMs: number; text: string }> {
  const root = stage();
  const prefix: string[] = [];
  let acc = '';
  for (const c of chunks) prefix.push((acc += c));
  return new Promise((resolve) => {
    const times: number[] = [];
    let i = every - 1;
    const step = (): void => {
      const t0 = performance.now();
      root.replaceChildren(renderMarkdown(prefix[i]!));
      void root.offsetHeight;
      times.push(performance.now() - t0);
      if (i === chunks.length - 1) {
        resolve({
          samples: times.length,
          estimatedTotalMs: times.reduce((a, b) => a + b, 0) * every,
          longestTaskMs: Math.max(...times),
          text: norm(root.textContent ?? ''),
        });
        return;
      }
      i = Math.min(chunks.length - 1, i + every);
      setTimeout(step, 0);
    };
    setTimeout(step, 0);
  });
}

(window as unknown as { renderBench: unknown }).renderBench = { full, stream, naive };
