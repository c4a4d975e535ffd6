import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** How much of the end of a stream a run keeps by default: far more than any report shows, little memory. */
export const TAIL_BYTES = 64 * 1024;

/**
 * One output stream of a child, read to its end so the program never blocks on
 * a full pipe or dies of a closed one, but held in bounded memory: the whole of
 * it up to `wholeMaxBytes` when a caller must parse all of it, otherwise (and
 * once past that) only its last TAIL_BYTES.
 */
export class StreamCapture {
  private chunks: Buffer[] = [];
  private held = 0;
  private total = 0;

  constructor(private readonly wholeMaxBytes?: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.held += chunk.length;
    if (this.keepsWhole() || this.held <= 2 * TAIL_BYTES) return;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [Buffer.from(joined.subarray(joined.length - TAIL_BYTES))];
    this.held = TAIL_BYTES;
  }

  /** True when the text is only the end of what the program wrote. */
  get cut(): boolean {
    return !this.keepsWhole() && this.total > TAIL_BYTES;
  }

  text(): string {
    const joined = Buffer.concat(this.chunks);
    return this.cut ? decodeTail(joined.subarray(Math.max(0, joined.length - TAIL_BYTES))) : joined.toString('utf8');
  }

  private keepsWhole(): boolean {
    return this.wholeMaxBytes !== undefined && this.total <= this.wholeMaxBytes;
  }
}

/** The last TAIL_BYTES of a file a program wrote its output to, and whether that is less than all of it. */
export function readFileTail(path: string): { text: string; cut: boolean } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, size - length);
    const bytes = buffer.subarray(0, read);
    return size > length ? { text: decodeTail(bytes), cut: true } : { text: bytes.toString('utf8'), cut: false };
  } finally {
    closeSync(fd);
  }
}

/** Decode bytes cut from the end of a stream, dropping a character split at the cut. */
function decodeTail(bytes: Buffer): string {
  let start = 0;
  // UTF-8 continuation bytes are 10xxxxxx: skip those of a character whose first byte was cut off.
  while (start < bytes.length && start < 4 && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('utf8');
}
