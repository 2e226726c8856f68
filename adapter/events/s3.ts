// S3 notification records carry object keys URL-encoded the form way: `+` is a space and a literal
// plus arrives as `%2B`. Using the raw key to fetch the object fails for any key with a space.
import type { S3Event, S3EventRecord } from 'aws-lambda';

export function s3ObjectKey(record: S3EventRecord): string {
  const raw = record.s3.object.key;
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch (error) {
    throw new URIError(`S3 object key '${raw}' in bucket ${record.s3.bucket.name} is not validly URL-encoded`, { cause: error });
  }
}

export interface S3ObjectRef {
  readonly bucket: string;
  /** Decoded: the key to pass to GetObject. */
  readonly key: string;
  readonly size: number | undefined;
  readonly versionId: string | undefined;
  readonly eventName: string;
  readonly record: S3EventRecord;
}

export function s3Objects(event: S3Event): S3ObjectRef[] {
  return event.Records.map((record) => ({
    bucket: record.s3.bucket.name,
    key: s3ObjectKey(record),
    size: record.s3.object.size,
    versionId: record.s3.object.versionId,
    eventName: record.eventName,
    record,
  }));
}
