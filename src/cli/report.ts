import { fileSystemError, OutputError } from '../errors.js';

/** What the CLI says to people: on stderr, so stdout stays for data (weights export, --json). --quiet silences all but errors. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
}

export function reporter(quiet = false): Reporter {
  return {
    info: (message) => {
      if (!quiet) process.stderr.write(`${message}\n`);
    },
    warn: (message) => {
      if (!quiet) process.stderr.write(`warning: ${message}\n`);
    },
  };
}

/**
 * Writes data to stdout (weights, --json, listings) and waits until it is
 * written: a full disk behind `> file`, or /dev/full, is a failed command
 * (exit 1 with the cause), not a silent truncation.
 */
export function printData(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => {
      if (!error) return resolve();
      const code = (error as NodeJS.ErrnoException).code;
      // `cppn-motion … | head` closes the pipe early: that is the reader's choice, not an error.
      if (code === 'EPIPE') process.exit(0);
      reject(fileSystemError('the standard output', error) ?? new OutputError(`cannot write the standard output: ${error.message}`));
    });
  });
}
