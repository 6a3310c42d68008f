// Reads the .eml files the server writes to its mail dir (no SMTP URL set).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Mail {
  file: string;
  headers: Record<string, string>;
  to: string;
  subject: string;
  text: string;
  mtime: number;
}

function decodeQP(s: string): string {
  const bytes: number[] = [];
  const soft = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(s: string): string {
  // RFC 2047 encoded words in headers (=?UTF-8?B?...?= / Q).
  return s.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _cs: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQP(data.replace(/_/g, ' ')),
  );
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers: Record<string, string> = {};
  let last = '';
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) headers[last] += ` ${line.trim()}`;
    else {
      const i = line.indexOf(':');
      if (i > 0) {
        last = line.slice(0, i).trim().toLowerCase();
        headers[last] = line.slice(i + 1).trim();
      }
    }
  }
  return { headers, body };
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const ct = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(ct)?.[1];
  if (/^multipart\//i.test(ct) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    const texts: string[] = [];
    for (const p of parts) {
      if (p.startsWith('--')) break;
      const sub = splitHeaders(p.replace(/^\r?\n/, ''));
      const sct = sub.headers['content-type'] ?? 'text/plain';
      if (/^text\/plain/i.test(sct) || /^multipart\//i.test(sct)) texts.push(decodeBody(sub.headers, sub.body));
    }
    return texts.join('\n');
  }
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') return decodeQP(body);
  return body;
}

export function parseMail(file: string): Mail {
  const raw = readFileSync(file, 'utf8');
  const { headers, body } = splitHeaders(raw);
  return {
    file,
    headers,
    to: decodeWords(headers.to ?? ''),
    subject: decodeWords(headers.subject ?? ''),
    text: decodeBody(headers, body),
    mtime: statSync(file).mtimeMs,
  };
}

function mailDir(): string {
  const d = process.env.ATELIER_MAIL_DIR;
  if (!d) throw new Error('ATELIER_MAIL_DIR is not set (global setup did not run?)');
  return d;
}

function listEml(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listEml(p));
    else if (e.name.endsWith('.eml')) out.push(p);
  }
  return out;
}

export function allMail(to?: string): Mail[] {
  return listEml(mailDir())
    .map(parseMail)
    .filter((m) => !to || m.to.toLowerCase().includes(to.toLowerCase()))
    .sort((a, b) => a.mtime - b.mtime);
}

/** Waits for a mail to `to` whose text contains `contains`; returns the newest such. */
export async function waitForMail(to: string, contains: string | RegExp, timeoutMs = 15_000, notIn: Set<string> = new Set()): Promise<Mail> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hits = allMail(to).filter(
      (m) => !notIn.has(m.file) && (typeof contains === 'string' ? m.text.includes(contains) || m.subject.includes(contains) : contains.test(m.text) || contains.test(m.subject)),
    );
    if (hits.length) return hits[hits.length - 1];
    if (Date.now() > end) {
      const got = allMail(to).map((m) => `${m.subject}`).join(' | ');
      throw new Error(`no mail to ${to} containing ${String(contains)} within ${timeoutMs} ms (mails to them: ${got || 'none'})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The first link in `text` whose path starts with `path` (e.g. `/verify-email`). */
export function linkIn(text: string, path: string): string {
  const re = new RegExp(`https?://[^\\s<>"]*${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s<>"]*`);
  const m = re.exec(text);
  if (!m) throw new Error(`no ${path} link in mail:\n${text}`);
  return m[0];
}

export function tokenOf(link: string): string {
  const t = new URL(link).searchParams.get('token');
  if (!t) throw new Error(`no token in ${link}`);
  return t;
}
