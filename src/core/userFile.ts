/**
 * Files the user wrote (a config, a JSON Schema, a test set, a promptfoo file), as text: without the
 * byte-order mark a Windows editor puts first, which JSON.parse and YAML parsers take as content.
 */
import { readFileSync } from 'node:fs';

export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

export function readUserFile(path: string): string {
  return withoutBom(readFileSync(path, 'utf8'));
}
