import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { codeDeployBundle, HOOK_SPEC_FILE } from '../../runtime/push/codedeploy-bundle.js';

describe('the CodeDeploy bundle', () => {
  it('holds executable hook scripts, since the agent runs them straight from the archive', async () => {
    const spec = { bucket: 'code', app: 'signup', revision: 'abc123', manifestKey: 'ions/signup/abc123.json' };
    const archive = await JSZip.loadAsync(codeDeployBundle(spec));
    for (const phase of ['fetch', 'swap', 'validate']) {
      const script = archive.file(`hooks/${phase}.sh`)!;
      expect(script.unixPermissions).toBe(0o100755);
      expect(await script.async('string')).toMatch(/^#!\/bin\/bash\n/);
    }
    expect(archive.file('appspec.yml')!.unixPermissions).toBe(0o100644);
    expect(JSON.parse(await archive.file(HOOK_SPEC_FILE)!.async('string'))).toEqual(spec);
  });
});
