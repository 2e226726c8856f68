// The environment file the stack's user data writes and the one `ions node` reads are the same list:
// every variable written is read, every variable the node needs is written, and the unit runs the
// node with that file.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_HEAP_ENV_FILE, nodeHeapScript } from '../../plugin/template/user-data.js';
import { NODE_ENV, NodeEnvError, readNodeEnv } from '../../runtime/config/node-env.js';
import { generateStack, notesConfig, nodeUnit, recordingEnv, resolveRefs, userDataScript } from './stack.js';

const refs = { 'AWS::Region': 'eu-west-1', IonsLogTable: 'notes-log', IonsSegmentsBucket: 'notes-segments', 'IonsPrimaryNlb.DNSName': 'primary.elb' };

const stacks = {
  'dynamodb, solo': () => generateStack(notesConfig()),
  'postgres, a primary and a query group': () =>
    generateStack(
      notesConfig({
        groups: {
          primary: { topology: 'production', vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd', 'subnet-1123abcd'] },
          reports: { topology: 'production', queryGroup: true, vpcId: 'vpc-0123abcd', subnetIds: ['subnet-2123abcd', 'subnet-3123abcd'] },
        },
        storage: { type: 'postgres', urlParameter: '/notes/db-url' },
      }),
    ),
  'file, solo': () => generateStack(notesConfig({ storage: { type: 'file' } })),
};

describe('the node environment file of every group', () => {
  for (const [name, stack] of Object.entries(stacks)) {
    it(`is read in full by the node (${name})`, () => {
      const { model, template } = stack();
      for (const group of model.groups) {
        const unit = nodeUnit(userDataScript(template, group.id('LaunchTemplate')));
        expect(Object.keys(unit.env).every((key) => (Object.values(NODE_ENV) as string[]).includes(key))).toBe(true);
        const { env, read } = recordingEnv(resolveRefs(unit.env, refs));
        const settings = readNodeEnv(env);
        expect([...Object.keys(unit.env)].filter((key) => !read.has(key))).toEqual([]);
        expect(settings).toMatchObject({ app: 'notes', group: group.name, port: model.port, storage: model.storageType });
        expect(settings.primaryEndpoint === undefined).toBe(group.primary);
      }
    });
  }

  it('is what the unit runs `ions node` with', () => {
    const { model, template } = generateStack(notesConfig());
    const script = userDataScript(template, model.primary.id('LaunchTemplate'));
    const unit = nodeUnit(script);
    // The runtime the deploy hooks installed and linked; the user data installs none (no registry needed).
    expect(unit.execStart).toMatch(/^\/usr\/local\/bin\/node \/usr\/local\/lib\/ions\/runtime\/bin\/ions\.mjs node --revision \/opt\/ions\/current /);
    expect(script).not.toMatch(/npm install|registry/);
    expect(script).toContain('ConditionPathExists=/usr/local/lib/ions/runtime\n');
    // The runtimes are root's: the node's user owns its home and nothing the swap hook runs as root.
    expect(script).toContain('chown ions:ions /opt/ions /var/log/ions\n');
    // The deploy hooks source the same file (runtime/push/codedeploy-bundle.ts).
    expect(unit.environmentFile).toBe('/etc/ions/node.env');
  });

  it('gives the node three quarters of the instance memory as its heap, past V8\'s own cap', async () => {
    const { model, template } = generateStack(notesConfig());
    const script = userDataScript(template, model.primary.id('LaunchTemplate'));
    expect(script).toContain(nodeHeapScript());
    expect(script).toContain(`EnvironmentFile=/etc/ions/node.env\nEnvironmentFile=${NODE_HEAP_ENV_FILE}\n`);
    const dir = await mkdtemp(join(tmpdir(), 'ions-heap-'));
    try {
      const heapOf = async (memTotalKb: number): Promise<string> => {
        await writeFile(join(dir, 'meminfo'), `MemTotal:       ${memTotalKb} kB\nMemFree:         1024 kB\n`);
        execFileSync('bash', ['-euo', 'pipefail', '-c', nodeHeapScript(join(dir, 'meminfo'), join(dir, 'heap.env'))]);
        return readFile(join(dir, 'heap.env'), 'utf8');
      };
      expect(await heapOf(16 * 1024 * 1024)).toBe('NODE_OPTIONS=--max-old-space-size=12288\n');
      expect(await heapOf(2_000_000)).toBe('NODE_OPTIONS=--max-old-space-size=1464\n');
      await writeFile(join(dir, 'meminfo'), 'MemFree: 1024 kB\n');
      expect(() => execFileSync('bash', ['-euo', 'pipefail', '-c', nodeHeapScript(join(dir, 'meminfo'), join(dir, 'heap.env'))], { stdio: 'pipe' })).toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the table and bucket of the stack for dynamodb storage', () => {
    const { model, template } = generateStack(notesConfig());
    const unit = nodeUnit(userDataScript(template, model.primary.id('LaunchTemplate')));
    expect(readNodeEnv(resolveRefs(unit.env, refs)).dynamo).toEqual({ tableName: 'notes-log', bucket: 'notes-segments' });
    expect(unit.env[NODE_ENV.logTable]).toBe('${IonsLogTable}');
    expect(template.Resources.IonsLogTable?.Type).toBe('AWS::DynamoDB::Table');
    expect(unit.env[NODE_ENV.segmentsBucket]).toBe('${IonsSegmentsBucket}');
    expect(template.Resources.IonsSegmentsBucket?.Type).toBe('AWS::S3::Bucket');
  });

  it('holds everything the node needs: taking out any one variable the node requires makes it fail by name', () => {
    const { model, template } = generateStack(notesConfig());
    const env = resolveRefs(nodeUnit(userDataScript(template, model.primary.id('LaunchTemplate'))).env, refs);
    for (const name of [NODE_ENV.logTable, NODE_ENV.segmentsBucket, NODE_ENV.region]) {
      const { [name]: _gone, ...rest } = env;
      expect(() => readNodeEnv(rest), name).toThrow(new RegExp(`^${name} must be set`));
    }
  });
});

describe('readNodeEnv', () => {
  it('needs nothing off AWS', () => {
    expect(readNodeEnv({})).toEqual({});
  });

  it.each([
    [{ IONS_PORT: '80a' }, 'IONS_PORT must be a port number (0-65535), got "80a"'],
    [{ IONS_PORT: '70000' }, 'IONS_PORT must be a port number (0-65535), got "70000"'],
    [{ IONS_STORAGE: 'sqlite' }, 'IONS_STORAGE must be one of memory, file, postgres, dynamodb, got "sqlite"'],
    [{ IONS_STORAGE: 'file', IONS_LOG_TABLE: 't' }, 'IONS_LOG_TABLE is only used with IONS_STORAGE=dynamodb, not file'],
    [{ IONS_PRIMARY_ENDPOINT: 'primary:8182' }, 'IONS_PRIMARY_ENDPOINT must be an http(s) URL, got "primary:8182"'],
    [{ IONS_CONFIG_PARAMETER: '/x/config' }, 'AWS_REGION must be set when the node reads AWS (IONS_CONFIG_PARAMETER)'],
    [{ IONS_STORAGE: 'postgres' }, 'AWS_REGION must be set when the node reads AWS (IONS_STORAGE=postgres)'],
  ])('refuses %j', (env, message) => {
    expect(() => readNodeEnv(env)).toThrow(new NodeEnvError(message));
  });
});
