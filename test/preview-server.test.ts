/**
 * The preview server's safety rules, tried as an attacker would: requests
 * under another Host name (DNS rebinding), writes from another origin or
 * without the run's key, writes for a path it does not serve or over a file
 * changed on disk, symbolic links out of a previewed folder; and generated
 * paths and headers, none of which may reach a file it was not given.
 */
import { mkdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { startPreview, type RunningPreview } from './preview-helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A request sent exactly as written: path, method, headers (Host included) and body. */
function send(url: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ hostname, port, path, method: options.method ?? 'GET', headers: options.headers, setHost: options.headers?.host === undefined }, (res) => {
      // The page's event stream (/events) never ends: its headers are the answer.
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.destroy();
        return done({ status: res.statusCode ?? 0, body: '', headers: res.headers });
      }
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end(options.body);
  });
}

const SCENE = `# a scene to keep
name: kept   # its name
output: { size: [16, 16], duration: 1 }
network: { layers: { depth: 2, width: 4 } }
keyframes:
  - { at: 0, seed: 1 }
`;

/** A folder with a scene, a scene elsewhere linked into it, and a secret next door. */
function folder(): { root: string; work: string; scene: string; remove: () => void } {
  const dir = tempDir();
  const work = join(dir.path, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'scene.yaml'), SCENE);
  writeFileSync(join(dir.path, 'outside.yaml'), `# secret scene outside\n${SCENE}`);
  writeFileSync(join(dir.path, 'secret.txt'), 'secret\n');
  symlinkSync(join(dir.path, 'outside.yaml'), join(work, 'link-out.yaml'));
  return { root: dir.path, work, scene: join(work, 'scene.yaml'), remove: dir.remove };
}

