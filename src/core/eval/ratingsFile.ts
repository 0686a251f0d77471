/** The leaderboard as a "best" route reads it: from the file, re-read only when the file changes. */
import { statSync } from 'node:fs';
import { ratingsForTag, readLeaderboard, type LeaderboardFile } from './leaderboard.ts';

export function leaderboardRatings(path: string): (tag: string | undefined) => ReadonlyMap<string, number> {
  let stamp = '';
  let board: LeaderboardFile | null = null;
  const byTag = new Map<string, ReadonlyMap<string, number>>();
  return (tag) => {
    let now: string;
    try {
      const st = statSync(path);
      now = `${st.mtimeMs}:${st.size}`;
    } catch {
      now = 'missing';
    }
    if (now !== stamp || !board) {
      board = readLeaderboard(path);
      stamp = now;
      byTag.clear();
    }
    const key = tag ?? '\0all';
    let r = byTag.get(key);
    if (!r) {
      r = ratingsForTag(board, tag);
      byTag.set(key, r);
    }
    return r;
  };
}
