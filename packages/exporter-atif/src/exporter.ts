/**
 * The ATIF subscriber: follows the lifecycle stream and writes one trajectory file per top-level
 * agent run when the run ends. It never throws into the application: a failure is reported once
 * through `reportFailure` (and counted after that), and the app keeps running.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deregisterSubscriber, registerSubscriber } from '@nemo-flow/runtime';
import { addExitHook, addSyncExitHook, fileSystemMissing, registerDiagnosticsSource, reportFailure } from '@nemo-flow/runtime/exporter-kit';
import type { DeliveryStats, EventExporter, LifecycleEvent } from '@nemo-flow/runtime';
import type { ExitReason } from '@nemo-flow/runtime/exporter-kit';
import { TrajectoryBuilder, type BuilderOptions, type TrajectorySink } from './builder.js';
import { DEFAULT_FILENAME_TEMPLATE, checkFilenameTemplate, invalidName, numberedName, renderFilename } from './naming.js';
import type { CompletedTrajectory } from './run.js';
import type { AtifViolation } from './types.js';
import { publishedAs, writeAtomic, writeAtomicSync } from './writer.js';
import { claimName, releaseName, removeStale, tempPath } from './claims.js';
import { checkExporterOptions } from './options.js';

export interface AtifExporterOptions extends BuilderOptions {
  /** Directory the trajectories are written to (created when needed). Default `./trajectories`. */
  dir?: string;
  /**
   * File name template; placeholders `{session_id}`, `{run_id}`, `{agent_name}`, `{trajectory_id}`
   * (each sanitized). Must contain `{session_id}`, `{run_id}` or `{trajectory_id}`. Default
   * `trajectory-{session_id}.json`. A name already taken gets `-2`, `-3` … before `.json`.
   */
  filenameTemplate?: string;
  /**
   * Called after each file is written whole (e.g. to log or upload it). A file that could not be
   * written completely (disk full, file-size limit) is never published: `onWriteError` is called instead.
   */
  onWritten?: (file: WrittenTrajectory) => void;
  /** Called when a file cannot be written (besides the one-time `reportFailure` warning). */
  onWriteError?: (error: unknown, path: string) => void;
  /**
   * At process exit, synchronously write what is not on disk yet: trajectories still being
   * written and open runs (as partial). Default true.
   */
  writeOnExit?: boolean;
  /**
   * Receive each trajectory as a JSON string instead of a file (no filesystem is touched; `dir` is
   * ignored): for Cloudflare Workers and other runtimes without one, or to store trajectories
   * yourself. A promise it returns is awaited by `forceFlush()` / `flush()`, so an upload started
   * here finishes inside `ctx.waitUntil(flush())`. A throw or rejection is reported.
   */
  onTrajectory?: (json: string, trajectory: TrajectoryInfo) => void | Promise<void>;
}

/** What `onTrajectory` is told besides the JSON. */
export interface TrajectoryInfo {
  /** The file name it would have had (from `filenameTemplate`; `.invalid.json` when not valid). */
  fileName: string;
  sessionId: string;
  trajectoryId: string;
  valid: boolean;
  violations: AtifViolation[];
  partial: boolean;
}

/** A trajectory file the exporter wrote. */
export interface WrittenTrajectory {
  path: string;
  sessionId: string;
  trajectoryId: string;
  /** False when the trajectory broke an ATIF rule (then the file ends in `.invalid.json`). */
  valid: boolean;
  violations: AtifViolation[];
  /** True when the run was still open (exporter shut down, process exit, or its parent run ended first). */
  partial: boolean;
}

const SOURCE = 'exporter-atif';

/** A trajectory on its way to disk. */
interface WriteJob {
  t: CompletedTrajectory;
  /** The name reserved when the run started (released once written). */
  reserved: string;
  tmp: string;
  done: boolean;
  /** Where the asynchronous write published the file (set the moment it is, before the job settles). */
  published?: string;
}

/** Exporters that want their data written at process exit; one runtime exit hook serves them all. */
const atExit = new Set<AtifExporter>();
let exitHooked = false;
function hookExit(exporter: AtifExporter): void {
  atExit.add(exporter);
  if (exitHooked) return;
  exitHooked = true;
  addSyncExitHook(() => {
    for (const e of atExit) e.writeNowAtExit();
  });
}

export class AtifExporter implements EventExporter {
  /** Absolute output directory (empty with `onTrajectory`: no files). */
  readonly dir: string;
  private readonly onTrajectory: AtifExporterOptions['onTrajectory'];
  private delivered = 0;
  private lost = 0;
  private readonly template: string;
  private readonly builder: TrajectoryBuilder;
  private readonly writes = new Set<Promise<void>>();
  private readonly jobs = new Set<WriteJob>();
  private exiting = false;
  /** File names handed to runs and not yet written (keeps concurrent runs apart). */
  private readonly reserved = new Set<string>();
  /** Removal of temp files left by dead processes, started with the first write. */
  private staleSweep: Promise<void> | undefined;
  private readonly onWritten: ((file: WrittenTrajectory) => void) | undefined;
  private readonly onWriteError: ((error: unknown, path: string) => void) | undefined;
  private subscriberName: string | undefined;
  private closed = false;
  private removeSignalHook: (() => void) | undefined;
  /** For `diagnostics()`: trajectories written and failed, the last error and the last good write. */
  private writtenCount = 0;
  private failedCount = 0;
  private lastError: string | null = null;
  private lastSuccessAt: number | null = null;
  private readonly removeDiagnostics: () => void;

