// Databases in DynamoDB (the log, the root) and S3 (blobs, oversized entries); layout in dynamo-layout.ts.
//
// An append is one conditional UpdateItem of the head: if lastT still equals the expected t, it sets
// lastT to the new t and stores the appended entries in the head itself ("pending"), so the
// compare-and-set and the entries become durable in one atomic write, whatever their number (the
// list moves to an S3 object of its own when too large for an item). DynamoDB transactions are not
// needed, which keeps the backend usable against stand-ins without them. Afterwards the pending entries
// are copied to their own log items; whoever replaces a pending list first makes sure it was copied, so
// every entry up to the head's prevT is in an item and readers take the rest from the head. The writer
// lease lives in the head too, so a fenced append checks its epoch in the same conditional write.
//
// A replaced pending list's S3 object is deleted by the writer that replaced it, and swept later if that
// writer died first (pending-list.ts says why that is safe). A reader may thus find the object its head
// named gone: the head has moved on meanwhile, so it reads the head again and goes on from there.
// The objects a refused append uploaded (its oversized entries', its pending list) are deleted by its
// writer, and swept later if that writer died first; a log entry that names one keeps it for good
// (log-object.ts says why the deletes and the sweep never take such an object).
//
// A refusal may be of the SDK's retry of an append that landed, its response lost on the way. Before a
// writer reports one it reads whether the log holds its append, by the id every append carries
// (append-id.ts), and if so reports the append done, as if the first response had come back.
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { alert, errorData, event } from '../../cast/index.js';
import { blobKey, checkBlobKey } from '../storage/blob-key.js';
import { LeaseLostError, StorageConflictError, StorageCorruptError, StorageUnavailableError } from '../storage/errors.js';
import {
  checkAppend,
  checkDatabaseName,
  checkLeaseChange,
  type AppendFence,
  type BlobKey,
  type DatabaseStorage,
  type Lease,
  type LogRecord,
  type RootPointer,
  type Storage,
  type StoredBlob,
} from '../storage/storage.js';
import { newAppendId } from './append-id.js';
import { errorName, storageError } from './aws-errors.js';
import { blobObjectKey, HEAD_SK, logObjectKey, pendingListKey, ROOT_SK } from './dynamo-layout.js';
import { LOG_OBJECT_GRACE_MS, logObjectParts, logObjectSha, newLogObjectName } from './log-object.js';
import { newPendingListName, PENDING_LIST_GRACE_MS, pendingListSha } from './pending-list.js';
import { decodeEntries, encodeEntries, entryFromAttributes, entryPayload, entrySize, type StoredEntry } from './stored-entry.js';

export interface DynamoStorageOptions {
  /** A table with key (pk: S, sk: N), as dynamoTableDefinition() describes. */
  readonly tableName: string;
  readonly bucket: string;
  /** Clients the caller owns; by default clients from the environment's region and credentials, destroyed on close. */
  readonly dynamo?: DynamoDBClient;
  readonly s3?: S3Client;
  /** Prepended to every S3 key, e.g. `ions/`. */
  readonly prefix?: string;
  /** Objects per ListObjectsV2 page while listing blobs; default (and S3's maximum) 1000. */
  readonly listPageSize?: number;
  /** The clock that schedules the sweeps of leftover S3 objects and judges their age; for tests. Default Date.now. */
  readonly now?: () => number;
  /** Age from which an oversized entry's object that no log entry names is swept; for tests. Default LOG_OBJECT_GRACE_MS. */
  readonly logObjectGraceMs?: number;
}

/** Entries larger than this live in S3, leaving items well under DynamoDB's 400 KB. */
const ENTRY_INLINE_BYTES = 64 * 1024;
/** A pending list larger than this moves to S3, keeping the (hot, rewritten) head item small. */
const HEAD_INLINE_BYTES = 64 * 1024;
/** BatchWriteItem's limit. */
const ITEMS_PER_BATCH = 25;
/** BatchGetItem's limit. */
const KEYS_PER_BATCH = 100;
const BATCH_ATTEMPTS = 8;
/** S3 puts or deletes of oversized entries' objects in flight at once. */
const PARALLEL_OBJECTS = 8;
/** Conditions that failed and objects that do not exist are answers, not failures, to the callers below. */
const ANSWERS = new Set(['ConditionalCheckFailedException', 'NoSuchKey']);
/** How often a reader reads the head in a row when each time its pending list is deleted before it can be read. */
const HEAD_READS = 5;
/** A writer sweeps leftover pending lists and log objects on its first append and then at most once per this. */
const SWEEP_EVERY_MS = PENDING_LIST_GRACE_MS;

interface Shared {
  readonly dynamo: DynamoDBClient;
  readonly s3: S3Client;
  readonly table: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly listPageSize: number;
  readonly now: () => number;
  readonly logObjectGraceMs: number;
}

