/**
 * `npx cppn-motion` in this folder makes npm run `prepare` again (npx links
 * the folder into its cache): with the build from `npm ci` already there,
 * that run must not build again (it held the quick start's first command for
 * about nine seconds).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

describe('prepare', () => {
  it("leaves the build alone when npx runs it, since npm ci's build is there", () => {
    const result = spawnSync('npx', ['tsx', 'scripts/prepare.ts'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_command: 'exec' } });
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('tsc -p tsconfig.build.json');
  });
});
