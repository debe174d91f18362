/**
 * Names shared between processes writing into one directory. A run claims its file name when it
 * starts by creating a hidden lock file next to it with `O_EXCL` (atomic across processes), so two
 * processes never pick the same name; the lock is removed once the file is written. Temporary and
 * lock files carry the host and pid of their writer, so those left behind by a killed process can be
 * told apart from those of a live one and removed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { hashHex } from './hash.js';
import { cutBytes } from './naming.js';

/** This machine, in 8 hex digits (pids only mean something on the host that made them). */
const HOST = hashHex(hostname()).slice(-8);

/** Room left in a 255-byte name for the temp name's own parts (`.`, host, pid, random, `.tmp`). */
const TEMP_PREFIX_BYTES = 180;

const TEMP = /^\..*\.([0-9a-f]{8})\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const LOCK = /^\..*\.lock$/;

/** A fresh hidden temporary path for `name` in `dir` (at most 255 bytes whatever the name). */
export function tempPath(dir: string, name: string): string {
  return join(dir, `.${cutBytes(name, TEMP_PREFIX_BYTES)}.${HOST}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function lockPath(dir: string, name: string): string {
  return join(dir, `.${name}.lock`);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Whether a lock file's content (`host pid`) names a process of this host that is gone. */
function staleLock(content: string): boolean {
  const [host, pid] = content.trim().split(' ');
  return host === HOST && /^\d+$/.test(pid ?? '') && !alive(Number(pid));
}

function makeDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Claims `name` in `dir` for this process: `claimed`, `taken` (another live writer has it), or
 * `unavailable` (the directory cannot be written; the write will fail and be reported later).
 */
export function claimName(dir: string, name: string): 'claimed' | 'taken' | 'unavailable' {
  const path = lockPath(dir, name);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && attempt === 0 && makeDir(dir)) continue; // the directory does not exist yet
      if (code !== 'EEXIST') return 'unavailable';
      let content = '';
      try {
        content = readFileSync(path, 'utf8');
      } catch {
        continue; // released meanwhile: try again
      }
      if (!staleLock(content)) return 'taken';
      try {
        unlinkSync(path);
      } catch {
        // another process removed it first
      }
      continue;
    }
    try {
      writeSync(fd, `${HOST} ${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return 'claimed';
  }
  return 'taken';
}

/** Gives a claimed name back (its file is written, or could not be). */
export function releaseName(dir: string, name: string): void {
  try {
    unlinkSync(lockPath(dir, name));
  } catch {
    // never claimed (directory unwritable) or already gone
  }
}

/**
 * Removes temporary and lock files that processes of this host left behind when they died
 * (killed mid-write). Files of live processes and of other hosts are left alone. Returns how many
 * files were removed; never throws.
 */
export async function removeStale(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    let stale = false;
    const temp = TEMP.exec(name);
    if (temp) stale = temp[1] === HOST && !alive(Number(temp[2]));
    else if (LOCK.test(name)) stale = staleLock(await readFile(join(dir, name), 'utf8').catch(() => ''));
    if (!stale) continue;
    try {
      await unlink(join(dir, name));
      removed++;
    } catch {
      // removed by someone else meanwhile
    }
  }
  return removed;
}