  constructor(options: AtifExporterOptions = {}) {
    checkExporterOptions(options);
    this.onTrajectory = options.onTrajectory;
    if (!this.onTrajectory) {
      const noFs = fileSystemMissing();
      if (noFs) {
        throw new Error(
          `AtifExporter: cannot write trajectories to ${options.dir ?? 'trajectories'}: ${noFs}. Pass onTrajectory: (json, trajectory) => … to receive each trajectory as a string`,
        );
      }
    }
    this.dir = this.onTrajectory ? '' : resolve(options.dir ?? 'trajectories');
    this.template = options.filenameTemplate ?? DEFAULT_FILENAME_TEMPLATE;
    checkFilenameTemplate(this.template);
    this.onWritten = options.onWritten;
    this.onWriteError = options.onWriteError;
    const sink: TrajectorySink = {
      reserveName: (vars) => this.reserveName(renderFilename(this.template, vars)),
      complete: (t) => this.write(t),
    };
    this.builder = new TrajectoryBuilder(sink, options);
    this.removeDiagnostics = registerDiagnosticsSource(`${SOURCE}:${this.dir}`, () => ({
      endpoint: this.dir,
      openRuns: this.builder.openRuns,
      queued: this.jobs.size,
      exported: this.writtenCount,
      dropped: this.failedCount,
      lastError: this.lastError,
      lastSuccessAt: this.lastSuccessAt === null ? null : new Date(this.lastSuccessAt).toISOString(),
    }));
    if (options.writeOnExit ?? true) {
      hookExit(this);
      this.removeSignalHook = addExitHook((reason) => this.onSignal(reason));
    }
  }

  /**
   * SIGINT/SIGTERM that will end the process (nothing else handles it): open runs are written as
   * partial trajectories and every file finished before the process ends by the signal. A signal
   * the application handles is left to it (its `shutdown()` or `process.exit()` writes them).
   */
  private async onSignal(reason: ExitReason): Promise<void> {
    if (!reason.signal || !reason.exiting) return;
    if (!this.closed) {
      this.closeOpenRuns(`The process received ${reason.signal} while the run was still open.`);
      this.closed = true;
      this.deregister();
    }
    await this.forceFlush();
  }

  /** Handles one lifecycle event. Synchronous and never throws. */
  onEvent(event: LifecycleEvent): void {
    if (this.closed) return;
    try {
      this.builder.push(event);
    } catch (err) {
      reportFailure(SOURCE, 'ATIF exporter failed to process an event (the trajectory may be incomplete)', err);
    }
  }

  /** Trajectories delivered (written, or taken by `onTrajectory`), lost (write or callback failed), on their way. */
  deliveryStats(): DeliveryStats {
    return { delivered: this.delivered, lost: this.lost, pending: this.writes.size };
  }

