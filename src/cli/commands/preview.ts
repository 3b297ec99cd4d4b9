import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { findScenes, startPreviewServer } from '../../preview/index.js';
import { interruptible } from '../interrupts.js';
import { parseWholeNumber } from '../options.js';
import { reporter } from '../report.js';

interface PreviewFlags {
  port?: number;
  open?: boolean;
  quiet?: boolean;
}

/** The system's way to open a URL in the default browser. */
function openInBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`warning: could not open a browser (${command}); open ${url} yourself\n`));
  child.unref();
}

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description('play scenes live in the browser (GPU), reloading when a file is saved')
    .argument('<scenes...>', 'scene files (.yaml), or folders of them')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', parseWholeNumber(1, 65535))
    .option('--open', 'open the page in the system browser')
    .option('-q, --quiet', 'print only the URL and errors')
    .action(async (paths: string[], flags: PreviewFlags) => {
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
        if (flags.open) openInBrowser(server.url);
        return stopped;
      });
    });
}
