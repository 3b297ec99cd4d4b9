/**
 * A private Redis for each cluster suite: Debian's redis-server on 127.0.0.1,
 * a free port, nothing saved to disk. Suites that need it skip where it is
 * not installed (system-parts.ts), and the run's summary names them. Each
 * suite starts its own: one starts in moments, and the cluster suite
 * restarts its server between tests, which a shared one would not allow.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { INSTALL_COMMAND, REDIS_SERVER } from './system-parts.js';

export { HAS_REDIS, REDIS_SERVER } from './system-parts.js';

/** For the benchmarks, which have no run summary: what was skipped and how to install what it needs. */
export function skipMessage(suite: string): string {
  return `skipped: ${suite} needs redis-server; install it with: ${INSTALL_COMMAND}`;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server at once (as a crash would) and starts it again on the same port, empty. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Whether a Redis answers PING on the port. */
function pong(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      // A server that asks for a password answers, refusing.
      done(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });
}

async function launch(port: number, password?: string): Promise<ChildProcess> {
  const auth = password === undefined ? [] : ['--requirepass', password];
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...auth], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await pong(port)) return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

/** Starts a private Redis; with `password`, one that asks for it. */
export async function startRedis(options: { password?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  let child = await launch(port, options.password);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(downMs = 1000) {
      await stopped(child);
      await sleep(downMs);
      child = await launch(port, options.password);
    },
    stop: () => stopped(child),
  };
}
