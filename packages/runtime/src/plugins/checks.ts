/**
 * Checks of the environment a configuration will run in, without changing it: can an endpoint be
 * reached, can a directory be written, is a package installed. Each returns a problem description
 * or undefined.
 */
import { connect } from 'node:net';
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A quick TCP connect to the URL's host and port. Resolves with why it failed, or undefined. */
export function checkReachable(url: string, timeoutMs: number): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve(`${url} is not a valid URL`);
  }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (problem: string | undefined): void => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      done(problem);
    };
    socket.setTimeout(timeoutMs, () => finish(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`));
    socket.once('connect', () => finish(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(`cannot connect to ${host}:${port} (${err.code ?? err.message})`));
  });
}

/**
 * Whether `dir` exists as a writable directory, or could be created: the nearest existing
 * ancestor must be a writable directory. Creates nothing.
 */
export function checkWritableDir(dir: string): string | undefined {
  const target = resolve(dir);
  for (let p = target; ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(p) !== p) continue;
      return `cannot inspect ${p} (${code ?? (err as Error).message})`;
    }
    if (!isDir) {
      return p === target ? `${p} exists and is not a directory` : `${target} cannot be created: ${p} is a file, not a directory`;
    }
    try {
      accessSync(p, constants.W_OK);
    } catch {
      return p === target ? `${p} is not writable` : `${target} cannot be created: ${p} is not writable`;
    }
    return undefined;
  }
}

/** Whether a file can be written (created or appended): not a directory, and its folder writable. */
export function checkWritableFile(path: string): string | undefined {
  const target = resolve(path);
  try {
    const st = statSync(target);
    if (st.isDirectory()) return `${target} is a directory; expected a file path`;
    accessSync(target, constants.W_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return `${target} is not writable (${code ?? (err as Error).message})`;
  }
  return checkWritableDir(dirname(target));
}

/** A class exported by a package, or why it could not be had. */
export type LoadResult<T> = { ok: true; value: T } | { ok: false; code: 'PACKAGE_NOT_INSTALLED' | 'PACKAGE_LOAD_FAILED'; message: string };

/** Imports `specifier` and returns its export `name` when it is a class (constructor). */
export async function loadExport<T>(importModule: (s: string) => Promise<unknown>, specifier: string, name: string): Promise<LoadResult<T>> {
  let mod: unknown;
  try {
    mod = await importModule(specifier);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const msg = e?.message ?? String(err);
    // Node quotes the name of the package it could not find; a missing dependency of the package names that one instead.
    const missing = (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && msg.includes(`'${specifier}'`);
    if (missing) {
      return { ok: false, code: 'PACKAGE_NOT_INSTALLED', message: `package ${specifier} is not installed; install it with \`npm install ${specifier}\`` };
    }
    return { ok: false, code: 'PACKAGE_LOAD_FAILED', message: `package ${specifier} could not be loaded: ${msg}` };
  }
  const value = (mod as Record<string, unknown> | null)?.[name];
  if (typeof value !== 'function') {
    return { ok: false, code: 'PACKAGE_LOAD_FAILED', message: `package ${specifier} does not export a class named ${name}; is it an older version?` };
  }
  return { ok: true, value: value as T };
}
