/**
 * Webhook secrets sealed at rest: a RuleStore that seals every webhook secret it writes
 * (AES-256-GCM under the master key, services/secret-key.ts) and opens them when it reads.
 * Secrets stored plain by earlier versions are still read; `sealPlainSecrets` rewrites them
 * sealed, and the service runs it at start, so a database has plain secrets only until the
 * first start of this version.
 */

import type { ActionRule, RuleAction } from "../core/rules.js";
import { isSealed, open, seal } from "../kernels/crypto/secret-box.js";
import type { RuleInput, RuleStore } from "../storage/ports/index.js";

type Transform = (value: string) => string;

function mapSecrets(actions: readonly RuleAction[], f: Transform): RuleAction[] {
  return actions.map((a) =>
    a.type !== "webhook"
      ? a
      : {
          ...a,
          secret: f(a.secret),
          ...(a.previousSecret !== undefined ? { previousSecret: f(a.previousSecret) } : {}),
        },
  );
}

export class SealedRuleStore implements RuleStore {
  private readonly seal: Transform;
  private readonly open: Transform;

  constructor(
    /** The store as it is in the database (secrets sealed, or plain from before). */
    readonly raw: RuleStore,
    key: Uint8Array,
  ) {
    this.seal = (v) => (isSealed(v) ? v : seal(key, v));
    this.open = (v) => (isSealed(v) ? open(key, v) : v);
  }

  private opened(rule: ActionRule): ActionRule {
    return { ...rule, actions: mapSecrets(rule.actions, this.open) };
  }

  private sealed<T extends Partial<RuleInput>>(input: T): T {
    return input.actions ? { ...input, actions: mapSecrets(input.actions, this.seal) } : input;
  }

  async create(orgId: number, input: RuleInput): Promise<ActionRule> {
    return this.opened(await this.raw.create(orgId, this.sealed(input)));
  }

  async update(id: number, input: Partial<RuleInput>): Promise<ActionRule> {
    return this.opened(await this.raw.update(id, this.sealed(input)));
  }

  delete(id: number): Promise<void> {
    return this.raw.delete(id);
  }

  async get(id: number): Promise<ActionRule | undefined> {
    const rule = await this.raw.get(id);
    return rule && this.opened(rule);
  }

  async list(orgId?: number): Promise<ActionRule[]> {
    return (await this.raw.list(orgId)).map((r) => this.opened(r));
  }

  /** Rewrites every rule that still holds a plain webhook secret with it sealed; returns how many. */
  async sealPlainSecrets(): Promise<number> {
    let n = 0;
    for (const rule of await this.raw.list()) {
      const plain = rule.actions.some(
        (a) =>
          a.type === "webhook" &&
          (!isSealed(a.secret) || (a.previousSecret !== undefined && !isSealed(a.previousSecret))),
      );
      if (!plain) continue;
      await this.raw.update(rule.id, { actions: mapSecrets(rule.actions, this.seal) });
      n++;
    }
    return n;
  }
}
