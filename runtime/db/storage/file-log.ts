// The file storage's transaction log: append-only segment files named by the first t they hold, each
// a run of checksummed frames. An append is one write plus one fdatasync, however many entries it
// carries; that is what makes group commit cheap. The active segment is extended with zeros ahead of
// the writes, so most fdatasyncs flush data only, not a new file size. Opening recovers the last
// segment: a torn tail is cut off (and cast); damage followed by records of a later batch is an
// error that says where.
import { writeSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { event } from '../../cast/index.js';
import { StorageConflictError, StorageCorruptError, StorageUnavailableError } from './errors.js';
import { fsyncDir } from './fs-durable.js';
import { encodeFrames, payload, scanSegment, type Frame } from './log-frame.js';
import { checkAppend, type LogRecord } from './storage.js';

const SEGMENT_NAME = /^(\d{16})\.log$/;
/** How far ahead of the writes the active segment is extended with zeros. */
const PREALLOCATE_BYTES = 1024 * 1024;
const zeros = Buffer.alloc(PREALLOCATE_BYTES);

function segmentName(firstT: number): string {
  return `${String(firstT).padStart(16, '0')}.log`;
}

export interface SyncInfo {
  readonly db: string;
  readonly entries: number;
  readonly bytes: number;
}

export interface FileLogOptions {
  /** A segment that has reached this size is closed and the next append starts a new one. */
  readonly segmentBytes: number;
  /** Called after each durable append, once per fdatasync. */
  readonly onSync?: (info: SyncInfo) => void;
}

interface Segment {
  readonly firstT: number;
  readonly path: string;
}

export class FileLog {
  private failure: Error | undefined;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: string,
    private readonly dir: string,
    private readonly options: FileLogOptions,
    private readonly segments: Segment[],
    private handle: FileHandle | undefined,
    /** Bytes of the active segment that are durable; readers never look past them. */
    private activeSize: number,
    /** Bytes the active segment file has, preallocated zeros included. */
    private allocated: number,
    private last: number,
  ) {}

  static async open(db: string, dir: string, options: FileLogOptions): Promise<FileLog> {
    await mkdir(dir, { recursive: true });
    const segments = (await readdir(dir))
      .map((name) => SEGMENT_NAME.exec(name))
      .filter((match) => match !== null)
      .map((match) => ({ firstT: Number(match[1]), path: join(dir, match[0]) }))
      .sort((a, b) => a.firstT - b.firstT);
    for (;;) {
      const active = segments.at(-1);
      if (active === undefined) return new FileLog(db, dir, options, segments, undefined, 0, 0, 0);
      const { validEnd, fileSize, torn, lastT } = await recoverSegment(db, active);
      if (validEnd === 0) {
        // A crash between creating a segment and making its first record durable: nothing to keep.
        await rm(active.path);
        await fsyncDir(dir);
        segments.pop();
        continue;
      }
      const handle = await open(active.path, 'r+');
      if (!torn) return new FileLog(db, dir, options, segments, handle, validEnd, fileSize, lastT);
      await handle.truncate(validEnd);
      await handle.sync();
      return new FileLog(db, dir, options, segments, handle, validEnd, validEnd, lastT);
    }
  }

  lastT(): number {
    return this.last;
  }

  /**
   * Serialized: concurrent calls run one after another, each checking its expected t in turn.
   * `admit` runs at that same turn, before the tail check, and refuses the append by throwing.
   */
  async append(expectedLastT: number, entries: readonly LogRecord[], admit?: () => void): Promise<void> {
    checkAppend(this.db, expectedLastT, entries);
    const run = this.queue.then(() => this.appendNow(expectedLastT, entries, admit));
    this.queue = run.catch(() => undefined);
    await run;
  }

  private async appendNow(expectedLastT: number, entries: readonly LogRecord[], admit: (() => void) | undefined): Promise<void> {
    if (this.closed) throw new StorageUnavailableError(`log of ${this.db} is closed`);
    if (this.failure !== undefined) {
      throw new StorageUnavailableError(`log of ${this.db} failed an earlier write (${this.failure.message}); reopen the storage to recover`);
    }
    admit?.();
    if (this.last !== expectedLastT) {
      throw new StorageConflictError(`log of ${this.db} ends at t ${this.last}, not at the expected ${expectedLastT}`);
    }
    if (entries.length === 0) return;
    const frames = encodeFrames(expectedLastT, entries);
    try {
      if (this.handle === undefined || this.activeSize >= this.options.segmentBytes) await this.startSegment(entries[0]!.t);
      const fd = this.handle!.fd;
      // Copying into the page cache takes microseconds, so it is done in place; only the fdatasync
      // goes to the thread pool, leaving the event loop free to gather the next batch meanwhile.
      const end = this.activeSize + frames.length;
      if (end > this.allocated) {
        const target = end + Math.min(PREALLOCATE_BYTES, Math.max(this.options.segmentBytes - end, 0));
        for (let at = this.allocated; at < target; ) at += writeSync(fd, zeros, 0, Math.min(target - at, zeros.length), at);
        this.allocated = target;
      }
      for (let at = 0; at < frames.length; ) at += writeSync(fd, frames, at, frames.length - at, this.activeSize + at);
      await this.handle!.datasync();
    } catch (error) {
      // After a failed write or fsync the file's state is unknown; only recovery on reopen can tell.
      this.failure = error as Error;
      throw new StorageUnavailableError(`append to the log of ${this.db} failed: ${(error as Error).message}`, { cause: error });
    }
    this.activeSize += frames.length;
    this.last = entries.at(-1)!.t;
    this.options.onSync?.({ db: this.db, entries: entries.length, bytes: frames.length });
  }

  private async startSegment(firstT: number): Promise<void> {
    if (this.handle !== undefined) {
      // A closed segment keeps no preallocated zeros: its size is exactly its records.
      await this.handle.truncate(this.activeSize);
      await this.handle.datasync();
      await this.handle.close();
      this.handle = undefined;
    }
    const path = join(this.dir, segmentName(firstT));
    this.handle = await open(path, 'wx');
    await fsyncDir(this.dir);
    this.activeSize = 0;
    this.allocated = 0;
    this.segments.push({ firstT, path });
  }

  async *read(afterT: number, untilT = Infinity): AsyncIterable<LogRecord> {
    // This process is the log's one writer (file-lock.ts), so it knows where the log ends: a follower's
    // poll or a sync at the end reads no file.
    if (afterT >= this.last) return;
    const segments = [...this.segments];
    const active = segments.at(-1);
    const activeSize = this.activeSize;
    for (const [i, segment] of segments.entries()) {
      const next = segments[i + 1];
      if (next !== undefined && next.firstT <= afterT + 1) continue;
      if (segment.firstT > untilT) return;
      const bytes = await readFile(segment.path);
      const visible = segment === active ? bytes.subarray(0, activeSize) : bytes;
      for (const frame of intactFrames(this.db, segment, visible)) {
        if (frame.t > untilT) return;
        if (frame.t > afterT) yield { t: frame.t, data: payload(visible, frame) };
      }
    }
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.handle !== undefined && this.failure === undefined) {
      await this.handle.truncate(this.activeSize);
      await this.handle.sync();
    }
    await this.handle?.close();
    this.handle = undefined;
    this.closed = true;
  }
}

