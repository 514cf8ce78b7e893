/** A catalogue entry of GET /api/v1/actions/catalogue (the declaration plus whether it needs approval here). */
import type { ActionDefinitionT } from '@vigil/protocol';

export type CatalogueEntry = ActionDefinitionT & { needs_approval: boolean };
