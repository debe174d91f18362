/**
 * Writing a whole buffer to a file descriptor. `write(2)` may write less than asked (a pipe, a
 * signal, a file-size limit, a disk that fills up), so both forms loop until every byte is written
 * or an error stops them, and say how many bytes made it.
 */
import { fstatSync, ftruncateSync, write, writeSync } from 'node:fs';

export interface WriteResult {
  /** Bytes written from the start of the buffer. */
  written: number;
  /** Why the rest was not written (undefined when everything was). */
  error: unknown;
}

const stalled = (): Error => new Error('write() wrote 0 bytes');

export function writeFullySync(fd: number, buf: Uint8Array): WriteResult {
  let written = 0;
  try {
    while (written < buf.length) {
      const n = writeSync(fd, buf, written, buf.length - written);
      if (n <= 0) return { written, error: stalled() };
      written += n;
    }
  } catch (error) {
    return { written, error };
  }
  return { written, error: undefined };
}

export function writeFully(fd: number, buf: Uint8Array): Promise<WriteResult> {
  return new Promise((done) => {
    let written = 0;
    const next = (): void => {
      if (written >= buf.length) return done({ written, error: undefined });
      write(fd, buf, written, buf.length - written, null, (error, n) => {
        if (error) return done({ written, error });
        if (n <= 0) return done({ written, error: stalled() });
        written += n;
        next();
      });
    };
    next();
  });
}

/**
 * Writes `text` (`bytes` long in UTF-8) whole. The string goes to `write(2)` as is — no buffer
 * made for it, which costs as much as the write — and only a short write's rest is encoded.
 */
export function writeTextSync(fd: number, text: string, bytes: number): WriteResult {
  let n: number;
  try {
    n = writeSync(fd, text);
  } catch (error) {
    return { written: 0, error };
  }
  if (n >= bytes) return { written: n, error: undefined };
  if (n <= 0) return { written: 0, error: stalled() };
  const rest = writeFullySync(fd, Buffer.from(text).subarray(n));
  return { written: n + rest.written, error: rest.error };
}

/** `writeTextSync` without blocking. */
export function writeText(fd: number, text: string, bytes: number): Promise<WriteResult> {
  return new Promise((done) => {
    write(fd, text, null, 'utf8', (error, n) => {
      if (error) return done({ written: 0, error });
      if (n >= bytes) return done({ written: n, error: undefined });
      if (n <= 0) return done({ written: 0, error: stalled() });
      void writeFully(fd, Buffer.from(text).subarray(n)).then((r) => done({ written: n + r.written, error: r.error }));
    });
  });
}

/** Newline bytes in `buf[0, end)`. */
export function countNewlines(buf: Uint8Array, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Removes the last `bytes` bytes of a regular file (a line cut short by a failed write).
 * Returns false when that is impossible (not a regular file, or the truncation failed).
 */
export function trimTail(fd: number, bytes: number): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size < bytes) return false;
    ftruncateSync(fd, st.size - bytes);
    return true;
  } catch {
    return false;
  }
}