interface Head {
  readonly lastT: number;
  /** lastT before the pending append; every entry up to it is in its own item. */
  readonly prevT: number;
  readonly pending?: StoredEntry[];
  /** Name of the S3 object holding the pending list (pendingListKey), when it is too large for the head. */
  readonly pendingObject?: string;
  /** The id of the pending append (append-id.ts); heads written before appends had ids have none. */
  readonly appendId?: string;
  readonly lease?: Lease;
}

/** What an append sent in its conditional update, as its refusal is judged. */
interface SentAppend {
  readonly expectedLastT: number;
  readonly lastT: number;
  readonly id: string;
  readonly fence: AppendFence | undefined;
  readonly stored: readonly StoredEntry[];
  readonly pendingObject: string | undefined;
}

const num = (n: number): AttributeValue => ({ N: String(n) });

/** An oversized entry's object: its name under <db>/log/ and the t it was uploaded for. */
interface LogObject {
  readonly name: string;
  readonly t: number;
}

/** Runs `work` on every item, PARALLEL_OBJECTS at a time. */
async function inWaves<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += PARALLEL_OBJECTS) results.push(...(await Promise.all(items.slice(start, start + PARALLEL_OBJECTS).map(work))));
  return results;
}

class DynamoDatabase implements DatabaseStorage {
  private closed = false;
  /** The head this instance last wrote, its pending-list object if any, and whether its entries are now in their own items. */
  private written: { readonly lastT: number; readonly pendingObject: string | undefined; readonly copied: Promise<boolean> } | undefined;
  /** Work appends leave running (copies, deletes, sweeps); each settles without throwing, close waits for it. */
  private readonly chores = new Set<Promise<unknown>>();
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  /** Every log object S3 dates at or before this was judged by a sweep of this instance: deleted, or named for good. */
  private logObjectsJudgedUpTo = Number.NEGATIVE_INFINITY;

  constructor(
    readonly name: string,
    private readonly shared: Shared,
  ) {}

  private key(sk: number): Record<string, AttributeValue> {
    return { pk: { S: this.name }, sk: num(sk) };
  }

