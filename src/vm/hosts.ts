import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../errors.js';
import type { Db } from '../state/database.js';
import { type HostAuth, saveVmHost, type VmHostRow } from '../state/vm-hosts.js';
import { connectHost, type HostTarget, readHostKey } from './connection.js';
import { normalizeFingerprint } from './fingerprint.js';
import { probeHost } from './runtime.js';

export interface HostInput {
  name: string;
  host: string;
  port: number;
  user: string;
  auth: HostAuth;
  keyPath?: string;
  fingerprint?: string;
}

export type AddHostOutcome =
  /** No fingerprint was given: the key the host showed, for the caller to check and pass back. Nothing is stored. */
  | { stored: false; seen: { fingerprint: string; keyType: string } }
  /** Logged in with the pinned key and stored; `warning` when the host cannot run the helper yet. */
  | { stored: true; host: VmHostRow; node?: string; git?: string; warning?: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const HOST = /^[A-Za-z0-9_.:][A-Za-z0-9_.:-]{0,252}$/;
const USER = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}$/;

/** The checked target of a host input; the key file must exist, and is never read here. */
function targetOf(input: HostInput): HostTarget {
  if (!NAME.test(input.name))
    throw new UserError('name must be letters, digits, ".", "_" or "-" (at most 63), starting with a letter or digit');
  if (!HOST.test(input.host)) throw new UserError(`host "${input.host.slice(0, 100)}" is not a host name or IP address`);
  if (!USER.test(input.user)) throw new UserError(`user "${input.user.slice(0, 100)}" is not a login name`);
  if (input.auth === 'agent') {
    if (input.keyPath) throw new UserError('key_path goes with auth "key"; auth "agent" uses the keys in SSH_AUTH_SOCK');
    return { ...input, keyPath: null };
  }
  if (!input.keyPath) throw new UserError('auth "key" needs key_path, the private key file (e.g. ~/.ssh/id_ed25519)');
  const keyPath = input.keyPath.startsWith('~/') ? join(homedir(), input.keyPath.slice(2)) : input.keyPath;
  if (!isAbsolute(keyPath)) throw new UserError('key_path must be absolute or start with ~/');
  if (!existsSync(keyPath)) throw new UserError(`key file ${keyPath} does not exist`);
  return { ...input, keyPath };
}

/**
 * Register a benchmark host, trust on first use made explicit: without a
 * fingerprint the host's key is read and shown and nothing is stored; with one,
 * the login must succeed with exactly that key before the host is stored.
 */
export async function addHost(db: Db, input: HostInput, signal?: AbortSignal): Promise<AddHostOutcome> {
  const target = targetOf(input);
  if (input.fingerprint === undefined) return { stored: false, seen: await readHostKey(target, { signal }) };
  const fingerprint = normalizeFingerprint(input.fingerprint);
  const connection = await connectHost(target, fingerprint, { signal });
  let facts: { node?: string; git?: string; warning?: string };
  try {
    facts = await probeHost(connection, signal).catch((error: Error) => {
      if (!(error instanceof UserError)) throw error;
      return { warning: error.message };
    });
  } finally {
    connection.close();
  }
  const host = saveVmHost(db, {
    name: target.name,
    host: target.host,
    port: target.port,
    user: target.user,
    auth: target.auth,
    key_path: target.keyPath ?? null,
    fingerprint,
  });
  return { stored: true, host, node: facts.node, git: facts.git, warning: facts.warning };
}
