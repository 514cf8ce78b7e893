/** The action catalogue the server validates against: definitions/actions, loaded once. */
import { loadActions, validateActionParams } from '@vigil/agent';
import { type ActionDefinitionT, VigilError } from '@vigil/protocol';

/** Declarations by name, with parameter validation that answers stable codes. */
export class ActionCatalogue {
  private defs: ActionDefinitionT[] | undefined;

  constructor(private readonly dir?: string) {}

  /** Every declaration, sorted by name (read from disk on first use, like the check library). */
  all(): ActionDefinitionT[] {
    if (!this.defs) this.defs = this.dir ? loadActions(this.dir) : loadActions();
    return this.defs;
  }

  /** One declaration, or E_ACTION_UNKNOWN naming where to look. */
  get(name: string): ActionDefinitionT {
    const def = this.all().find((d) => d.name === name);
    if (!def)
      throw new VigilError(
        'E_ACTION_UNKNOWN',
        `no action named ${name}: GET /api/v1/actions/catalogue (vigil actions catalogue) lists them`,
      );
    return def;
  }

  /** The parameters with defaults filled in, or E_ACTION_PARAMS naming the field. */
  params(def: ActionDefinitionT, params: unknown): Record<string, unknown> {
    try {
      return validateActionParams(def, params);
    } catch (error) {
      if (error instanceof VigilError)
        throw new VigilError('E_ACTION_PARAMS', error.message, { details: error.details });
      throw error;
    }
  }
}
