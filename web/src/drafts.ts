// Keeps what the user typed when the session ends mid-form: the 401 handler saves the
// page's text fields (by their label, since React's generated ids are not stable) to
// sessionStorage, and after logging in the same page gets them back. Passwords and files
// are never kept; the names of chosen files are, so the page can ask for them again.
const KEY = 'atelier:draft';
const MAX_AGE_MS = 60 * 60 * 1000;

interface Draft {
  path: string;
  at: number;
  fields: { label: string; value: string }[];
  files?: string[];
}

type Field = HTMLInputElement | HTMLTextAreaElement;

function labelOf(el: Field): string | null {
  const l = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
  return l?.textContent?.trim() || el.name || null;
}

function textFields(): Field[] {
  return Array.from(document.querySelectorAll<Field>('main form input, main form textarea')).filter(
    (el) => !(el instanceof HTMLInputElement) || !['password', 'file', 'hidden', 'checkbox', 'radio', 'submit', 'button'].includes(el.type),
  );
}

/** Saves the current page's non-empty text fields. */
export function saveDraft(): void {
  const fields = textFields()
    .map((el) => ({ label: labelOf(el), value: el.value }))
    .filter((f): f is { label: string; value: string } => !!f.label && f.value !== '');
  const files = Array.from(document.querySelectorAll<HTMLInputElement>('main form input[type="file"]')).flatMap((el) => Array.from(el.files ?? []).map((f) => f.name));
  if (fields.length === 0 && files.length === 0) return;
  const d: Draft = { path: window.location.pathname + window.location.search, at: Date.now(), fields, files };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(d));
  } catch {
    /* storage full or off: nothing to keep */
  }
}

// React tracks input values itself; the native setter plus an input event updates its state.
function setValue(el: Field, value: string) {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * If a draft was saved for `path`, fills it in once its fields are on the page (they may
 * appear only after data loads) and forgets it. Returns a cleanup.
 */
export function restoreDraft(path: string, onRestored: (lostFiles: string[]) => void): () => void {
  let d: Draft | null = null;
  try {
    d = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Draft | null;
  } catch {
    d = null;
  }
  if (!d || d.path !== path || Date.now() - d.at > MAX_AGE_MS) return () => {};
  const draft = d;
  let timer = 0;
  const attempt = () => {
    const byLabel = new Map(textFields().map((el) => [labelOf(el), el]));
    if (!draft.fields.every((f) => byLabel.has(f.label))) return false;
    // Let the page's own initial values settle first, then put the draft over them.
    timer = window.setTimeout(() => {
      for (const f of draft.fields) {
        const el = byLabel.get(f.label);
        if (el && el.isConnected) setValue(el, f.value);
      }
      sessionStorage.removeItem(KEY);
      onRestored(draft.files ?? []);
    }, 300);
    return true;
  };
  if (attempt()) return () => window.clearTimeout(timer);
  const obs = new MutationObserver(() => {
    if (attempt()) obs.disconnect();
  });
  obs.observe(document.body, { childList: true, subtree: true });
  const giveUp = window.setTimeout(() => obs.disconnect(), 15_000);
  return () => {
    obs.disconnect();
    window.clearTimeout(giveUp);
    window.clearTimeout(timer);
  };
}
