// Event ion: a CSV of attendees (columns `name` and `email`) uploaded to the imports bucket signs each
// of them up. Every row is its own sign-up transaction, so one bad row never blocks the others; the
// answer and the cast event say which lines failed and why.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { connection, eventFull, signUp } from './attendees.js';
import { parseCsv } from './csv.js';
import { alert, event, getEnv, s3Objects, type EventIon } from './serverless-ions.js';
import { checkSignup } from './signup-input.js';

export interface ImportReport {
  bucket: string;
  key: string;
  imported: number;
  failed: Array<{ line: number; error: string }>;
}

let client: S3Client | undefined;

function s3(): S3Client {
  // S3_ENDPOINT points the app at an S3 stand-in when it runs locally.
  const endpoint = getEnv().S3_ENDPOINT;
  client ??= endpoint === undefined ? new S3Client({}) : new S3Client({ endpoint, forcePathStyle: true, region: process.env.AWS_REGION ?? 'us-east-1' });
  return client;
}

async function readObject(bucket: string, key: string): Promise<string> {
  const answer = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (answer.Body === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
  return answer.Body.transformToString('utf8');
}

async function importObject(bucket: string, key: string): Promise<ImportReport> {
  const rows = parseCsv(await readObject(bucket, key));
  const conn = await connection();
  const report: ImportReport = { bucket, key, imported: 0, failed: [] };
  for (const row of rows) {
    const checked = checkSignup(row.fields);
    if (!checked.ok) {
      report.failed.push({ line: row.line, error: Object.values(checked.errors).join('; ') });
      continue;
    }
    try {
      await signUp(conn, { ...checked.value, source: 'csv' });
      report.imported++;
    } catch (error) {
      const full = eventFull(error);
      if (full === undefined) throw error;
      report.failed.push({ line: row.line, error: full.message });
    }
  }
  return report;
}

export const handler: EventIon<S3Event, ImportReport[]> = async ({ event: s3Event }) => {
  const reports: ImportReport[] = [];
  for (const object of s3Objects(s3Event)) {
    if (!object.eventName.startsWith('ObjectCreated:')) continue;
    const report = await importObject(object.bucket, object.key);
    event({ msg: 'attendees imported', bucket: report.bucket, key: report.key, imported: report.imported, failed: report.failed.length });
    if (report.failed.length > 0) alert({ msg: 'attendee import skipped rows', key: report.key, failed: report.failed });
    reports.push(report);
  }
  return reports;
};
