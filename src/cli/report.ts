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
