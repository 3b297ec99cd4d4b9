import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { findScenes, startPreviewServer } from '../../preview/index.js';
import { interruptible } from '../interrupts.js';
import { addOptions } from '../options.js';
import { flagWord } from '../../scene/options/index.js';
import { reporter, type Reporter } from '../report.js';

interface PreviewFlags {
  port?: number;
  open?: boolean;
  quiet?: boolean;
}

/** An opener that has not failed by then has handed the page to a browser (which may run on under it for hours). */
const OPENER_GRACE_MS = 30_000;

/**
 * The system's way to open a URL in the default browser. Whatever keeps it
 * from opening one (no opener, no display, an opener that finds no browser
 * and exits with an error) is said, with the printed URL to open by hand.
 * The opener's command line, which every user can read, carries `url`: a
 * one-time token, never the run's key.
 */
function openInBrowser(url: string, printed: string, report: Reporter): void {
  const yourself = `open ${printed} in a browser yourself`;
  const open = flagWord('open');
  // Without a display, xdg-open falls back to text browsers, which cannot run without a terminal.
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    report.warn(`${open}: there is no display to open a browser on (neither DISPLAY nor WAYLAND_DISPLAY is set); ${yourself}`);
    return;
  }
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const started = Date.now();
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', (error: NodeJS.ErrnoException) => report.warn(`${open}: could not run ${command} (${error.code === 'ENOENT' ? 'not installed' : error.message}); ${yourself}`));
  child.on('exit', (code) => {
    if (code !== null && code !== 0 && Date.now() - started < OPENER_GRACE_MS) report.warn(`${open}: ${command} found no browser to open the page (exit code ${code}); ${yourself}`);
  });
  child.unref();
}

export function registerPreview(program: Command): void {
  const command = program
    .command('preview')
    .description('play scenes live in the browser (GPU), reloading when a file is saved')
    .argument('<scenes...>', 'scene files (.yaml), or folders of them');
  addOptions(command, ['port', 'open', 'quiet']).action(async (paths: string[], flags: PreviewFlags) => {
      const report = reporter(flags.quiet);
      const scenes = findScenes(paths, (message) => report.warn(message));
      // Ctrl-C is handled before the URL is printed, so it always ends the same way (exit code 130).
      await interruptible(async (signal) => {
        const server = await startPreviewServer({ scenes, port: flags.port });
        const stopped = new Promise<never>((_resolve, reject) => {
          const stop = (): void => void server.close().finally(() => reject(signal.reason));
          if (signal.aborted) stop();
          else signal.addEventListener('abort', stop, { once: true });
        });
        process.stdout.write(`${server.url}\n`);
        report.info(`previewing ${scenes.length === 1 ? scenes[0].file : `${scenes.length} scenes`}; saving a scene file updates the page. Ctrl-C stops.`);
        // --quiet keeps the warning: the browser the user asked for did not come.
        if (flags.open) openInBrowser(server.openUrl(), server.url, reporter());
        return stopped;
      }, { exitWithParent: true });
    });
}
