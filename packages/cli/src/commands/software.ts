/**
 * `vigil software upload|list|show|delete`: the server's software library, the packages
 * `vigil actions run software.deploy --param package=ID` installs on devices.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  Id,
  SoftwareArch,
  SoftwareName,
  type SoftwarePackageT,
  type SoftwareUploadResultT,
  SoftwareVersion,
  VigilError,
} from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatDetails, formatTable, shortTime } from '../output.js';
import { checkArg, ID_HINT, parseIntArg } from '../validate-args.js';
import { emit, withJson } from './common.js';

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The content type an upload declares, from the file's extension (the server checks the bytes). */
export function packageContentType(file: string): string {
  if (file.endsWith('.deb')) return 'application/vnd.debian.binary-package';
  if (file.endsWith('.rpm')) return 'application/x-rpm';
  return 'application/octet-stream';
}

/** A byte count for people: 1.5 MiB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function packageRef(ref: string): string {
  return checkArg(Id, ref, 'package id or SHA-256', `${ID_HINT}; vigil software list shows them`);
}

function packageTable(items: SoftwarePackageT[]): string {
  if (items.length === 0) return 'The software library is empty (vigil software upload FILE).\n';
  return formatTable(
    ['id', 'name', 'version', 'arch', 'kind', 'size', 'uploaded', 'by', 'sha256'],
    items.map((p) => [
      p.id,
      p.name,
      p.version,
      p.arch,
      p.kind,
      formatSize(p.size),
      shortTime(p.created_at),
      p.uploaded_by.name,
      `${p.sha256.slice(0, 12)}…`,
    ]),
  );
}

function packageDetails(p: SoftwarePackageT): string {
  return formatDetails([
    ['ID', p.id],
    ['Package', `${p.name} ${p.version} (${p.arch}, .${p.kind})`],
    ['SHA-256', p.sha256],
    ['Size', `${formatSize(p.size)} (${p.size} bytes)`],
    ['Agents store it as', p.filename],
    ['Uploaded as', p.original_filename],
    ['Uploaded', `${shortTime(p.created_at)} by ${p.uploaded_by.name}`],
  ]);
}

/** Register `vigil software …`. */
export function registerSoftwareCommands(program: Command, ctx: CliContext): void {
  const software = program
    .command('software')
    .summary('the software library: packages software.deploy installs on devices');

  withJson(
    software
      .command('upload')
      .description(
        'Upload a .deb or .rpm to the server (admin). Name, version and architecture are read from the package; give them for an .rpm when the server has no rpm.',
      )
      .argument('<FILE>', 'the package file')
      .option('--name <NAME>', 'package name (checked against the package)')
      .option(
        '--package-version <VERSION>',
        'package version, e.g. 1:2.3-4 (checked against the package; --version is the CLI’s own)',
      )
      .option('--arch <ARCH>', 'architecture, e.g. amd64 or x86_64 (checked against the package)'),
  ).action(
    async (
      file: string,
      flags: { name?: string; packageVersion?: string; arch?: string; json?: boolean },
    ) => {
      const query = {
        filename: basename(file).slice(0, 255),
        ...(flags.name ? { name: checkArg(SoftwareName, flags.name, '--name', 'a package name') } : {}),
        ...(flags.packageVersion
          ? {
              version: checkArg(
                SoftwareVersion,
                flags.packageVersion,
                '--package-version',
                'e.g. 1.2-3 or 1:2.3-4',
              ),
            }
          : {}),
        ...(flags.arch
          ? { arch: checkArg(SoftwareArch, flags.arch, '--arch', 'e.g. amd64, all, x86_64') }
          : {}),
      };
      let size: number;
      try {
        const info = await stat(file);
        if (!info.isFile()) throw new Error('not a file');
        size = info.size;
      } catch {
        throw new VigilError('E_USAGE', `${file} is not a file this command can read`);
      }
      const client = await ctx.connect();
      const answer = await client.upload<SoftwareUploadResultT>('/api/v1/software', createReadStream(file), {
        size,
        contentType: packageContentType(file),
        query,
      });
      const p = answer.body;
      emit(
        ctx,
        flags.json,
        p,
        () =>
          `${p.duplicate ? 'Already in the library' : 'Uploaded'}: ${p.name} ${p.version} (${p.arch}), id ${p.id}, sha256 ${p.sha256}.\n` +
          `Deploy it: vigil actions run software.deploy --param package=${p.id} --target …\n`,
      );
    },
  );

  withJson(
    software
      .command('list')
      .description('List the packages of the library, newest first.')
      .option('--name <NAME>', 'only this package name')
      .option('--limit <N>', 'packages per page (1-500)')
      .option('--all', 'follow the cursors and list every package'),
  ).action(async (flags: { name?: string; limit?: string; all?: boolean; json?: boolean }) => {
    const query = {
      ...(flags.name ? { name: checkArg(SoftwareName, flags.name, '--name', 'a package name') } : {}),
      ...(flags.limit ? { limit: parseIntArg(flags.limit, '--limit', 1, 500) } : {}),
    };
    const client = await ctx.connect();
    let page = await client.get<Page<SoftwarePackageT>>('/api/v1/software', query);
    if (flags.all) {
      const items = [...page.items];
      // Bounded: at most 10,000 pages.
      for (let i = 0; page.next_cursor && i < 10_000; i++) {
        page = await client.get<Page<SoftwarePackageT>>('/api/v1/software', {
          ...query,
          cursor: page.next_cursor,
        });
        items.push(...page.items);
      }
      page = { items, next_cursor: null };
    }
    emit(ctx, flags.json, page, () => packageTable(page.items));
    if (!flags.json && page.next_cursor) ctx.io.err('More packages: add --all\n');
  });

  withJson(
    software.command('show').description('Show one package.').argument('<ID>', 'package id or SHA-256'),
  ).action(async (ref: string, flags: { json?: boolean }) => {
    const id = packageRef(ref);
    const client = await ctx.connect();
    const p = await client.get<SoftwarePackageT>(`/api/v1/software/${encodeURIComponent(id)}`);
    emit(ctx, flags.json, p, () => packageDetails(p));
  });

  withJson(
    software
      .command('delete')
      .description(
        'Delete a package (admin; refused while a software.deploy run waiting or in progress uses it).',
      )
      .argument('<ID>', 'package id or SHA-256'),
  ).action(async (ref: string, flags: { json?: boolean }) => {
    const id = packageRef(ref);
    const client = await ctx.connect();
    const p = await client.delete<SoftwarePackageT>(`/api/v1/software/${encodeURIComponent(id)}`);
    emit(ctx, flags.json, p, () => `Deleted ${p.name} ${p.version} (${p.id}) from the software library.\n`);
  });
}
