/**
 * The preview server: 127.0.0.1 only. It serves the page (built into
 * dist/preview/static by `npm run build`), the scene files it was given and
 * the weights files they name, `inspect`'s measures of a frame, and a stream
 * of server-sent events saying which scene was saved; it writes a scene file
 * when the page keeps a change (write-scene.ts). Every other path is 404.
 * Who may ask is checked first (request-guard.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option, UserError, words } from '../errors.js';
import { builtFolder } from '../package-files.js';
import { readRegularFile } from '../files/index.js';
import { describeNetwork, formatInspection, inspectScene } from '../inspect/index.js';
import { applyOverrides, INPUT_LIMITS, loadScene } from '../scene/index.js';
import type { SceneMeasures, SceneSource } from './page/protocol.js';
import { allowedHosts, givesRunKey, hasRunKey, hostAllowed, KEY_PARAMETER, keyCookie, makeRunKey, OPEN_PARAMETER, OpenTokens, originAllowed } from './request-guard.js';
import { contentVersion, servableFile, stillInPlace, type PreviewScene } from './scene-files.js';
import { watchScenes } from './watch-scenes.js';
import { writeScene } from './write-scene.js';

export const PREVIEW_HOST = '127.0.0.1';

const STATIC_FOLDER = fileURLToPath(builtFolder('preview/static/'));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** `inspect` measures at most this many pixels on the longer side: enough for its statistics, quick to compute. */
const MEASURE_SIDE = 64;

export interface PreviewServerOptions {
  scenes: readonly PreviewScene[];
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface PreviewServer {
  /** The page's address, with this run's key (writes need it): for the user's own terminal. */
  url: string;
  /**
   * An address for a command line others can read (the system browser's
   * opener): a one-time token in place of the key, exchanged for it once.
   */
  openUrl(): string;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(body);
}

const notFound = (response: ServerResponse): void => send(response, 404, 'not found\n');
const json = (response: ServerResponse, value: unknown): void => send(response, 200, JSON.stringify(value), TYPES['.json']);

function measures(scene: PreviewScene, at: number, size: [number, number] | undefined): SceneMeasures {
  try {
    const loaded = applyOverrides(loadScene(scene.path), { size });
    const inspection = inspectScene(loaded, { at, maxSide: MEASURE_SIDE });
    return { network: describeNetwork(loaded.model), stats: formatInspection(inspection), greyGoo: inspection.greyGoo?.message };
  } catch (error) {
    return { network: '', stats: '', error: (error as Error).message };
  }
}

export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  if (!existsSync(`${STATIC_FOLDER}index.html`)) throw new UserError(`the preview page is not built (${STATIC_FOLDER} is missing)`, 'run `npm run build`');
  const pages = new Set(readdirSync(STATIC_FOLDER));
  const { scenes } = options;
  const clients = new Set<ServerResponse>();
  const runKey = makeRunKey();
  const openTokens = new OpenTokens();
  let port = 0;

  /** The scene a path names (`/api/scenes/N…` or `/files/N/…`), if it is still where it was found. */
  const sceneFor = (parts: string[]): PreviewScene | undefined => {
    const idPart = parts[0] === 'api' ? parts[2] : parts[0] === 'files' ? parts[1] : undefined;
    const scene = idPart !== undefined && /^\d+$/.test(idPart) ? scenes[Number(idPart)] : undefined;
    return scene && stillInPlace(scene) ? scene : undefined;
  };

