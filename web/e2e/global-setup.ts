// Starts the real server for the e2e run: a free port, a temporary SQLite
// database, data dir and mail dir, rate limits off. The URL and the mail dir
// reach the tests through the environment (workers inherit it).
import { spawn } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, '..');
const repoDir = resolve(webDir, '..');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

async function waitReady(url: string, ms: number, exited: () => string | null): Promise<void> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    const dead = exited();
    if (dead) throw new Error(`atelier exited during start-up (${dead})`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) return;
      last = `readyz ${r.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`atelier did not become ready at ${url} within ${ms} ms (${last})`);
}

export default async function globalSetup(): Promise<void> {
  if (process.env.ATELIER_E2E_URL) {
    // An already running server (e.g. started by CI); the mail dir must be given too.
    process.env.ATELIER_URL = process.env.ATELIER_E2E_URL;
    return;
  }
  const bin = resolve(webDir, process.env.ATELIER_BIN ?? '../build/atelier');
  if (!existsSync(bin)) throw new Error(`atelier binary not found at ${bin}; build it or set ATELIER_BIN`);
  if (!existsSync(join(webDir, 'dist', 'index.html'))) throw new Error('web/dist is missing: run `npm run build` first');

  const tmp = mkdtempSync(join(tmpdir(), 'atelier-e2e-'));
  const dataDir = join(tmp, 'data');
  const mailDir = join(tmp, 'mail');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(mailDir, { recursive: true });
  // Run a copy, so a rebuild of build/atelier during the run changes nothing.
  if (statSync(bin).size === 0) throw new Error(`${bin} is empty (being linked?)`);
  const exe = join(tmp, 'atelier');
  copyFileSync(bin, exe);
  chmodSync(exe, 0o755);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    'serve',
    '--listen', `127.0.0.1:${port}`,
    '--db', `sqlite:${join(tmp, 'atelier.db')}`,
    '--data-dir', dataDir,
    '--mail-dir', mailDir,
    '--public-url', url,
    '--rate-limits', 'off',
    ...(process.env.ATELIER_EXTRA_ARGS ? process.env.ATELIER_EXTRA_ARGS.split(' ').filter(Boolean) : []),
  ];
  const logFile = join(tmp, 'server.log');
  const log = openSync(logFile, 'a');
  // cwd is the repository root so the server finds web/dist beside it.
  const child = spawn(exe, args, { cwd: repoDir, stdio: ['ignore', log, log], env: { ...process.env, ATELIER_WEB_DIR: join(webDir, 'dist') } });
  let exit: string | null = null;
  child.on('exit', (code, sig) => {
    exit = `code ${code}, signal ${sig}; log: ${logFile}`;
  });
  try {
    await waitReady(url, 30_000, () => exit);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }

  writeFileSync(join(tmp, 'server.pid'), String(child.pid));
  process.env.ATELIER_URL = url;
  process.env.ATELIER_MAIL_DIR = mailDir;
  process.env.ATELIER_E2E_TMP = tmp;
  process.env.ATELIER_E2E_PID = String(child.pid);
  console.log(`[e2e] atelier at ${url} (tmp ${tmp})`);
}
