// `ions node` of a postgres stack (embedded PostgreSQL on loopback): the connection URL comes from
// the SecureString the config names, read with decryption, and never shows in anything it writes.
import { randomBytes } from 'node:crypto';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { startPostgres, type PostgresServer } from '../db/backends/servers.js';
import { call, mockSsm, stackParameters, startDeployedNode, workspace, type Workspace } from './deployed-node.js';
import { generateStack, notesConfig } from './stack.js';

const URL_PARAMETER = '/notes/test/db-url';

const config = notesConfig({
  groups: {
    primary: { topology: 'production', vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd', 'subnet-1123abcd'] },
    reports: { topology: 'production', queryGroup: true, vpcId: 'vpc-0123abcd', subnetIds: ['subnet-2123abcd', 'subnet-3123abcd'] },
  },
  storage: { type: 'postgres', urlParameter: URL_PARAMETER },
});

describe('a node of a postgres stack', () => {
  const { model, template } = generateStack(config);
  const refs = { 'AWS::Region': 'us-east-1', 'IonsPrimaryNlb.DNSName': 'primary.internal' };
  let postgres: PostgresServer;
  let files: Workspace;
  let ssm: ReturnType<typeof mockSsm>;

  beforeAll(async () => {
    postgres = await startPostgres();
    files = await workspace();
    vi.stubEnv('AWS_REGION', 'us-east-1');
    ssm = mockSsm({ ...stackParameters(model, template), [URL_PARAMETER]: { value: postgres.connectionString, secure: true } });
  }, 60_000);

  afterAll(async () => {
    ssm.restore();
    vi.unstubAllEnvs();
    await files.cleanup();
    await postgres?.stop();
  });

  it('opens the database the URL parameter names, with decryption, and never writes the URL', async () => {
    const tap = tapSink();
    const restore = redirect(tap);
    const db = `notes-${randomBytes(4).toString('hex')}`;
    const primary = await startDeployedNode({ template, group: model.primary, refs, workspace: files });
    try {
      expect(primary.written.filter((name) => !primary.read.has(name))).toEqual([]);
      await call(primary.running, 'remember', { db, text: 'kept in postgres' });
    } finally {
      await primary.running.close();
    }
    const urlReads = ssm.commandCalls(GetParameterCommand, { Name: URL_PARAMETER });
    expect(urlReads.map((read) => read.args[0].input.WithDecryption)).toEqual([true]);

    const reports = model.groups.find((group) => group.name === 'reports')!;
    const query = await startDeployedNode({ template, group: reports, refs, workspace: files, inFlightPeriodMs: 20 });
    try {
      expect(query.written.filter((name) => !query.read.has(name))).toEqual([]);
      expect(query.lines).toEqual([expect.stringMatching(/postgres storage, query group of the primary at http:\/\/primary\.internal:8182$/)]);
      expect(await call(query.running, 'recall', { db })).toEqual(['kept in postgres']);
      // The group the node reports as is the one its environment names, not the config's first.
      await vi.waitFor(() => expect(tap.records.some((record) => record.group === 'reports' && 'InFlight' in record)).toBe(true));
    } finally {
      await query.running.close();
      restore();
    }
    const password = new URL(postgres.connectionString).password;
    const written = [...primary.lines, ...query.lines, ...tap.records.map((record) => JSON.stringify(record))];
    expect(written.filter((line) => line.includes(password))).toEqual([]);
  });
});
