/**
 * Vite plugins for the visualizer (Node-only: used by `vite.config.ts`, never loaded by the page).
 *
 * - `tfjsWasmPlugin`: the tfjs wasm binaries (`@tensorflow/tfjs-backend-wasm/dist/*.wasm`) served in dev
 *   and emitted into the build under `<base>tfjs-wasm/`, the prefix the app passes to `initBackend`.
 * - `runsPlugin`: the recorded-runs folder served read-only under `/runs/` (dev and preview; so no source
 *   folder of the app may be called `runs`). A request
 *   for a folder (`/runs/` or `/runs/<run>/`) answers a JSON listing `{ entries: [{ name, dir, size }] }`;
 *   a file is sent as-is with a content type from its extension. Only GET/HEAD; paths that escape the
 *   folder (`..`, absolute, symlinks out) are refused with 403. Nothing is ever evaluated server-side. Every
 *   answer carries `Content-Security-Policy: default-src 'none'` and `X-Content-Type-Options: nosniff`, so a
 *   run's SVG or HTML opened directly never runs a script in the viewer's origin.
 * - `confinePlugin`: the dev server serves the app and nothing else. It answers 404 to `/__open-in-editor`
 *   (vite's editor launcher, which a plain GET from any page could trigger) and 403 to any request whose file,
 *   after following symlinks, lies outside `server.fs.allow` and the dependency cache (a symlink inside the
 *   checkout to `/etc` is not a way out). vite.config.ts also turns CORS off and keeps `fs.strict`.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import type { Connect, Plugin } from 'vite';

export const WASM_PREFIX = 'tfjs-wasm/';

function wasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

export function tfjsWasmPlugin(): Plugin {
  const dir = wasmDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.wasm'));
  const serve: Connect.NextHandleFunction = (req, res, next) => {
    const url = (req.url ?? '').split('?')[0];
    const at = url.indexOf(`/${WASM_PREFIX}`);
    const name = at >= 0 ? url.slice(at + WASM_PREFIX.length + 1) : '';
    if (!files.includes(name)) return next();
    res.setHeader('Content-Type', 'application/wasm');
    createReadStream(join(dir, name)).pipe(res);
  };
  return {
    name: 'priorlab-tfjs-wasm',
    configureServer: (server) => void server.middlewares.use(serve),
    configurePreviewServer: (server) => void server.middlewares.use(serve),
    generateBundle() {
      for (const f of files)
        this.emitFile({ type: 'asset', fileName: WASM_PREFIX + f, source: readFileSync(join(dir, f)) });
    },
  };
}

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Resolves `rel` inside `root`, or null when it would leave it (after following symlinks). */
export function insideRoot(root: string, rel: string): string | null {
  if (rel.includes('\0')) return null;
  const rootReal = realpathSync(root);
  const target = resolve(rootReal, '.' + sep + rel);
  if (target !== rootReal && !target.startsWith(rootReal + sep)) return null;
  if (!existsSync(target)) return target;
  const real = realpathSync(target);
  return real === rootReal || real.startsWith(rootReal + sep) ? real : null;
}

/** Connect middleware serving `root` read-only under `/runs/`. */
export function runsMiddleware(root: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = req.url ?? '';
    if (!url.startsWith('/runs/') && url !== '/runs') return next();
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.statusCode = code;
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Type', type);
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, `runs/ is read-only (method ${req.method} not allowed)`);
    if (!existsSync(root)) return send(200, JSON.stringify({ entries: [] }), 'application/json');
    let rel: string;
    try {
      rel = decodeURIComponent(url.split('?')[0].slice('/runs'.length));
    } catch {
      return send(400, 'bad URL encoding');
    }
    const path = insideRoot(root, rel);
    if (path === null) return send(403, 'path leaves the runs folder');
    if (!existsSync(path)) return send(404, `not found: runs${rel}`);
    const st = statSync(path);
    res.setHeader('Cache-Control', 'no-store');
    // Run files are data: no script, style or frame of theirs runs, and no type is guessed from their bytes.
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (st.isDirectory()) {
      const entries = readdirSync(path, { withFileTypes: true })
        .filter((e) => !e.name.startsWith('.') && !e.name.endsWith('.tmp'))
        .map((e) => ({ name: e.name, dir: e.isDirectory(), size: e.isFile() ? statSync(join(path, e.name)).size : 0 }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return send(200, JSON.stringify({ entries }), 'application/json');
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', TYPES[extname(path)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(st.size));
    if (req.method === 'HEAD') return res.end();
    createReadStream(path).pipe(res);
  };
}

export function runsPlugin(root: string): Plugin {
  return {
    name: 'priorlab-runs',
    configureServer: (server) => void server.middlewares.use(runsMiddleware(root)),
    configurePreviewServer: (server) => void server.middlewares.use(runsMiddleware(root)),
  };
}

/** True when `path` is `dir` or inside it. */
const within = (path: string, dir: string): boolean =>
  path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The real path of `p` (symlinks followed), or of its nearest existing ancestor plus the rest; null on a loop. */
function realOf(p: string): string | null {
  try {
    return realpathSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR')
      return null;
    const parent = dirname(p);
    if (parent === p) return p;
    const real = realOf(parent);
    return real === null ? null : join(real, p.slice(parent.length));
  }
}

/**
 * Connect middleware: 404 for `/__open-in-editor`; 403 for a request whose file (an `/@fs/<absolute path>`,
 * or a path under `root`) resolves, symlinks followed, outside every folder of `allow`.
 */
export function confineMiddleware(root: string, allow: () => readonly string[]): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = req.url ?? '';
    const pathname = url.split(/[?#]/)[0];
    const refuse = (code: number, body: string) => {
      res.statusCode = code;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(body);
    };
    if (pathname.startsWith('/__open-in-editor')) return refuse(404, 'not served: the editor launcher is off');
    if (pathname === '/runs' || pathname.startsWith('/runs/')) return next(); // runsMiddleware confines these
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return refuse(400, 'bad URL encoding');
    }
    if (decoded.includes('\0')) return refuse(403, 'not served: outside the app');
    const file = decoded.startsWith('/@fs/')
      ? resolve(decoded.slice('/@fs'.length))
      : decoded.startsWith('/@')
        ? null // vite's virtual modules (/@vite/client, /@id/…): no file of their own
        : resolve(root, '.' + decoded);
    if (file === null) return next();
    const real = realOf(file);
    const roots = allow().map((d) => realOf(d) ?? d);
    if (real === null || !roots.some((d) => within(real, d))) return refuse(403, 'not served: outside the app');
    next();
  };
}

/** See `confineMiddleware`: the dev server's `fs.allow` (resolved by vite) plus its dependency cache. */
export function confinePlugin(): Plugin {
  return {
    name: 'priorlab-confine',
    configureServer(server) {
      const c = server.config;
      const allow = () => [c.root, c.cacheDir, ...c.server.fs.allow];
      server.middlewares.use(confineMiddleware(c.root, allow));
    },
  };
}