  const read = (request: IncomingMessage, response: ServerResponse, rawPath: string, rawQuery: string): void => {
    const parts = rawPath.split('/').slice(1);
    const query = new URLSearchParams(rawQuery);
    if (rawPath === '/' && query.has(OPEN_PARAMETER) && !openTokens.redeem(query.get(OPEN_PARAMETER))) {
      return send(response, 403, 'forbidden: this one-time link was used already or has expired; open the address `cppn-motion preview` printed\n');
    }
    if (rawPath === '/' && (query.has(OPEN_PARAMETER) || givesRunKey(query, runKey))) {
      // The key goes into a cookie for this port, and out of the address bar.
      const rest = rawQuery
        .split('&')
        .filter((part) => part !== '' && !part.startsWith(`${KEY_PARAMETER}=`) && !part.startsWith(`${OPEN_PARAMETER}=`))
        .join('&');
      response.writeHead(303, { location: rest ? `/?${rest}` : '/', 'set-cookie': keyCookie(port, runKey), 'cache-control': 'no-store' });
      response.end();
      return;
    }
    if (rawPath === '/') return send(response, 200, readFileSync(`${STATIC_FOLDER}index.html`), TYPES['.html']);
    if (parts.length === 1 && pages.has(parts[0])) return send(response, 200, readFileSync(STATIC_FOLDER + parts[0]), TYPES[extname(parts[0])] ?? 'application/octet-stream');
    if (rawPath === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.write('retry: 500\n\n');
      clients.add(response);
      request.on('close', () => clients.delete(response));
      return;
    }
    if (rawPath === '/api/scenes') return json(response, scenes.map(({ id, file, name }) => ({ id, file, name })));
    const scene = sceneFor(parts);
    if (!scene) return notFound(response);
    if (parts[0] === 'api' && parts[1] === 'scenes' && parts.length === 3) {
      let bytes: Buffer;
      try {
        bytes = readRegularFile(scene.path, scene.file, INPUT_LIMITS.sceneFile, 'scene files');
      } catch {
        return notFound(response);
      }
      const source: SceneSource = {
        id: scene.id,
        file: scene.file,
        name: scene.name,
        folder: scene.folder,
        text: bytes.toString('utf8'),
        version: contentVersion(bytes),
        writable: hasRunKey(request, port, runKey),
      };
      return json(response, source);
    }
    if (parts[0] === 'api' && parts[1] === 'scenes' && parts[3] === 'inspect' && parts.length === 4) {
      const at = Number(query.get('at') ?? 0);
      const size = /^(\d+)x(\d+)$/.exec(query.get('size') ?? '');
      return json(response, measures(scene, Number.isFinite(at) ? at : 0, size ? [Number(size[1]), Number(size[2])] : undefined));
    }
    if (parts[0] === 'files' && parts.length >= 3) {
      const file = servableFile(scene, parts.slice(2));
      if (!file) return notFound(response);
      let data: Buffer;
      try {
        // A scene or weights file: a pipe put in its place must not freeze the server.
        data = readRegularFile(file, file, Math.max(INPUT_LIMITS.sceneFile, INPUT_LIMITS.weightsFile), 'scene and weights files');
      } catch {
        return notFound(response);
      }
      return send(response, 200, data, TYPES[extname(file)] ?? 'application/octet-stream');
    }
    return notFound(response);
  };

  const write = async (request: IncomingMessage, response: ServerResponse, rawPath: string): Promise<void> => {
    const host = request.headers.host!;
    if (!originAllowed(request.headers.origin, host)) return send(response, 403, 'forbidden: scene files are written only from the preview page itself\n');
    if (!hasRunKey(request, port, runKey)) return send(response, 403, "forbidden: open the address `cppn-motion preview` printed (it carries this run's key) to write scene files\n");
    const parts = rawPath.split('/').slice(1);
    const scene = parts[0] === 'api' && parts[1] === 'scenes' && parts.length === 3 ? sceneFor(parts) : undefined;
    if (!scene) return notFound(response);
    const answer = await writeScene(scene, request);
    send(response, answer.status, JSON.stringify(answer.body), TYPES['.json']);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // Before anything else: a name other than this machine's is a page elsewhere rebinding its name to us.
    if (!hostAllowed(request.headers.host, port)) return send(response, 403, `forbidden: this preview answers only at ${allowedHosts(port).join(', ')}\n`);
    const [rawPath, query = ''] = (request.url ?? '/').split('?', 2);
    if (request.method === 'GET' || request.method === 'HEAD') return read(request, response, rawPath, query);
    if (request.method === 'PUT') return write(request, response, rawPath);
    response.setHeader('allow', 'GET, HEAD, PUT');
    return send(response, 405, 'only GET, and PUT of a scene file\n');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, `${(error as Error).message}\n`);
      else response.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'EADDRINUSE' ? new UserError(`port ${options.port} is already in use`, words`pick another with ${option('port')}, or leave ${option('port')} out for a free one`) : error),
    );
    server.listen(options.port ?? 0, PREVIEW_HOST, done);
  });
  const watcher = watchScenes(scenes, (scene) => {
    for (const client of clients) client.write(`event: change\ndata: ${JSON.stringify({ id: scene.id })}\n\n`);
  });
  // Keeps idle event streams open through proxies and sleeping laptops.
  const keepAlive = setInterval(() => clients.forEach((c) => c.write(': still here\n\n')), 15_000);
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${PREVIEW_HOST}:${port}/?${KEY_PARAMETER}=${runKey}`,
    openUrl: () => `http://${PREVIEW_HOST}:${port}/?${OPEN_PARAMETER}=${openTokens.issue()}`,
    async close() {
      clearInterval(keepAlive);
      watcher.close();
      for (const client of clients) client.end();
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    },
  };
}
