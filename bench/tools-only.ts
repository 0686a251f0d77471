/** `node bench/tools-only.ts [--runs=N] [--events=N]`: only part A2 of `npm run bench` (tool-call streams). */
import { benchToolCalls } from './tool-bench.ts';
import { ms, ratio } from './stats.ts';

const arg = (name: string, fallback: number): number => Number(process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const gc = (globalThis as { gc?: () => void }).gc;
const tb = await benchToolCalls({ events: arg('events', 20_000), runs: arg('runs', 15), warmup: arg('warmup', 3), ...(gc ? { gc } : {}) });
process.stdout.write(`${tb.fixture.argumentEvents} argument chunks, ${(tb.fixture.body.length / 1e6).toFixed(2)} MB\n`);
process.stdout.write(
  `openai SDK median ${ms(tb.sdk.median)} (min ${ms(tb.sdk.min)}); facade median ${ms(tb.facade.median)} (min ${ms(tb.facade.min)}); facade/SDK ${ratio(tb.ratio)} (minima ${ratio(tb.ratioOfMinima)}), target ≤ 0.30×\n`,
);
