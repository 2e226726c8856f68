// The local stand-in for SSM: a JSON file of full parameter names to string values, e.g.
// { "/event-signup/dev/admin-email": "me@example.com" }. Kept out of version control by the user.
import { readFile } from 'node:fs/promises';

export const LOCAL_PARAMS_FILE = 'params.local.json';

/** The parameters in `file`, or undefined when there is no such file. */
export async function readLocalParamsFile(file: string): Promise<Record<string, string> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file}: expected an object of parameter names to string values`);
  }
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!name.startsWith('/')) throw new Error(`${file}: parameter name ${JSON.stringify(name)} must start with "/"`);
    // The value may be a secret: the error names the key only.
    if (typeof value !== 'string') throw new Error(`${file}: the value of ${JSON.stringify(name)} must be a string`);
    params[name] = value;
  }
  return params;
}
