import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats } from 'node:fs';

/** Larger state files are not read: the server never writes one this size, and reading it whole would cost that much memory. */
const MAX_STATE_FILE_BYTES = 32 * 1024 * 1024;

export type PlainFileRead = { text: string } | { missing: true } | { refused: string };

/** Why an entry is not a file the server could have written (a phrase: "is a symbolic link"), or undefined when it is one. */
function problemOf(stat: Stats): string | undefined {
  if (stat.isSymbolicLink()) return 'is a symbolic link';
  if (!stat.isFile()) return 'is not a regular file';
  if (stat.nlink > 1) return `is a hard link (one of ${stat.nlink} names of one file)`;
  if (stat.size > MAX_STATE_FILE_BYTES) return `is larger than ${MAX_STATE_FILE_BYTES / 1024 / 1024} MiB`;
  return undefined;
}

/**
 * Read a file of the state directory only when it is one the server could have
 * written there: a regular file, not a symbolic link (a cloned repository can
 * commit `.codeflash/HANDOFF.md -> ~/.ssh/id_rsa`) and not a hard link, whose
 * other name may lie anywhere. O_NOFOLLOW makes the check and the read one
 * step, so the entry cannot be swapped for a link in between.
 */
export function readPlainFile(path: string): PlainFileRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true };
    if (code === 'ELOOP') return { refused: 'is a symbolic link' };
    throw error;
  }
  try {
    const problem = problemOf(fstatSync(fd));
    return problem ? { refused: problem } : { text: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

/** Whether an entry exists at all, a dangling symbolic link included. */
export function entryExists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** Whether the entry is a plain file as readPlainFile would read it. */
export function isPlainFile(path: string): boolean {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  return stat !== undefined && problemOf(stat) === undefined;
}
