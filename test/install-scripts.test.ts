/**
 * npm 11 asks a project to review the install scripts of its dependencies
 * (package.json's allowScripts) and warns on every install until it has:
 * every installed package with an install script is reviewed here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const npmMajor = Number(execFileSync('npm', ['--version'], { encoding: 'utf8' }).split('.')[0]);
const hasInstallScripts = npmMajor >= 11 && spawnSync('npm', ['help', 'install-scripts'], { encoding: 'utf8' }).status === 0;

describe.runIf(hasInstallScripts)('install scripts', () => {
  it('every dependency with an install script is reviewed in allowScripts, so installs print no warning about them', () => {
    const result = spawnSync('npm', ['install-scripts', 'ls'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('No packages with unreviewed install scripts.');
  });
});
