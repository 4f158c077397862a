/**
 * Work kept across a sign-in: a form's draft in sessionStorage (this tab only, gone when the
 * tab closes), so that an expired session does not lose a typed statement of reasons.
 */

interface KeyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function store(): KeyStore | undefined {
  try {
    return (globalThis as { sessionStorage?: KeyStore }).sessionStorage;
  } catch {
    return undefined;
  }
}

const PREFIX = "rasd.draft.";

export function saveDraft(name: string, value: unknown): void {
  try {
    store()?.setItem(PREFIX + name, JSON.stringify(value));
  } catch {
    // a full or refused store: the draft is only lost on a sign-in, as before
  }
}

export function loadDraft<T>(name: string): T | undefined {
  try {
    const text = store()?.getItem(PREFIX + name);
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

export function clearDraft(name: string): void {
  store()?.removeItem(PREFIX + name);
}