  private async call<T>(what: string, service: 'DynamoDB' | 'S3', send: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`${what}: storage of database ${this.name} is closed`);
    try {
      return await send();
    } catch (error) {
      if (ANSWERS.has(errorName(error) ?? '')) throw error;
      const where = service === 'DynamoDB' ? `DynamoDB table ${this.shared.table}` : `S3 bucket ${this.shared.bucket}`;
      throw storageError(error, what, where);
    }
  }

  /** Creates the head of a new database; an existing head is left as it is. */
  async create(): Promise<void> {
    const { dynamo, table } = this.shared;
    await this.call(`creating database ${this.name}`, 'DynamoDB', () =>
      dynamo.send(new PutItemCommand({ TableName: table, Item: { ...this.key(HEAD_SK), lastT: num(0) }, ConditionExpression: 'attribute_not_exists(pk)' })),
    ).catch((error: unknown) => {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
    });
  }

  private async readHead(what: string): Promise<Head> {
    const { dynamo, table } = this.shared;
    const result = await this.call(what, 'DynamoDB', () => dynamo.send(new GetItemCommand({ TableName: table, Key: this.key(HEAD_SK), ConsistentRead: true })));
    const item = result.Item;
    const where = `DynamoDB table ${table} head item of ${this.name}`;
    if (item === undefined) throw new StorageCorruptError(`database ${this.name} has no head item`, where);
    const lastT = Number(item.lastT?.N);
    const prevT = Number(item.prevT?.N ?? 0);
    if (!Number.isSafeInteger(lastT) || !Number.isSafeInteger(prevT)) throw new StorageCorruptError('head item has no valid lastT', where);
    const lease = item.leaseEpoch === undefined ? {} : { lease: { owner: item.leaseOwner?.S ?? '', epoch: Number(item.leaseEpoch.N), expiresAt: Number(item.leaseExpires?.N) } };
    const rest = { ...lease, ...(item.appendId?.S !== undefined && { appendId: item.appendId.S }) };
    if (item.pendingObject?.S !== undefined) {
      pendingListSha(item.pendingObject.S, where);
      return { lastT, prevT, pendingObject: item.pendingObject.S, ...rest };
    }
    const pending = item.pending?.L?.map((element, i) => entryFromAttributes(element.M ?? {}, `${where}, pending entry ${i}`));
    return pending === undefined ? { lastT, prevT, ...rest } : { lastT, prevT, pending, ...rest };
  }

  /** Why an append did not happen: the lease first, as the contract orders it, then the tail. */
  private refusal(head: Head, expectedLastT: number, fence: AppendFence | undefined): Error | undefined {
    if (fence !== undefined && head.lease?.epoch !== fence.epoch) return new LeaseLostError(this.name, fence.epoch, head.lease);
    if (head.lastT !== expectedLastT) return new StorageConflictError(`log of ${this.name} ends at t ${head.lastT}, not at the expected ${expectedLastT}`);
    return undefined;
  }

  /**
   * The head and its pending entries. The writer that replaces a head deletes its pending-list object,
   * so an object gone after its head was read means the head has moved on: read it again and go on from
   * there (the entries the gone list held are in log items by then). `check` sees every head read: it may
   * throw (a refused append) or answer false when the pending entries are not needed.
   */
  private async headAndPending(what: string, check: (head: Head) => boolean): Promise<{ head: Head; pending: StoredEntry[] }> {
    let gone: string | undefined;
    for (let read = 0; read < HEAD_READS; read++) {
      const head = await this.readHead(what);
      if (!check(head)) return { head, pending: [] };
      if (head.pendingObject === undefined) return { head, pending: head.pending ?? [] };
      const key = pendingListKey(this.shared.prefix, this.name, head.pendingObject);
      const where = `S3 ${this.shared.bucket}/${key}`;
      if (head.pendingObject === gone) throw new StorageCorruptError(`the head of ${this.name} names a pending list that is missing`, where);
      const bytes = await this.fetchObject(key, pendingListSha(head.pendingObject, where), what);
      if (bytes !== undefined) return { head, pending: decodeEntries(bytes, where) };
      gone = head.pendingObject;
    }
    throw new StorageUnavailableError(
      `${what}: read the head of ${this.name} ${HEAD_READS} times, and each time the pending list it named was replaced and deleted before it could be read; appends outpace this reader, try again`,
    );
  }

  /** The object's bytes, checked against the SHA-256 its key names; undefined when there is no such object. */
  private async fetchObject(key: string, sha: string, what: string): Promise<Uint8Array | undefined> {
    const { s3, bucket } = this.shared;
    let bytes: Uint8Array;
    try {
      const result = await this.call(what, 'S3', () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
      bytes = await result.Body!.transformToByteArray();
    } catch (error) {
      if (errorName(error) === 'NoSuchKey') return undefined;
      throw error;
    }
    if (blobKey(bytes) !== sha) throw new StorageCorruptError(`object of ${this.name} does not match its SHA-256`, `S3 ${bucket}/${key}`);
    return bytes;
  }

  /** As fetchObject, for objects that must be there. */
  private async getObject(key: string, sha: string, what: string): Promise<Uint8Array> {
    const bytes = await this.fetchObject(key, sha, what);
    if (bytes === undefined) throw new StorageCorruptError(`object of ${this.name} is missing`, `S3 ${this.shared.bucket}/${key}`);
    return bytes;
  }

  private async putObject(key: string, bytes: Uint8Array, what: string): Promise<void> {
    const { s3, bucket } = this.shared;
    await this.call(what, 'S3', () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes })));
  }

  private async resolve(entry: StoredEntry, what: string): Promise<LogRecord> {
    if ('data' in entry) return { t: entry.t, data: entry.data };
    const key = logObjectKey(this.shared.prefix, this.name, entry.object);
    return { t: entry.t, data: await this.getObject(key, logObjectSha(entry.object, entry.t, `S3 ${this.shared.bucket}/${key}`), what) };
  }

  /** Entries as they are kept, their oversized bytes already durable in S3, each in an object of this upload's own. */
  private async store(entries: readonly LogRecord[], what: string): Promise<StoredEntry[]> {
    const stored: StoredEntry[] = entries.map((entry) => ({ t: entry.t, data: entry.data }));
    const large = stored.flatMap((entry, i) => ('data' in entry && entry.data.length > ENTRY_INLINE_BYTES ? [i] : []));
    await inWaves(large, async (i) => {
      const { t, data } = entries[i]!;
      const name = newLogObjectName(t, data);
      await this.putObject(logObjectKey(this.shared.prefix, this.name, name), data, what);
      stored[i] = { t, object: name };
    });
    return stored;
  }

  /**
   * Writes each entry of one append to its own log item, the item of its last entry with the append's id
   * (`a`) when it has one; rewriting one is harmless, its t always holds the same bytes and id.
   */
  private async copyToItems(entries: readonly StoredEntry[], appendId: string | undefined, what: string): Promise<void> {
    const { dynamo, table } = this.shared;
    const last = entries.at(-1);
    const item = (entry: StoredEntry): Record<string, AttributeValue> => ({
      ...this.key(entry.t),
      ...entryPayload(entry),
      ...(entry === last && appendId !== undefined && { a: { S: appendId } }),
    });
    for (let start = 0; start < entries.length; start += ITEMS_PER_BATCH) {
      let requests: WriteRequest[] = entries.slice(start, start + ITEMS_PER_BATCH).map((entry) => ({ PutRequest: { Item: item(entry) } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt === BATCH_ATTEMPTS) {
          throw new StorageUnavailableError(`${what}: DynamoDB table ${table} left ${requests.length} log items unwritten after ${BATCH_ATTEMPTS} attempts`);
        }
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
        const batch = requests;
        const result = await this.call(what, 'DynamoDB', () => dynamo.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } })));
        requests = result.UnprocessedItems?.[table] ?? [];
      }
    }
  }

  /** True when this instance wrote the head at `lastT` and has copied its pending entries to items. */
  private async copiedAt(lastT: number): Promise<boolean> {
    const written = this.written;
    return written !== undefined && written.lastT === lastT && (await written.copied);
  }

  async lastT(): Promise<number> {
    return (await this.readHead(`reading the last t of ${this.name}`)).lastT;
  }

  async append(expectedLastT: number, entries: readonly LogRecord[], fence?: AppendFence): Promise<void> {
    checkAppend(this.name, expectedLastT, entries);
    const what = `append to ${this.name}`;
    // The pending-list object of the head this append replaces, deleted once nothing needs it.
    let replaced: string | undefined;
    if (entries.length > 0 && (await this.copiedAt(expectedLastT))) {
      replaced = this.written!.pendingObject;
    } else {
      const { head, pending } = await this.headAndPending(what, (head) => {
        const refusal = this.refusal(head, expectedLastT, fence);
        if (refusal !== undefined) throw refusal;
        return entries.length > 0;
      });
      if (entries.length === 0) return;
      await this.copyToItems(pending, head.appendId, what);
      replaced = head.pendingObject;
    }
    const stored = await this.store(entries, what);
    const lastT = entries.at(-1)!.t;
    const appendId = newAppendId();
    const values: Record<string, AttributeValue> = { ':last': num(lastT), ':prev': num(expectedLastT), ':append': { S: appendId } };
    if (fence !== undefined) values[':fence'] = num(fence.epoch);
    let update: string;
    let pendingObject: string | undefined;
    if (stored.reduce((size, entry) => size + entrySize(entry), 0) > HEAD_INLINE_BYTES) {
      const bytes = encodeEntries(stored);
      pendingObject = newPendingListName(bytes);
      await this.putObject(pendingListKey(this.shared.prefix, this.name, pendingObject), bytes, what);
      values[':object'] = { S: pendingObject };
      update = 'SET lastT = :last, prevT = :prev, appendId = :append, pendingObject = :object REMOVE pending';
    } else {
      values[':pending'] = { L: stored.map((entry) => ({ M: { t: num(entry.t), ...entryPayload(entry) } })) };
      update = 'SET lastT = :last, prevT = :prev, appendId = :append, pending = :pending REMOVE pendingObject';
    }
    const { dynamo, table } = this.shared;
    try {
      await this.call(what, 'DynamoDB', () =>
        dynamo.send(
          new UpdateItemCommand({
            TableName: table,
            Key: this.key(HEAD_SK),
            UpdateExpression: update,
            ConditionExpression: fence === undefined ? 'lastT = :prev' : 'lastT = :prev AND leaseEpoch = :fence',
            ExpressionAttributeValues: values,
          }),
        ),
      );
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
      await this.judgeRefusal({ expectedLastT, lastT, id: appendId, fence, stored, pendingObject }, what);
      event({ msg: 'db.dynamodb/append-landed-before-refused-retry', db: this.name, t: lastT });
    }
    // The append is durable now; copying to items runs on while the caller goes ahead. Should it fail,
    // the next append (here or in any process) finds the pending list in the head and copies it then.
    const copied = this.copyToItems(stored, appendId, what).then(
      () => true,
      (error: unknown) => {
        alert({ msg: 'db.dynamodb/copy-to-items-failed', db: this.name, t: lastT, ex: errorData(error) });
        return false;
      },
    );
    this.written = { lastT, pendingObject, copied };
    this.chore(copied);
    // The replaced list's entries were in items before the update, and the head no longer names it.
    if (replaced !== undefined) this.chore(this.deletePendingList(replaced));
    const now = this.shared.now();
    if (now - this.lastSweepAt >= SWEEP_EVERY_MS) {
      this.lastSweepAt = now;
      this.chore(this.sweepPendingLists(now));
      this.chore(this.sweepLogObjects(now));
    }
  }

  /**
   * Throws why DynamoDB refused the append's conditional update, or returns when the append is in the log
   * all the same: the refusal was of the SDK's retry after the append had landed and its response was lost.
   * A refused append's uploads are deleted (deleteRefusedUploads). When the log cannot be read to tell,
   * the append may have landed: that is no refusal, which would tell the caller nothing was appended (and
   * the connection would retry its transactions on top of themselves), but an unavailable storage, its
   * uploads left to the sweeps.
   */
  private async judgeRefusal(append: SentAppend, what: string): Promise<void> {
    let head: Head | undefined;
    let landed: boolean;
    try {
      head = await this.readHead(what);
      landed = await this.holdsAppend(head, append, what);
    } catch (error) {
      const refusal = head === undefined ? undefined : this.refusal(head, append.expectedLastT, append.fence);
      throw new StorageUnavailableError(
        `${what}: DynamoDB refused its condition, perhaps on a retry after the append had landed, and reading the log back to tell failed, ` +
          `so the append may be in the log${refusal === undefined ? '' : ` (or refused: ${refusal.message})`}`,
        { cause: error },
      );
    }
    if (landed) return;
    const refusal = this.refusal(head, append.expectedLastT, append.fence);
    // Without a refusal the condition holds again, so the append may not be over: the sweeps judge its objects.
    if (refusal === undefined) throw new StorageConflictError(`log of ${this.name} moved on from t ${append.expectedLastT} during the append`);
    this.chore(this.deleteRefusedUploads(append.stored, append.pendingObject));
    throw refusal;
  }

  /**
   * Whether the log's entry at the append's last t is the append's (append-id.ts). A head whose newest
   * append ends there carries that append's id; once the head moved on from it (prevT at or above the
   * t) the log item at the t does. A head that ends below the t, or whose newest append covers the t
   * without ending there, holds no entry of the append: lastT never goes back.
   */
  private async holdsAppend(head: Head, append: SentAppend, what: string): Promise<boolean> {
    if (head.lastT === append.lastT) return head.appendId === append.id;
    if (head.prevT < append.lastT) return false;
    const { dynamo, table } = this.shared;
    const result = await this.call(what, 'DynamoDB', () =>
      dynamo.send(
        new GetItemCommand({ TableName: table, Key: this.key(append.lastT), ConsistentRead: true, ProjectionExpression: '#a', ExpressionAttributeNames: { '#a': 'a' } }),
      ),
    );
    return result.Item?.a?.S === append.id;
  }

  private chore(work: Promise<unknown>): void {
    this.chores.add(work);
    void work.finally(() => this.chores.delete(work));
  }

  /** Deletes an S3 object nothing needs any more; a failure is cast as `failure`, and a later sweep tries again. */
  private async deleteObject(key: string, failure: string): Promise<boolean> {
    const { s3, bucket } = this.shared;
    try {
      await this.call(`deleting ${key} of ${this.name}`, 'S3', () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
      return true;
    } catch (error) {
      alert({ msg: failure, db: this.name, bucket, key, ex: errorData(error) });
      return false;
    }
  }

  private deletePendingList(name: string): Promise<boolean> {
    return this.deleteObject(pendingListKey(this.shared.prefix, this.name, name), 'db.dynamodb/pending-list-delete-failed');
  }

  /** The S3 keys of those `names` of log objects that are gone now; failures are cast. */
  private async deleteLogObjects(names: readonly string[]): Promise<string[]> {
    const keys = names.map((name) => logObjectKey(this.shared.prefix, this.name, name));
    const done = await inWaves(keys, (key) => this.deleteObject(key, 'db.dynamodb/log-object-delete-failed'));
    return keys.filter((_, i) => done[i]);
  }

  /**
   * Deletes the objects a refused append uploaded, but not any the log names. The append's id already
   * told that it did not land; judging by the names the log holds too means no delete ever rests on the
   * ids alone (log items written before appends had ids carry none). If the head names the append's
   * pending list, nothing goes; otherwise a list of its that the log took in was replaced, its entries
   * copied to items first, as for every replaced list. Runs as a chore that never throws.
   */
  private async deleteRefusedUploads(stored: readonly StoredEntry[], pendingObject: string | undefined): Promise<void> {
    const uploads = stored.flatMap((entry) => ('object' in entry ? [{ name: entry.object, t: entry.t }] : []));
    if (uploads.length === 0 && pendingObject === undefined) return;
    const what = `deleting what a refused append to ${this.name} uploaded`;
    try {
      const { head, names } = await this.unnamed(uploads, what);
      if (pendingObject !== undefined && head.pendingObject !== pendingObject) await this.deletePendingList(pendingObject);
      await this.deleteLogObjects(names);
    } catch (error) {
      alert({ msg: 'db.dynamodb/refused-append-cleanup-failed', db: this.name, bucket: this.shared.bucket, ex: errorData(error) });
    }
  }

  /**
   * The names, of `objects` whose appends are all over, that no log entry names, and the head they were
   * judged by. An object made for t can be named only by the entry at t: nowhere while t is above lastT,
   * in the head's pending list above prevT (fetched only then), in its log item up to prevT (those items
   * exist, as the head says).
   */
  private async unnamed(objects: readonly LogObject[], what: string): Promise<{ head: Head; names: string[] }> {
    const { head, pending } = await this.headAndPending(what, (head) => objects.some(({ t }) => t > head.prevT && t <= head.lastT));
    const named = new Map<number, string | undefined>(pending.map((entry) => [entry.t, 'object' in entry ? entry.object : undefined]));
    const inItems = [...new Set(objects.flatMap(({ t }) => (t <= head.prevT ? [t] : [])))];
    for (const [t, name] of await this.itemObjects(inItems, what)) named.set(t, name);
    const names = objects.flatMap(({ name, t }) => {
      if (t > head.lastT) return [name];
      if (!named.has(t)) throw new StorageCorruptError(`log entry t=${t} of ${this.name} is missing, at or below lastT ${head.lastT}`, `DynamoDB table ${this.shared.table}`);
      return named.get(t) === name ? [] : [name];
    });
    return { head, names };
  }

  /** The log object each of the log items at `ts` names (undefined for bytes kept in the item); missing items are left out. */
  private async itemObjects(ts: readonly number[], what: string): Promise<Map<number, string | undefined>> {
    const { dynamo, table } = this.shared;
    const objects = new Map<number, string | undefined>();
    for (let start = 0; start < ts.length; start += KEYS_PER_BATCH) {
      let keys = ts.slice(start, start + KEYS_PER_BATCH).map((t) => this.key(t));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt === BATCH_ATTEMPTS) throw new StorageUnavailableError(`${what}: DynamoDB table ${table} left ${keys.length} log items unread after ${BATCH_ATTEMPTS} attempts`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
        const batch = keys;
        const result = await this.call(what, 'DynamoDB', () =>
          dynamo.send(
            new BatchGetItemCommand({
              RequestItems: { [table]: { Keys: batch, ConsistentRead: true, ProjectionExpression: '#t, #s', ExpressionAttributeNames: { '#t': 'sk', '#s': 's' } } },
            }),
          ),
        );
        for (const item of result.Responses?.[table] ?? []) objects.set(Number(item.sk?.N), item.s?.S);
        keys = result.UnprocessedKeys?.[table]?.Keys ?? [];
      }
    }
    return objects;
  }

  /**
   * Deletes the log objects no log entry will ever name (log-object.ts says why that is safe): those S3
   * dates at least the grace period before `now` that the entry at their t does not name. A judged object
   * stays judged (deleted, or named for good), so after a sweep that deleted all it should, the next
   * sweep of this instance judges only objects that came of age since: one S3 listing per thousand
   * objects, and log reads only for the new ones.
   */
  private async sweepLogObjects(now: number): Promise<void> {
    const what = `sweeping the log objects of ${this.name}`;
    const { bucket, prefix, logObjectGraceMs } = this.shared;
    const cutoff = now - logObjectGraceMs;
    try {
      const old: LogObject[] = [];
      for await (const object of this.listObjects(logObjectKey(prefix, this.name, ''), what)) {
        const parts = logObjectParts(object.key);
        // An object under a name this code does not make is not its to judge.
        if (parts !== undefined && object.storedAt <= cutoff && object.storedAt > this.logObjectsJudgedUpTo) old.push({ name: object.key, t: parts.t });
      }
      const unnamed = old.length === 0 ? [] : (await this.unnamed(old, what)).names;
      const deleted = await this.deleteLogObjects(unnamed);
      if (deleted.length > 0) event({ msg: 'db.dynamodb/log-objects-swept', db: this.name, bucket, deleted });
      if (deleted.length === unnamed.length) this.logObjectsJudgedUpTo = Math.max(this.logObjectsJudgedUpTo, cutoff);
    } catch (error) {
      alert({ msg: 'db.dynamodb/log-object-sweep-failed', db: this.name, bucket, ex: errorData(error) });
    }
  }

  /**
   * Deletes the pending-list objects a writer left behind (it died between replacing a head and deleting
   * the old list, or its delete failed, or its append was refused and it died before deleting the list):
   * those the head does not name and older than PENDING_LIST_GRACE_MS by `now`. The listing comes first,
   * so a head read after it that no longer names an object means that object was replaced and its
   * entries copied to items.
   */
  private async sweepPendingLists(now: number): Promise<void> {
    const what = `sweeping the pending lists of ${this.name}`;
    const { bucket, prefix } = this.shared;
    try {
      const old: string[] = [];
      for await (const object of this.listObjects(pendingListKey(prefix, this.name, ''), what)) {
        if (now - object.storedAt >= PENDING_LIST_GRACE_MS) old.push(object.key);
      }
      if (old.length === 0) return;
      const named = (await this.readHead(what)).pendingObject;
      const deleted: string[] = [];
      for (const name of old) if (name !== named && (await this.deletePendingList(name))) deleted.push(pendingListKey(prefix, this.name, name));
      if (deleted.length > 0) event({ msg: 'db.dynamodb/pending-lists-swept', db: this.name, bucket, deleted });
    } catch (error) {
      alert({ msg: 'db.dynamodb/pending-list-sweep-failed', db: this.name, bucket, ex: errorData(error) });
    }
  }

  async *readLog(afterT: number, untilT = Number.MAX_SAFE_INTEGER): AsyncIterable<LogRecord> {
    const what = `reading the log of ${this.name}`;
    const { head, pending } = await this.headAndPending(what, (head) => Math.min(untilT, head.lastT) > afterT);
    const upper = Math.min(untilT, head.lastT);
    if (upper <= afterT) return;
    const itemsUpTo = pending.length > 0 ? Math.min(upper, head.prevT) : upper;
    const { dynamo, table } = this.shared;
    let startKey: Record<string, AttributeValue> | undefined;
    while (itemsUpTo > afterT) {
      const from = startKey;
      const page = await this.call(what, 'DynamoDB', () =>
        dynamo.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': { S: this.name }, ':from': num(afterT + 1), ':to': num(itemsUpTo) },
            ConsistentRead: true,
            ExclusiveStartKey: from,
          }),
        ),
      );
      for (const item of page.Items ?? []) yield await this.resolve(entryFromAttributes(item, `DynamoDB table ${table} log of ${this.name}`), what);
      startKey = page.LastEvaluatedKey;
      if (startKey === undefined) break;
    }
    for (const entry of pending) if (entry.t > afterT && entry.t <= upper) yield await this.resolve(entry, what);
  }

  // Every put uploads again, even of a blob already there: S3 then sets a new LastModified, which is the
  // blob's storedAt, and the rewrite also repairs an object gone bad. A self-copy (CopyObject with
  // MetadataDirective REPLACE) would spare the upload but cost a HeadObject to know the object exists;
  // segments are small and a re-put only happens when an indexing job re-creates an identical one.
  async putBlob(bytes: Uint8Array): Promise<BlobKey> {
    const key = blobKey(bytes);
    await this.putObject(blobObjectKey(this.shared.prefix, this.name, key), bytes, `storing blob ${key} of ${this.name}`);
    return key;
  }

  async getBlob(key: BlobKey): Promise<Uint8Array> {
    checkBlobKey(key);
    return this.getObject(blobObjectKey(this.shared.prefix, this.name, key), key, `reading blob ${key} of ${this.name}`);
  }

  /** storedAt is S3's LastModified: whole seconds, by S3's clock. */
  listBlobs(): AsyncIterable<StoredBlob> {
    return this.listObjects(blobObjectKey(this.shared.prefix, this.name, ''), `listing the blobs of ${this.name}`);
  }

  /** The objects whose keys start with `under`, keyed by the rest of their key, page by page. */
  private async *listObjects(under: string, what: string): AsyncIterable<StoredBlob> {
    const { s3, bucket, listPageSize } = this.shared;
    let token: string | undefined;
    do {
      const from = token;
      const page = await this.call(what, 'S3', () =>
        s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: under, MaxKeys: listPageSize, ContinuationToken: from })),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || object.LastModified === undefined) {
          throw new StorageCorruptError(`S3 listed an object without Key or LastModified while ${what}`, `S3 ${bucket}/${under}`);
        }
        yield { key: object.Key.slice(under.length), storedAt: object.LastModified.getTime() };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async deleteBlob(key: BlobKey): Promise<void> {
    checkBlobKey(key);
    const { s3, bucket, prefix } = this.shared;
    // S3 answers a delete of a missing object with success, which is what the contract asks.
    await this.call(`deleting blob ${key} of ${this.name}`, 'S3', () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: blobObjectKey(prefix, this.name, key) })));
  }

  async getRoot(): Promise<RootPointer | undefined> {
    const { dynamo, table } = this.shared;
    const result = await this.call(`reading the root of ${this.name}`, 'DynamoDB', () =>
      dynamo.send(new GetItemCommand({ TableName: table, Key: this.key(ROOT_SK), ConsistentRead: true })),
    );
    const item = result.Item;
    if (item === undefined) return undefined;
    const t = Number(item.rootT?.N);
    const blob = item.rootBlob?.S;
    if (!Number.isSafeInteger(t) || blob === undefined) throw new StorageCorruptError(`root of ${this.name} is not {rootT, rootBlob}`, `DynamoDB table ${table} root item of ${this.name}`);
    return { t, blob };
  }

  async casRoot(expected: RootPointer | undefined, next: RootPointer): Promise<void> {
    const blob = checkBlobKey(next.blob);
    const { dynamo, table } = this.shared;
    const condition =
      expected === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'rootT = :t AND rootBlob = :blob', ExpressionAttributeValues: { ':t': num(expected.t), ':blob': { S: expected.blob } } };
    try {
      await this.call(`moving the root of ${this.name}`, 'DynamoDB', () =>
        dynamo.send(new PutItemCommand({ TableName: table, Item: { ...this.key(ROOT_SK), rootT: num(next.t), rootBlob: { S: blob } }, ...condition })),
      );
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
      const root = await this.getRoot();
      throw new StorageConflictError(`root of ${this.name} is ${JSON.stringify(root)}, not the expected ${JSON.stringify(expected)}`);
    }
  }

  async getLease(): Promise<Lease | undefined> {
    return (await this.readHead(`reading the lease of ${this.name}`)).lease;
  }

  async casLease(expected: Lease | undefined, next: Lease): Promise<void> {
    const lease = checkLeaseChange(this.name, expected, next);
    const { dynamo, table } = this.shared;
    const values: Record<string, AttributeValue> = { ':owner': { S: lease.owner }, ':epoch': num(lease.epoch), ':expires': num(lease.expiresAt) };
    if (expected !== undefined) Object.assign(values, { ':was_owner': { S: expected.owner }, ':was_epoch': num(expected.epoch), ':was_expires': num(expected.expiresAt) });
    try {
      await this.call(`moving the lease of ${this.name}`, 'DynamoDB', () =>
        dynamo.send(
          new UpdateItemCommand({
            TableName: table,
            Key: this.key(HEAD_SK),
            UpdateExpression: 'SET leaseOwner = :owner, leaseEpoch = :epoch, leaseExpires = :expires',
            ConditionExpression:
              expected === undefined
                ? 'attribute_exists(pk) AND attribute_not_exists(leaseEpoch)'
                : 'leaseOwner = :was_owner AND leaseEpoch = :was_epoch AND leaseExpires = :was_expires',
            ExpressionAttributeValues: values,
          }),
        ),
      );
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
      const current = await this.getLease();
      throw new StorageConflictError(`lease of ${this.name} is ${JSON.stringify(current)}, not the expected ${JSON.stringify(expected)}`);
    }
  }

  async close(): Promise<void> {
    while (this.chores.size > 0) await Promise.all(this.chores);
    this.closed = true;
  }
}