  /** Waits until every trajectory of a finished run is on disk (or taken by `onTrajectory`). */
  async forceFlush(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes]);
    await this.staleSweep;
  }

  /** Writes runs that are still open as partial trajectories, stops listening and waits for the files. */
  async shutdown(): Promise<void> {
    if (!this.closed) {
      this.closeOpenRuns('The run was still open when the exporter shut down.');
      this.closed = true;
      this.deregister();
    }
    await this.forceFlush();
    atExit.delete(this);
    this.removeSignalHook?.();
    this.removeDiagnostics();
  }

  /** @internal Process exit: write everything synchronously (no asynchronous work runs any more). */
  writeNowAtExit(): void {
    this.exiting = true;
    if (!this.closed) {
      this.closeOpenRuns('The process exited while the run was still open.');
      this.closed = true;
    }
    for (const job of this.jobs) {
      if (job.done) continue;
      // Published already (its completion not yet handled): writing it again would make a copy under -2.
      const published = job.published ?? publishedAs(job.tmp, this.dir, job.t.fileName);
      if (published !== undefined) {
        try {
          unlinkSync(job.tmp);
        } catch {
          // removed already
        }
        this.written(job, published);
        continue;
      }
      try {
        unlinkSync(job.tmp); // an interrupted asynchronous write
      } catch {
        // not created yet
      }
      this.writeSync(job);
    }
  }

  /** Writes every open run now as a partial trajectory whose notes say `note` (their later events are ignored). */
  closeOpenRuns(note: string): void {
    try {
      this.builder.closeAll(note);
    } catch (err) {
      reportFailure(SOURCE, 'ATIF exporter failed to close open runs', err);
    }
  }

  /** Subscribes to the runtime's lifecycle stream under `name`. */
  register(name = 'atif'): this {
    registerSubscriber(name, this);
    this.subscriberName = name;
    return this;
  }

  /** Unsubscribes; returns whether it was subscribed. */
  deregister(): boolean {
    const name = this.subscriberName;
    this.subscriberName = undefined;
    return name !== undefined && deregisterSubscriber(name);
  }

  /** Top-level runs currently open (their state is released when they end). */
  get openRuns(): number {
    return this.builder.openRuns;
  }

  /** A name no run of this process or another one writing here has: claimed with an exclusive lock file. */
  private reserveName(base: string): string {
    let name = base;
    const memory = this.onTrajectory !== undefined;
    for (let n = 2; this.taken(name) || (!memory && claimName(this.dir, name) === 'taken'); n++) name = numberedName(base, n);
    this.reserved.add(name);
    return name;
  }

  private release(job: WriteJob): void {
    this.reserved.delete(job.reserved);
    releaseName(this.dir, job.reserved);
  }

  private taken(name: string): boolean {
    if (this.reserved.has(name)) return true;
    if (this.onTrajectory) return false;
    try {
      return existsSync(join(this.dir, name)) || existsSync(join(this.dir, invalidName(name)));
    } catch {
      return false;
    }
  }

  private write(t: CompletedTrajectory): void {
    const reservedName = t.fileName;
    const valid = t.violations.length === 0;
    if (!valid) {
      t.fileName = invalidName(t.fileName);
      const list = t.violations.map((v) => `  ${v.path}: ${v.message}`).join('\n');
      reportFailure(
        `${SOURCE}:invalid`,
        `ATIF exporter built a trajectory that breaks the ATIF rules — this is a bug, please report it. ${this.onTrajectory ? 'Delivered as' : 'Written to'} ${join(this.dir, t.fileName)}`,
        new Error(`${t.violations.length} violation(s):\n${list}`),
      );
    }
    if (this.onTrajectory) return this.deliver(t, reservedName, this.onTrajectory);
    const job: WriteJob = { t, reserved: reservedName, tmp: tempPath(this.dir, t.fileName), done: false };
    if (this.exiting) return this.writeSync(job);
    this.jobs.add(job);
    // Temp files of processes killed mid-write would stay forever: the first write here sweeps them.
    this.staleSweep ??= removeStale(this.dir).then(() => undefined);
    const p = writeAtomic(this.dir, t.fileName, t.chunks, job.tmp, (path) => (job.published = path))
      .then(
        (path) => this.written(job, path),
        (err: unknown) => this.failed(job, err),
      )
      .finally(() => {
        this.jobs.delete(job);
        this.writes.delete(p);
      });
    this.writes.add(p);
  }

  /** `onTrajectory` mode: hands the JSON over, and keeps its promise for `forceFlush()`. */
  private deliver(t: CompletedTrajectory, reserved: string, callback: NonNullable<AtifExporterOptions['onTrajectory']>): void {
    const info: TrajectoryInfo = {
      fileName: t.fileName,
      sessionId: t.sessionId,
      trajectoryId: t.trajectoryId,
      valid: t.violations.length === 0,
      violations: t.violations,
      partial: t.partial,
    };
    let result: Promise<void>;
    try {
      result = Promise.resolve(callback(t.chunks.join(''), info));
    } catch (err) {
      result = Promise.reject(err);
    }
    const p: Promise<void> = result
      .then(
        () => void this.delivered++,
        (err: unknown) => {
          this.lost++;
          reportFailure(`${SOURCE}:onTrajectory`, 'ATIF exporter onTrajectory callback failed; the trajectory is lost', err);
        },
      )
      .finally(() => {
        this.reserved.delete(reserved);
        this.writes.delete(p);
      });
    this.writes.add(p);
  }

  private writeSync(job: WriteJob): void {
    try {
      this.written(job, writeAtomicSync(this.dir, job.t.fileName, job.t.chunks));
    } catch (err) {
      this.failed(job, err);
    }
  }

  private written(job: WriteJob, path: string): void {
    if (job.done) return;
    job.done = true;
    this.delivered++;
    this.release(job);
    this.writtenCount++;
    this.lastError = null;
    this.lastSuccessAt = Date.now();
    const t = job.t;
    try {
      this.onWritten?.({
        path,
        sessionId: t.sessionId,
        trajectoryId: t.trajectoryId,
        valid: t.violations.length === 0,
        violations: t.violations,
        partial: t.partial,
      });
    } catch (err) {
      reportFailure(`${SOURCE}:onWritten`, 'ATIF exporter onWritten callback threw', err);
    }
  }

  private failed(job: WriteJob, err: unknown): void {
    if (job.done) return;
    job.done = true;
    this.lost++;
    this.release(job);
    this.failedCount++;
    this.lastError = err instanceof Error ? err.message : String(err);
    reportFailure(`${SOURCE}:write:${this.dir}`, `ATIF exporter cannot write trajectories to ${this.dir}`, err);
    try {
      this.onWriteError?.(err, join(this.dir, job.t.fileName));
    } catch (cbErr) {
      reportFailure(`${SOURCE}:onWriteError`, 'ATIF exporter onWriteError callback threw', cbErr);
    }
  }
}
