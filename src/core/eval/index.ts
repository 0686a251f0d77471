/** Test sets, judged runs, the private leaderboard and code that is run (re-exported by core/index.ts). */
export { parseTestSet, checksOf, checkLabel, TestSetSchema, type TestSet, type EvalPrompt, type Check, type ContextRef, type CodeRun } from './testSet.ts';
export { schemaProblems, validateJson } from './jsonSchema.ts';
export { runCheck, runJavaScript, answerJson, type CheckResult, type Judge } from './checks.ts';
export {
  runEval,
  estimateRun,
  promptMessages,
  totalsOf,
  failedThreshold,
  codeWinner,
  DEFAULT_CONCURRENCY,
  type EvalCell,
  type EvalResults,
  type EvalEvent,
  type EvalRunOptions,
  type ModelTotals,
  type CostEstimate,
  type EvalClient,
} from './runner.ts';
export {
  bradleyTerry,
  leaderboard,
  readLeaderboard,
  writeLeaderboard,
  appendToLeaderboard,
  runComparisons,
  voteComparisons,
  blindPairs,
  blindVoteComparison,
  type BlindPair,
  ratingsForTag,
  seededRandom,
  emptyLeaderboard,
  LEADERBOARD_FILE,
  type Comparison,
  type LeaderboardFile,
  type LeaderboardRow,
  type LeaderboardOptions,
} from './leaderboard.ts';
export { exportPromptfoo, importPromptfoo, toPromptfooProvider, fromPromptfooProvider } from './promptfoo.ts';
export { parseYaml, toYaml, YamlError } from './yaml.ts';
export { runCodeChange, runCommand, applyFiles, makeScratch, type CodeRunResult, type CommandResult } from './codeRun.ts';
export { extractChange, resolveChange, parseUnifiedDiff, applyHunks, type FileChange, type ProposedChange } from './patch.ts';