describe('the preview server refuses what is not its own', () => {
  let dir: ReturnType<typeof folder>;
  let server: RunningPreview;
  let host: string;
  let cookie: string;

  /** A write as the page makes it: from its own origin, with the key's cookie. */
  const put = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
    send(server.url, path, { method: 'PUT', headers: { origin: `http://${host}`, cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const version = async (): Promise<string> => (JSON.parse((await send(server.url, '/api/scenes/0', { headers: { cookie } })).body) as { version: string }).version;

  beforeAll(async () => {
    dir = folder();
    server = await startPreview([dir.work]);
    host = new URL(server.url).host;
    const opened = await send(server.url, `/?key=${server.key}&paused`);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/?paused');
    cookie = String(opened.headers['set-cookie']).split(';')[0];
  });
  afterAll(async () => {
    await server?.stop();
    dir?.remove();
  });

  it('leaves out a scene in the folder that links outside it, and says so', async () => {
    const list = JSON.parse((await send(server.url, '/api/scenes')).body) as Array<{ name: string }>;
    expect(list.map((s) => s.name)).toEqual(['scene']);
    expect(server.stderr()).toContain('link-out.yaml is left out: it is a symbolic link to');
    for (const path of ['/api/scenes/1', '/files/1/outside.yaml', '/files/0/link-out.yaml', '/files/0/../outside.yaml']) {
      const answer = await send(server.url, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).not.toContain('secret');
    }
  });

  it.each(['evil.example', 'evil.example:80', `127.0.0.1.evil.example`, 'localhost', '127.0.0.1', `localhost:1`, ''])('refuses Host "%s", for reads too', async (name) => {
    for (const path of ['/', '/api/scenes', '/api/scenes/0', '/files/0/scene.yaml', '/events']) {
      const answer = await send(server.url, path, { headers: { host: name } });
      expect(answer.status, path).toBe(403);
      expect(answer.body).not.toContain('kept');
    }
  });

  it('answers at localhost and [::1] with the port', async () => {
    const port = new URL(server.url).port;
    for (const name of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) expect((await send(server.url, '/api/scenes/0', { headers: { host: name } })).status).toBe(200);
  });

  it('writes a scene from its own page: validated, atomically, over the version it loaded', async () => {
    const before = await version();
    const text = SCENE.replace('seed: 1', 'seed: 2');
    const answer = await put('/api/scenes/0', { text, version: before });
    expect(answer.status, answer.body).toBe(200);
    expect(readFileSync(dir.scene, 'utf8')).toBe(text);
    expect(JSON.parse(answer.body).version).toBe(await version());
    writeFileSync(dir.scene, SCENE);
  });

  it('refuses a write from another origin, without an origin, or without the run key', async () => {
    const current = await version();
    const text = SCENE.replace('seed: 1', 'seed: 3');
    for (const headers of [{ origin: 'http://evil.example' }, { origin: `https://${host}` }, { origin: 'null' }, { origin: '' }]) {
      const answer = await put('/api/scenes/0', { text, version: current }, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
    }
    const keyless = await send(server.url, '/api/scenes/0', { method: 'PUT', headers: { origin: `http://${host}` }, body: JSON.stringify({ text, version: current }) });
    expect(keyless.status).toBe(403);
    expect(keyless.body).toContain('open the address `cppn-motion preview` printed');
    const wrongKey = await put('/api/scenes/0', { text, version: current }, { cookie: `${cookie.split('=')[0]}=not-the-key` });
    expect(wrongKey.status).toBe(403);
    expect(readFileSync(dir.scene, 'utf8')).toBe(SCENE);
  });

  it('refuses a write for any path but a scene it serves', async () => {
    const current = await version();
    const body = { text: SCENE.replace('seed: 1', 'seed: 4'), version: current };
    for (const path of ['/api/scenes/1', '/api/scenes/7', '/api/scenes/0/inspect', '/files/0/scene.yaml', '/api/scenes/0/../1', '/api/scenes/%30', '/', '/secret.txt', '/../outside.yaml']) {
      const answer = await put(path, body);
      expect(answer.status, path).toBe(404);
    }
    expect(readFileSync(dir.scene, 'utf8')).toBe(SCENE);
    expect(readFileSync(join(dir.root, 'outside.yaml'), 'utf8')).toContain('# secret scene outside');
    expect((await send(server.url, '/api/scenes/0', { method: 'DELETE', headers: { origin: `http://${host}`, cookie } })).status).toBe(405);
  });

  it('refuses, with 409 and nothing written, a write over a file changed on disk since the page loaded it', async () => {
    const loaded = await version();
    const edited = `${SCENE}# edited by hand\n`;
    writeFileSync(dir.scene, edited);
    const answer = await put('/api/scenes/0', { text: SCENE.replace('seed: 1', 'seed: 5'), version: loaded });
    expect(answer.status).toBe(409);
    expect(JSON.parse(answer.body).error).toContain('changed on disk since the page loaded it; nothing was written');
    expect(readFileSync(dir.scene, 'utf8')).toBe(edited);
    writeFileSync(dir.scene, SCENE);
  });

  it('refuses a scene that does not validate, with its located problems, and a body that is not a write', async () => {
    const current = await version();
    const answer = await put('/api/scenes/0', { text: SCENE.replace('depth: 2', 'depth: -1'), version: current });
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body).error).toMatch(/scene\.yaml:4:\d+: network\.layers\.depth/);
    expect((await send(server.url, '/api/scenes/0', { method: 'PUT', headers: { origin: `http://${host}`, cookie }, body: 'not json' })).status).toBe(400);
    expect(readFileSync(dir.scene, 'utf8')).toBe(SCENE);
  });

  it('refuses to write when the scene file was swapped for a link out of the folder while it ran', async () => {
    const current = await version();
    const moved = `${dir.scene}.moved`;
    writeFileSync(moved, SCENE);
    unlinkSync(dir.scene);
    symlinkSync(join(dir.root, 'outside.yaml'), dir.scene);
    try {
      expect((await send(server.url, '/api/scenes/0')).status).toBe(404);
      expect((await put('/api/scenes/0', { text: SCENE, version: current })).status).toBe(404);
      expect(readFileSync(join(dir.root, 'outside.yaml'), 'utf8')).toContain('# secret scene outside');
    } finally {
      unlinkSync(dir.scene);
      renameSync(moved, dir.scene);
    }
  });

  describe('generated requests', () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', '%2e%2e', '%2E%2e', '%252e%252e', '..%2f', '%2f', '%5c', '..%5c', 'scene.yaml', 'outside.yaml', 'secret.txt', 'link-out.yaml', 'work', 'api', 'scenes', 'files', '0', '1', '-1', '00', '%00', 'inspect', 'events', '?', '#', '~', 'weights'),
      fc.string({ maxLength: 8 }).map(encodeURIComponent),
    );
    const path = fc.array(segment, { minLength: 0, maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
    const hostName = fc.oneof(fc.constantFrom('evil.example', 'localhost', '127.0.0.1', '127.0.0.2', '[::1]', '0.0.0.0', 'localhost.', 'LOCALHOST'), fc.domain());
    const port = fc.oneof(fc.constant(''), fc.constantFrom(':80', ':1', ':0'), fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`));

    it('never answer with a file it was not given, nor fail', async () => {
      await fc.assert(
        fc.asyncProperty(path, async (p) => {
          const answer = await send(server.url, p);
          expect(answer.status).not.toBe(500);
          expect(answer.body).not.toContain('secret');
          // Only the path names a file; a query (`/?/files`) is no part of it.
          if (answer.status === 200 && p.split(/[?#]/)[0].includes('files')) expect(answer.body).toBe(SCENE);
        }),
        { numRuns: RUNS },
      );
    });

    it('never answer a Host that is not the preview\'s own', async () => {
      const own = new URL(server.url).port;
      await fc.assert(
        fc.asyncProperty(hostName, port, path, async (name, p, at) => {
          const header = `${name}${p}`;
          const allowed = ['127.0.0.1', 'localhost', '[::1]'].includes(name.toLowerCase()) && p === `:${own}`;
          const answer = await send(server.url, at, { headers: { host: header } });
          if (!allowed) expect(answer.status, header).toBe(403);
          else expect(answer.status).not.toBe(403);
        }),
        { numRuns: RUNS },
      );
    });

    it('never write from a foreign origin, whatever the path', async () => {
      const origin = fc.oneof(fc.constantFrom('null', '', 'http://evil.example', `https://${host}`, `http://${host}.evil.example`, 'file://'), fc.webUrl().map((u) => new URL(u).origin));
      const current = await version();
      await fc.assert(
        fc.asyncProperty(origin, fc.oneof(path, fc.constant('/api/scenes/0')), async (o, p) => {
          const answer = await put(p, { text: SCENE.replace('seed: 1', 'seed: 99'), version: current }, { origin: o });
          if (o !== `http://${host}`) expect(answer.status).toBe(403);
          expect(readFileSync(dir.scene, 'utf8')).toBe(SCENE);
        }),
        { numRuns: RUNS },
      );
    });
  });
});
