// What a pushed revision is called. A clean git tree names it by its commit, so the name says exactly
// what code it holds. Anything that commit does not pin (uncommitted changes, a dependency from the
// local disk) is refused unless the user gives a name, and then the name says it cannot be rebuilt.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const UNREPRODUCIBLE_PREFIX = 'unreproducible-';

export interface RevisionName {
  name: string;
  /** The commit the revision was built from, when the tree was clean. */
  commit?: string;
}

export class UnreproducibleError extends Error {}

/** Revision names end up in S3 keys, CodeDeploy descriptions and directory names. */
const UNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function revisionName(serviceDir: string, uname?: string): Promise<RevisionName> {
  if (uname !== undefined) {
    if (!UNAME.test(uname)) {
      throw new UnreproducibleError(`--uname "${uname}" must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    }
    return { name: UNREPRODUCIBLE_PREFIX + uname };
  }
  const reasons = [...(await dirtyFiles(serviceDir)), ...(await localDependencies(serviceDir))];
  if (reasons.length > 0) {
    throw new UnreproducibleError(
      `cannot name a revision by its commit: ${reasons.join('; ')}. Commit first, or push with --uname NAME for an unreproducible-NAME revision`,
    );
  }
  const commit = (await git(serviceDir, ['rev-parse', 'HEAD'])).trim();
  return { name: commit, commit };
}

async function git(dir: string, args: string[]): Promise<string> {
  try {
    return (await run('git', args, { cwd: dir })).stdout;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new UnreproducibleError(`${dir} is not in a git working tree with a commit (git ${args.join(' ')}: ${detail}); push with --uname NAME`);
  }
}

async function dirtyFiles(dir: string): Promise<string[]> {
  const status = (await git(dir, ['status', '--porcelain', '--untracked-files=normal'])).split('\n').filter(Boolean);
  if (status.length === 0) return [];
  const shown = status.slice(0, 5).map((line) => line.slice(3));
  return [`the git tree has ${status.length} uncommitted change(s) (${shown.join(', ')}${status.length > 5 ? ', ...' : ''})`];
}

const LOCAL_SPEC = /^(file|link|portal):/;

async function localDependencies(dir: string): Promise<string[]> {
  let manifest: Record<string, Record<string, string> | undefined>;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`${join(dir, 'package.json')}: ${(error as Error).message}`, { cause: error });
  }
  const local = Object.entries({ ...manifest.dependencies, ...manifest.optionalDependencies }).filter(([, spec]) => LOCAL_SPEC.test(spec));
  return local.map(([name, spec]) => `dependency ${name} comes from the local disk (${spec}), which no commit pins`);
}
