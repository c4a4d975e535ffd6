import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

export const HOST_AUTHS = ['agent', 'key'] as const;
export type HostAuth = (typeof HOST_AUTHS)[number];

/** A benchmark host as registered: where it is, how to log in, and the host key it must show. No secret is kept. */
export interface VmHostRow {
  name: string;
  host: string;
  port: number;
  user: string;
  auth: HostAuth;
  /** For key auth: the path of the private key file, read only when connecting. */
  key_path: string | null;
  /** `SHA256:…` of the host key, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  created_at: string;
}

/** Add a host, or replace the one of that name. */
export function saveVmHost(db: Db, host: Omit<VmHostRow, 'created_at'>): VmHostRow {
  const row = { ...host, created_at: nowIso() };
  stmt(
    db,
    `INSERT INTO vm_hosts (name, host, port, user, auth, key_path, fingerprint, created_at)
     VALUES (@name, @host, @port, @user, @auth, @key_path, @fingerprint, @created_at)
     ON CONFLICT (name) DO UPDATE SET host = excluded.host, port = excluded.port, user = excluded.user, auth = excluded.auth,
       key_path = excluded.key_path, fingerprint = excluded.fingerprint, created_at = excluded.created_at`,
  ).run(row);
  return row;
}

export function getVmHost(db: Db, name: string): VmHostRow | undefined {
  return stmt(db, 'SELECT * FROM vm_hosts WHERE name = ?').get(name) as VmHostRow | undefined;
}

export function listVmHosts(db: Db): VmHostRow[] {
  return stmt(db, 'SELECT * FROM vm_hosts ORDER BY name').all() as VmHostRow[];
}

/** True when a host of that name was registered (and is now gone). */
export function removeVmHost(db: Db, name: string): boolean {
  return stmt(db, 'DELETE FROM vm_hosts WHERE name = ?').run(name).changes > 0;
}
