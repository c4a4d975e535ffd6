import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';

/** `SHA256:` and 43 characters of unpadded base64, as `ssh-keygen -lf` and `ssh` print a host key. */
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** The OpenSSH SHA256 fingerprint of a public key in its wire form (the blob a server sends). */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of a public key blob, e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string {
  const length = keyBlob.length >= 4 ? keyBlob.readUInt32BE(0) : 0;
  return length > 0 && length < 64 && keyBlob.length >= 4 + length ? keyBlob.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

/** A fingerprint as given, checked; `SHA256:` may be left out, trailing `=` padding is dropped. */
export function normalizeFingerprint(given: string): string {
  const trimmed = given.trim().replace(/=+$/, '');
  const value = trimmed.startsWith('SHA256:') ? trimmed : `SHA256:${trimmed}`;
  if (!FINGERPRINT.test(value)) {
    throw new UserError(
      'fingerprint must be a SHA256 host key fingerprint such as SHA256:Z2ZSYp…(43 characters), as ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub prints it on the host',
    );
  }
  return value;
}
