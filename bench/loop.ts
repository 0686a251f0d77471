/**
 * Runs decoding paths in a loop against the benchmark's SSE server, printing each run's time.
 * For profiling, e.g.:
 *   node --cpu-prof --cpu-prof-dir=.artifacts/profiles bench/loop.ts e 40
 *   node bench/cpuprofile-summary.ts .artifacts/profiles/<file>.cpuprofile
 * Arguments: comma-separated path ids (default e), runs per path (default 30), warm-up runs (default 5).
 */
import { createDecodePaths, type PathId } from './decode-paths.ts';
import { buildSseFixture } from './sse-fixture.ts';
import { startSseServer } from './sse-server.ts';

const ids = (process.argv[2] ?? 'e').split(',') as PathId[];
const runs = Number(process.argv[3] ?? 30);
const warmup = Number(process.argv[4] ?? 5);
const gc = (globalThis as { gc?: () => void }).gc;

const fixture = buildSseFixture();
const server = await startSseServer(fixture.body);
const decode = createDecodePaths(server.baseUrl);
try {
  for (const id of ids) {
    const p = decode.paths.find((x) => x.id === id);
    if (!p) throw new Error(`unknown path ${id}`);
    const times: number[] = [];
    for (let r = 0; r < warmup + runs; r++) {
      gc?.();
      const t0 = performance.now();
      const out = await p.run();
      if (r >= warmup) times.push(performance.now() - t0);
      if (out !== (id === 'a' ? String(fixture.body.length) : fixture.text)) throw new Error(`path ${id}: wrong output`);
    }
    const sorted = [...times].sort((x, y) => x - y);
    console.log(
      `(${id}) median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms — ${times.map((t) => t.toFixed(0)).join(' ')}`,
    );
  }
} finally {
  await decode.close();
  await server.close();
}
