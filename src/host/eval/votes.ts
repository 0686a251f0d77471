/** A comparison vote into the workspace's leaderboard, as pairwise outcomes (source "vote"). */
import { join } from 'node:path';
import { appendToLeaderboard, LEADERBOARD_FILE, voteComparisons } from '../../core/index.ts';
import { evalRoot } from './panel.ts';

export function recordVoteInLeaderboard(winner: string, answered: readonly string[], log: { warn(line: string): void }): void {
  const root = evalRoot();
  if (!root) return;
  try {
    appendToLeaderboard(join(root, LEADERBOARD_FILE), voteComparisons(winner, answered, [], new Date()));
  } catch (e) {
    log.warn(`Compare: the vote is on the scoreboard but could not be added to the leaderboard: ${(e as Error).message}`);
  }
}
