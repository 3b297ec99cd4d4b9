/**
 * npm's `prepare`: builds the package after `npm ci` or `npm install`.
 *
 * `npx cppn-motion` in this folder links the folder into npx's own cache,
 * and npm runs `prepare` again as it does: a second build, just after the
 * one `npm ci` made, that held a user's first command for about nine
 * seconds. npx's run (npm_command "exec") uses the build already there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const built = existsSync(new URL('../dist/cli/main.js', import.meta.url));
if (process.env.npm_command === 'exec' && built) process.exit(0);
const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
process.exit(build.status ?? 1);
