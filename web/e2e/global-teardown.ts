// Stops the server started by global-setup.ts (SIGTERM, then SIGKILL) and
// removes its temporary files unless ATELIER_E2E_KEEP is set.
import { rmSync } from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env.ATELIER_E2E_PID);
  if (pid > 0 && alive(pid)) {
    process.kill(pid, 'SIGTERM');
    const end = Date.now() + 10_000;
    while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  const tmp = process.env.ATELIER_E2E_TMP;
  if (tmp && !process.env.ATELIER_E2E_KEEP) rmSync(tmp, { recursive: true, force: true });
}