function checkFirstT(db: string, segment: Segment, frames: readonly Frame[]): void {
  if (frames[0] !== undefined && frames[0].t !== segment.firstT) {
    throw new StorageCorruptError(`log segment of ${db} starts at t ${frames[0].t}, but its name says ${segment.firstT}`, segment.path);
  }
}

/** Frames of a segment that must be whole: any damage in it is corruption. */
function intactFrames(db: string, segment: Segment, bytes: Buffer): Frame[] {
  const scan = scanSegment(bytes, segment.firstT - 1);
  if (scan.damage !== undefined) {
    throw new StorageCorruptError(`log of ${db} is damaged: ${scan.damage.reason}`, `${segment.path}, byte ${scan.validEnd}`);
  }
  checkFirstT(db, segment, scan.frames);
  return scan.frames;
}

async function recoverSegment(db: string, segment: Segment): Promise<{ validEnd: number; fileSize: number; torn: boolean; lastT: number }> {
  const bytes = await readFile(segment.path);
  const scan = scanSegment(bytes, segment.firstT - 1);
  checkFirstT(db, segment, scan.frames);
  const lastT = scan.frames.at(-1)?.t ?? 0;
  const result = { validEnd: scan.validEnd, fileSize: bytes.length, torn: scan.damage !== undefined, lastT };
  if (scan.damage === undefined) return result;
  if (scan.damage.laterBatch !== undefined) {
    throw new StorageCorruptError(
      `log of ${db} is damaged in the middle (${scan.damage.reason}); an intact record of a later batch (t ${scan.damage.laterBatch.t} at byte ${scan.damage.laterBatch.offset}) follows, so this is not a torn write; restore the log from a copy`,
      `${segment.path}, byte ${scan.validEnd}`,
    );
  }
  event({
    msg: 'db.storage/torn-tail-dropped',
    db,
    file: segment.path,
    offset: scan.validEnd,
    droppedBytes: bytes.length - scan.validEnd,
    reason: scan.damage.reason,
    lastT,
  });
  return result;
}
