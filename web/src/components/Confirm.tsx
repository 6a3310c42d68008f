// A confirmation for actions that cannot be undone: a native modal <dialog>, so focus
// stays inside it, Escape cancels and the page behind is inert. window.confirm() is
// not used because it cannot say what will happen in a way screen readers announce well.
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface ConfirmOptions {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
}

interface Pending extends ConfirmOptions {
  resolve: (ok: boolean) => void;
}

/** A native <dialog> shown modal while the component is mounted; on unmount it closes and
 *  focus goes back to what had it before (the button that opened it, for keyboard users). */
export function useModalDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    const before = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal();
    return () => {
      if (d?.open) d.close();
      before?.focus?.();
    };
  }, []);
  return ref;
}

function ConfirmDialog({ pending, onDone }: { pending: Pending; onDone: (ok: boolean) => void }) {
  const ref = useModalDialog();
  const id = useId();
  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={`${id}-t`}
      aria-describedby={`${id}-b`}
      onCancel={(e) => {
        e.preventDefault();
        onDone(false);
      }}
    >
      <h2 id={`${id}-t`} className="confirm__title">
        {pending.title}
      </h2>
      <div id={`${id}-b`} className="confirm__body">
        {pending.body}
      </div>
      <div className="actions confirm__actions">
        <button type="button" className="btn" autoFocus onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="button" className={`btn ${pending.danger ? 'btn--danger' : 'btn--primary'}`} onClick={() => onDone(true)}>
          {pending.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** `confirm(opts)` resolves true when the user confirms; render `dialog` somewhere in the component. */
export function useConfirm(): { confirm: (o: ConfirmOptions) => Promise<boolean>; dialog: ReactNode } {
  const [pending, setPending] = useState<Pending | null>(null);
  const confirm = useCallback((o: ConfirmOptions) => new Promise<boolean>((resolve) => setPending({ ...o, resolve })), []);
  const dialog = pending ? (
    <ConfirmDialog
      pending={pending}
      onDone={(ok) => {
        pending.resolve(ok);
        setPending(null);
      }}
    />
  ) : null;
  return { confirm, dialog };
}
