/**
 * Atomic file writes: the document goes to a temporary file in the same directory and is checked to
 * be complete (every byte written, the file as long as the document) before it is published under
 * its name with `link`, which fails instead of replacing a file that is already there (another
 * run's, another process's). A partial document is never published. Chunks are written in batches,
 * so the document is never joined into one string.
 */
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { link, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPath } from './claims.js';
import { numberedName } from './naming.js';

// Small batches keep the transient copy (string → bytes) small next to the document.
const BATCH_CHARS = 1 << 18;
/** Numbered names tried when the name is taken by a file this exporter did not reserve. */
const MAX_NUMBERED = 10_000;
/** `link` is not supported there (some network and FAT file systems): publish with exclusive create + rename. */
const NO_LINK = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

function* batches(chunks: readonly string[]): Generator<Buffer> {
  let batch: string[] = [];
  let size = 0;
  for (const c of chunks) {
    batch.push(c);
    size += c.length;
    if (size >= BATCH_CHARS) {
      yield Buffer.from(batch.join(''));
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) yield Buffer.from(batch.join(''));
}

function incomplete(written: number, size: number, expected: number): Error {
  return Object.assign(new Error(`short write: ${written} of ${expected} bytes written (file size ${size}); the partial file was not published`), {
    code: 'ESHORTWRITE',
  });
}

/** Writes every byte of `buf`, looping on short writes; an error or a write of 0 bytes ends it. */
async function writeAll(fh: FileHandle, buf: Buffer): Promise<number> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    if (bytesWritten <= 0) break;
    off += bytesWritten;
  }
  return off;
}

function writeAllSync(fd: number, buf: Buffer): number {
  let off = 0;
  while (off < buf.length) {
    const n = writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) break;
    off += n;
  }
  return off;
}

function* candidates(name: string): Generator<string> {
  yield name;
  for (let n = 2; n <= MAX_NUMBERED; n++) yield numberedName(name, n);
}

/** Publishes `tmp` as `dir/name` (or `name-2` … when that exists), never replacing a file. Returns the path. */
async function publish(tmp: string, dir: string, name: string, onPublished: (path: string) => void): Promise<string> {
  for (const candidate of candidates(name)) {
    const target = join(dir, candidate);
    try {
      await link(tmp, target);
      onPublished(target);
      await unlink(tmp).catch(() => undefined);
      return target;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') continue;
      if (!NO_LINK.has(code)) throw err;
      try {
        await (await open(target, 'wx')).close(); // claim the name, then move the document over the claim
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      await rename(tmp, target);
      onPublished(target);
      return target;
    }
  }
  throw new Error(`no free file name for ${name} in ${dir}`);
}

function publishSync(tmp: string, dir: string, name: string): string {
  for (const candidate of candidates(name)) {
    const target = join(dir, candidate);
    try {
      linkSync(tmp, target);
      try {
        unlinkSync(tmp);
      } catch {
        // gone already
      }
      return target;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') continue;
      if (!NO_LINK.has(code)) throw err;
      try {
        closeSync(openSync(target, 'wx'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      renameSync(tmp, target);
      return target;
    }
  }
  throw new Error(`no free file name for ${name} in ${dir}`);
}

/**
 * Writes `chunks` to `dir/name` atomically; `tmp` is the temporary path to use. Resolves to the
 * final path; `onPublished` hears of it the moment the file is in place (before the cleanup after).
 */
export async function writeAtomic(
  dir: string,
  name: string,
  chunks: readonly string[],
  tmp = tempPath(dir, name),
  onPublished: (path: string) => void = () => {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const fh = await open(tmp, 'wx');
  try {
    let expected = 0;
    let written = 0;
    for (const b of batches(chunks)) {
      expected += b.length;
      written += await writeAll(fh, b);
      if (written < expected) break;
    }
    const { size } = await fh.stat();
    if (written !== expected || size !== expected) throw incomplete(written, size, expected);
    await fh.close();
    return await publish(tmp, dir, name, onPublished);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The same, synchronously (used at process exit, when nothing asynchronous runs any more). */
export function writeAtomicSync(dir: string, name: string, chunks: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  const tmp = tempPath(dir, name);
  const fd = openSync(tmp, 'wx');
  let open = true;
  try {
    let expected = 0;
    let written = 0;
    for (const b of batches(chunks)) {
      expected += b.length;
      written += writeAllSync(fd, b);
      if (written < expected) break;
    }
    const { size } = fstatSync(fd);
    if (written !== expected || size !== expected) throw incomplete(written, size, expected);
    open = false;
    closeSync(fd);
    return publishSync(tmp, dir, name);
  } catch (err) {
    if (open) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created or already gone
    }
    throw err;
  }
}

/**
 * Where an interrupted asynchronous write already published `tmp` (its `link` done, the rest not
 * yet), or undefined. Used at process exit, so that such a file is not written a second time.
 */
export function publishedAs(tmp: string, dir: string, name: string): string | undefined {
  let ino: number;
  try {
    const st = statSync(tmp);
    if (st.nlink < 2) return undefined;
    ino = st.ino;
  } catch {
    return undefined;
  }
  for (const candidate of candidates(name)) {
    const target = join(dir, candidate);
    try {
      if (statSync(target).ino === ino) return target;
    } catch {
      return undefined; // publish() takes the first free name: nothing past a free one
    }
  }
  return undefined;
}
