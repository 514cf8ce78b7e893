import { existsIn, readBytes } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';

const GLOBAL_VARIABLE_GUID = '8be4df61-93ca-11d2-aa0d-00e098032b8c';

/** Reads a one-byte EFI global variable; efivarfs prefixes the value with 4 bytes of attributes. */
function readEfiFlag(ctx: TableContext, name: string): number | null {
  const bytes =
    readBytes(ctx, `/sys/firmware/efi/efivars/${name}-${GLOBAL_VARIABLE_GUID}`) ??
    readBytes(ctx, `/sys/firmware/efi/vars/${name}-${GLOBAL_VARIABLE_GUID}/data`);
  if (bytes === null || bytes.length === 0) return null;
  return bytes.length >= 5 ? (bytes[4] ?? null) : (bytes[0] ?? null);
}

/** secureboot: Secure Boot and Setup Mode flags from the EFI variables; empty on a BIOS-booted host. */
export const secureboot: TableCollector = {
  name: 'secureboot',
  *collect(ctx) {
    if (!existsIn(ctx, '/sys/firmware/efi')) {
      ctx.warn('not booted with EFI (no /sys/firmware/efi): Secure Boot does not apply');
      return;
    }
    const secureBoot = readEfiFlag(ctx, 'SecureBoot');
    const setupMode = readEfiFlag(ctx, 'SetupMode');
    if (secureBoot === null && setupMode === null) {
      ctx.warn('EFI variables SecureBoot/SetupMode are not readable (efivarfs not mounted?)');
      return;
    }
    yield { secure_boot: secureBoot, setup_mode: setupMode };
  },
};
