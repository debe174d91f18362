/**
 * Work that must happen before the process ends: exporters flush, files get their last lines.
 * One set of process listeners serves every hook (even across copies of this package), so two
 * exporters do not each wait for the other to end the process.
 *
 * - `beforeExit` (the event loop ran dry): hooks may start asynchronous work (an HTTP request
 *   keeps the process alive until it is sent). A hook must do nothing when it has nothing new,
 *   or `beforeExit` would come back forever.
 * - `SIGTERM` / `SIGINT`: hooks run. Listening to a signal replaces Node's default "exit", so when
 *   no other listener is left to decide, the signal is re-raised once every hook has finished and
 *   the process ends as it would have (same signal, same exit code). A second signal while hooks
 *   run (an impatient Ctrl-C) ends the process at once.
 *
 * - `exit` (any end, `process.exit()` included): only synchronous work can run; hooks added with
 *   `addSyncExitHook` run then, in the order added.
 *
 * Sinks and exporters use these instead of their own `process.on(...)`, so a hundred instances
 * cost one listener per event, not a hundred (and no MaxListenersExceededWarning).
 */

/** Why an exit hook runs. */
export interface ExitReason {
  /** The signal, or undefined for `beforeExit`. */
  signal: NodeJS.Signals | undefined;
  /**
   * True when the process is about to end: `beforeExit`, or a signal nobody else listens to.
   * False for a signal the app handles itself (it may keep running, e.g. to drain requests).
   */
  exiting: boolean;
}

/** What an exporter does at exit. */
export type ExitFlush = (reason: ExitReason) => Promise<void>;

interface ExitRegistry {
  hooks: Set<ExitFlush>;
  installed: boolean;
  /** Synchronous hooks of the `exit` event (a copy of this module from an older version may lack them). */
  syncHooks?: Set<() => void>;
  onExit?: () => void;
  /** A signal flush is under way: a second signal (impatient Ctrl-C) exits at once. */
  signalled: boolean;
  onBeforeExit: () => void;
  onSignal: (signal: NodeJS.Signals) => void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
const KEY = Symbol.for('nemo_flow.exit_hooks');

function registry(): ExitRegistry {
  const g = globalThis as { [KEY]?: ExitRegistry };
  return (g[KEY] ??= createRegistry());
}

function createRegistry(): ExitRegistry {
  const r: ExitRegistry = {
    hooks: new Set(),
    installed: false,
    signalled: false,
    onBeforeExit: () => {
      void runAll(r, undefined);
    },
    onSignal: (signal) => {
      if (r.signalled) {
        reraise(r, signal);
        return;
      }
      r.signalled = true;
      void runAll(r, signal).then(() => {
        r.signalled = false;
        reraise(r, signal);
      });
    },
  };
  return r;
}

/** Re-raises `signal` when nobody else listens to it: the app expected Node's default exit. */
function reraise(r: ExitRegistry, signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) !== 1) return;
  uninstall(r);
  process.kill(process.pid, signal);
}

async function runAll(r: ExitRegistry, signal: NodeJS.Signals | undefined): Promise<void> {
  const reason: ExitReason = { signal, exiting: signal === undefined || process.listenerCount(signal) === 1 };
  await Promise.all([...r.hooks].map((h) => h(reason).catch(() => undefined)));
}

/**
 * The process, when there is one that emits events (Node, Bun, Deno; Workers with `nodejs_compat`
 * have a stand-in). Elsewhere (Workers without it, browsers) there is no exit to hook: the app
 * ends a run with `await flush()` (in `ctx.waitUntil(...)` on Workers).
 */
function eventProcess(): NodeJS.Process | undefined {
  const p = (globalThis as { process?: Partial<NodeJS.Process> }).process;
  return typeof p?.on === 'function' && typeof p.removeListener === 'function' ? (p as NodeJS.Process) : undefined;
}

/** `process.on` that never throws (a runtime may not support a signal). */
function listen(event: string, fn: (...args: never[]) => void): void {
  try {
    eventProcess()?.on(event, fn as () => void);
  } catch {
    // Unsupported event on this runtime: that exit path simply does not exist here.
  }
}

function install(r: ExitRegistry): void {
  if (r.installed || !eventProcess()) return;
  r.installed = true;
  listen('beforeExit', r.onBeforeExit);
  for (const s of SIGNALS) listen(s, r.onSignal);
}

function uninstall(r: ExitRegistry): void {
  if (!r.installed) return;
  r.installed = false;
  const p = eventProcess();
  p?.removeListener('beforeExit', r.onBeforeExit);
  for (const s of SIGNALS) p?.removeListener(s, r.onSignal);
}

/**
 * Registers `fn` to run synchronously when the process exits (also at `process.exit()`): write
 * what is buffered with sync I/O. Returns the function that removes it. A throwing hook does not
 * stop the others.
 */
export function addSyncExitHook(fn: () => void): () => void {
  const r = registry();
  const hooks = (r.syncHooks ??= new Set());
  if (!r.onExit && eventProcess()) {
    r.onExit = () => {
      for (const h of hooks) {
        try {
          h();
        } catch {
          // The process is ending: nothing is left to report to.
        }
      }
    };
    listen('exit', r.onExit);
  }
  hooks.add(fn);
  return () => {
    hooks.delete(fn);
  };
}

/** Registers `flush` to run at exit; returns the function that removes it. */
export function addExitHook(flush: ExitFlush): () => void {
  const r = registry();
  r.hooks.add(flush);
  install(r);
  return () => {
    r.hooks.delete(flush);
    if (r.hooks.size === 0) uninstall(r);
  };
}