/** Databases whose logs and roots live in DynamoDB table `tableName` and whose blobs live in S3 `bucket`. */
export function dynamoStorage(options: DynamoStorageOptions): Storage {
  for (const field of ['tableName', 'bucket'] as const) {
    if (typeof options[field] !== 'string' || options[field] === '') throw new TypeError(`dynamoStorage: ${field} must be a non-empty string`);
  }
  const listPageSize = options.listPageSize ?? 1000;
  if (!Number.isSafeInteger(listPageSize) || listPageSize < 1 || listPageSize > 1000) {
    throw new RangeError(`dynamoStorage: listPageSize ${listPageSize} must be an integer from 1 to 1000`);
  }
  const logObjectGraceMs = options.logObjectGraceMs ?? LOG_OBJECT_GRACE_MS;
  if (!Number.isSafeInteger(logObjectGraceMs) || logObjectGraceMs < 0) {
    throw new RangeError(`dynamoStorage: logObjectGraceMs ${logObjectGraceMs} must be an integer number of milliseconds >= 0`);
  }
  const shared: Shared = {
    dynamo: options.dynamo ?? new DynamoDBClient({}),
    s3: options.s3 ?? new S3Client({}),
    table: options.tableName,
    bucket: options.bucket,
    prefix: options.prefix ?? '',
    listPageSize,
    now: options.now ?? Date.now,
    logObjectGraceMs,
  };
  const databases = new Map<string, Promise<DynamoDatabase>>();
  let closed = false;
  return {
    async open(db) {
      const name = checkDatabaseName(db);
      if (closed) throw new Error(`dynamoStorage on table ${shared.table} is closed: cannot open ${name}`);
      let opening = databases.get(name);
      if (opening === undefined) {
        const database = new DynamoDatabase(name, shared);
        opening = database.create().then(() => database);
        databases.set(name, opening);
        opening.catch(() => databases.delete(name));
      }
      return opening;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const opening of databases.values()) await (await opening.catch(() => undefined))?.close();
      databases.clear();
      if (options.dynamo === undefined) shared.dynamo.destroy();
      if (options.s3 === undefined) shared.s3.destroy();
    },
  };
}
