/**
 * The gateway's bearer token for the CLI: random (256 bits), made on first start and kept in a
 * user-only file (0600, in a 0700 directory). `SWITCHBOARD_GATEWAY_TOKEN` overrides it (scripts,
 * tests). The extension keeps its token in SecretStorage and never calls this.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SwitchboardError, makeDirs } from '../core/index.ts';

export const TOKEN_ENV = 'SWITCHBOARD_GATEWAY_TOKEN';
/** Shortest token accepted from anywhere: 16 characters (a generated one has 43). */
export const MIN_TOKEN_LENGTH = 16;

/** 32 random bytes as base64url (43 characters, 256 bits). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function defaultTokenPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'switchboard', 'gateway-token');
}

export interface GatewayToken {
  token: string;
  /** Where it came from, for the start-up line ("the file …" or "$SWITCHBOARD_GATEWAY_TOKEN"). */
  source: 'env' | 'file';
  /** The token file (null when the environment gave the token). */
  path: string | null;
  /** True when this call generated and wrote the file. */
  created: boolean;
}

const tokenError = (message: string, fix: string): SwitchboardError => new SwitchboardError({ kind: 'config', message, fix });

/**
 * The token from `$SWITCHBOARD_GATEWAY_TOKEN`, else from the token file, else a new one written
 * to it. Refuses a file other users can read or that another user owns (the token may have leaked).
 */
export function loadOrCreateToken(opts: { env?: NodeJS.ProcessEnv; path?: string } = {}): GatewayToken {
  const env = opts.env ?? process.env;
  const fromEnv = env[TOKEN_ENV]?.trim();
  if (fromEnv) {
    if (fromEnv.length < MIN_TOKEN_LENGTH)
      throw tokenError(
        `${TOKEN_ENV} is too short (${fromEnv.length} characters)`,
        `use at least ${MIN_TOKEN_LENGTH} random characters, or unset it to use a generated token`,
      );
    return { token: fromEnv, source: 'env', path: null, created: false };
  }
  const path = opts.path ?? defaultTokenPath(env);
  const existing = readTokenFile(path);
  if (existing !== null) return { token: existing, source: 'file', path, created: false };

  makeDirs(dirname(path), 0o700);
  const token = generateToken();
  // Write a private temp file, then link it into place: the final name either appears complete
  // with 0600 or not at all, and two starting gateways cannot both create it.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, token + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const winner = readTokenFile(path);
    if (winner === null) throw e;
    return { token: winner, source: 'file', path, created: false };
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
  return { token, source: 'file', path, created: true };
}

/** The token in `path`, or null when there is no file. Throws when the file is unsafe or unusable. */
function readTokenFile(path: string): string | null {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (process.platform !== 'win32') {
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw tokenError(`the gateway token file ${path} belongs to another user`, `delete it to make a new token`);
    }
    if ((st.mode & 0o077) !== 0) {
      throw tokenError(
        `the gateway token file ${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)})`,
        `delete it to make a new token (the old one may have leaked), or run chmod 600 ${path}`,
      );
    }
  }
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw tokenError(`the gateway token file ${path} does not hold a usable token`, 'delete it to make a new token');
  }
  return token;
}
